/**
 * The rules over a tree of driver projects, the same for the server and `kmdf lint`: each project's
 * files are checked against the workspace of that project (its own files, the headers it includes and
 * the libraries it links), with the project's target and each file's `.kmdf.json`. A header several
 * projects include is checked in each; a finding they agree on is reported once.
 */
import { fileURLToPath } from 'node:url';
import type { DocumentModel } from '../analysis/model';
import type { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import type { DriverProject, ProjectModel, TargetLayers } from '../project/projectModel';
import { rulesSteps, runRules, type RunRulesOptions, type SeverityOverride } from '../rules/engine';
import type { Finding, Rule } from '../rules/types';
import type { ProjectWorkspaces } from './projectWorkspaces';

export interface ProjectRulesOptions {
  model: ProjectModel;
  workspaces: ProjectWorkspaces;
  /** The analysed model of a document. */
  modelOf: (uri: string) => DocumentModel | undefined;
  index: KnowledgeIndex;
  texts: (uri: string) => string | undefined;
  /** Documents to check (default: every file of every project). */
  uris?: readonly string[];
  target?: TargetLayers;
  /** Settings or `--rule`: win over the `.kmdf.json`. */
  severityOverrides?: Readonly<Record<string, SeverityOverride>>;
  rules?: readonly Rule[];
  onRuleError?: (ruleId: string, uri: string, error: unknown) => void;
  /** Findings kept from the last checks of the documents, reused where they still hold (engine's `reuse`, per project). */
  reuse?: Omit<NonNullable<RunRulesOptions['reuse']>, 'scope'>;
  /** The engine's `pieceMs`: per-function rules in pieces this long (stepped runs). */
  pieceMs?: number;
}

/**
 * Stepped runs (the server's) check a per-function rule on a long document in pieces about this long
 * (engine's `pieceMs`): one rule's pass over a large file took up to 25 ms on microsoft/DMF.
 */
export const RULES_PIECE_MS = 2;

/** Which projects check which of the documents asked for, in project order. */
export function projectRuns(
  model: ProjectModel,
  workspaces: ProjectWorkspaces,
  uris?: readonly string[],
): ProjectRun[] {
  const wanted = uris ? new Set(uris) : undefined;
  const runs: ProjectRun[] = [];
  for (const project of model.projects()) {
    const checked = model
      .checkedFiles(project)
      .map((f) => workspaces.uriOf(f))
      .filter((u) => !wanted || wanted.has(u));
    if (checked.length) runs.push({ project, uris: checked });
  }
  return runs;
}

/** One project's check of some of its documents. */
export interface ProjectRun {
  project: DriverProject;
  uris: string[];
}

/** The engine's options for one project's run: that project's workspace, target and `.kmdf.json` overrides. */
export function projectRunOptions(options: ProjectRulesOptions, run: ProjectRun): RunRulesOptions {
  const { model } = options;
  return {
    workspace: options.workspaces.workspaceFor(model, run.project, options.modelOf),
    index: options.index,
    uris: run.uris,
    texts: options.texts,
    target: (uri) => model.targetFor(run.project, fileURLToPath(uri), options.target),
    projectOverrides: (uri) => model.configFor(fileURLToPath(uri))?.config.rules,
    ...(options.severityOverrides ? { severityOverrides: options.severityOverrides } : {}),
    ...(options.rules ? { rules: options.rules } : {}),
    ...(options.onRuleError ? { onRuleError: options.onRuleError } : {}),
    ...(options.reuse ? { reuse: { ...options.reuse, scope: run.project.id } } : {}),
    ...(options.pieceMs !== undefined ? { pieceMs: options.pieceMs } : {}),
  };
}

/** What makes two findings the same one (a header several projects check reports it once). */
export function findingKey(f: Finding): string {
  return `${f.ruleId}|${f.uri}|${f.span.startOffset}|${f.span.endOffset}|${f.severity}|${f.message}`;
}

/** Run the rules project by project; findings sorted by file, then position, severity and rule. */
export function runProjectRules(options: ProjectRulesOptions): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const run of projectRuns(options.model, options.workspaces, options.uris)) {
    for (const f of runRules(projectRunOptions(options, run))) {
      const key = findingKey(f);
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push(f);
    }
  }
  return findings.sort(compareFindings);
}

/**
 * `runProjectRules`, giving way (`giveWay`) whenever the rules have run `sliceMs` without a break:
 * the check of an edited document does not hold up the requests that arrive meanwhile. Same findings.
 * When `abandoned()` is true after a break (a newer text came to be checked meanwhile), the run
 * stops there and resolves undefined: a stale check costs at most one more slice.
 */
export async function runProjectRulesStepped(
  options: ProjectRulesOptions,
  giveWay: () => Promise<void>,
  sliceMs: number,
  abandoned?: () => boolean,
): Promise<Finding[] | undefined> {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  let sliceStarted = performance.now();
  for (const run of projectRuns(options.model, options.workspaces, options.uris)) {
    const steps = rulesSteps(projectRunOptions(options, run));
    for (;;) {
      const step = steps.next();
      if (step.done) {
        for (const f of step.value) {
          const key = findingKey(f);
          if (seen.has(key)) continue;
          seen.add(key);
          findings.push(f);
        }
        break;
      }
      if (performance.now() - sliceStarted < sliceMs) continue;
      await giveWay();
      if (abandoned?.()) return undefined;
      sliceStarted = performance.now();
    }
  }
  return findings.sort(compareFindings);
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2, hint: 3 } as const;

/** The engine's order (file, position, severity, rule), so one project's run reads as it always did. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0) ||
    a.span.startOffset - b.span.startOffset ||
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)
  );
}
