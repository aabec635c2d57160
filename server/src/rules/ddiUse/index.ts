/**
 * The role-based DDI rules (KMDF3030…): methods called on the object a callback of one role was
 * handed that its role rules out, and what must follow a device creation that fails or an init
 * structure the driver allocated. Each rule lives in its own file in this folder; registry.ts adds
 * this list.
 */
import type { Rule } from '../types';
import { bufferWrongDirection } from './bufferWrongDirection';
import { deprecatedPoolAllocation } from './deprecatedPoolAllocation';
import { deviceCreateFailure } from './deviceCreateFailure';
import { deviceInitNotFreed } from './deviceInitNotFreed';
import { fileObjectNotConfigured } from './fileObjectNotConfigured';
import { handleAfterFailedCreate } from './handleAfterFailedCreate';
import { ioStopGetParameters } from './ioStopGetParameters';
import { memoryWithoutParentLeaked } from './memoryWithoutParentLeaked';
import { powerPolicyWithoutOwnership } from './powerPolicyWithoutOwnership';
import { requestSentAsOtherType } from './requestSentAsOtherType';

export const ddiUseRules: Rule[] = [
  bufferWrongDirection,
  ioStopGetParameters,
  deviceCreateFailure,
  deviceInitNotFreed,
  powerPolicyWithoutOwnership,
  memoryWithoutParentLeaked,
  requestSentAsOtherType,
  fileObjectNotConfigured,
  deprecatedPoolAllocation,
  handleAfterFailedCreate,
];
