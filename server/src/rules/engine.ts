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
import { allRules } from './registry';
import type { Finding, Rule, RuleContext, Severity, Target } from './types';

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
  /** A rule threw on a document: the run goes on without its findings there. */
  onRuleError?: (ruleId: string, uri: string, error: unknown) => void;
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

  for (const uri of uris) {
    const document = workspace.get(uri);
    const text = document ? options.texts(uri) : undefined;
    if (!document || text === undefined) continue;
    const target = targetOf(uri);
    const project = options.projectOverrides?.(uri) ?? {};
    // Path walks and definition tables computed by one rule serve the others on this document.
    const scope = {};
    for (const rule of rules) {
      const severity = effectiveSeverity(
        rule.meta.id,
        rule.meta.defaultSeverity,
        project,
        options.severityOverrides ?? {},
      );
      if (severity === 'off') continue;
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
        report: (f) => {
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
        },
      };
      try {
        rule.check(ctx);
      } catch (error) {
        options.onRuleError?.(rule.meta.id, uri, error);
      }
      yield { uri, documentDone: false };
    }
    yield { uri, documentDone: true };
  }
  return findings.sort(compareFindings);

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

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2, hint: 3 };

function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0) ||
    a.span.startOffset - b.span.startOffset ||
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)
  );
}
