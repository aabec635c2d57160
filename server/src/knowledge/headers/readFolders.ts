/**
 * Reading WDK header folders (e.g. …/Include/wdf/kmdf/1.33): every `*.h` directly in each folder
 * (the WDK keeps one flat folder per framework version, so subfolders are not searched), with one
 * parser for the whole run. A file that cannot be used is reported with a reason and skipped.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { createParser } from '../../syntax/treeSitter';
import type { HeaderDecl, SkippedFile } from '../types';
import { parseHeaderRaw, type RawHeader } from './parseHeader';
import { resolveHeaders } from './resolve';

/** Headers larger than this are not WDF headers (the largest, wdfdevice.h, is under 200 KB). */
export const MAX_HEADER_BYTES = 4 * 1024 * 1024;

export interface HeaderFolderResult {
  decls: HeaderDecl[];
  skipped: SkippedFile[];
  /** Parse notes per file ("wdfio.h:120: could not parse near …"); the file's other declarations are still read. */
  problems: string[];
  /** Header files read. */
  files: number;
}

/**
 * Read the `*.h` files of each folder and resolve `PFN_…` types across all of them. Never throws
 * for one bad file or folder: a missing folder, an unreadable, empty, binary or oversize file goes
 * into `skipped` with its reason.
 */
export async function readHeaderFolders(dirs: string[]): Promise<HeaderFolderResult> {
  const skipped: SkippedFile[] = [];
  const problems: string[] = [];
  const raws: RawHeader[] = [];
  const parser = await createParser('c');
  try {
    for (const dir of dirs) {
      let names: string[];
      try {
        const entries = await fs.readdir(dir, { withFileTypes: true });
        // Symbolic links count too (a link that leads nowhere is reported as unreadable).
        names = entries
          .filter((e) => (e.isFile() || e.isSymbolicLink()) && /\.h$/i.test(e.name))
          .map((e) => e.name)
          .sort();
      } catch (error) {
        skipped.push({ file: dir, reason: folderReason(error) });
        continue;
      }
      for (const name of names) {
        const file = path.join(dir, name);
        const text = await readHeaderText(file).catch((error: unknown) => ({
          reason: `unreadable: ${errorText(error)}`,
        }));
        if (typeof text !== 'string') {
          skipped.push({ file, reason: text.reason });
          continue;
        }
        try {
          const raw = parseHeaderRaw(parser, text, file);
          raws.push(raw);
          problems.push(...raw.problems);
        } catch (error) {
          skipped.push({ file, reason: `parse failed: ${errorText(error)}` });
        }
      }
    }
  } finally {
    parser.delete();
  }
  return { decls: resolveHeaders(raws), skipped, problems, files: raws.length };
}

/** The file's text, or why it is not a header worth parsing. */
async function readHeaderText(file: string): Promise<string | { reason: string }> {
  const stat = await fs.stat(file);
  if (stat.size > MAX_HEADER_BYTES) return { reason: `oversize: ${stat.size} bytes (limit ${MAX_HEADER_BYTES})` };
  if (stat.size === 0) return { reason: 'empty file' };
  const bytes = await fs.readFile(file);
  // A header saved as UTF-16 (BOM FF FE) is text, not binary.
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes.subarray(0, 8192).includes(0)) return { reason: 'binary file (NUL bytes), not a C header' };
  // Headers are ASCII in practice; a UTF-8 BOM is dropped so offsets start at the first character.
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function folderReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'folder not found';
  if (code === 'ENOTDIR') return 'not a folder';
  return `folder unreadable: ${errorText(error)}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
