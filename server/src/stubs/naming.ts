/**
 * Callback function names: the role name a role type suggests, and the driver's own prefix
 * convention (`EchoEvtIoStop` → prefix "Echo"), so generated stubs read like the driver's code.
 */
import type { IndexEntry } from '../knowledge/types';

/** "EvtIoStop" from the entry's role name; without one, "EvtWdfIoQueueIoStop" from EVT_WDF_IO_QUEUE_IO_STOP. */
export function roleNameOf(entry: Pick<IndexEntry, 'name' | 'roleName'>): string {
  if (entry.roleName && /^[A-Za-z_]\w*$/.test(entry.roleName)) return entry.roleName;
  const words = entry.name.replace(/^PFN_/, 'EVT_').split('_').filter(Boolean);
  return words.map((w) => (w === 'EVT' ? 'Evt' : w === 'WDFDEVICE' ? 'WdfDevice' : w.charAt(0) + w.slice(1).toLowerCase())).join('');
}

/**
 * The prefix most of the driver's callbacks put before their role name: from pairs of a function
 * name and the role name of its role type. `EchoEvtIoStop`/`EvtIoStop` gives "Echo"; a function named
 * exactly after its role gives "". Ties go to the longer prefix (it carries more of the convention).
 */
export function guessPrefix(pairs: { functionName: string; roleName?: string }[]): string {
  const counts = new Map<string, number>();
  for (const { functionName, roleName } of pairs) {
    if (!roleName) continue;
    if (!functionName.endsWith(roleName)) continue;
    const prefix = functionName.slice(0, functionName.length - roleName.length);
    if (!/^[A-Za-z_0-9]*$/.test(prefix)) continue;
    counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
  }
  let best = '';
  let bestCount = 0;
  for (const [prefix, count] of counts) {
    if (count > bestCount || (count === bestCount && prefix.length > best.length)) {
      best = prefix;
      bestCount = count;
    }
  }
  return best;
}

/** A name that is not yet taken: `EchoEvtIoStop`, else `EchoEvtIoStop2`, `EchoEvtIoStop3`, … */
export function uniqueName(base: string, taken: (name: string) => boolean): string {
  if (!taken(base)) return base;
  for (let i = 2; ; i++) if (!taken(`${base}${i}`)) return `${base}${i}`;
}
