/**
 * Every rule, in id order. Each family's rules live in their own folder, one file per rule; the
 * callback-contract family keeps its own list (contracts/index.ts).
 */
import { contractRules } from './contracts/index';
import { callAboveMaxIrql } from './irql/callAboveMaxIrql';
import { callBelowMinIrql } from './irql/callBelowMinIrql';
import { helperSeveralIrqls } from './irql/helperSeveralIrqls';
import { illegalIrqlValue } from './irql/illegalIrqlValue';
import { irqlNotRestored } from './irql/irqlNotRestored';
import { notPageableCallbackPaged } from './irql/notPageableCallbackPaged';
import { pagedCodeAbovePassive } from './irql/pagedCodeAbovePassive';
import { pagedCodeOutsidePagedSection } from './irql/pagedCodeOutsidePagedSection';
import { pagedWithoutPagedCode } from './irql/pagedWithoutPagedCode';
import { restoreNeverSaved } from './irql/restoreNeverSaved';
import { setEventWaitInPagedCode } from './irql/setEventWaitInPagedCode';
import { annotationContradictsRole } from './roles/annotationContradictsRole';
import { declaredNotDefined } from './roles/declaredNotDefined';
import { definitionMismatch } from './roles/definitionMismatch';
import { driverEntryRole } from './roles/driverEntryRole';
import { registeredAsOtherRole } from './roles/registeredAsOtherRole';
import { registeredWithoutRoleType } from './roles/registeredWithoutRoleType';
import { twoRoleTypes } from './roles/twoRoleTypes';
import { useDeclAnnotations } from './roles/useDeclAnnotations';
import { newerThanTarget } from './target/newerThanTarget';
import { ntstatusReturnsBoolean } from './target/ntstatusReturnsBoolean';
import { wrongFramework } from './target/wrongFramework';
import type { Rule, RuleMeta } from './types';
import { requestRules } from './requests/index';
import { lockRules } from './locks/index';
import { resultRules } from './results/index';
import { registrationRules } from './registrations/index';
import { ddiUseRules } from './ddiUse/index';
import { sendRules } from './sends/index';

/** Role types and annotations (KMDF1xxx). */
export const roleRules: Rule[] = [
  registeredWithoutRoleType,
  definitionMismatch,
  registeredAsOtherRole,
  twoRoleTypes,
  driverEntryRole,
  useDeclAnnotations,
  declaredNotDefined,
  annotationContradictsRole,
];

/** IRQL and paging (KMDF2xxx). */
export const irqlRules: Rule[] = [
  callAboveMaxIrql,
  pagedCodeAbovePassive,
  notPageableCallbackPaged,
  pagedWithoutPagedCode,
  pagedCodeOutsidePagedSection,
  setEventWaitInPagedCode,
  helperSeveralIrqls,
  illegalIrqlValue,
  irqlNotRestored,
  callBelowMinIrql,
  restoreNeverSaved,
];

/** Target version, framework and return values (KMDF4xxx). */
export const targetRules: Rule[] = [newerThanTarget, wrongFramework, ntstatusReturnsBoolean];

/** All rules, sorted by id. */
export const allRules: readonly Rule[] = [
  ...roleRules,
  ...irqlRules,
  ...contractRules,
  ...targetRules,
  ...requestRules,
  ...lockRules,
  ...resultRules,
  ...registrationRules,
  ...ddiUseRules,
  ...sendRules,
].sort((a, b) => (a.meta.id < b.meta.id ? -1 : 1));

/**
 * Ids of rules taken out, with why: an id is never reused, and a `--rule` or a setting naming one is
 * told it was retired rather than that it is unknown.
 */
export const RETIRED_RULES: Readonly<Record<string, string>> = {
  KMDF3007:
    'retired: the framework calls EvtDeviceSelfManagedIoRestart after every power-down whether or not a suspend callback is registered, so a restart callback without one is not a bug',
};

/** A rule's metadata by id. */
export function ruleMeta(id: string): RuleMeta | undefined {
  return allRules.find((r) => r.meta.id === id)?.meta;
}
