/**
 * What the language status item shows for an index status (kept free of the vscode API so the
 * wording and severities are unit tested).
 */
import type { IndexStatus } from '../../shared/protocol';

/** LanguageStatusSeverity by name (Information = 0, Warning = 1, Error = 2 in the vscode API). */
export type StatusSeverity = 'information' | 'warning' | 'error';

/** Text, detail, severity and busy flag of the status item. */
export interface StatusView {
  text: string;
  detail: string;
  severity: StatusSeverity;
  busy: boolean;
}

const DOCS_SOURCE: Record<IndexStatus['docsSource'], string> = {
  folder: 'docs from a local folder',
  online: 'docs online (cached)',
  none: 'no reference pages',
};

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
  const counts = [
    plural(status.callbacks, 'callback'),
    plural(status.methods, 'method'),
    plural(status.structs, 'structure'),
    plural(status.enums, 'enum'),
  ].join(', ');
  const detail = [
    counts,
    DOCS_SOURCE[status.docsSource],
    ...(status.sources.length ? [status.sources.join('; ')] : []),
  ].join(' · ');
  const empty = status.callbacks === 0 && status.methods === 0;
  return {
    text: versions.length ? versions.join(' · ') : 'KMDF index',
    detail: status.message ? `${detail} · ${status.message}` : detail,
    severity: empty ? 'warning' : 'information',
    busy: false,
  };
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
