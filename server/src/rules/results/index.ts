/**
 * Results the driver must look at (KMDF4004…). Each rule lives in its own file in this folder;
 * registry.ts adds this list.
 */
import type { Rule } from '../types';
import { resultNotInspected } from './resultNotInspected';

export const resultRules: Rule[] = [resultNotInspected];
