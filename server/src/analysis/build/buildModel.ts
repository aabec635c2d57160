/**
 * Builds the DocumentModel from a tree-sitter tree of the blanked text. Pure: no parsing here,
 * so the same builder serves fresh parses and incremental re-parses. Each phase reads the query
 * captures and what earlier phases left in the shared state; the order matters (declarations
 * need the definitions' bodies to scope locals, calls need the scopes to tell callbacks from
 * variables, the outline needs every call and return). After an edit, the bodies the previous
 * build read unchanged are not read again (bodyCache.ts): their facts join the phases' results.
 */
import type { CommentSuppression, DocumentModel, VariableModel } from '../model';
import { countErrors } from '../queries';
import { commentSuppressions, pragmaSuppressions } from '../suppressions';
import { contextKey, movedFacts, type BodyFacts, type Entry } from './bodyCache';
import { readCalls } from './calls';
import { readDeclarations, readTypedefs } from './declarations';
import { readDefinitions } from './functionHeads';
import { outlineBranches, readReturns } from './outline';
import { readPagedCodeOrder, readPagedSections } from './paging';
import { readFieldRegistrations } from './registrations';
import { BuildState, type BuildInput, type FunctionDraft } from './state';

type Suppressions = { offset: number; suppression: CommentSuppression }[];

/** Build the model of one document. */
export function buildModel(input: BuildInput): DocumentModel {
  input.outlines?.startBuild();
  let state = new BuildState(input);
  readDefinitions(state);
  readDeclarations(state);
  let context = contextKey(state.knownFunctions, state.fileScope, input.macros);
  if (state.reusable.size && !reuseFits(state, context)) {
    // Bodies were left out of the captures that cannot be taken as they were: read everything.
    state = new BuildState(input, false);
    readDefinitions(state);
    readDeclarations(state);
    context = contextKey(state.knownFunctions, state.fileScope, input.macros);
  }
  const reusedSuppressions = takeReusedBodies(state);
  readCalls(state);
  readFieldRegistrations(state);
  readReturns(state);
  outlineBranches(state);
  readPagedCodeOrder(state);
  const pagedSections = readPagedSections(state);
  const suppressions = mergeByOffset(
    state.captured.comments.flatMap((c) =>
      commentSuppressions([c], (node) => state.textOf(node), state.lines).map((suppression) => ({
        offset: c.startIndex,
        suppression,
      })),
    ),
    reusedSuppressions,
  );

  const model: DocumentModel = {
    uri: input.uri,
    version: input.version,
    language: input.language,
    functions: state.functions.map((f) => f.model),
    roleDecls: state.roleDecls,
    registrations: state.registrations,
    pagedSections,
    variables: state.variables,
    typedefs: readTypedefs(state),
    annotations: state.annotations,
    suppressions: suppressions.map((s) => s.suppression),
    warningSuppressions: pragmaSuppressions(input.text, state.lines),
    errorCount: countErrors(state.root),
    undecidedBranches: input.undecided ?? [],
  };
  if (input.bodies) keepBodies(state, context, suppressions);
  return model;
}

/**
 * Whether the bodies left out of the captures may be taken: the context is the one they were read
 * in, each was found as a definition, its name is defined once, and nothing it declares is a role
 * type now.
 */
function reuseFits(state: BuildState, context: string): boolean {
  if (!state.input.bodies?.sameContext(context)) return false;
  const names = definitionNames(state);
  let found = 0;
  for (const f of state.definitions) {
    if (!f.reused) continue;
    found++;
    if (names.get(f.model.name) !== 1) return false;
    if (f.reused.entry.facts.declaredTypes.some((t) => state.isRoleType(t))) return false;
  }
  return found === state.reusable.size;
}

function definitionNames(state: BuildState): Map<string, number> {
  const names = new Map<string, number>();
  for (const f of state.definitions) names.set(f.model.name, (names.get(f.model.name) ?? 0) + 1);
  return names;
}

/** The reused bodies' facts, moved to where they are, into their functions and the state; their comments' suppressions. */
function takeReusedBodies(state: BuildState): Suppressions {
  const suppressions: Suppressions = [];
  const variables: { at: number; variables: VariableModel[] }[] = [];
  for (const f of state.definitions) {
    if (!f.reused) continue;
    // Bodies before the edit keep their offsets: the previous model's objects serve as they are
    // (a model is never changed once built); the others are moved copies.
    const { delta, lines } = f.reused;
    const facts = delta || lines ? movedFacts(f.reused.entry.facts, delta, lines) : f.reused.entry.facts;
    const model = f.model;
    model.calls = facts.calls;
    model.returns = facts.returns;
    model.assignments = facts.assignments;
    model.pagedCode = facts.pagedCode;
    if (facts.hasFirstConditional) model.firstConditional = facts.firstConditional;
    model.pagedCodeFirst = facts.pagedCodeFirst;
    model.hasGoto = facts.hasGoto;
    model.flow = facts.flow;
    f.declaredTypes = facts.declaredTypes;
    for (const r of facts.registrations) {
      state.registrations.push(r);
      state.reusedRegistrations.add(r);
    }
    if (facts.variables.length) variables.push({ at: f.reused.bodyStart, variables: facts.variables });
    suppressions.push(...facts.suppressions);
  }
  if (variables.length) {
    // Each body's variables as one block where its declarations would have been met (text order).
    const fresh = state.variables.splice(0);
    let j = 0;
    for (const v of fresh) {
      while (j < variables.length && variables[j].at < v.span.startOffset)
        state.variables.push(...variables[j++].variables);
      state.variables.push(v);
    }
    while (j < variables.length) state.variables.push(...variables[j++].variables);
  }
  return suppressions;
}

function mergeByOffset(a: Suppressions, b: Suppressions): Suppressions {
  if (!b.length) return a;
  return [...a, ...b].sort((x, y) => x.offset - y.offset);
}

/** Parents under which a definition stands in no declaration (whose captures would enclose its body). */
const KEPT_PARENTS = new Set([
  'translation_unit',
  'preproc_if',
  'preproc_ifdef',
  'preproc_else',
  'preproc_elif',
  'preproc_elifdef',
  'declaration_list',
]);

/** Keep the facts of every body the next build may reuse (see bodyCache.ts for what makes one reusable). */
function keepBodies(state: BuildState, context: string, suppressions: Suppressions): void {
  const names = definitionNames(state);
  const candidates = state.definitions.filter((f) =>
    f.reused
      ? // Checked when it was found (BodyCache.candidates, reuseFits) and its text is the same.
        names.get(f.model.name) === 1
      : f.bodyNode &&
        f.bodyRange &&
        f.head &&
        f.node.type === 'function_definition' &&
        !f.node.hasError &&
        KEPT_PARENTS.has(f.node.parent?.type ?? '') &&
        names.get(f.model.name) === 1 &&
        // A typedef in a body is read with the file's (from the captures, which leave reused bodies out).
        !state.text.slice(f.bodyRange[0], f.bodyRange[1]).includes('typedef') &&
        !f.declaredTypes?.some((t) => state.isRoleType(t)),
  );
  // Definitions nested in a body make it not reusable (functions are in text order).
  const starts = state.functions.map((f) => f.nodeStart);
  const nested = (f: FunctionDraft) => {
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= f.bodyRange![0]) lo = mid + 1;
      else hi = mid;
    }
    return lo < starts.length && starts[lo] < f.bodyRange![1];
  };
  const bodyOf = bodyFinder(candidates);
  const registrations = groupBy(state.registrations, (r) => bodyOf(r.span.startOffset));
  const variables = groupBy(state.variables, (v) => bodyOf(v.span.startOffset));
  const comments = groupBy(suppressions, (s) => bodyOf(s.offset));
  const blanked = state.input.blankedText ?? state.text;
  const kept: Entry[] = [];
  for (const draft of candidates) {
    if (nested(draft)) continue;
    const m = draft.model;
    const facts: BodyFacts = {
      calls: m.calls,
      returns: m.returns,
      assignments: m.assignments,
      pagedCode: m.pagedCode,
      hasFirstConditional: 'firstConditional' in m,
      ...('firstConditional' in m ? { firstConditional: m.firstConditional } : {}),
      pagedCodeFirst: m.pagedCodeFirst,
      hasGoto: m.hasGoto,
      flow: m.flow,
      variables: variables.get(draft) ?? [],
      registrations: registrations.get(draft) ?? [],
      suppressions: comments.get(draft) ?? [],
      declaredTypes: draft.declaredTypes ?? [],
    };
    const head = { model: m, ...draft.head! };
    const reused = draft.reused;
    if (reused) {
      // Where it is now, with its text as it was (the same: that is why it was reused), and no node read.
      const e = reused.entry;
      kept.push({
        ...e,
        fnStart: reused.fnStart,
        bodyStart: reused.bodyStart,
        bodyEnd: reused.bodyEnd,
        line: e.line + reused.lines,
        facts,
        head,
      });
      continue;
    }
    const fnStart = draft.nodeStart;
    const bodyEnd = draft.nodeEnd;
    const at = state.lines.positionAt(fnStart);
    kept.push({
      text: state.text.slice(fnStart, bodyEnd),
      blanked: blanked.slice(fnStart, bodyEnd),
      fnStart,
      bodyStart: draft.bodyRange![0],
      bodyEnd,
      line: at.line,
      column: at.character,
      parentType: draft.node.parent?.type ?? '',
      facts,
      head,
    });
  }
  state.input.bodies!.keep(context, kept);
  state.input.bodies!.reused = state.definitions.filter((f) => f.reused).length;
  state.input.bodies!.read = state.definitions.length - state.input.bodies!.reused;
}

/** The body (among `drafts`, in text order) holding an offset, by binary search. */
function bodyFinder(drafts: FunctionDraft[]): (offset: number) => FunctionDraft | undefined {
  return (offset) => {
    let lo = 0;
    let hi = drafts.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (drafts[mid].bodyRange![0] <= offset) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const d = best >= 0 ? drafts[best] : undefined;
    return d && offset < d.bodyRange![1] ? d : undefined;
  };
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => FunctionDraft | undefined): Map<FunctionDraft, T[]> {
  const out = new Map<FunctionDraft, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (!key) continue;
    const list = out.get(key);
    if (list) list.push(item);
    else out.set(key, [item]);
  }
  return out;
}
