/**
 * The reference-text state the status item and the Rebuild Index message show, computed from what
 * the docs provider has actually seen (a folder read, the docs host answering or not), never from
 * the settings alone: "online" is said only while the host has not failed since it last answered.
 */
import * as path from 'node:path';
import type { DocsStatus } from '../../../shared/protocol';

/** The last outcome of a request to the docs host. */
export type HostOutcome =
  /** The host answered (a page, or an HTTP status for a missing page: the network works). */
  | { reached: true }
  /** The request failed (no network, DNS, refused connection, timeout) or the address was refused. */
  | { reached: false; reason: 'unreachable' | 'refused' };

/** What the state is computed from. */
export interface DocsObservations {
  /** `kmdf.docs.path`, empty when unset. */
  folder: string;
  /** Whether the folder could be read; undefined while not looked at. */
  folderReadable?: boolean;
  /** Pages the index build parsed from the folder. */
  folderPages?: number;
  /** `kmdf.docs.online`. */
  online: boolean;
  /** `kmdf.docs.baseUrl`. */
  baseUrl: string;
  /** The last request to the docs host since the settings changed; undefined when none was made. */
  lastFetch?: HostOutcome;
  /** Pages held in the disk cache (counted when a fetch fails). */
  cachedPages: number;
}

/** The state for a set of observations. */
export function docsStatusOf(o: DocsObservations): DocsStatus {
  const folderBroken = !!o.folder && o.folderReadable === false;
  if (o.folder && !folderBroken) {
    const pages = o.folderPages ? `${o.folderPages} pages in ` : '';
    return {
      state: 'folder',
      detail: `${pages}${path.basename(o.folder.replace(/[\\/]+$/, '')) || o.folder}`,
      checked: o.folderReadable === true,
      degraded: false,
    };
  }
  const prefix = folderBroken ? 'kmdf.docs.path unreadable; ' : '';
  if (!o.online) {
    return {
      state: 'facts',
      detail: folderBroken ? 'kmdf.docs.path unreadable, online docs off' : 'no kmdf.docs.path, online docs off',
      checked: true,
      degraded: folderBroken,
    };
  }
  const host = hostOf(o.baseUrl);
  if (!o.lastFetch)
    return { state: 'online', detail: `${prefix}${host}, nothing fetched yet`, checked: false, degraded: folderBroken };
  if (o.lastFetch.reached)
    return { state: 'online', detail: `${prefix}${host}`, checked: true, degraded: folderBroken };
  const why = o.lastFetch.reason === 'refused' ? 'address refused' : 'host unreachable';
  return o.cachedPages > 0
    ? {
        state: 'cached',
        detail: `${prefix}${why}, ${o.cachedPages} ${o.cachedPages === 1 ? 'page' : 'pages'} cached`,
        checked: true,
        degraded: true,
      }
    : { state: 'facts', detail: `${prefix}${why}, nothing cached`, checked: true, degraded: true };
}

/** The host of a URL, for a short status line ("raw.githubusercontent.com"). */
function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}
