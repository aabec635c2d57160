/**
 * Callback function names: the role name a role type suggests, and a free name built from it
 * (the driver's prefix comes from the analysis layer's WorkspaceModel.callbackPrefix).
 */
import type { IndexEntry } from '../knowledge/types';

/** "EvtIoStop" from the entry's role name; without one, "EvtWdfIoQueueIoStop" from EVT_WDF_IO_QUEUE_IO_STOP. */
export function callbackBaseName(entry: Pick<IndexEntry, 'name' | 'roleName'>): string {
  if (entry.roleName && /^[A-Za-z_]\w*$/.test(entry.roleName)) return entry.roleName;
  const words = entry.name.replace(/^PFN_/, 'EVT_').split('_').filter(Boolean);
  return words
    .map((w) => (w === 'EVT' ? 'Evt' : w === 'WDFDEVICE' ? 'WdfDevice' : w.charAt(0) + w.slice(1).toLowerCase()))
    .join('');
}

/** A name that is not yet taken: `EchoEvtIoStop`, else `EchoEvtIoStop2`, `EchoEvtIoStop3`, … */
export function uniqueName(base: string, taken: (name: string) => boolean): string {
  if (!taken(base)) return base;
  for (let i = 2; ; i++) if (!taken(`${base}${i}`)) return `${base}${i}`;
}
