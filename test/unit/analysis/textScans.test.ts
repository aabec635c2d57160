// Whole-text scans an edit runs, written as jumps from one '#' or '\r' to the next: each gives what the
// regex it replaces gives, on texts of every kind of line break and blank.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { normalizeLineBreaks } from '../../../server/src/analysis/parse';
import { directiveLines } from '../../../server/src/rules/findingsReuse';
import { LineIndex, lineIndexOf } from '../../../server/src/syntax/positions';

const piece = fc.constantFrom(
  '#',
  '#if X',
  '  #define Y 1',
  '\t# pragma once',
  'code; # not a directive',
  '##',
  'x',
  ' ',
  '\t',
  '\v',
  '\n',
  '\r',
  '\r\n',
  '\u2028',
  '\u2029',
  '"#"',
);
const text = fc.array(piece, { maxLength: 40 }).map((pieces) => pieces.join(''));

describe('whole-text scans of an edit', () => {
  it('directiveLines joins what /^[ \\t]*#.*$/gm matches', () => {
    fc.assert(
      fc.property(text, (t) =>
        assert.equal(directiveLines(t), t.match(/^[ \t]*#.*$/gm)?.join('\n') ?? '', JSON.stringify(t)),
      ),
      { numRuns: 3000 },
    );
  });

  it('normalizeLineBreaks replaces exactly the lone "\\r"s, and returns a text without any as it is', () => {
    fc.assert(
      fc.property(text, (t) => {
        const out = normalizeLineBreaks(t);
        assert.equal(out, t.replace(/\r(?!\n)/g, '\n'), JSON.stringify(t));
        if (!/\r(?!\n)/.test(t)) assert.equal(out, t);
      }),
      { numRuns: 3000 },
    );
  });

  it('lineIndexOf answers as a fresh LineIndex for each of a sequence of texts, kept or not', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a\nb', 'a\r\nb\rc', '', '\n\n', 'x\u2028y', 'a\nb'), { maxLength: 12 }),
        (texts) => {
          for (const t of texts) {
            const kept = lineIndexOf(t);
            const fresh = new LineIndex(t);
            assert.equal(kept.text, t);
            assert.equal(kept.lineCount, fresh.lineCount);
            for (let offset = 0; offset <= t.length; offset++)
              assert.deepEqual(kept.positionAt(offset), fresh.positionAt(offset));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
