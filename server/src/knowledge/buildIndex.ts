/**
 * Building an index from the user's sources (docs folders, WDK header folders) on top of the
 * embedded catalog, or from those sources alone.
 */
import { loadEmbeddedCatalog } from './catalog';
import { readDocsFolder } from './docs';
import { readHeaderFolders } from './headers';
import { KnowledgeIndex } from './knowledgeIndex';
import { mergeSources, type MergeInput } from './merge';
import type { DocPage, SkippedFile } from './types';

export interface BuildOptions {
  docs?: string[];
  headers?: string[];
  /** Start from the embedded catalog (default true). */
  catalog?: boolean;
}

export interface BuildResult {
  index: KnowledgeIndex;
  skipped: SkippedFile[];
  /** Docs pages read, by name (their prose is what hover shows). */
  pages: Map<string, DocPage>;
  ms: number;
}

/** Raised for a source folder that does not exist or cannot be read (the CLI exits 2). */
export class SourceError extends Error {}

export async function buildIndex(options: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const input: MergeInput = { headers: [], docs: [] };
  const sources: string[] = [];
  if (options.catalog !== false) {
    input.base = loadEmbeddedCatalog().entries;
    sources.push('catalog');
  }
  const skipped: SkippedFile[] = [];
  if (options.headers?.length) {
    const { decls, skipped: s } = await readHeaderFolders(options.headers).catch((e: Error) => {
      throw new SourceError(e.message);
    });
    skipped.push(...s);
    input.headers!.push({ label: 'headers', decls });
    sources.push(...options.headers.map((h) => `headers:${h}`));
  }
  const pages = new Map<string, DocPage>();
  for (const dir of options.docs ?? []) {
    const { pages: read, skipped: s } = await readDocsFolder(dir).catch((e: Error) => {
      throw new SourceError(e.message);
    });
    skipped.push(...s);
    input.docs!.push({ label: `docs:${dir}`, pages: read });
    for (const p of read) if (!pages.has(p.name)) pages.set(p.name, p);
    sources.push(`docs:${dir}`);
  }
  const entries = mergeSources(input);
  return { index: new KnowledgeIndex(entries, sources), skipped, pages, ms: Math.round(performance.now() - started) };
}
