/** Plain-text renderings of index entries shared by hover, stubs, the CLI and diagnostics. */
import { formatIrql } from './irql';
import type { IndexEntry, Param, Registration } from './types';

/** One parameter as a header would write it: "_In_ WDFQUEUE Queue". */
export function formatParam(p: Param): string {
  return [...(p.sal ?? []), p.type, p.name].filter(Boolean).join(' ').replace(/\s+\*/g, ' *');
}

/**
 * The C declaration of a callback role type or method, one parameter per line:
 * `VOID EVT_WDF_IO_QUEUE_IO_STOP(\n    _In_ WDFQUEUE Queue,\n    …\n    );`
 * For a callback, `name` may be a function name (`EchoEvtIoStop`) to show a definition head.
 */
export function formatSignature(entry: IndexEntry, name = entry.name): string | undefined {
  if (entry.kind !== 'callback' && entry.kind !== 'method') return undefined;
  if (!entry.returns) return undefined;
  const params = entry.params.length ? entry.params.map((p) => `    ${formatParam(p)}`).join(',\n') : '    VOID';
  return `${entry.returns}\n${name}(\n${params}\n    );`;
}

/** "WDF_IO_QUEUE_CONFIG.EvtIoStop (WdfIoQueueCreate)" or "WdfRequestMarkCancelable(EvtRequestCancel)". */
export function formatRegistration(r: Registration): string {
  if (r.struct && r.field) return `${r.struct}.${r.field}${r.method ? ` (${r.method})` : ''}`;
  return `${r.method}(${r.param ?? ''})`;
}

/** "IRQL ≤ DISPATCH_LEVEL · KMDF 1.0 · UMDF 2.0 · wdfio.h" */
export function formatFactsLine(entry: IndexEntry): string {
  const parts: string[] = [];
  const irql = formatIrql(entry.irql);
  if (irql) parts.push(`IRQL ${irql}`);
  if (entry.kmdf) parts.push(`KMDF ${entry.kmdf}`);
  else if (entry.frameworks.includes('KMDF')) parts.push('KMDF');
  if (entry.umdf) parts.push(`UMDF ${entry.umdf}`);
  else if (entry.frameworks.includes('UMDF')) parts.push('UMDF');
  if (entry.header) parts.push(entry.header);
  return parts.join(' · ');
}

/** Flags as short words: "not-pageable", "called-only-after EvtDeviceSelfManagedIoSuspend". */
export function formatFlags(entry: IndexEntry): string[] {
  return entry.flags.map((f) => (f.ref ? `${f.id} ${f.ref}` : f.id));
}
