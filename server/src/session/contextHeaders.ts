/**
 * Headers a project includes from outside the folders given (a shared `inc` folder beside the
 * driver), read for their declarations and macros and never checked: the same for `kmdf lint`
 * (treeAnalysis.ts) and the server's scan (analysisSession.ts). Headers including headers are
 * followed a few rounds, up to a bounded number of files.
 */
import * as fs from 'node:fs/promises';
import type { ProjectModel } from '../project/projectModel';

const MAX_ROUNDS = 8;
const MAX_HEADERS = 500;
/** As the workspace scan's default size limit. */
const MAX_HEADER_BYTES = 2 * 1024 * 1024;

/**
 * Read the headers `model()` finds outside the known files, handing each readable one to `add`
 * (after which `model()` must describe it too). Returns every file tried, read or not.
 */
export async function readIncludedOutside(
  model: () => ProjectModel,
  isKnown: (file: string) => boolean,
  add: (file: string, text: string) => void,
): Promise<Set<string>> {
  const tried = new Set<string>();
  for (let round = 0; round < MAX_ROUNDS && tried.size < MAX_HEADERS; round++) {
    const extra = model()
      .includedOutside()
      .filter((f) => !isKnown(f) && !tried.has(f));
    if (!extra.length) break;
    for (const file of extra.slice(0, MAX_HEADERS - tried.size)) {
      tried.add(file);
      const text = await readContextHeader(file);
      if (text !== undefined) add(file, text);
    }
  }
  return tried;
}

/** A regular file of at most 2 MB without NUL bytes, its byte-order mark made a space; else undefined. */
async function readContextHeader(file: string): Promise<string | undefined> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile() || stat.size > MAX_HEADER_BYTES) return undefined;
    const text = await fs.readFile(file, 'utf8');
    return text.includes('\u0000') ? undefined : text.replace(/^\uFEFF/, ' ');
  } catch {
    return undefined;
  }
}
