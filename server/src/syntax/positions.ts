/**
 * Offsets ↔ positions. Positions are 0-based line and UTF-16 column, as in LSP; lines break at
 * "\n", "\r\n" and a lone "\r" (the same rule as vscode-languageserver-textdocument), so a column
 * never counts the "\r" of a CRLF ending.
 */
/** A 0-based line and UTF-16 column. */
export interface Position {
  line: number;
  character: number;
}

export interface Span {
  start: Position;
  end: Position;
  /** Offsets into the document text (JS string indices). */
  startOffset: number;
  endOffset: number;
}

export class LineIndex {
  /** Offset at which each line starts. */
  private readonly lineStarts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    // Without a CR (the analysis reads normalised text) every break is a "\n": the engine's search finds them.
    if (!text.includes('\r')) {
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.lineStarts = starts;
      return;
    }
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      } else if (ch === 10 /* \n */) {
        starts.push(i + 1);
      }
    }
    this.lineStarts = starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** Position of an offset (clamped to the text). */
  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= clamped) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: clamped - this.lineStarts[low] };
  }

  /** Offset of a position (a column past the line end is clamped to the line end). */
  offsetAt(position: Position): number {
    if (position.line < 0) return 0;
    if (position.line >= this.lineStarts.length) return this.text.length;
    const start = this.lineStarts[position.line];
    let end = position.line + 1 < this.lineStarts.length ? this.lineStarts[position.line + 1] : this.text.length;
    // Do not land inside the line break.
    while (end > start && (this.text[end - 1] === '\n' || this.text[end - 1] === '\r')) end--;
    return Math.max(start, Math.min(start + Math.max(0, position.character), end));
  }

  /** Start offset of a line. */
  lineStart(line: number): number {
    return this.lineStarts[Math.max(0, Math.min(line, this.lineStarts.length - 1))];
  }

  span(startOffset: number, endOffset: number): Span {
    return { start: this.positionAt(startOffset), end: this.positionAt(endOffset), startOffset, endOffset };
  }
}

/** Whether `a` is before `b`. */
export function positionBefore(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** Whether a span contains a position (ends inclusive). */
export function spanContainsPosition(span: Span, position: Position): boolean {
  return !positionBefore(position, span.start) && !positionBefore(span.end, position);
}

/**
 * The line indexes of the texts asked about last, newest first. Each is a pass over its whole text,
 * and one edit asked for its text's several times (applying the change, building the model, answering
 * requests, building fixes).
 */
const recentLineIndexes: LineIndex[] = [];
const KEPT_LINE_INDEXES = 4;

/** The line index of a text, made once for the texts asked about last (a string compares by value). */
export function lineIndexOf(text: string): LineIndex {
  const at = recentLineIndexes.findIndex((lines) => lines.text === text);
  const lines = at >= 0 ? recentLineIndexes.splice(at, 1)[0] : new LineIndex(text);
  recentLineIndexes.unshift(lines);
  if (recentLineIndexes.length > KEPT_LINE_INDEXES) recentLineIndexes.pop();
  return lines;
}
