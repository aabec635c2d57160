/**
 * Registrations that reach the framework (KMDF3022…): a callback written into a configuration or
 * attributes structure is registered only if that structure is then handed to its create or init
 * call. Each rule lives in its own file in this folder; registry.ts adds this list.
 */
import type { Rule } from '../types';
import { callbackNeverRegistered } from './callbackNeverRegistered';

export const registrationRules: Rule[] = [callbackNeverRegistered];
