import { strict as assert } from 'node:assert';
import { applyPatches, literalEnd, matchParen, scanCode, type CodeToken } from '../../../server/src/syntax/lexicalWalk';

/** Every token as `kind:text@start` (with `^` when first on its line). */
function tokens(text: string): string[] {
  const out: string[] = [];
  scanCode(text, (t: CodeToken) => {
    out.push(`${t.kind === 'identifier' ? 'id' : 'ch'}:${t.text}@${t.start}${t.lineStart ? '^' : ''}`);
  });
  return out;
}

describe('scanCode', () => {
  it('passes over line and block comments', () => {
    assert.deepEqual(tokens('a // b c\nd /* e\n f */ g'), ['id:a@0^', 'id:d@9^', 'id:g@22']);
    // An unterminated block comment runs to the end of the text.
    assert.deepEqual(tokens('x /* y'), ['id:x@0^']);
    // `/*/` does not close the comment it opens.
    assert.deepEqual(tokens('/*/ k */m'), ['id:m@8^']);
  });

  it('passes over string literals with escaped quotes and char literals', () => {
    assert.deepEqual(tokens('s = "a \\" b"; c = \'\\\'\'; d'), [
      'id:s@0^',
      'ch:=@2',
      'ch:;@12',
      'id:c@14',
      'ch:=@16',
      'ch:;@22',
      'id:d@24',
    ]);
    // An unterminated literal stops at its line break, which it swallows: `e` is not first on its line.
    assert.deepEqual(tokens('"open\ne'), ['id:e@6']);
  });

  it('passes over preprocessor lines with continuations, at line start only', () => {
    const src = '#define M(x) \\\n  do { x; } \\\n  while (0)\nint a # b;\n  /* c */ #if X\nY';
    assert.deepEqual(tokens(src), ['id:int@41^', 'id:a@45', 'ch:#@47', 'id:b@49', 'ch:;@50', 'id:Y@68^']);
  });

  it('reports whole identifiers with their line-start flag, and other characters one at a time', () => {
    assert.deepEqual(tokens('  _In_ x1\n\tfoo(2ab, Z)'), [
      'id:_In_@2^',
      'id:x1@7',
      'id:foo@11^',
      'ch:(@14',
      'ch:2@15',
      'ch:a@16',
      'ch:b@17',
      'ch:,@18',
      'id:Z@20',
      'ch:)@21',
    ]);
  });

  it('resumes where the visitor says, and never steps back', () => {
    const seen: string[] = [];
    scanCode('A(b, c) d', (t) => {
      seen.push(t.text);
      if (t.text === 'A') return 7;
      if (t.text === 'd') return 0;
    });
    assert.deepEqual(seen, ['A', 'd']);
  });
});

describe('literalEnd and matchParen', () => {
  it('finds the end of a literal, past an escaped quote or at the line break', () => {
    assert.equal(literalEnd('x"a\\"b"y', 1), 7);
    assert.equal(literalEnd("'\\''", 0), 4);
    assert.equal(literalEnd('"ab\ncd"', 0), 4);
    assert.equal(literalEnd('"ab', 0), 4);
  });

  it('matches parentheses across literals, within the span', () => {
    assert.equal(matchParen('f(a, ")", (b))', 1, 100), 13);
    assert.equal(matchParen('f(a, (b)', 1, 100), -1);
    assert.equal(matchParen('(abc)', 0, 4), -1);
    assert.equal(matchParen('(abc)', 0, 5), 4);
    assert.equal(matchParen('(abc)', -1, 5), -1);
  });
});

describe('applyPatches', () => {
  it('blanks ranges keeping line breaks, replaces same-length text, and never moves an offset', () => {
    const text = 'CONST int _In_\r\n x; // tail';
    const out = applyPatches(text, [
      { start: 10, end: 18 }, // `_In_\r\n x`: spaces, CR LF kept
      { start: 0, end: 5, text: 'const' },
    ]);
    assert.equal(out, 'const int ' + '    ' + '\r\n' + '  ' + '; // tail');
    assert.equal(out.length, text.length);
  });

  it('takes patches in any order, merges overlaps, and returns the same string when there is nothing to do', () => {
    const text = 'abcdefghij';
    assert.equal(
      applyPatches(text, [
        { start: 6, end: 8 },
        { start: 1, end: 4 },
        { start: 3, end: 7 },
      ]),
      'a       ij',
    );
    assert.equal(applyPatches(text, []), text);
    assert.equal(applyPatches(text, [{ start: 5, end: 5 }]), text);
  });
});
