// Include lines (scanIncludes) and include resolution kept across calls (IncludeResolver): one resolver asked many times, in any
// order, answers each question as a resolver made for that question alone.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import fc from 'fast-check';
import { IncludeResolver, KnownFiles, scanIncludes, type IncludeDirective } from '../../../server/src/project/includes';

const root = path.resolve('/drv');
const at = (...parts: string[]) => path.join(root, ...parts);

// The same header names in several folders, so a lookup kept under the wrong folder or path shows.
const FILES = [
  at('a', 'common.h'),
  at('a', 'only_a.h'),
  at('b', 'common.h'),
  at('b', 'Sub', 'deep.h'),
  at('inc', 'common.h'),
  at('inc', 'public.h'),
  at('inc2', 'public.h'),
  at('inc2', 'only_inc2.h'),
  at('src', 'one.c'),
  at('src', 'local.h'),
  at('b', 'two.c'),
];
const NAMES = ['common.h', 'only_a.h', 'public.h', 'only_inc2.h', 'local.h', 'Sub/deep.h', 'sub\\DEEP.H', 'missing.h'];
const INCLUDERS = [at('a', 'x.h'), at('b', 'y.h'), at('src', 'one.c'), at('b', 'two.c'), at('inc', 'public.h')];
const PATHS: readonly (readonly string[])[] = [[], [at('inc')], [at('inc2'), at('inc')], [at('b'), at('inc2')]];

interface Question {
  include: IncludeDirective;
  includer: string;
  source: string;
  includePath: readonly string[];
}

const question: fc.Arbitrary<Question> = fc.record({
  include: fc.record({ name: fc.constantFrom(...NAMES, at('inc', 'public.h')), quoted: fc.boolean() }),
  includer: fc.constantFrom(...INCLUDERS),
  source: fc.constantFrom(...INCLUDERS),
  includePath: fc.constantFrom(...PATHS),
});

describe('include resolution kept across calls (IncludeResolver)', () => {
  const known = new KnownFiles(FILES);

  it('answers every question of a sequence as a fresh resolver does', () => {
    fc.assert(
      fc.property(fc.array(question, { minLength: 1, maxLength: 60 }), (questions) => {
        const kept = new IncludeResolver(known);
        for (const q of questions) {
          const fresh = new IncludeResolver(known).resolve(q.include, q.includer, q.source, q.includePath);
          assert.deepEqual(kept.resolve(q.include, q.includer, q.source, q.includePath), fresh, JSON.stringify(q));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("tries the including file's folder, the compiled source's, then the include path, in that order", () => {
    const r = new IncludeResolver(known);
    const common: IncludeDirective = { name: 'common.h', quoted: true };
    assert.deepEqual(r.resolve(common, at('a', 'x.h'), at('b', 'two.c'), [at('inc')]), {
      file: at('a', 'common.h'),
      via: "the including file's folder",
    });
    assert.deepEqual(r.resolve(common, at('src', 'one.c'), at('src', 'one.c'), [at('inc')]), {
      file: at('inc', 'common.h'),
      via: `include folder ${at('inc')}`,
    });
    assert.deepEqual(r.resolve(common, at('inc2', 'q.h'), at('b', 'two.c'), [at('inc')]), {
      file: at('b', 'common.h'),
      via: "the compiled source's folder",
    });
    // `<…>` skips the folders of the files; the same name on another include path finds another file.
    assert.deepEqual(r.resolve({ name: 'common.h', quoted: false }, at('a', 'x.h'), at('a', 'x.h'), [at('inc')]), {
      file: at('inc', 'common.h'),
      via: `include folder ${at('inc')}`,
    });
    assert.equal(
      r.resolve({ name: 'common.h', quoted: false }, at('a', 'x.h'), at('a', 'x.h'), [at('inc2')]),
      undefined,
    );
    // Backslashes and case as Windows builds write them.
    assert.equal(
      r.resolve({ name: 'sub\\DEEP.H', quoted: true }, at('b', 'y.h'), at('b', 'y.h'), [])?.file,
      at('b', 'Sub', 'deep.h'),
    );
  });
});

describe('include lines of a text (scanIncludes)', () => {
  /** The reference: every line tested, as the scan did before it went from one `#` to the next. */
  function lineByLine(text: string): IncludeDirective[] {
    const out: IncludeDirective[] = [];
    const line = /^[ \t]*#[ \t]*include[ \t]*(?:"([^"\r\n]+)"|<([^>\r\n]+)>)/;
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const m = line.exec(text.slice(start, Math.min(end, start + 1024)));
      if (m) out.push({ name: (m[1] ?? m[2]).trim(), quoted: m[1] !== undefined });
      start = end + 1;
    }
    return out;
  }

  it('finds what testing every line finds, in any text', () => {
    const piece = fc.constantFrom(
      '#include "a.h"',
      '  #  include <sub/b.h>',
      '\t#include" c.h "',
      'x # include "not.h"',
      '#define X 1',
      '#',
      '##include "twice.h"',
      '#include "open',
      '#include <>',
      '\n',
      '\r\n',
      ' ',
      '\t',
      'code;',
      '"',
      '<',
      ' '.repeat(1030),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const text = pieces.join('');
        assert.deepEqual(scanIncludes(text), lineByLine(text), JSON.stringify(text.slice(0, 200)));
      }),
      { numRuns: 2000 },
    );
  });
});
