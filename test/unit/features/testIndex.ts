/**
 * A knowledge index for tests: the embedded catalog plus the header facts of
 * ../shared/wdf-signatures (read at run time), so tests do not depend on the catalog's state.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadEmbeddedCatalog } from '../../../server/src/knowledge/catalog';
import { KnowledgeIndex } from '../../../server/src/knowledge/knowledgeIndex';
import { mergeSources } from '../../../server/src/knowledge/merge';
import { signaturesFromJson } from '../../../server/src/knowledge/headers';
import type { HeaderDecl, IndexEntry } from '../../../server/src/knowledge/types';

export const repoRoot = path.resolve(__dirname, '../../..');
export const sharedDir = path.resolve(repoRoot, '../shared');

function declsOf(file: string): HeaderDecl[] {
  return signaturesFromJson(JSON.parse(fs.readFileSync(path.join(sharedDir, 'wdf-signatures', file), 'utf8')));
}

let cached: KnowledgeIndex | undefined;

/** The test index (built once per process). `extra` entries are merged on top (for role names, flags). */
export function testIndex(): KnowledgeIndex {
  if (cached) return cached;
  const entries = mergeSources({
    base: loadEmbeddedCatalog().entries,
    headers: [
      { label: 'wdf-signatures:kmdf-1.33', framework: 'KMDF', decls: declsOf('kmdf-1.33.json') },
      { label: 'wdf-signatures:umdf-2.33', framework: 'UMDF', decls: declsOf('umdf-2.33.json') },
    ],
  });
  for (const e of entries) if (e.kind === 'callback' && !e.roleName) e.roleName = ROLE_NAMES[e.name];
  cached = new KnowledgeIndex(entries, ['test']);
  return cached;
}

/** Role names of a few role types (from the headers' config field names), for when the catalog lacks them. */
const ROLE_NAMES: Record<string, string> = {
  EVT_WDF_IO_QUEUE_IO_STOP: 'EvtIoStop',
  EVT_WDF_IO_QUEUE_IO_READ: 'EvtIoRead',
  EVT_WDF_IO_QUEUE_IO_WRITE: 'EvtIoWrite',
  EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL: 'EvtIoDeviceControl',
  EVT_WDF_IO_QUEUE_IO_DEFAULT: 'EvtIoDefault',
  EVT_WDF_DRIVER_DEVICE_ADD: 'EvtDriverDeviceAdd',
  EVT_WDF_DRIVER_UNLOAD: 'EvtDriverUnload',
  EVT_WDF_DEVICE_PREPARE_HARDWARE: 'EvtDevicePrepareHardware',
  EVT_WDF_DEVICE_D0_ENTRY: 'EvtDeviceD0Entry',
  EVT_WDF_OBJECT_CONTEXT_CLEANUP: 'EvtCleanupCallback',
  EVT_WDF_TIMER: 'EvtTimerFunc',
  EVT_WDF_WORKITEM: 'EvtWorkItem',
  EVT_WDF_INTERRUPT_ISR: 'EvtInterruptIsr',
  EVT_WDF_REQUEST_CANCEL: 'EvtRequestCancel',
};

/** A copy of an entry with changes (tests of flags and return values). */
export function withChanges(entry: IndexEntry, changes: Partial<IndexEntry>): IndexEntry {
  return { ...structuredClone(entry), ...changes };
}
