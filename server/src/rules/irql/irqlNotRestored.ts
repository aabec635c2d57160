/**
 * KMDF2009: a function that raises the IRQL (`KeRaiseIrql`, `KeRaiseIrqlToDpcLevel`, …) and has a
 * path out of it that does not lower it back with `KeLowerIrql`, while it lowers it on its other
 * paths; and (information) a function that only raises, for its caller, without saying so in its SAL.
 */
import type { CallModel, DocumentModel, FunctionModel } from '../../analysis/model';
import { walkPaths } from '../../analysis/paths';
import { bareArgument, cacheScope, definitionOf, MAX_HELPER_DEPTH } from '../facts/driverGraph';
import { insertBeforeFix } from '../fixes/insertStatement';
import type { Rule, RuleContext } from '../types';
import { meta } from '../ruleMeta';

/**
 * The raising routines (wdm.h): where each leaves the IRQL it replaced. `out`: the 0-based argument
 * that receives it (`KeRaiseIrql(New, &Old)`); otherwise the routine returns it.
 */
const RAISES = new Map<string, { out?: number }>([
  ['KeRaiseIrql', { out: 1 }],
  ['KfRaiseIrql', {}],
  ['KeRaiseIrqlToDpcLevel', {}],
  ['KeRaiseIrqlToSynchLevel', {}],
]);
const LOWERS = new Set(['KeLowerIrql', 'KfLowerIrql']);

/** SAL that says a function changes the IRQL for its caller (or restores one its caller saved). */
const IRQL_CHANGE_ANNOTATION =
  /^(_IRQL_(raises|saves|restores|saves_global|restores_global)_|__drv_(raisesIRQL|savesIRQL|restoresIRQL|savesIRQLGlobal|restoresIRQLGlobal))$/;

/** A raise a path has not undone yet. */
interface Raise {
  call: CallModel;
  /** The variable holding the IRQL it replaced ('' when not known). */
  saved: string;
  /** Raised through a helper of the driver. */
  viaHelper?: string;
}
type RaiseState = readonly Raise[];

export const irqlNotRestored: Rule = {
  meta: meta({
    id: 'KMDF2009',
    name: 'irql-not-restored',
    title: 'A path leaves a function with the IRQL still raised',
    defaultSeverity: 'warning',
    documentation: [
      { title: 'KeRaiseIrql', url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keraiseirql' },
      { title: 'KeLowerIrql', url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kelowerirql' },
      {
        title: 'KeRaiseIrqlToDpcLevel',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-keraiseirqltodpclevel',
      },
      { title: 'Code Analysis C28167' },
      { title: 'Code Analysis C28166' },
    ],
    mirrors: { codeAnalysis: [28166, 28167] },
    certainty:
      'Certain on the path reported: the function lowers the IRQL on its other paths, and nothing on this one does. A function that only ever raises (a helper without _IRQL_raises_ or _IRQL_saves_) is information.',
  }),
  check(ctx) {
    for (const fn of ctx.document.functions) {
      if (!fn.isDefinition || !fn.body) continue;
      if (saidIrqlChange(ctx, fn.name)) continue;
      if (!fn.calls.some((c) => irqlEffect(ctx, c.callee, 0) === 'raise')) continue;
      const lowers = fn.calls.some((c) => irqlEffect(ctx, c.callee, 0) === 'lower');
      const exits = walkPaths<RaiseState>(fn, {
        start: [],
        key: (s) => s.map((r) => `${r.saved}@${r.call.span.startOffset}`).join(';'),
        step: (state, site) => (site.kind === 'call' ? stepIrql(ctx, state, site.call) : state),
      });
      if (!exits) continue;
      if (!lowers) {
        // It only raises: it hands the raised IRQL to its caller, which is what _IRQL_raises_ says.
        const raise = exits.flatMap((e) => e.states.flat())[0];
        if (raise) reportHelperShape(ctx, fn, raise);
        continue;
      }
      const reported = new Set<string>();
      for (const exit of exits) {
        for (const state of exit.states) {
          for (const raise of state) {
            const id = `${exit.offset}@${raise.call.span.startOffset}`;
            if (reported.has(id)) continue;
            reported.add(id);
            const at = exit.ret?.span ?? closingBrace(fn, exit.offset);
            const where = exit.ret ? 'return here' : 'reach its end';
            // Only where every path to this exit is still raised: elsewhere the lower would run twice.
            const onEveryPath = exit.states.every((st) => st.some((r) => r.call === raise.call));
            const lower = onEveryPath && raise.saved && !raise.viaHelper ? `KeLowerIrql(${raise.saved});` : undefined;
            ctx.report({
              message:
                `${fn.name} can ${where} with the IRQL still raised by ${describeRaise(raise)}: the function lowers it ` +
                `on other paths, but not on this one, so its caller goes on at the raised IRQL (Code Analysis C28167).`,
              span: at,
              function: fn.name,
              related: [{ uri: ctx.document.uri, span: raise.call.span, message: 'the IRQL is raised here' }],
              fixes: lower
                ? insertBeforeFix(ctx, `Lower the IRQL on this path (${lower})`, lower, at, !exit.ret)
                : undefined,
            });
          }
        }
      }
    }
  },
};

function reportHelperShape(ctx: RuleContext, fn: FunctionModel, raise: Raise): void {
  ctx.report({
    severity: 'info',
    message:
      `${fn.name} raises the IRQL with ${describeRaise(raise)} and never lowers it, so it returns at the raised IRQL for its caller. ` +
      `Say so with _IRQL_raises_(…) (and _IRQL_saves_ on the parameter that receives the old IRQL) on its declaration, so Code Analysis (C28167) and callers see it.`,
    span: fn.nameSpan,
    function: fn.name,
    related: [{ uri: ctx.document.uri, span: raise.call.span, message: 'the IRQL is raised here' }],
  });
}

/** The state after one call: a raise is pushed; a lower pops the raise that saved its value, else the latest. */
function stepIrql(ctx: RuleContext, state: RaiseState, call: CallModel): RaiseState {
  const effect = irqlEffect(ctx, call.callee, 0);
  if (effect === 'raise') {
    const method = RAISES.get(call.callee);
    const viaHelper = method ? undefined : call.callee;
    const saved = method
      ? method.out !== undefined
        ? outVariable(call.args[method.out]?.text)
        : assignedVariable(ctx.text, call)
      : outVariable(call.args.find((a) => /^&\s*\w+$/.test(a.text))?.text);
    return [...state, { call, saved, viaHelper }];
  }
  if (effect !== 'lower' || !state.length) return state;
  const value = LOWERS.has(call.callee) ? bareArgument(call.args[0]?.text) : '';
  let index = state.length - 1;
  for (let i = state.length - 1; i >= 0; i--)
    if (state[i].saved !== '' && state[i].saved === value) {
      index = i;
      break;
    }
  return [...state.slice(0, index), ...state.slice(index + 1)];
}

/** `oldIrql` for `&oldIrql` (a plain variable only: `&ctx->Irql` is written back as `ctx->Irql`). */
function outVariable(text: string | undefined): string {
  const m = /^&\s*([A-Za-z_][\w.>-]*)$/.exec(text?.trim() ?? '');
  return m ? m[1] : '';
}

/** The variable a returning raise is stored in: `old = KeRaiseIrqlToDpcLevel();`, `KIRQL old = …`. */
function assignedVariable(text: string, call: CallModel): string {
  const lineStart = text.lastIndexOf('\n', call.span.startOffset - 1) + 1;
  const m = /([A-Za-z_][\w.>-]*)\s*=\s*(\(\s*KIRQL\s*\)\s*)?$/.exec(text.slice(lineStart, call.span.startOffset));
  return m ? m[1] : '';
}

const effects = new WeakMap<object, Map<string, 'raise' | 'lower' | undefined>>();

/**
 * What calling `name` does to the IRQL: the kernel routines' own effect, or that of a driver helper
 * that only raises (or says `_IRQL_raises_`/`_IRQL_saves_`) or only lowers (or says `_IRQL_restores_`).
 */
function irqlEffect(ctx: RuleContext, name: string, depth: number): 'raise' | 'lower' | undefined {
  if (RAISES.has(name)) return 'raise';
  if (LOWERS.has(name)) return 'lower';
  let cache = effects.get(cacheScope(ctx));
  if (!cache) effects.set(cacheScope(ctx), (cache = new Map<string, 'raise' | 'lower' | undefined>()));
  if (cache.has(name)) return cache.get(name);
  cache.set(name, undefined); // recursion
  const fn = definitionOf(ctx, name)?.fn ?? ctx.document.functions.find((f) => f.name === name);
  let effect: 'raise' | 'lower' | undefined;
  if (fn) {
    const said = saidIrqlChange(ctx, name);
    if (said) effect = /restores/i.test(said) ? 'lower' : 'raise';
    else if (fn.isDefinition && depth < MAX_HELPER_DEPTH) {
      const seen = new Set(fn.calls.map((c) => irqlEffect(ctx, c.callee, depth + 1)));
      effect =
        seen.has('raise') && !seen.has('lower')
          ? 'raise'
          : seen.has('lower') && !seen.has('raise')
            ? 'lower'
            : undefined;
    }
  }
  cache.set(name, effect);
  return effect;
}

/**
 * The IRQL-changing SAL on any declaration or definition of `name` (on the function or one of its
 * parameters: `_IRQL_saves_` sits on the `PKIRQL` out-parameter), since a definition with
 * `_Use_decl_annotations_` carries none of its prototype's.
 */
function saidIrqlChange(ctx: RuleContext, name: string): string | undefined {
  // The checked document's own first, then the others in workspace order (allDocuments' order); the
  // others' are read once per workspace, not once per checked document.
  let own = saidCache.get(cacheScope(ctx));
  if (!own) saidCache.set(cacheScope(ctx), (own = irqlChangesIn([ctx.document])));
  const mine = own.get(name);
  if (mine) return mine[0].said;
  const compute = () => irqlChangesIn(ctx.workspace?.models() ?? []);
  const all = ctx.workspace ? ctx.workspace.derived('KMDF2009:irqlChanges', compute) : compute();
  return all.get(name)?.find((s) => s.uri !== ctx.document.uri)?.said;
}
const saidCache = new WeakMap<object, Map<string, IrqlChangeSaid[]>>();

interface IrqlChangeSaid {
  uri: string;
  said: string;
}

/** By function name, each declaration or definition of it that carries IRQL-changing SAL, in document order. */
function irqlChangesIn(docs: readonly DocumentModel[]): Map<string, IrqlChangeSaid[]> {
  const byName = new Map<string, IrqlChangeSaid[]>();
  for (const doc of docs)
    for (const f of doc.functions) {
      const said = [...f.annotations, ...f.params.flatMap((p) => p.annotations)]
        .map((a) => a.name)
        .find((n) => IRQL_CHANGE_ANNOTATION.test(n));
      if (!said) continue;
      const list = byName.get(f.name);
      if (list) list.push({ uri: doc.uri, said });
      else byName.set(f.name, [{ uri: doc.uri, said }]);
    }
  return byName;
}

/** "KeRaiseIrql(DISPATCH_LEVEL, &oldIrql)" for messages. */
function describeRaise(raise: Raise): string {
  return `${raise.call.callee}(${raise.call.args.map((a) => a.text).join(', ')})`;
}

function closingBrace(fn: FunctionModel, offset: number) {
  const body = fn.body!;
  return {
    start: { line: body.end.line, character: Math.max(0, body.end.character - 1) },
    end: body.end,
    startOffset: offset,
    endOffset: offset + 1,
  };
}
