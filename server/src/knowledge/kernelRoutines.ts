/**
 * The maximum IRQL of well-known WDM/kernel routines that KMDF drivers call (the catalog indexes only
 * the framework's own methods). Facts only, each read from the routine's public reference page (its
 * requirements table, or for the argument-dependent ones the level the page gives per argument):
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/<header>/nf-<header>-<name in lower case>.
 * The Zw registry routines are also the ones SDV's IrqlZwPassive rule lists.
 *
 * Only routines whose whole range is below DISPATCH_LEVEL (or, for the conditional ones, whose
 * stricter branch an argument can select) are here: the table exists so that KMDF2001 reports them
 * under a spin lock or from a DISPATCH_LEVEL callback. A routine whose page says that it may be called
 * higher under a condition we cannot see (IoWMIWriteEvent with a traced GUID) is left out.
 */
import type { ConditionalIrql, IndexEntry } from './types';
import { PUBLIC_REFERENCE_BASE } from './types';
import { lookupTable } from '../util/lookupTable';

interface KernelRoutine {
  /** The header whose reference folder holds the page (wdm, ntddk). */
  header: 'wdm' | 'ntddk';
  /** The loosest level the routine allows (for a conditional one, its loosest branch). */
  max: 'PASSIVE_LEVEL' | 'APC_LEVEL' | 'DISPATCH_LEVEL';
  /** Parameter names, in order, for the routines whose level depends on an argument. */
  params?: string[];
  /** The argument-dependent levels, in the `_When_` condition forms of facts/conditionalIrql.ts. */
  when?: ConditionalIrql[];
}

const PASSIVE: KernelRoutine = { header: 'wdm', max: 'PASSIVE_LEVEL' };
const APC: KernelRoutine = { header: 'wdm', max: 'APC_LEVEL' };

/**
 * KeWaitForSingleObject / KeWaitForMultipleObjects (requirements "See Remarks"; SDV
 * IrqlKeWaitForMultipleObjects): ≤ DISPATCH_LEVEL only with a timeout that points to zero; a NULL
 * timeout (wait forever) or a non-zero one needs ≤ APC_LEVEL. Only a NULL written at the call decides
 * it: what a timeout pointer points to is never read.
 */
const WAIT_WHEN: ConditionalIrql[] = [
  { condition: 'Timeout == NULL', max: 'APC_LEVEL' },
  { condition: 'Timeout != NULL && *Timeout == 0', max: 'DISPATCH_LEVEL' },
  { condition: 'Timeout != NULL && *Timeout != 0', max: 'APC_LEVEL' },
];
const WAIT_SINGLE = ['Object', 'WaitReason', 'WaitMode', 'Alertable', 'Timeout'];

/**
 * The POOL_TYPE allocators: ≤ DISPATCH_LEVEL for nonpaged pool, ≤ APC_LEVEL for paged pool. Only the
 * pool types named here decide; any other value leaves DISPATCH_LEVEL (quiet).
 */
const POOL_TYPE_WHEN: ConditionalIrql[] = [
  { condition: 'PoolType == PagedPool || PoolType == PagedPoolCacheAligned', max: 'APC_LEVEL' },
  { condition: 'PoolType == NonPagedPool || PoolType == NonPagedPoolNx', max: 'DISPATCH_LEVEL' },
];
/** ExAllocatePool2/3: POOL_FLAG_PAGED alone needs ≤ APC_LEVEL; a combination of flags is not decided. */
const POOL_FLAGS_WHEN: ConditionalIrql[] = [
  { condition: 'Flags == POOL_FLAG_PAGED', max: 'APC_LEVEL' },
  { condition: 'Flags == POOL_FLAG_NON_PAGED || Flags == POOL_FLAG_NON_PAGED_EXECUTE', max: 'DISPATCH_LEVEL' },
];
/** Locking or mapping a user-mode buffer (pageable) needs ≤ APC_LEVEL; a kernel-mode one ≤ DISPATCH_LEVEL. */
const ACCESS_MODE_WHEN: ConditionalIrql[] = [
  { condition: 'AccessMode == UserMode', max: 'APC_LEVEL' },
  { condition: 'AccessMode == KernelMode', max: 'DISPATCH_LEVEL' },
];

function pool(params: string[], when: ConditionalIrql[]): KernelRoutine {
  return { header: 'wdm', max: 'DISPATCH_LEVEL', params, when };
}

const ROUTINES: Readonly<Record<string, KernelRoutine>> = lookupTable<KernelRoutine>({
  // Waits.
  KeWaitForSingleObject: { header: 'wdm', max: 'DISPATCH_LEVEL', params: WAIT_SINGLE, when: WAIT_WHEN },
  // KeWaitForMutexObject is a macro for KeWaitForSingleObject, with the same parameters.
  KeWaitForMutexObject: { header: 'wdm', max: 'DISPATCH_LEVEL', params: WAIT_SINGLE, when: WAIT_WHEN },
  KeWaitForMultipleObjects: {
    header: 'wdm',
    max: 'DISPATCH_LEVEL',
    params: ['Count', 'Object', 'WaitType', 'WaitReason', 'WaitMode', 'Alertable', 'Timeout', 'WaitBlockArray'],
    when: WAIT_WHEN,
  },
  KeDelayExecutionThread: APC,
  KeFlushQueuedDpcs: PASSIVE,
  // Locks that may wait.
  ExAcquireFastMutex: APC,
  ExAcquireResourceExclusiveLite: APC,
  ExAcquireResourceSharedLite: APC,
  KeAcquireGuardedMutex: APC,
  // Pool and memory.
  ExAllocatePool: pool(['PoolType', 'NumberOfBytes'], POOL_TYPE_WHEN),
  ExAllocatePoolWithTag: pool(['PoolType', 'NumberOfBytes', 'Tag'], POOL_TYPE_WHEN),
  ExAllocatePoolZero: pool(['PoolType', 'NumberOfBytes', 'Tag'], POOL_TYPE_WHEN),
  ExAllocatePoolUninitialized: pool(['PoolType', 'NumberOfBytes', 'Tag'], POOL_TYPE_WHEN),
  ExAllocatePoolWithTagPriority: pool(['PoolType', 'NumberOfBytes', 'Tag', 'Priority'], POOL_TYPE_WHEN),
  ExAllocatePoolWithQuotaTag: pool(['PoolType', 'NumberOfBytes', 'Tag'], POOL_TYPE_WHEN),
  ExAllocatePool2: pool(['Flags', 'NumberOfBytes', 'Tag'], POOL_FLAGS_WHEN),
  ExAllocatePool3: pool(
    ['Flags', 'NumberOfBytes', 'Tag', 'ExtendedParameters', 'ExtendedParametersCount'],
    POOL_FLAGS_WHEN,
  ),
  MmProbeAndLockPages: pool(['MemoryDescriptorList', 'AccessMode', 'Operation'], ACCESS_MODE_WHEN),
  MmMapLockedPagesSpecifyCache: pool(
    ['MemoryDescriptorList', 'AccessMode', 'CacheType', 'RequestedAddress', 'BugCheckOnFailure', 'Priority'],
    ACCESS_MODE_WHEN,
  ),
  MmGetSystemRoutineAddress: PASSIVE,
  // Files, sections and symbolic links.
  ZwCreateFile: PASSIVE,
  ZwOpenFile: PASSIVE,
  ZwReadFile: PASSIVE,
  ZwWriteFile: PASSIVE,
  ZwQueryInformationFile: PASSIVE,
  ZwSetInformationFile: PASSIVE,
  ZwClose: PASSIVE,
  ZwCreateSection: PASSIVE,
  ZwOpenSection: PASSIVE,
  ZwMapViewOfSection: PASSIVE,
  ZwUnmapViewOfSection: PASSIVE,
  ZwOpenSymbolicLinkObject: PASSIVE,
  ZwQuerySymbolicLinkObject: PASSIVE,
  IoCreateFile: PASSIVE,
  // The registry.
  ZwCreateKey: PASSIVE,
  ZwOpenKey: PASSIVE,
  ZwOpenKeyEx: PASSIVE,
  ZwQueryKey: PASSIVE,
  ZwQueryValueKey: PASSIVE,
  ZwSetValueKey: PASSIVE,
  ZwDeleteKey: PASSIVE,
  ZwDeleteValueKey: PASSIVE,
  ZwEnumerateKey: PASSIVE,
  ZwEnumerateValueKey: PASSIVE,
  ZwFlushKey: PASSIVE,
  RtlQueryRegistryValues: PASSIVE,
  RtlWriteRegistryValue: PASSIVE,
  RtlDeleteRegistryValue: PASSIVE,
  RtlCheckRegistryKey: PASSIVE,
  RtlCreateRegistryKey: PASSIVE,
  IoOpenDeviceRegistryKey: PASSIVE,
  IoOpenDeviceInterfaceRegistryKey: PASSIVE,
  // Devices, interfaces and PnP.
  IoGetDeviceProperty: PASSIVE,
  IoGetDevicePropertyData: APC,
  IoGetDeviceInterfaces: PASSIVE,
  IoGetDeviceObjectPointer: PASSIVE,
  IoRegisterDeviceInterface: PASSIVE,
  IoSetDeviceInterfaceState: PASSIVE,
  IoRegisterPlugPlayNotification: PASSIVE,
  IoUnregisterPlugPlayNotification: PASSIVE,
  IoUnregisterPlugPlayNotificationEx: PASSIVE,
  IoCreateDevice: APC,
  IoDeleteDevice: APC,
  IoCreateSymbolicLink: PASSIVE,
  IoDeleteSymbolicLink: PASSIVE,
  IoGetDmaAdapter: PASSIVE,
  IoBuildDeviceIoControlRequest: APC,
  IoBuildSynchronousFsdRequest: APC,
  // WMI.
  IoWMIRegistrationControl: PASSIVE,
  IoWMIAllocateInstanceIds: PASSIVE,
  IoWMISuggestInstanceName: APC,
  IoWMIOpenBlock: APC,
  IoWMIQueryAllData: APC,
  IoWMIQuerySingleInstance: APC,
  IoWMISetSingleInstance: APC,
  IoWMISetSingleItem: APC,
  IoWMIExecuteMethod: APC,
  IoWMISetNotificationCallback: APC,
  // Objects, threads and process notifications.
  ObReferenceObjectByHandle: PASSIVE,
  ObReferenceObjectByHandleWithTag: PASSIVE,
  PsCreateSystemThread: PASSIVE,
  PsTerminateSystemThread: PASSIVE,
  PsSetCreateProcessNotifyRoutine: { header: 'ntddk', max: 'PASSIVE_LEVEL' },
  PsSetCreateProcessNotifyRoutineEx: { header: 'ntddk', max: 'PASSIVE_LEVEL' },
});

/** Where the kernel routines' facts come from, in an entry's `sources`. */
export const KERNEL_ROUTINE_SOURCE = 'kernel-routines';

const cache = new Map<string, IndexEntry>();

/**
 * The kernel routine `name` as an index entry carrying only what the IRQL rules read (name, parameter
 * names, IRQL and its page), or undefined when the table does not know it.
 */
export function kernelRoutine(name: string): IndexEntry | undefined {
  const routine = ROUTINES[name];
  if (!routine) return undefined;
  let entry = cache.get(name);
  if (!entry) {
    entry = {
      name,
      kind: 'method',
      header: `${routine.header}.h`,
      params: (routine.params ?? []).map((p) => ({ name: p, type: '' })),
      irql: { max: routine.max, ...(routine.when ? { when: routine.when } : {}) },
      frameworks: ['KMDF'],
      flags: [],
      docsUrl: `${PUBLIC_REFERENCE_BASE}${routine.header}/nf-${routine.header}-${name.toLowerCase()}`,
      sources: [KERNEL_ROUTINE_SOURCE],
    };
    cache.set(name, entry);
  }
  return entry;
}

/** Every routine the table knows (for tests). */
export function kernelRoutineNames(): string[] {
  return Object.keys(ROUTINES);
}

/**
 * Kernel routines that must be called at DISPATCH_LEVEL or above (requirements ">= DISPATCH_LEVEL", or
 * "DISPATCH_LEVEL" for the ones that only run there): they take or drop a spin lock assuming the
 * caller has already raised. `instead` names the routine that raises by itself.
 * IoReleaseCancelSpinLock is left out: its acquire (IoAcquireCancelSpinLock) is not a lock the lock
 * walk follows, so the raise it makes would not be seen.
 */
const AT_DISPATCH: Readonly<Record<string, { instead?: string }>> = lookupTable<{ instead?: string }>({
  KeAcquireSpinLockAtDpcLevel: { instead: 'KeAcquireSpinLock' },
  KeReleaseSpinLockFromDpcLevel: { instead: 'KeReleaseSpinLock' },
  KeTryToAcquireSpinLockAtDpcLevel: {},
  KeAcquireInStackQueuedSpinLockAtDpcLevel: { instead: 'KeAcquireInStackQueuedSpinLock' },
  ExAcquireSpinLockExclusiveAtDpcLevel: { instead: 'ExAcquireSpinLockExclusive' },
  ExAcquireSpinLockSharedAtDpcLevel: { instead: 'ExAcquireSpinLockShared' },
  ExReleaseSpinLockExclusiveFromDpcLevel: { instead: 'ExReleaseSpinLockExclusive' },
  ExReleaseSpinLockSharedFromDpcLevel: { instead: 'ExReleaseSpinLockShared' },
});

/** The minimum IRQL of a kernel routine that needs DISPATCH_LEVEL or above, with its reference page. */
export function kernelMinIrql(name: string): { level: 'DISPATCH_LEVEL'; url: string; instead?: string } | undefined {
  const routine = AT_DISPATCH[name];
  if (!routine) return undefined;
  return {
    level: 'DISPATCH_LEVEL',
    url: `${PUBLIC_REFERENCE_BASE}wdm/nf-wdm-${name.toLowerCase()}`,
    ...(routine.instead ? { instead: routine.instead } : {}),
  };
}
