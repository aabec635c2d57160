/**
 * The request-lifetime rules (KMDF3018…): every presented request is finished, and nothing touches
 * it afterwards. Each rule lives in its own file in this folder; registry.ts adds this list.
 */
import type { Rule } from '../types';
import { requestNotFinished } from './requestNotFinished';
import { requestUsedAfterCompletion } from './requestUsedAfterCompletion';

export const requestRules: Rule[] = [requestNotFinished, requestUsedAfterCompletion];
