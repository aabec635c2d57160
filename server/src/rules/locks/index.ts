/**
 * The lock rules (KMDF3019…): locks taken and released in pairs, and what may not be done while a
 * spin lock is held. Each rule lives in its own file in this folder; registry.ts adds this list.
 */
import type { Rule } from '../types';
import { lockNotReleased } from './lockNotReleased';
import { requestSentUnderSpinLock } from './requestSentUnderSpinLock';

export const lockRules: Rule[] = [lockNotReleased, requestSentUnderSpinLock];
