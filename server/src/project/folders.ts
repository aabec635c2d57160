/**
 * Which folders may hold project files (`.vcxproj`, `sources`, `.kmdf.json`) for a file, and the
 * project files under a tree. Project files switch rules off and set the target, so a folder anyone
 * may write to (`/tmp`) never counts: a `.kmdf.json` another user left there must not change what
 * everyone's lint reports. The upward search ends at the workspace folder (the server) or, for
 * `kmdf lint`, at the file-system root.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Whether others than the owner may create files in the folder (mode o+w); never on Windows, where modes do not say. */
export function isWorldWritable(dir: string): boolean {
  if (process.platform === 'win32') return false;
  try {
    return (fs.statSync(dir).mode & 0o002) !== 0;
  } catch {
    return false;
  }
}

/**
 * `dir` and its parents, nearest first, ending at `stopAt` (inclusive) when it is `dir` or above it,
 * else at the file-system root. World-writable folders are left out.
 */
export function searchFolders(dir: string, stopAt?: string): string[] {
  const out: string[] = [];
  let current = path.resolve(dir);
  const stop = stopAt ? path.resolve(stopAt) : undefined;
  for (;;) {
    if (!isWorldWritable(current)) out.push(current);
    if (stop && current === stop) break;
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return out;
}

/** Folder names never entered when looking for project files (version control, editors, packages). */
const SKIP_DIRECTORIES = new Set(['node_modules', '.git', '.svn', '.hg', '.vs', '.vscode-test']);
/** Bounds of the downward search, so a huge or looping tree costs a bounded time. */
const MAX_DEPTH = 24;
const MAX_FOLDERS = 20_000;

/** The project files (`.vcxproj`, `sources`) under the folders, sorted; symbolic links to folders are not followed. */
export function projectFilesUnder(roots: readonly string[]): string[] {
  const found = new Set<string>();
  let folders = 0;
  const visit = (dir: string, depth: number) => {
    if (depth > MAX_DEPTH || folders >= MAX_FOLDERS) return;
    folders++;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const trusted = !isWorldWritable(dir);
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRECTORIES.has(entry.name)) visit(full, depth + 1);
      } else if (trusted && isProjectFileName(entry.name)) {
        found.add(full);
      }
    }
  };
  for (const root of roots) {
    let isDir = false;
    try {
      isDir = fs.statSync(root).isDirectory();
    } catch {
      // A path that does not exist has no project files.
    }
    if (isDir) visit(path.resolve(root), 0);
  }
  return [...found].sort();
}

/** `x.vcxproj` or `sources` (any case, as Windows builds read it). */
export function isProjectFileName(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.endsWith('.vcxproj') || lower === 'sources';
}

/** The deepest of the folders that contains the file (the file's workspace folder), undefined when none does. */
export function containingFolder(file: string, folders: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const folder of folders) {
    const rel = path.relative(folder, file);
    if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
    if (!best || folder.length > best.length) best = folder;
  }
  return best;
}
