/** A rule's way to the IRQL facts of its run, and whether IRQL applies to its document at all (UMDF). */
import { IrqlFacts } from './irql';
import type { RuleContext } from '../types';

/** The run's IRQL facts (the engine shares one per run; a context built elsewhere gets its own). */
export function irqlFacts(ctx: RuleContext): IrqlFacts {
  return ctx.irqlFacts ?? new IrqlFacts(ctx.workspace, ctx.index);
}

/**
 * A UMDF driver runs in user mode at PASSIVE_LEVEL: no paging rules, and no IRQL rule applies unless
 * UMDF documents one (the IRQL and paging rules return early on such a document).
 */
export function runsInUserMode(ctx: RuleContext): boolean {
  return ctx.target.framework === 'UMDF';
}
