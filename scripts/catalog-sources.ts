/** The catalog's inputs and how they are combined; shared by `npm run catalog` and the staleness test. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CATALOG_VERSION, serializeCatalog } from '../server/src/knowledge/catalog';
import { readDocsFolder } from '../server/src/knowledge/docs';
import { signaturesFromJson } from '../server/src/knowledge/headers';
import { KnowledgeIndex } from '../server/src/knowledge/knowledgeIndex';
import { mergeSources } from '../server/src/knowledge/merge';
import type { SkippedFile } from '../server/src/knowledge/types';

export async function generateCatalog(sharedDir: string) {
  const sig = (file: string) => JSON.parse(fs.readFileSync(path.join(sharedDir, 'wdf-signatures', file), 'utf8'));
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
    entries,
  });
  return { text, skipped, counts: new KnowledgeIndex(entries).counts() };
}
