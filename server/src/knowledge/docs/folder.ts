/**
 * Reading documentation from disk: one file (hover reads single pages at run time) or a whole folder
 * (docs-repository layout or a folder of saved rendered pages). Bad files are reported and skipped,
 * never thrown; only a missing or unreadable folder rejects.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { DocPage, SkippedFile } from '../types';
import { parseMarkdownPage, type ParseResult } from './markdownPage';
import { parseRenderedPage, RENDERED_TITLE } from './renderedPage';
import { htmlPageToText } from './text';

/** Files larger than this are skipped without being read (a real reference page is under 100 KB). */
export const MAX_DOC_FILE_BYTES = 4 * 1024 * 1024;
/** File name endings that may hold a page: docs-repository Markdown, rendered text, saved HTML. */
export const DOC_EXTENSIONS = ['.md', '.txt', '.html', '.htm'];
const PARALLEL_READS = 16;

/**
 * Parse one page's text, detecting the format: front matter (`---`) → docs-repository Markdown;
 * a "NAME callback function (header.h)" title → rendered text; an HTML document → its text, then the
 * rendered parser. Anything else is a skip with the reason.
 */
export function parseDocText(text: string, location: string): ParseResult {
  const src = text.replace(/^\uFEFF/, '');
  const trimmed = src.trimStart();
  if (!trimmed) return { skip: 'empty file' };
  if (trimmed.startsWith('---')) return parseMarkdownPage(src.slice(src.length - trimmed.length), location);
  if (/^<(!doctype\s+html|html\b|head\b|body\b)/i.test(trimmed))
    return parseRenderedPage(htmlPageToText(trimmed), location);
  const firstLine = trimmed.split('\n', 1)[0];
  if (RENDERED_TITLE.test(firstLine)) return parseRenderedPage(src, location);
  if (/^#\s*\[/.test(trimmed) || /^#[^\n]*\n+(##\s*\[|###\s*\[)/.test(trimmed))
    return { skip: 'not an API page (table of contents)' };
  if (/^#{1,6}\s/.test(trimmed) && /\n##\s+-(description|parameters|remarks)\b/.test(trimmed)) {
    return { skip: 'no YAML front matter (docs-repository page without its "---" header; page cut short?)' };
  }
  return { skip: 'not a documentation page (no YAML front matter and no "NAME callback function (header.h)" title)' };
}

/** Read and parse one file. Never throws: a missing, binary, oversized or unparsable file is a skip. */
export async function readDocFile(file: string): Promise<ParseResult> {
  let size: number;
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return { skip: 'not a file' };
    size = stat.size;
  } catch (error) {
    return {
      skip:
        (error as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'file not found'
          : `cannot read the file: ${(error as Error).message}`,
    };
  }
  if (size === 0) return { skip: 'empty file' };
  if (size > MAX_DOC_FILE_BYTES) {
    return {
      skip: `file too large (${(size / 1024 / 1024).toFixed(1)} MB; the limit is ${MAX_DOC_FILE_BYTES / 1024 / 1024} MB)`,
    };
  }
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    return { skip: `cannot read the file: ${(error as Error).message}` };
  }
  const decoded = decode(bytes);
  if ('skip' in decoded) return decoded;
  if (!decoded.text.trim()) return { skip: 'empty file (only whitespace)' };
  try {
    return parseDocText(decoded.text, file);
  } catch (error) {
    // A parser bug must cost one page, not the whole index.
    return { skip: `could not be parsed: ${(error as Error).message}` };
  }
}

/** UTF-8 (with or without BOM) or UTF-16 with a BOM; NUL bytes or invalid UTF-8 mean a binary file. */
function decode(bytes: Buffer): { text: string } | { skip: string } {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe)
    return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)) };
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff)
    return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)) };
  if (bytes.includes(0)) return { skip: 'binary file (contains NUL bytes)' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { skip: 'binary file (not valid UTF-8 text)' };
  }
}

/**
 * Read every page under `dir` (recursively; `.md`, `.txt`, `.html`). Pages come back sorted by path;
 * every file that could not be used is in `skipped` with its reason. Rejects only when `dir` is missing
 * or not a folder, with a message the CLI can show as it is.
 */
export async function readDocsFolder(dir: string): Promise<{ pages: DocPage[]; skipped: SkippedFile[] }> {
  let stat;
  try {
    stat = await fs.stat(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `Docs folder not found: ${dir}`
        : `Docs folder cannot be read: ${dir} (${(error as Error).message})`,
      { cause: error },
    );
  }
  if (!stat.isDirectory()) throw new Error(`Docs path is not a folder: ${dir}`);

  const skipped: SkippedFile[] = [];
  const files = await listFiles(dir, skipped);
  const results: { file: string; result: ParseResult }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++];
      results.push({ file, result: await readDocFile(file) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, files.length) }, worker));
  results.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const pages: DocPage[] = [];
  for (const { file, result } of results) {
    if ('page' in result) pages.push(result.page);
    else skipped.push({ file, reason: result.skip });
  }
  skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { pages, skipped };
}

/** Files with a docs extension, depth first; hidden folders and node_modules are not entered. */
async function listFiles(dir: string, skipped: SkippedFile[]): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    skipped.push({ file: dir, reason: `folder cannot be read: ${(error as Error).message}` });
    return out;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      out.push(...(await listFiles(full, skipped)));
    } else if (
      (entry.isFile() || entry.isSymbolicLink()) &&
      DOC_EXTENSIONS.includes(path.extname(entry.name).toLowerCase())
    ) {
      out.push(full);
    }
  }
  return out;
}
