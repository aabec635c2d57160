/**
 * What the model builder is told about names: which types are callback role types, which are WDF
 * structures, which calls may register a callback. The defaults work without the knowledge index.
 */
import type { MacroTable } from '../conditionals';
import type { MacroDefinitions } from '../macros';

/** Options shared by everything that builds models. */
export interface AnalysisOptions {
  /** Whether a type name is a callback role type (`EVT_WDF_IO_QUEUE_IO_STOP`, `DRIVER_INITIALIZE`). */
  isRoleType?: (name: string) => boolean;
  /** Whether a type name is a WDF structure worth recording as a variable (`WDF_IO_QUEUE_CONFIG`). */
  isWdfStructType?: (name: string) => boolean;
  /** Whether a call may register a callback passed as an argument (`WDF_DRIVER_CONFIG_INIT`, `WdfTimerCreate`). */
  isRegistrationCallee?: (callee: string) => boolean;
  /** Macros known before the file (the project's defines): they decide `#if` branches. */
  defines?: MacroTable;
  /** `#define`s from outside the file (the project's headers): macros that stand for annotations, nothing, or PAGED_CODE(). */
  macros?: MacroDefinitions;
}

const ROLE_TYPE =
  /^(EVT_[A-Z0-9_]+|DRIVER_[A-Z0-9_]+|IO_COMPLETION_ROUTINE|IO_WORKITEM_ROUTINE(_EX)?|IO_TIMER_ROUTINE|IO_DPC_ROUTINE|KDEFERRED_ROUTINE|KSERVICE_ROUTINE|KSTART_ROUTINE|KSYNCHRONIZE_ROUTINE|KMESSAGE_SERVICE_ROUTINE|WORKER_THREAD_ROUTINE|IO_CSQ_[A-Z_]+|POWER_SETTING_CALLBACK|KBUGCHECK_[A-Z_]*CALLBACK_ROUTINE|FN_[A-Z0-9_]+)$/;
/** DRIVER_* names that are structures, not role types. */
const NOT_ROLE_TYPES = new Set(['DRIVER_OBJECT', 'DRIVER_EXTENSION']);

/** Default role-type test: upper-case EVT_…, DRIVER_…, and the WDM routine types. */
export function defaultIsRoleType(name: string): boolean {
  return ROLE_TYPE.test(name) && !NOT_ROLE_TYPES.has(name);
}

/** Default WDF-structure test: `WDF_X_CONFIG`, `PWDF_X`, `WDFCX_…` (upper case, with an underscore after WDF). */
export function defaultIsWdfStructType(name: string): boolean {
  return /^P?(WDF|WDFCX|UCX|UDECX|ACX)_[A-Z0-9_]+$/.test(name);
}

/** Default registration callees: WDF methods and macros (`Wdf…`, `WDF_…`). */
export function defaultIsRegistrationCallee(callee: string): boolean {
  return /^(Wdf[A-Z]|WDF_)/.test(callee);
}
