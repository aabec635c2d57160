/**
 * The WDF names the contract rules are about: role types (as the index and the model name them) and
 * the methods that complete, requeue, acknowledge or cancel requests. Names are facts from the WDF
 * headers; the rules take versions, flags and registration fields from the index.
 */
import { lookupTable } from '../../util/lookupTable';

export const ROLE = {
  ioStop: 'EVT_WDF_IO_QUEUE_IO_STOP',
  ioResume: 'EVT_WDF_IO_QUEUE_IO_RESUME',
  selfManagedIoRestart: 'EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART',
  selfManagedIoSuspend: 'EVT_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND',
  surpriseRemoval: 'EVT_WDF_DEVICE_SURPRISE_REMOVAL',
  driverEntry: 'DRIVER_INITIALIZE',
} as const;

/** Methods that complete a request. */
export const COMPLETE = new Set([
  'WdfRequestComplete',
  'WdfRequestCompleteWithInformation',
  'WdfRequestCompleteWithPriorityBoost',
]);

export const STOP_ACKNOWLEDGE = 'WdfRequestStopAcknowledge';
export const CANCEL_SENT = 'WdfRequestCancelSentRequest';
export const UNMARK_CANCELABLE = 'WdfRequestUnmarkCancelable';
export const MARK_CANCELABLE = new Set(['WdfRequestMarkCancelable', 'WdfRequestMarkCancelableEx']);

/**
 * What an EvtIoStop can do with its request: complete it, requeue it, acknowledge the stop, cancel
 * it at the I/O target it was sent to, or hand it to another queue.
 */
export const STOP_ACTIONS = new Set([
  ...COMPLETE,
  STOP_ACKNOWLEDGE,
  CANCEL_SENT,
  'WdfRequestRequeue',
  'WdfRequestForwardToIoQueue',
  'WdfRequestForwardToParentDeviceIoQueue',
]);

/**
 * Calls that make a held request finish promptly without touching it: stopping its DMA transfer
 * makes the framework run the transfer-complete path, which completes the request. An EvtIoStop
 * that does this has chosen the "let it finish quickly" option deliberately.
 */
export const HASTENS_COMPLETION = new Set(['WdfDmaTransactionStopSystemTransfer', 'WdfDmaTransactionCancel']);

/** The blocking queue-state methods and their asynchronous counterparts (which take two more arguments). */
export const SYNCHRONOUS_QUEUE_METHODS: Readonly<Record<string, string>> = lookupTable({
  WdfIoQueueStopSynchronously: 'WdfIoQueueStop',
  WdfIoQueuePurgeSynchronously: 'WdfIoQueuePurge',
  WdfIoQueueDrainSynchronously: 'WdfIoQueueDrain',
  WdfIoQueueStopAndPurgeSynchronously: 'WdfIoQueueStopAndPurge',
});

/** Every method that changes a queue's state (stop, purge, drain), blocking or not. */
export const QUEUE_STATE_METHODS = new Set([
  ...Object.keys(SYNCHRONOUS_QUEUE_METHODS),
  ...Object.values(SYNCHRONOUS_QUEUE_METHODS),
]);

/** Request handlers: the queue callbacks that receive new requests. */
export const REQUEST_HANDLER_ROLES = [
  'EvtIoDefault',
  'EvtIoRead',
  'EvtIoWrite',
  'EvtIoDeviceControl',
  'EvtIoInternalDeviceControl',
];

export const DEVICE_CREATE = 'WdfDeviceCreate';
export const DEVICE_INIT_FREE = 'WdfDeviceInitFree';

/** Methods that configure a WDFDEVICE_INIT, which WdfDeviceCreate consumes. */
export function isDeviceInitMethod(name: string): boolean {
  if (name === DEVICE_INIT_FREE) return false;
  // Allocators hand out a new init structure; they do not touch an old one.
  if (name === 'WdfControlDeviceInitAllocate' || name === 'WdfPdoInitAllocate') return false;
  return /^(WdfDeviceInit|WdfFdoInit|WdfPdoInit|WdfControlDeviceInit)[A-Z]/.test(name);
}
