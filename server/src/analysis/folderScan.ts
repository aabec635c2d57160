/**
 * Folder scan for the CLI and the server's start-up: analyse every C/C++ source and header under
 * some paths. Unreadable paths and files that fail to parse are reported, never thrown.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DocumentModel } from './model';
import { analyzeText, languageOf, type AnalyzeOptions } from './parse';

/** A path that was not analysed, and why (in words for the user). */
export interface SkippedFile {
  path: string;
  reason: string;
}

export interface ScanOptions extends AnalyzeOptions {
  /** Files larger than this are skipped (generated tables, amalgamations). Default 2 MB. */
  maxFileBytes?: number;
  /** Folder names never entered. Default: node_modules, .git and other VCS/IDE folders. */
  skipDirectories?: string[];
}

export interface ScanResult {
  models: DocumentModel[];
  /** Absolute paths of the files analysed, in the order of `models`. */
  files: string[];
  skipped: SkippedFile[];
}

/** C/C++ sources and headers. */
export const SOURCE_FILE = /\.(c|h|cc|cpp|cxx|hh|hpp|hxx|inl|ipp)$/i;
const DEFAULT_SKIP = ['node_modules', '.git', '.svn', '.hg', '.vs', '.vscode-test'];
const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;

/** List the C/C++ files under the paths (files given directly are taken if they are C/C++). */
export async function listSourceFiles(
  paths: string[],
  options: ScanOptions = {},
): Promise<{ files: string[]; skipped: SkippedFile[] }> {
  const skipDirs = new Set(options.skipDirectories ?? DEFAULT_SKIP);
  const files: string[] = [];
  const skipped: SkippedFile[] = [];
  const seen = new Set<string>();

  const turn = new TimeSlices();
  const visit = async (p: string, explicit: boolean): Promise<void> => {
    await turn.next();
    let stat;
    try {
      stat = fs.statSync(p);
    } catch (error) {
      skipped.push({ path: p, reason: describeFsError(error) });
      return;
    }
    let real: string;
    try {
      real = fs.realpathSync(p);
    } catch {
      real = p;
    }
    if (seen.has(real)) return; // symlink loops and paths given twice
    if (stat.isDirectory()) {
      seen.add(real);
      let entries: string[];
      try {
        entries = fs.readdirSync(p).sort();
      } catch (error) {
        skipped.push({ path: p, reason: describeFsError(error) });
        return;
      }
      for (const entry of entries) {
        if (skipDirs.has(entry)) continue;
        await visit(path.join(p, entry), false);
      }
      return;
    }
    if (!stat.isFile()) return;
    if (!SOURCE_FILE.test(p)) {
      if (explicit) skipped.push({ path: p, reason: 'not a C/C++ source or header' });
      return;
    }
    if (stat.size > (options.maxFileBytes ?? DEFAULT_MAX_BYTES)) {
      skipped.push({
        path: p,
        reason: `larger than ${Math.round((options.maxFileBytes ?? DEFAULT_MAX_BYTES) / 1024)} KB`,
      });
      return;
    }
    seen.add(real);
    files.push(p);
  };

  for (const p of paths) await visit(path.resolve(p), true);
  return { files, skipped };
}

/**
 * Analyse every C/C++ file under the paths. Files are read and parsed one after another (parsing
 * is synchronous wasm work; reading is the only thing worth overlapping and it is small).
 */
export async function scanPaths(paths: string[], options: ScanOptions = {}): Promise<ScanResult> {
  const listed = await listSourceFiles(paths, options);
  const models: DocumentModel[] = [];
  const files: string[] = [];
  const skipped = listed.skipped;
  for (const file of listed.files) {
    let text: string;
    try {
      text = readSourceText(file);
    } catch (error) {
      skipped.push({ path: file, reason: describeFsError(error) });
      continue;
    }
    if (text.includes('\u0000')) {
      skipped.push({ path: file, reason: 'binary file (contains NUL bytes)' });
      continue;
    }
    try {
      models.push(await analyzeText(pathToFileURL(file).href, text.replace(/^\uFEFF/, ' '), languageOf(file), options));
      files.push(file);
    } catch (error) {
      skipped.push({ path: file, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return { models, files, skipped };
}

/**
 * Time slices for file system work done with synchronous calls: each cached stat or read takes
 * microseconds, where an awaited promise costs a round trip through libuv's thread pool (about 2 s
 * for the 2,000 files of the bench's tree, read one after another); `next()` gives the event loop a
 * turn (requests read meanwhile are handled) once a slice is used up.
 */
export class TimeSlices {
  private sliceStart = performance.now();

  constructor(private readonly sliceMs = 8) {}

  async next(): Promise<void> {
    if (performance.now() - this.sliceStart < this.sliceMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
  }
}

/**
 * A file's text, read at once. Opened without blocking and checked to be a regular file first: a FIFO
 * or device put where a source was listed would otherwise hold the read (and the thread) forever.
 */
export function readSourceText(file: string): string {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  try {
    if (!fs.fstatSync(fd).isFile()) throw new Error('not a regular file');
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
