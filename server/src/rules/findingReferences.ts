/** The documentation a finding links to: the entry's public DDI page and the Static Driver Verifier rules listed on it. */
import type { IndexEntry } from '../knowledge/types';
import { PUBLIC_REFERENCE_BASE } from '../knowledge/types';
import type { Finding } from './types';

/** The public DDI page of an entry. */
export function docsUrlOf(entry: IndexEntry): string | undefined {
  if (entry.docsUrl) return entry.docsUrl;
  if (entry.docsPath) {
    const m = /^([^/]+)\/([^/]+)\.md$/.exec(entry.docsPath);
    if (m) return `${PUBLIC_REFERENCE_BASE}${m[1]}/${m[2]}`;
  }
  return undefined;
}

/** References for a finding about an entry: its DDI page and the SDV rules listed on it. */
export function referencesOf(entry: IndexEntry | undefined): Finding['references'] {
  if (!entry) return undefined;
  const refs: NonNullable<Finding['references']> = [];
  const url = docsUrlOf(entry);
  refs.push(url ? { title: entry.name, url } : { title: entry.name });
  for (const raw of entry.ddiCompliance ?? []) {
    const rule = raw.replace(/\(.*\)$/, '').trim();
    if (!rule) continue;
    refs.push({
      title: `Static Driver Verifier rule ${rule}`,
      url: `https://learn.microsoft.com/windows-hardware/drivers/devtest/kmdf-${rule.toLowerCase()}`,
    });
  }
  return refs;
}
