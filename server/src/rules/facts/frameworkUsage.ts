/**
 * What a document uses from the framework, for the target rules: the Wdf methods it calls and the
 * callback role types it declares or registers, each with where it is used.
 */
import { undecidedBranchesAt } from '../../analysis/conditionals';
import type { Span } from '../../analysis/model';
import type { IndexEntry } from '../../knowledge/types';
import type { RuleContext } from '../types';

export interface Usage {
  entry: IndexEntry;
  span: Span;
  function?: string;
  how: 'calls' | 'declares' | 'registers';
  /**
   * The use sits in an `#if` branch the known defines do not decide: it may be compiled only for
   * another framework or version (`#if defined(USER_MODE)`), or in the arguments of a macro we
   * cannot expand, which may drop them; the target rules leave it alone.
   */
  conditional: boolean;
}

/** Uses the target rules leave alone: not compiled on every build, or inside a macro that may drop them. */
type UncertainUse = { uncertain?: boolean };

export function usagesOf(ctx: RuleContext): Usage[] {
  const out: (Omit<Usage, 'conditional'> & UncertainUse)[] = [];
  for (const fn of ctx.document.functions) {
    if (!fn.isDefinition) continue;
    for (const call of fn.calls) {
      const entry = ctx.index.get(call.callee);
      if (entry && entry.kind === 'method' && entry.name === call.callee)
        out.push({
          entry,
          span: call.calleeSpan,
          function: fn.name,
          how: 'calls',
          // Inside a macro whose definition we lack (`WPP_CLEANUP(…)`): the call may not exist.
          uncertain: call.inMacroArguments !== undefined,
        });
    }
  }
  for (const decl of ctx.document.roleDecls) {
    const entry = ctx.index.get(decl.roleType);
    if (entry?.kind === 'callback') out.push({ entry, span: decl.roleTypeSpan, how: 'declares' });
  }
  for (const r of ctx.document.registrations) {
    const roleType = ctx.workspace.roleOfRegistration(r);
    const entry = roleType ? ctx.index.get(roleType) : undefined;
    // A declared role is reported at the declaration; a registration only adds what no declaration says.
    if (
      entry?.kind === 'callback' &&
      !ctx.workspace.roleDeclarations(r.functionName).some((d) => d.decl.roleType === entry.name)
    ) {
      out.push({
        entry,
        span: r.fieldSpan ?? r.valueSpan,
        ...(r.inFunction ? { function: r.inFunction } : {}),
        how: 'registers',
      });
    }
  }
  return out.map(({ uncertain, ...u }) => ({
    ...u,
    conditional: !!uncertain || undecidedBranchesAt(ctx.document.undecidedBranches, u.span.startOffset).length > 0,
  }));
}

export function describeUsage(u: Usage): string {
  return u.entry.kind === 'method' ? u.entry.name : `the callback ${u.entry.name}`;
}
