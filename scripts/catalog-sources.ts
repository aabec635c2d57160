/** The catalog's inputs and how they are combined; shared by `npm run catalog` and the staleness test. */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CATALOG_VERSION, serializeCatalog } from '../server/src/knowledge/catalog';
import { readDocsFolder } from '../server/src/knowledge/docs';
import { signaturesFromJson } from '../server/src/knowledge/headers';
import { KnowledgeIndex } from '../server/src/knowledge/knowledgeIndex';
import { mergeSources } from '../server/src/knowledge/merge';
import type { SkippedFile } from '../server/src/knowledge/types';

/** The folders under ../shared the catalog is generated from. */
export const CATALOG_INPUTS = ['ddi-docs/current', 'ddi-docs/2018', 'wdf-signatures'];

/**
 * SHA-256 over every file of the inputs: relative path (with `/`) and bytes, in code-point path order.
 * It identifies the data, not where it lies, so two clones beside the same data agree.
 */
export function inputsDigest(sharedDir: string): string {
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(sharedDir, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else files.push(child);
    }
  };
  for (const input of CATALOG_INPUTS) walk(input);
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('sha256');
  for (const rel of files) {
    const bytes = fs.readFileSync(path.join(sharedDir, rel));
    hash.update(`${rel}\0${bytes.length}\0`).update(bytes);
  }
  return `sha256:${hash.digest('hex')}`;
}

export async function generateCatalog(sharedDir: string) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the signature files' shape is checked by the catalog test
  const sig = (file: string): any => JSON.parse(fs.readFileSync(path.join(sharedDir, 'wdf-signatures', file), 'utf8'));
  const current = await readDocsFolder(path.join(sharedDir, 'ddi-docs/current'));
  const old = await readDocsFolder(path.join(sharedDir, 'ddi-docs/2018'));
  const entries = mergeSources({
    headers: [
      { label: 'wdf-signatures:kmdf-1.33', framework: 'KMDF', decls: signaturesFromJson(sig('kmdf-1.33.json')) },
      { label: 'wdf-signatures:umdf-2.33', framework: 'UMDF', decls: signaturesFromJson(sig('umdf-2.33.json')) },
    ],
    docs: [
      { label: 'ddi-docs:current', pages: current.pages },
      { label: 'ddi-docs:2018', pages: old.pages },
    ],
  });
  const skipped: SkippedFile[] = [...current.skipped, ...old.skipped];
  const text = serializeCatalog({
    version: CATALOG_VERSION,
    generatedFrom: [
      'MicrosoftDocs/windows-driver-docs-ddi@6dcd4d9f2a (ddi-docs/current)',
      'MicrosoftDocs/windows-driver-docs-ddi@bc2f5c72aa (ddi-docs/2018)',
      'wdf-signatures kmdf-1.33, umdf-2.33',
    ],
    inputsDigest: inputsDigest(sharedDir),
    entries,
  });
  return { text, skipped, counts: new KnowledgeIndex(entries).counts() };
}

/**
 * What differs between two catalog texts, entry by entry (added, removed, changed names), for a
 * staleness message a person can act on.
 */
export function catalogDifferences(
  committed: string,
  generated: string,
): { added: string[]; removed: string[]; changed: string[]; header: boolean } {
  const entries = (text: string) => {
    const byName = new Map<string, string>();
    let header = '';
    for (const line of text.split('\n')) {
      const m = /^ {4}\{"name":"([^"]+)"/.exec(line);
      if (m) byName.set(m[1], line.replace(/,$/, ''));
      else header += line + '\n';
    }
    return { byName, header };
  };
  const a = entries(committed);
  const b = entries(generated);
  return {
    added: [...b.byName.keys()].filter((n) => !a.byName.has(n)),
    removed: [...a.byName.keys()].filter((n) => !b.byName.has(n)),
    changed: [...b.byName.keys()].filter((n) => a.byName.has(n) && a.byName.get(n) !== b.byName.get(n)),
    header: a.header !== b.header,
  };
}
