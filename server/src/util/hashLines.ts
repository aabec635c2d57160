/**
 * The lines of a text whose first character other than a space or a tab is `#` (preprocessor lines),
 * as [start, end) offsets with `end` at the line's break, found from one `#` to the next rather than
 * line by line: they run over whole documents on every edit. `isBreak` says which characters end a
 * line (the include scan splits at "\n" alone, the reuse outline where JavaScript's `^`/`$` do).
 */
export function hashLines(text: string, isBreak: (code: number) => boolean): [start: number, end: number][] {
  const out: [number, number][] = [];
  for (let hash = text.indexOf('#'); hash >= 0;) {
    let start = hash;
    while (start > 0 && (text.charCodeAt(start - 1) === 32 || text.charCodeAt(start - 1) === 9)) start--;
    let end = hash + 1;
    while (end < text.length && !isBreak(text.charCodeAt(end))) end++;
    if (start === 0 || isBreak(text.charCodeAt(start - 1))) out.push([start, end]);
    hash = text.indexOf('#', end);
  }
  return out;
}
