/**
 * What the language status item shows for an index status (kept free of the vscode API so the
 * wording and severities are unit tested).
 */
import type { DocsStatus, IndexStatus } from '../../shared/protocol';

/** LanguageStatusSeverity by name (Information = 0, Warning = 1, Error = 2 in the vscode API). */
export type StatusSeverity = 'information' | 'warning' | 'error';

/** Text, detail, severity and busy flag of the status item. */
export interface StatusView {
  text: string;
  detail: string;
  severity: StatusSeverity;
  busy: boolean;
}

/** The docs item's text per state: a few characters, the reason goes in the detail. */
const DOCS_TEXT: Record<DocsStatus['state'], string> = {
  folder: 'Docs: folder',
  online: 'Docs: online',
  cached: 'Docs: cached',
  facts: 'Docs: facts only',
};

/** The same state in a sentence (Rebuild Index message). */
const DOCS_SENTENCE: Record<DocsStatus['state'], string> = {
  folder: 'reference text from kmdf.docs.path',
  online: 'reference text online',
  cached: 'reference text only from pages cached earlier',
  facts: 'no reference text, facts only',
};

/** How much reference text a state gives, for "did it get worse". */
const DOCS_RANK: Record<DocsStatus['state'], number> = { folder: 3, online: 3, cached: 2, facts: 1 };

/** The index's sources in a few words: "catalog + WDK headers + docs folder". */
export function shortSources(sources: string[]): string {
  const parts = new Set<string>();
  for (const source of sources) {
    if (source === 'catalog') parts.add('catalog');
    else if (source.startsWith('headers:') || source.startsWith('WDK ')) parts.add('WDK headers');
    else if (source.startsWith('docs:')) parts.add('docs folder');
    else parts.add(source);
  }
  return [...parts].join(' + ') || 'no sources';
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The status item for an index status notification. */
export function describeIndexStatus(status: IndexStatus): StatusView {
  if (status.state === 'loading') {
    return {
      text: 'KMDF: indexing',
      detail: status.message ?? 'Loading the WDF index',
      severity: 'information',
      busy: true,
    };
  }
  if (status.state === 'error') {
    return {
      text: 'KMDF: index failed',
      detail: status.message ?? 'The WDF index could not be built',
      severity: 'error',
      busy: false,
    };
  }
  const versions = [
    status.kmdfVersion && `KMDF ${status.kmdfVersion}`,
    status.umdfVersion && `UMDF ${status.umdfVersion}`,
  ].filter(Boolean);
  const empty = status.callbacks === 0 && status.methods === 0;
  const detail = empty ? 'empty index' : shortSources(status.sources);
  return {
    text: versions.length ? versions.join(' · ') : 'KMDF index',
    detail: status.message ? `${detail} · ${status.message}` : detail,
    severity: empty ? 'warning' : 'information',
    busy: false,
  };
}

/** The counts of an index, for the Rebuild Index message. */
export function indexCounts(status: IndexStatus): string {
  return [
    plural(status.callbacks, 'callback role type'),
    plural(status.methods, 'method'),
    plural(status.structs, 'structure'),
    plural(status.enums, 'enumeration'),
  ].join(', ');
}

/** The docs item: the state in two words, the reason as detail, a warning when the settings ask for more. */
export function describeDocsStatus(docs: DocsStatus): StatusView {
  return {
    text: DOCS_TEXT[docs.state],
    detail: docs.detail,
    severity: docs.degraded ? 'warning' : 'information',
    busy: false,
  };
}

/** What "KMDF: Rebuild Index" says when it is done. */
export function rebuildMessage(status: IndexStatus): string {
  const versions = describeIndexStatus(status).text;
  const docs = `${DOCS_SENTENCE[status.docs.state]} (${status.docs.detail})`;
  return `KMDF Assist: index rebuilt (${versions}) from ${shortSources(status.sources)}: ${indexCounts(status)}; ${docs}.`;
}

/**
 * The notification for a change of the reference-text state, when the user now gets less of it than
 * their settings ask for (the docs host stopped answering, the folder went away); undefined otherwise.
 */
export function docsWorseNotice(previous: DocsStatus | undefined, next: DocsStatus): string | undefined {
  if (!next.degraded) return undefined;
  if (previous?.degraded && DOCS_RANK[next.state] >= DOCS_RANK[previous.state]) return undefined;
  if (next.state === 'cached')
    return `KMDF Assist: the docs host cannot be reached (${next.detail}); hovers show reference text only for pages cached earlier. Set kmdf.docs.path to a local copy of the reference pages to read them offline.`;
  if (next.state === 'facts')
    return `KMDF Assist: reference text unavailable (${next.detail}); hovers show facts only. Set kmdf.docs.path to a local copy of the reference pages to read them offline.`;
  return 'KMDF Assist: kmdf.docs.path cannot be read; reference text comes from the online reference instead.';
}

/** The status item while the language server is not running. */
export function describeServerState(state: 'starting' | 'stopped'): StatusView {
  return state === 'starting'
    ? {
        text: 'KMDF: starting',
        detail: 'Starting the KMDF Assist language server',
        severity: 'information',
        busy: true,
      }
    : {
        text: 'KMDF: server stopped',
        detail: 'The language server is not running; use "KMDF: Restart Server"',
        severity: 'error',
        busy: false,
      };
}
