import { strict as assert } from 'node:assert';
import { LineIndex } from '../../../server/src/syntax/positions';

/** Position of every offset, counted one character at a time (any of "\n", "\r\n", "\r" ends a line). */
function countedPositions(text: string): { line: number; character: number }[] {
  const out: { line: number; character: number }[] = [];
  let line = 0;
  let character = 0;
  for (let i = 0; i <= text.length; i++) {
    out.push({ line, character });
    const ch = text[i];
    if (ch === '\r' && text[i + 1] === '\n') {
      out.push({ line, character: character + 1 });
      i++;
      line++;
      character = 0;
    } else if (ch === '\n' || ch === '\r') {
      line++;
      character = 0;
    } else character++;
  }
  return out;
}

describe('LineIndex', () => {
  it('places every offset as counting the characters does, with and without CRs', () => {
    const pieces = ['a', 'bc', '\n', '\r\n', '\r', '\n\n', ''];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let n = 0; n < 3000; n++) {
      let text = '';
      for (let i = Math.floor(next() * 10); i > 0; i--) text += pieces[Math.floor(next() * pieces.length)];
      // Half the texts without CR: the index's search-based path.
      if (n % 2) text = text.replace(/\r/g, '');
      const index = new LineIndex(text);
      const expected = countedPositions(text);
      for (let offset = 0; offset <= text.length; offset++)
        assert.deepEqual(index.positionAt(offset), expected[offset], `${JSON.stringify(text)} @${offset}`);
      assert.equal(index.lineCount, expected[text.length].line + 1, JSON.stringify(text));
    }
  });
});
