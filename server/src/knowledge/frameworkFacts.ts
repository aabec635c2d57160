/**
 * Facts of the framework that the sources we merge cannot give in a form we can read, each with the
 * page that documents it. Applied after the headers and pages are merged, to whatever index is built
 * (the embedded catalog, a WDK, a docs folder).
 */
import type { IndexEntry } from './types';

/**
 * The interrupt callbacks that run at the device's IRQL: the header says only `_IRQL_requires_min_(PASSIVE_LEVEL)`
 * and `_IRQL_requires_same_`, and each page's requirement is "See Remarks", whose first level named is the
 * passive-level case. The framework calls them at DIRQL with the interrupt's spin lock held, or at
 * PASSIVE_LEVEL with its wait lock when the interrupt is created with `PassiveHandling` (KMDF 1.11 and
 * later; UMDF interrupts are always passive):
 * https://learn.microsoft.com/windows-hardware/drivers/wdf/supporting-passive-level-interrupts
 * The passive case is read from the driver's WDF_INTERRUPT_CONFIG where the interrupt is created.
 */
const AT_DEVICE_IRQL = [
  'EVT_WDF_INTERRUPT_ISR',
  'EVT_WDF_INTERRUPT_ENABLE',
  'EVT_WDF_INTERRUPT_DISABLE',
  'EVT_WDF_INTERRUPT_SYNCHRONIZE',
];

const DEVICE_IRQL_TEXT =
  'DIRQL, or PASSIVE_LEVEL for an interrupt created with PassiveHandling = TRUE (always in UMDF)';

export function applyFrameworkFacts(entries: readonly IndexEntry[]): void {
  for (const entry of entries) {
    if (entry.kind !== 'callback' || !AT_DEVICE_IRQL.includes(entry.name)) continue;
    entry.irql = { exact: 'DIRQL', ...(entry.irql?.same ? { same: true } : {}), text: DEVICE_IRQL_TEXT };
  }
}
