// Suppressions drivers already wrote for Code Analysis (`#pragma warning(suppress|disable …)`,
// `#pragma prefast(suppress: …, "reason")`) silence the rules that mirror the warnings they name, and
// `// kmdf-ignore` keeps working beside them. Fixtures: test/fixtures/rules/suppressions/*.c, where
// `// expect: RULE` marks what is still reported and `// silenced: RULE` what a suppression hides.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../../../server/src/rules/types';
import { LineIndex } from '../../../server/src/syntax/positions';
import fc from 'fast-check';
import {
  blankLineComments,
  codeLines,
  parsePragma,
  pragmaSuppressions,
} from '../../../server/src/analysis/suppressions';
import { allRules } from '../../../server/src/rules/registry';
import { describeFindings, fixturesDir, foundAt, lint, markedLines } from '../../support/ruleHarness';

const DIR = path.join(fixturesDir, 'suppressions');

/** The same text with every suppression turned into plain text (same line count). */
function withoutSuppressions(text: string): string {
  return text
    .replace(/^[ \t]*#[ \t]*pragma[ \t]+(warning|prefast)\b.*$/gm, '')
    .replace(/kmdf-ignore/g, '(was ignored)');
}

const pragmas = (text: string) => pragmaSuppressions(text, new LineIndex(text));

describe('suppressions written for Code Analysis', function () {
  this.timeout(30_000);

  for (const name of fs
    .readdirSync(DIR)
    .filter((n) => n.endsWith('.c'))
    .sort()) {
    it(`${name}: reports what is marked expect and silences what is marked silenced`, async () => {
      const text = fs.readFileSync(path.join(DIR, name), 'utf8');
      const expected = markedLines({ [name]: text }, 'expect');
      const silenced = markedLines({ [name]: text }, 'silenced');
      assert.ok(silenced.length > 0, 'the fixture silences something');
      const ids = new Set([...expected, ...silenced].map((m) => m.split(' ')[1]));
      /** The findings of the rules the fixture's markers name. */
      const found = (findings: Finding[]) => foundAt(findings.filter((f) => ids.has(f.ruleId)));
      const findings = await lint({ [name]: text });
      assert.deepEqual(found(findings), expected, describeFindings(findings));
      // Without its suppressions the fixture reports the silenced findings too: the pragmas did the work.
      const bare = await lint({ [name]: withoutSuppressions(text) });
      assert.deepEqual(found(bare), [...expected, ...silenced].sort(), describeFindings(bare));
    });
  }

  describe('reading the pragmas', () => {
    it('suppress covers the next code line only, skipping blanks, comments and stacked pragmas', () => {
      const text = [
        '#pragma warning(suppress: 28121)',
        '',
        '// why',
        '#pragma prefast(suppress: 28170, "x")',
        '    Call();',
        '    Other();',
      ].join('\n');
      assert.deepEqual(
        pragmas(text).map((s) => [s.pragma, s.kind, s.warnings, s.fromLine, s.toLine]),
        [
          ['warning', 'suppress', [28121], 4, 4],
          ['prefast', 'suppress', [28170], 4, 4],
        ],
      );
    });

    it('disable runs to default, to the pop of an enclosing push, or to the end of the file', () => {
      const text = [
        '#pragma warning(disable: 28121 28172)', // 0
        'a();',
        '#pragma warning(default: 28121)', // 2
        'b();',
        '#pragma warning(push, 3)', // 4
        '#pragma warning(disable: 28170; once: 28172)', // 5
        'c();',
        '#pragma warning(pop)', // 7
        'd();',
      ].join('\n');
      assert.deepEqual(
        pragmas(text).map((s) => `${s.warnings.join(',')}:${s.fromLine}-${s.toLine}`),
        ['28121:1-1', '28172:1-4', '28170:6-6', '28172:8-8'],
      );
    });

    it('reads numbers, known __WARNING_ names and several specifiers, and drops justifications', () => {
      assert.deepEqual(
        parsePragma('#pragma prefast(suppress: __WARNING_NO_PAGED_CODE 28171, "PAGED_CODE (28118) is fine")'),
        {
          kind: 'prefast',
          specifiers: [{ name: 'suppress', warnings: [28170, 28171] }],
        },
      );
      assert.deepEqual(parsePragma('  #  pragma warning( disable : 4507 34 ; error : 164 )'), {
        kind: 'warning',
        specifiers: [
          { name: 'disable', warnings: [4507, 34] },
          { name: 'error', warnings: [164] },
        ],
      });
      assert.deepEqual(parsePragma('#pragma prefast(suppress: __WARNING_NOT_A_NAME_WE_KNOW)')?.specifiers, [
        { name: 'suppress', warnings: [] },
      ]);
      assert.equal(parsePragma('#pragma alloc_text(PAGE, Foo)'), undefined);
    });

    it('reads each line as the character scan does (lines without a slash outside a block comment are taken whole)', () => {
      // The reference: every line through the character scan, the fast path never taken.
      const reference = (text: string): string[] => {
        const lines = new LineIndex(text);
        const out: string[] = [];
        let inBlock = false;
        for (let l = 0; l < lines.lineCount; l++) {
          const end = l + 1 < lines.lineCount ? lines.lineStart(l + 1) : text.length;
          const scanned = blankLineComments(text.slice(lines.lineStart(l), end).replace(/\r?\n$|\r$/, ''), inBlock);
          inBlock = scanned.inBlock;
          out.push(scanned.line);
        }
        return out;
      };
      const piece = fc.constantFrom(
        'x = 1;',
        '/*',
        '*/',
        '//',
        '"',
        "'",
        '\\',
        '\n',
        '\r\n',
        ' ',
        '#pragma warning(push)',
        'a/b',
        '*',
      );
      fc.assert(
        fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
          const text = pieces.join('');
          assert.deepEqual(codeLines(text, new LineIndex(text)), reference(text));
        }),
        { numRuns: 500, seed: 10 },
      );
    });

    it('blanks a line as a character-by-character scan does (block comments as spaces, a line comment ends it)', () => {
      // The reference: each character appended or blanked in turn.
      const reference = (raw: string, inBlock: boolean): { line: string; inBlock: boolean } => {
        let line = '';
        let quote: string | undefined;
        for (let i = 0; i < raw.length; i++) {
          const ch = raw[i];
          if (inBlock) {
            if (ch === '*' && raw[i + 1] === '/') {
              inBlock = false;
              i++;
              line += '  ';
            } else line += ' ';
            continue;
          }
          if (quote) {
            line += ch;
            if (ch === '\\') {
              line += raw[i + 1] ?? '';
              i++;
            } else if (ch === quote) quote = undefined;
            continue;
          }
          if (ch === '/' && raw[i + 1] === '/') break;
          if (ch === '/' && raw[i + 1] === '*') {
            inBlock = true;
            i++;
            line += '  ';
            continue;
          }
          if (ch === '"' || ch === "'") quote = ch;
          line += ch;
        }
        return { line, inBlock };
      };
      const piece = fc.constantFrom('x = 1;', '/', '*', '/*', '*/', '//', '"', "'", '\\', ' ', 'a', '#pragma');
      fc.assert(
        fc.property(fc.array(piece, { maxLength: 30 }), fc.boolean(), (pieces, inBlock) => {
          const raw = pieces.join('');
          assert.deepEqual(blankLineComments(raw, inBlock), reference(raw, inBlock));
        }),
        { numRuns: 2000, seed: 10 },
      );
    });

    it('ignores pragmas inside comments and a pop without a push', () => {
      const text = [
        '/* #pragma warning(disable: 28121)',
        '#pragma warning(disable: 28172) */',
        '#pragma warning(pop)',
        'x();',
      ].join('\n');
      assert.deepEqual(pragmas(text), []);
    });
  });

  it('only rules that mirror a Code Analysis warning can be silenced by a pragma, and their numbers are C28xxx or C6xxx warnings', () => {
    for (const { meta } of allRules) {
      for (const n of meta.mirrors?.codeAnalysis ?? [])
        assert.ok((n >= 28000 && n < 29000) || (n >= 6000 && n < 7000), `${meta.id}: ${n}`);
    }
    assert.ok(allRules.some((r) => r.meta.mirrors?.codeAnalysis?.includes(28121)));
  });
});
