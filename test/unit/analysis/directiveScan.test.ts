import { strict as assert } from 'node:assert';
import { logicalLineEnd, mayBeDirective } from '../../../server/src/analysis/conditionals';

/** Seeded pseudo-random numbers (the same lines on every run). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Lines made of the pieces the directive scan treats specially. */
function randomTexts(count: number): string[] {
  const pieces = [' ', '\t', '\r', '\n', '\\', '\\\n', '\\\r\n', '#', 'if', ' define X', 'a', '/', '*', '"'];
  const next = random(20261202);
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    let text = '';
    const length = Math.floor(next() * 12);
    for (let i = 0; i < length; i++) text += pieces[Math.floor(next() * pieces.length)];
    out.push(text);
  }
  return out;
}

/** What the scans asked before: `^[ \t]*#` after joining continued lines and dropping CRs. */
const STARTS_WITH_HASH = /^[ \t]*#/;

/** The line end the scan found before, by a regular expression on the last two characters. */
function regexLogicalLineEnd(text: string, lineStart: number): number {
  let lineEnd = text.indexOf('\n', lineStart);
  if (lineEnd < 0) lineEnd = text.length;
  let logicalEnd = lineEnd;
  while (logicalEnd < text.length && /\\\r?$/.test(text.slice(Math.max(lineStart, logicalEnd - 2), logicalEnd))) {
    const next = text.indexOf('\n', logicalEnd + 1);
    logicalEnd = next < 0 ? text.length : next;
  }
  return logicalEnd;
}

describe('directive scan helpers', () => {
  const texts = randomTexts(20000);

  it('mayBeDirective holds exactly for the lines whose cleaned text starts with #', () => {
    let directives = 0;
    for (const line of texts) {
      const joined = STARTS_WITH_HASH.test(line.replace(/\\\r?\n/g, ' ').replace(/\r/g, ''));
      assert.equal(mayBeDirective(line, true), joined, JSON.stringify(line));
      const plain = STARTS_WITH_HASH.test(line.replace(/\r/g, ''));
      assert.equal(mayBeDirective(line), plain, JSON.stringify(line));
      if (joined) directives++;
    }
    assert.ok(directives > 500, `enough directive-like lines (${directives})`);
  });

  it('logicalLineEnd finds the end the regular expression found, from every line start', () => {
    for (const text of texts)
      for (let start = 0; start <= text.length; start++)
        if (start === 0 || text[start - 1] === '\n')
          assert.equal(logicalLineEnd(text, start), regexLogicalLineEnd(text, start), JSON.stringify(text));
  });
});
