/**
 * Inline markers in fixtures: a comment line `//      ^ kind name` points with its caret at the
 * same UTF-16 column of the nearest line above that is not a marker line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Marker {
  kind: string;
  name: string;
  /** Offset of the character the caret points at. */
  offset: number;
  line: number;
  character: number;
}

const MARKER = /^\/\/\s*\^\s+(\S+)\s+(.+?)\s*$/;

export function readMarkers(text: string): Marker[] {
  const lines = text.split('\n');
  const starts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    starts.push(offset);
    offset += line.length + 1;
  }
  const out: Marker[] = [];
  lines.forEach((line, index) => {
    const m = MARKER.exec(line);
    if (!m) return;
    let target = index - 1;
    while (target >= 0 && MARKER.test(lines[target])) target--;
    if (target < 0) throw new Error(`marker on line ${index + 1} has no line above`);
    const character = line.indexOf('^');
    out.push({ kind: m[1], name: m[2], offset: starts[target] + character, line: target, character });
  });
  return out;
}

export const FIXTURES = path.resolve(__dirname, '../../fixtures/drivers');

export function fixture(relative: string): { path: string; uri: string; text: string } {
  const file = path.join(FIXTURES, relative);
  return { path: file, uri: `file:///fixtures/${relative}`, text: fs.readFileSync(file, 'utf8') };
}

/** The single marker of a kind and name (throws when missing, so a test cannot pass vacuously). */
export function marker(markers: Marker[], kind: string, name: string): Marker {
  const found = markers.filter((m) => m.kind === kind && m.name === name);
  if (found.length !== 1) throw new Error(`expected one marker "${kind} ${name}", found ${found.length}`);
  return found[0];
}
