/**
 * The callback-contract rules (KMDF3xxx): EvtIoStop, cancellation, power-path contracts.
 * Each rule lives in its own file in this folder and is listed here; registry.ts adds this list to
 * every other family's.
 */
import type { Rule } from '../types';
import { controlDeviceNotFinished } from './controlDeviceNotFinished';
import { deviceInitAfterCreate } from './deviceInitAfterCreate';
import { dmaCancelWithoutDmaV3 } from './dmaCancelWithoutDmaV3';
import { dmaSelfManagedIoUnpaired } from './dmaSelfManagedIoUnpaired';
import { dmaStopSystemTransferMisuse } from './dmaStopSystemTransferMisuse';
import { driverEntryWithoutDriverCreate } from './driverEntryWithoutDriverCreate';
import { ioStopCancelableNotUnmarked } from './ioStopCancelableNotUnmarked';
import { ioStopIgnoresRequest } from './ioStopIgnoresRequest';
import { ioStopPathLeavesRequest } from './ioStopPathLeavesRequest';
import { requestCompletedTwice } from './requestCompletedTwice';
import { requestMarkedCancelableTwice } from './requestMarkedCancelableTwice';
import { resumeOnNonPowerManagedQueue } from './resumeOnNonPowerManagedQueue';
import { stopAcknowledgeOutsideIoStop } from './stopAcknowledgeOutsideIoStop';
import { stopAcknowledgeWithoutResume } from './stopAcknowledgeWithoutResume';
import { surpriseRemovalTouchesQueues } from './surpriseRemovalTouchesQueues';
import { synchronousQueueCallInRequestHandler } from './synchronousQueueCallInRequestHandler';

export const contractRules: Rule[] = [
  ioStopIgnoresRequest,
  ioStopPathLeavesRequest,
  ioStopCancelableNotUnmarked,
  stopAcknowledgeOutsideIoStop,
  stopAcknowledgeWithoutResume,
  resumeOnNonPowerManagedQueue,
  dmaSelfManagedIoUnpaired,
  dmaStopSystemTransferMisuse,
  dmaCancelWithoutDmaV3,
  deviceInitAfterCreate,
  controlDeviceNotFinished,
  driverEntryWithoutDriverCreate,
  requestMarkedCancelableTwice,
  synchronousQueueCallInRequestHandler,
  surpriseRemovalTouchesQueues,
  requestCompletedTwice,
];
