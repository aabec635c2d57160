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
  documentOutline,
  documentShape,
  functionKeys,
  movable,
  movedFindings,
  objectId,
  type FindingsReuse,
  type KeptDocument,
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
    for (const rule of rules) {
      const severity = effectiveSeverity(
        rule.meta.id,
        rule.meta.defaultSeverity,
        project,
        options.severityOverrides ?? {},
      );
      if (severity === 'off') continue;
      const deliver = (f: ReportedFinding) => {
        const finding: Finding = {
          ...f,
          ruleId: rule.meta.id,
          // A rule may lower or raise one finding (e.g. certain vs possible DISPATCH); an override replaces both.
          severity:
            overridden(rule.meta.id, project, options.severityOverrides ?? {}) ??
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
        irqlOf: (name) => irql.irqlOf(name),
        roleOf: (name) => workspace.roleOf(name)?.roleType,
        irqlFacts: irql,
        scope,
        report: deliver,
      };
      try {
        if (rule.perFunction && (reuse || options.pieceMs !== undefined))
          for (const _ of checkPerFunction(rule, ctx, deliver, reuse)) yield { uri, documentDone: false };
        else rule.check(ctx);
      } catch (error) {
        options.onRuleError?.(rule.meta.id, uri, error);
      }
      yield { uri, documentDone: false };
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
    const context = `${around}\u0002${documentShape(text)}`;
    const outline = rules.some((r) => r.readsOnlyItsFunction)
      ? `${around}\u0002${documentOutline(document, text)}`
      : '';
    const cacheKey = `${reuse.scope}\u0000${uri}`;
    const previous = reuse.findings.get(cacheKey);
    return {
      uri,
      keys: functionKeys(document, text),
      previous: previous?.context === context ? previous : undefined,
      previousOutline: outline && previous?.outline === outline ? previous : undefined,
      next: { context, outline, rules: new Map() },
      cacheKey,
    };
  }

  /**
   * Run a per-function rule, taking the findings of the functions whose key the previous run kept
   * instead of checking them (with `state`), and in pieces of about `options.pieceMs` (the generator
   * yields between them, so a stepped run gives way inside a long document): each piece is one call
   * of the rule whose loop stops after the function that used up the time, the next call going on
   * from the function after it. Reported findings keep the order a whole check gives (each
   * function's in its place); of the findings outside functions, the last call's are kept (a call
   * whose loop saw some of the functions, as when some are reused). A rule that did not go once
   * through every function it was given in each call (it stopped early, looped twice or threw) is
   * checked again whole when something was reused or cut, and nothing of it is kept.
   */
  function* checkPerFunction(
    rule: Rule,
    ctx: RuleContext,
    deliver: (f: ReportedFinding) => void,
    state: ReuseState | undefined,
  ): Generator<void, void> {
    const functions = ctx.document.functions;
    const keys = state?.keys;
    // A rule that reads only its function outside the bodies may reuse after an edit inside another body.
    const previous = state
      ? (rule.readsOnlyItsFunction ? state.previousOutline : state.previous)?.rules.get(rule.meta.id)
      : undefined;
    const pieceMs = options.pieceMs;
    function* attempt(reuse: boolean, inPieces: boolean) {
      const reported: { finding: ReportedFinding; call: number; outside: boolean }[] = [];
      const kept = new Map<string, KeptFindings>();
      let current: { fn: FunctionModel; findings: ReportedFinding[]; movable: boolean } | undefined;
      let reused = 0;
      let threw = false;
      let error: unknown;
      let clean = true;
      let cut = false;
      let calls = 0;
      // The first function the next call goes through.
      let from = 0;
      ctx.report = (f) => {
        reported.push({ finding: f, call: calls, outside: !current });
        if (!current) return;
        current.findings.push(f);
        if (state && current.movable && !movable(f, state.uri, current.fn)) current.movable = false;
      };
      for (;;) {
        calls++;
        let loops = 0;
        let finished = false;
        let stopped = false;
        const started = performance.now();
        const first = from;
        ctx.functionsToCheck = function* () {
          loops++;
          for (let i = first; i < functions.length; i++) {
            const fn = functions[i];
            const before = reuse && keys ? previous?.get(keys[i]) : undefined;
            if (before) {
              for (const f of movedFindings(before, state!.uri, fn.span.startOffset, fn.span.start.line))
                reported.push({ finding: f, call: calls, outside: false });
              kept.set(keys![i], before);
              reused++;
              continue;
            }
            current = { fn, findings: [], movable: true };
            yield fn;
            if (keys && current.movable)
              kept.set(keys[i], {
                fnStart: fn.span.startOffset,
                fnLine: fn.span.start.line,
                findings: current.findings,
              });
            current = undefined;
            from = i + 1;
            if (inPieces && from < functions.length && performance.now() - started >= pieceMs!) {
              stopped = true;
              cut = true;
              return;
            }
          }
          finished = true;
        };
        try {
          rule.check(ctx);
        } catch (e) {
          threw = true;
          error = e;
        }
        current = undefined;
        if (threw || loops !== 1 || (!finished && !stopped)) {
          clean = false;
          break;
        }
        if (!stopped) break;
        yield;
      }
      const last = calls;
      const findings = reported.filter((r) => !r.outside || r.call === last).map((r) => r.finding);
      return { reported: findings, kept, clean, reused, cut, threw, error };
    }
    const inPieces = pieceMs !== undefined;
    let run = yield* attempt(!!state, inPieces);
    if (!run.clean && (run.reused || run.cut)) run = yield* attempt(false, false);
    ctx.report = deliver;
    delete ctx.functionsToCheck;
    for (const f of run.reported) deliver(f);
    if (run.threw) throw run.error;
    if (!run.clean || !state) return;
    state.next.rules.set(rule.meta.id, run.kept);
    options.reuse!.findings.reused += run.reused;
    options.reuse!.findings.checked += functions.length - run.reused;
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

/** A document's reuse in one run: its functions' keys, what the previous run kept (same context only), what this one keeps. */
interface ReuseState {
  uri: string;
  keys: string[];
  previous: KeptDocument | undefined;
  /** The previous run's when only the outline matches (for `readsOnlyItsFunction` rules). */
  previousOutline: KeptDocument | undefined;
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
