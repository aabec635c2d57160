/**
 * The callback-contract rules (KMDF3xxx): EvtIoStop, cancellation, power-path contracts.
 * Each rule lives in its own file in this folder and is listed here; registry.ts adds this list to
 * every other family's.
 */
import type { Rule } from '../types';

export const contractRules: Rule[] = [];
