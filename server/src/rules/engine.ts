/**
 * The contract-diagnostics engine, shared by the language server and `kmdf lint`: runs every rule
 * over the documents asked for, with the whole workspace and the index at hand, then applies
 * suppressions (`// kmdf-ignore RULE` on the line or the line before, `// kmdf-ignore-file RULE`, and
 * the Code Analysis pragmas the driver already has for a warning the rule mirrors) and severity
 * overrides (the project's `.kmdf.json`, then settings or `--rule`).
 * IRQL propagation over the call graph is computed once per run and shared by the rules.
 */
import { undecidedBranchesAt } from '../analysis/conditionals';
import type { DocumentModel } from '../analysis/model';
import type { RegistrationLookup, WorkspaceModel } from '../analysis/workspace';
import type { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import { IrqlFacts } from './facts/irql';
import {
  KeptDocument,
  movable,
  movedFindings,
  NO_FINDINGS,
  objectId,
  reuseDecision,
  type FindingsReuse,
  type KeptFindings,
  type ReportedFinding,
} from './findingsReuse';
import { allRules } from './registry';
import type { Finding, FunctionModel, Rule, RuleContext, Severity, Target } from './types';

export type SeverityOverride = Severity | 'off';

export interface RunRulesOptions {
  workspace: WorkspaceModel;
  index: KnowledgeIndex;
  /** The target, or the target of each document (a workspace may hold several driver projects). */
  target: Target | ((uri: string) => Target);
  /** Documents to check (default: every document of the workspace). */
  uris?: readonly string[];
  /** Text of a document (for fixes and exact positions); documents without text are skipped. */
  texts: (uri: string) => string | undefined;
  /** Overrides from settings or the command line; they win over the project file's. */
  severityOverrides?: Readonly<Record<string, SeverityOverride>>;
  /** Overrides of the project's `.kmdf.json` that applies to a document. */
  projectOverrides?: (uri: string) => Readonly<Record<string, SeverityOverride>> | undefined;
  /** Rules to run (default: all). */
  rules?: readonly Rule[];
  /**
   * Check `perFunction` rules in pieces of about this many milliseconds, yielding between them (a
   * stepped run: the server's), instead of one document per step; the findings are the same.
   */
  pieceMs?: number;
  /** A rule threw on a document: the run goes on without its findings there. */
  onRuleError?: (ruleId: string, uri: string, error: unknown) => void;
  /**
   * Findings of `perFunction` rules kept from the last run on a document, reused for the functions
   * that did not change (findingsReuse.ts). `scope` tells apart runs of one document against
   * different workspaces (a header checked in two projects); `lineageOf` is the object that built a
   * document's model (the incrementally parsed document: same defines, macros and language), none
   * for a model that was not built so (nothing is reused for it).
   */
  reuse?: {
    findings: FindingsReuse;
    scope: string;
    lineageOf: (document: DocumentModel) => object | undefined;
  };
}

/** The registration lookup a WorkspaceModel needs to resolve `cfg.EvtIoStop = X` to a role type. */
export function registrationLookup(index: KnowledgeIndex): RegistrationLookup {
  return {
    callbackForField: (structType, field) => index.callbackForField(structType, field)?.name,
    callbackForArgument: (callee, argIndex) => index.callbackForArgument(callee, argIndex)?.name,
  };
}

/** Run the rules and return the findings that survive suppressions and overrides, sorted by file and position. */
export function runRules(options: RunRulesOptions): Finding[] {
  const steps = rulesSteps(options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Where a stepped run is: after one rule on `uri`, and whether that was the document's last rule. */
export interface RulesStep {
  uri: string;
  documentDone: boolean;
}

/**
 * `runRules` one rule at a time: the generator yields after each rule on each document (with
 * `documentDone` after a document's last) and returns the findings when done, so a caller that must
 * stay responsive (the server's workspace-wide checks) can give way inside a long document too.
 */
export function* rulesSteps(options: RunRulesOptions): Generator<RulesStep, Finding[]> {
  const { workspace, index } = options;
  workspace.setLookup(registrationLookup(index));
  const rules = options.rules ?? allRules;
  const irql = new IrqlFacts(workspace, index, options.texts);
  const targetOf = typeof options.target === 'function' ? options.target : () => options.target as Target;
  const uris = options.uris ?? workspace.uris();
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const overrides = options.severityOverrides ?? {};
  // Made once per run, not per rule and document: a workspace re-check runs thousands of them, and
  // what it allocates is what the garbage collector's pauses (a hover waits for them) are made of.
  const irqlOf = (name: string) => irql.irqlOf(name);
  const roleOf = (name: string) => workspace.roleOf(name)?.roleType;

  // The name tables first, a document at a time (every rule reads them).
  if (uris.length) for (const _ of workspace.buildInSteps()) yield { uri: uris[0], documentDone: false };
  // A run over some of the documents asks about their functions: the propagation follows only the calls to them.
  if (options.uris) irql.focusOn(uris);
  const levelsReader = rules.find((r) => r.readsCallerLevels);
  if (levelsReader && uris.length) {
    try {
      for (const _ of irql.prepare()) yield { uri: uris[0], documentDone: false };
    } catch (error) {
      // What the propagation found before it failed is what the rules get, as when a rule starts it.
      options.onRuleError?.(levelsReader.meta.id, uris[0], error);
    }
  }

  for (const uri of uris) {
    const document = workspace.get(uri);
    const text = document ? options.texts(uri) : undefined;
    if (!document || text === undefined) continue;
    const target = targetOf(uri);
    const project = options.projectOverrides?.(uri) ?? {};
    // Path walks and definition tables computed by one rule serve the others on this document.
    const scope = {};
    const reuse = reuseState(uri, document, text, target);
    // One step object per document (callers read a step before asking for the next).
    const ruleDone: RulesStep = { uri, documentDone: false };
    for (const rule of rules) {
      const severity = effectiveSeverity(rule.meta.id, rule.meta.defaultSeverity, project, overrides);
      if (severity === 'off') continue;
      const deliver = (f: ReportedFinding) => {
        const finding: Finding = {
          ...f,
          ruleId: rule.meta.id,
          // A rule may lower or raise one finding (e.g. certain vs possible DISPATCH); an override replaces both.
          severity:
            overridden(rule.meta.id, project, overrides) ??
            capUncompiled(f.severity ?? severity, f.uri ?? uri, f.span.startOffset),
          uri: f.uri ?? uri,
        };
        if (
          isSuppressed(
            finding,
            finding.uri === uri ? document : workspace.get(finding.uri),
            rule.meta.mirrors?.codeAnalysis,
          )
        )
          return;
        const key = `${finding.ruleId}|${finding.uri}|${finding.span.startOffset}|${finding.message}`;
        if (seen.has(key)) return;
        seen.add(key);
        findings.push(finding);
      };
      const ctx: RuleContext = {
        workspace,
        index,
        target,
        document,
        text,
        irqlOf,
        roleOf,
        irqlFacts: irql,
        scope,
        report: deliver,
      };
      try {
        if (rule.perFunction && (reuse || options.pieceMs !== undefined)) {
          const pass = new PerFunctionPass(rule, ctx, reuse, options.pieceMs);
          while (!pass.piece()) yield ruleDone;
          ctx.report = deliver;
          delete ctx.functionsToCheck;
          pass.deliverTo(deliver, options.reuse?.findings);
        } else rule.check(ctx);
      } catch (error) {
        options.onRuleError?.(rule.meta.id, uri, error);
      }
      yield ruleDone;
    }
    if (reuse) options.reuse!.findings.set(reuse.cacheKey, reuse.next);
    yield { uri, documentDone: true };
  }
  return findings.sort(compareFindings);

  /** What the run keeps and reuses for one document, when it reuses at all (see findingsReuse.ts). */
  function reuseState(uri: string, document: DocumentModel, text: string, target: Target): ReuseState | undefined {
    const reuse = options.reuse;
    const lineage = reuse?.lineageOf(document);
    if (!reuse || !lineage || !rules.some((r) => r.perFunction)) return undefined;
    let others = '';
    for (const m of workspace.models()) if (m.uri !== uri) others += `${m.uri}\u0000${objectId(m)}\u0001`;
    const around = [objectId(lineage), objectId(index), JSON.stringify(target), others].join('\u0002');
    const cacheKey = `${reuse.scope}\u0000${uri}`;
    const next = new KeptDocument(
      around,
      document,
      text,
      rules.some((r) => r.readsOnlyItsFunction),
    );
    return { uri, ...reuseDecision(reuse.findings.get(cacheKey), next), next, cacheKey };
  }

  /**
   * Code in an `#if` branch the known defines leave open may not be compiled in any build we can name
   * (another framework's half of a shared source, a feature switch): what is found there is at most
   * information. Settings and `--rule` overrides still replace it.
   */
  function capUncompiled(severity: Severity, findingUri: string, offset: number): Severity {
    if (severity !== 'error' && severity !== 'warning') return severity;
    const branches = workspace.get(findingUri)?.undecidedBranches;
    return undecidedBranchesAt(branches, offset).length ? 'info' : severity;
  }
}

/**
 * A per-function rule's check of a document, taking the findings of the functions whose key the
 * previous run kept instead of checking them (with `state`), and in pieces of about `pieceMs`
 * (`piece()` returns between them, so a stepped run gives way inside a long document): each piece is
 * one call of the rule whose loop stops after the function that used up the time, the next call
 * going on from the function after it. Reported findings keep the order a whole check gives (each
 * function's in its place); of the findings outside functions, the last call's are kept (a call
 * whose loop saw some of the functions, as when some are reused). A rule that did not go once
 * through every function it was given in each call (it stopped early, looped twice or threw) is
 * checked again whole when something was reused or cut, and nothing of it is kept.
 *
 * Fields of one object rather than generators and closures: a workspace re-check makes one per rule
 * and document, and the garbage they made (a third of the re-check's) is what the collector's pauses,
 * which a hover waits for, are made of.
 */
class PerFunctionPass {
  readonly functions: readonly FunctionModel[];
  /** Whether the run keeps findings for the next (it reuses: `state`). */
  readonly keeps: boolean;
  /** The previous run's findings of this rule, by its function index (`state.previousIndexes`). */
  readonly previous: readonly (KeptFindings | undefined)[] | undefined;
  // The attempt under way (a second one checks the whole document at once, reusing nothing).
  reuse: boolean;
  inPieces: boolean;
  reported: { finding: ReportedFinding; call: number; outside: boolean }[] = [];
  kept: (KeptFindings | undefined)[] | undefined;
  /** Whether the rule is inside one of the functions it was given; what it found there (when kept for reuse). */
  inFunction = false;
  current: { fn: FunctionModel; findings: ReportedFinding[]; movable: boolean } | undefined;
  reused = 0;
  threw = false;
  error: unknown;
  clean = true;
  cut = false;
  calls = 0;
  /** The first function the next call goes through. */
  from = 0;
  // The call under way.
  loops = 0;
  finished = false;
  stopped = false;
  started = 0;

  constructor(
    readonly rule: Rule,
    readonly ctx: RuleContext,
    readonly state: ReuseState | undefined,
    readonly pieceMs: number | undefined,
  ) {
    this.functions = ctx.document.functions;
    this.keeps = !!state;
    // A rule that reads only its function outside the bodies may reuse after an edit inside another body.
    this.previous = state
      ? (rule.readsOnlyItsFunction ? state.previousOutline : state.previous)?.rules.get(rule.meta.id)
      : undefined;
    this.reuse = !!state;
    this.inPieces = pieceMs !== undefined;
    this.kept = this.keeps ? new Array<KeptFindings | undefined>(this.functions.length) : undefined;
    ctx.report = (f) => this.report(f);
  }

  /** Check the next piece; true when the check is over (then `deliverTo`). */
  piece(): boolean {
    this.calls++;
    this.loops = 0;
    this.finished = false;
    this.stopped = false;
    this.started = performance.now();
    const first = this.from;
    this.ctx.functionsToCheck = () => new FunctionLoop(this, first);
    try {
      this.rule.check(this.ctx);
    } catch (e) {
      this.threw = true;
      this.error = e;
    }
    this.current = undefined;
    this.inFunction = false;
    if (this.threw || this.loops !== 1 || (!this.finished && !this.stopped)) this.clean = false;
    else if (this.stopped) return false;
    if (!this.clean && (this.reused || this.cut)) {
      this.restartWhole();
      return this.piece();
    }
    return true;
  }

  /** The second attempt: the whole document in one call, nothing reused. */
  private restartWhole(): void {
    this.reuse = false;
    this.inPieces = false;
    this.reported = [];
    this.kept = this.keeps ? new Array<KeptFindings | undefined>(this.functions.length) : undefined;
    this.reused = 0;
    this.threw = false;
    this.error = undefined;
    this.clean = true;
    this.cut = false;
    this.calls = 0;
    this.from = 0;
  }

  report(f: ReportedFinding): void {
    this.reported.push({ finding: f, call: this.calls, outside: !this.inFunction });
    const current = this.current;
    if (!current) return;
    current.findings.push(f);
    if (this.state && current.movable && !movable(f, this.state.uri, current.fn)) current.movable = false;
  }

  /** The findings to `deliver`, and what is kept for the next run (`totals` counts reuse); throws what the rule threw. */
  deliverTo(deliver: (f: ReportedFinding) => void, totals: FindingsReuse | undefined): void {
    const last = this.calls;
    for (const r of this.reported) if (!r.outside || r.call === last) deliver(r.finding);
    if (this.threw) throw this.error;
    if (!this.clean || !this.state) return;
    this.state.next.rules.set(this.rule.meta.id, this.kept!);
    totals!.reused += this.reused;
    totals!.checked += this.functions.length - this.reused;
  }
}

/**
 * One loop of a rule over the functions a `PerFunctionPass` gives it (`ctx.functionsToCheck()`): an
 * iterator written out rather than a generator, so a loop is one object and not an iteration result
 * per function (the rules read each result before asking for the next).
 */
class FunctionLoop implements IterableIterator<FunctionModel> {
  private begun = false;
  private closed = false;
  private readonly result = { value: undefined as FunctionModel | undefined, done: false };

  constructor(
    private readonly pass: PerFunctionPass,
    /** The function the loop is at (or starts from). */
    private i: number,
  ) {}

  [Symbol.iterator](): IterableIterator<FunctionModel> {
    return this;
  }

  next(): IteratorResult<FunctionModel> {
    if (this.closed) return this.over();
    const pass = this.pass;
    const functions = pass.functions;
    const keeps = pass.keeps;
    if (!this.begun) {
      this.begun = true;
      pass.loops++;
    } else {
      // The rule is done with functions[i].
      const current = pass.current;
      if (current && current.movable)
        pass.kept![this.i] = current.findings.length
          ? { fnStart: current.fn.span.startOffset, fnLine: current.fn.span.start.line, findings: current.findings }
          : NO_FINDINGS;
      pass.current = undefined;
      pass.inFunction = false;
      pass.from = ++this.i;
      if (pass.inPieces && pass.from < functions.length && performance.now() - pass.started >= pass.pieceMs!) {
        pass.stopped = true;
        pass.cut = true;
        return this.over();
      }
    }
    const previous = pass.reuse ? pass.previous : undefined;
    const indexes = pass.state?.previousIndexes;
    for (; this.i < functions.length; this.i++) {
      const fn = functions[this.i];
      const j = previous && indexes ? indexes[this.i] : -1;
      const before = j >= 0 ? previous![j] : undefined;
      if (before) {
        for (const f of movedFindings(before, pass.state!.uri, fn.span.startOffset, fn.span.start.line))
          pass.reported.push({ finding: f, call: pass.calls, outside: false });
        pass.kept![this.i] = before;
        pass.reused++;
        continue;
      }
      pass.inFunction = true;
      if (keeps) pass.current = { fn, findings: [], movable: true };
      this.result.value = fn;
      return this.result as IteratorYieldResult<FunctionModel>;
    }
    pass.finished = true;
    return this.over();
  }

  /** The rule left its loop early (a `break`): as with a generator, nothing more is done. */
  return(): IteratorResult<FunctionModel> {
    return this.over();
  }

  private over(): IteratorResult<FunctionModel> {
    this.closed = true;
    this.result.value = undefined;
    this.result.done = true;
    return this.result as IteratorReturnResult<undefined>;
  }
}

function overridden(
  id: string,
  project: Readonly<Record<string, SeverityOverride>>,
  overrides: Readonly<Record<string, SeverityOverride>>,
): Severity | undefined {
  const o = overrides[id] ?? project[id];
  return o && o !== 'off' ? o : undefined;
}

function effectiveSeverity(
  id: string,
  defaultSeverity: Severity,
  project: Readonly<Record<string, SeverityOverride>>,
  overrides: Readonly<Record<string, SeverityOverride>>,
): SeverityOverride {
  return overrides[id] ?? project[id] ?? defaultSeverity;
}

/**
 * `// kmdf-ignore RULE` on the finding's first line or the line before; `// kmdf-ignore-file RULE` anywhere.
 * A finding in a function's header (its name, return type, annotations) may also be silenced on the line
 * above the whole declaration, where the comment naturally goes. No rule list = every rule.
 *
 * `codeAnalysis` are the warnings the rule mirrors: a `#pragma warning`/`#pragma prefast` naming one of
 * them silences the finding when its range covers the finding's first line. Code Analysis reports a
 * function-level warning (C28170, C28172) at the body's opening brace, so for a finding in a function's
 * header the header's first line and the line of that brace count as well.
 */
export function isSuppressed(
  finding: Pick<Finding, 'ruleId' | 'span'>,
  document: DocumentModel | undefined,
  codeAnalysis: readonly number[] = [],
): boolean {
  if (!document) return false;
  const lines = new Set([finding.span.start.line, finding.span.start.line - 1]);
  const pragmaLines = new Set([finding.span.start.line]);
  const at = finding.span.startOffset;
  for (const fn of document.functions) {
    const inHeader = fn.span.startOffset <= at && at <= fn.span.endOffset && (!fn.body || at < fn.body.startOffset);
    if (!inHeader) continue;
    lines.add(fn.span.start.line - 1);
    pragmaLines.add(fn.span.start.line);
    if (fn.body) pragmaLines.add(fn.body.start.line);
  }
  if (
    document.suppressions.some(
      (s) => (s.file || lines.has(s.line)) && (s.rules.length === 0 || s.rules.includes(finding.ruleId)),
    )
  )
    return true;
  if (!codeAnalysis.length || !document.warningSuppressions?.length) return false;
  return document.warningSuppressions.some(
    (s) =>
      s.warnings.some((w) => codeAnalysis.includes(w)) &&
      [...pragmaLines].some((l) => s.fromLine <= l && l <= s.toLine),
  );
}

/** A document's reuse in one run: what the previous run kept (same context only), and what this one keeps. */
interface ReuseState {
  uri: string;
  previous?: KeptDocument;
  /** The previous run's when only the outline matches (for `readsOnlyItsFunction` rules). */
  previousOutline?: KeptDocument;
  /** For each function, its index in the previous run (`previous` or else `previousOutline`: the same run), or -1. */
  previousIndexes?: Int32Array;
  next: KeptDocument;
  cacheKey: string;
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2, hint: 3 };

function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0) ||
    a.span.startOffset - b.span.startOffset ||
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)
  );
}
