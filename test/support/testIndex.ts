/**
 * The knowledge index the tests use: the embedded catalog plus the header facts of
 * ../shared/wdf-signatures (read at run time), so tests do not depend on the catalog's state.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadEmbeddedCatalog } from '../../server/src/knowledge/catalog';
import { KnowledgeIndex } from '../../server/src/knowledge/knowledgeIndex';
import { mergeSources } from '../../server/src/knowledge/merge';
import { signaturesFromJson } from '../../server/src/knowledge/headers';
import type { HeaderDecl, IndexEntry } from '../../server/src/knowledge/types';
import { sharedDir } from './paths';

function declsOf(file: string): HeaderDecl[] {
  return signaturesFromJson(JSON.parse(fs.readFileSync(path.join(sharedDir, 'wdf-signatures', file), 'utf8')));
}

let cached: KnowledgeIndex | undefined;

/** The test index (built once per process). */
export function testIndex(): KnowledgeIndex {
  if (cached) return cached;
  const entries = mergeSources({
    base: loadEmbeddedCatalog().entries,
    headers: [
      { label: 'wdf-signatures:kmdf-1.33', framework: 'KMDF', decls: declsOf('kmdf-1.33.json') },
      { label: 'wdf-signatures:umdf-2.33', framework: 'UMDF', decls: declsOf('umdf-2.33.json') },
    ],
  });
  cached = new KnowledgeIndex(entries, ['test']);
  return cached;
}

/**
 * The test index with some entries' facts changed (a newer version, a flag replaced), for tests of
 * what a rule does when the documentation says otherwise. A changed flag replaces the flag of that id.
 */
export function testIndexWith(changes: Record<string, Partial<IndexEntry>>): KnowledgeIndex {
  const entries = testIndex().entries.map((e) => {
    const facts = changes[e.name];
    if (!facts) return e;
    const copy = structuredClone(e);
    if (facts.roleName) copy.roleName = facts.roleName;
    if (facts.kmdf) copy.kmdf = facts.kmdf;
    if (facts.frameworks) copy.frameworks = facts.frameworks;
    for (const flag of facts.flags ?? []) copy.flags = [...copy.flags.filter((f) => f.id !== flag.id), flag];
    return copy;
  });
  return new KnowledgeIndex(entries, ['test']);
}

/** A copy of an entry with changes (tests of flags and return values). */
export function withChanges(entry: IndexEntry, changes: Partial<IndexEntry>): IndexEntry {
  return { ...structuredClone(entry), ...changes };
}
