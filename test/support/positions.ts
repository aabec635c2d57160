/** LSP positions in a test's text, found by a needle rather than counted by hand. */

export interface TextPosition {
  line: number;
  character: number;
}

/** Position of the `occurrence`-th (0-based) `needle` in `text`, plus `delta` characters. */
export function positionOf(text: string, needle: string, delta = 0, occurrence = 0): TextPosition {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" (occurrence ${occurrence}) not in text`);
  }
  const before = text.slice(0, at + delta);
  return { line: before.split('\n').length - 1, character: before.length - (before.lastIndexOf('\n') + 1) };
}

/** Position of the end of `text`. */
export function endPosition(text: string): TextPosition {
  const lines = text.split('\n');
  return { line: lines.length - 1, character: lines[lines.length - 1].length };
}
