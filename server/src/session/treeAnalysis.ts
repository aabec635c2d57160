/**
 * A whole tree for the command line (`kmdf lint`, `kmdf callbacks`): list the C/C++ files under some
 * paths, read each one's `#include` lines, build the project model (project/projectModel.ts), analyse
 * each file with the definitions its projects share, and run the rules project by project — the same
 * model and the same runs as the server's (analysisSession.ts). Nothing here prints.
 */
import * as fs from 'node:fs/promises';
import * as fsSync from 'node:fs';
import * as path from 'node:path';
import { analyzeText, languageOf } from '../analysis/parse';
import { listSourceFiles, type SkippedFile } from '../analysis/folderScan';
import { WorkspaceModel } from '../analysis/workspace';
import type { MacroTable } from '../analysis/conditionals';
import type { MacroDefinitions } from '../analysis/macros';
import type { DocumentModel } from '../analysis/model';
import type { GrammarId } from '../syntax/treeSitter';
import type { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import { scanIncludes, type IncludeDirective } from '../project/includes';
import { ProjectModel, type DriverProject } from '../project/projectModel';
import type { TargetSettings } from '../project/target';
import { registrationLookup, runRules, type SeverityOverride } from '../rules/engine';
import type { Finding, Rule } from '../rules/types';
import { analysisOptions } from './analysisOptions';
import { readIncludedOutside } from './contextHeaders';
import { HeaderMacros } from './headerMacros';
import {
  compareFindings,
  findingKey,
  projectRunOptions,
  projectRuns,
  runProjectRules,
  type ProjectRun,
} from './projectRules';
import { ProjectWorkspaces } from './projectWorkspaces';

/** One project of an analysed tree, with the workspace of its call graph. */
export interface AnalyzedProject {
  /** The folder that holds the project file, or the folder of loose files. */
  root: string;
  /** What makes it a project: the `.vcxproj`, `sources` or `.kmdf.json` file, else undefined (loose files of one folder). */
  marker?: string;
  project: DriverProject;
  /** Its own files, the headers it includes and the libraries it links. */
  workspace: WorkspaceModel;
  /** The URIs its rules check (its own files and headers; a linked library's are checked in the library). */
  checked: ReadonlySet<string>;
}

export interface AnalyzedDriver {
  /** Every file together: for listings that do not follow calls (use `projects` for anything that does). */
  workspace: WorkspaceModel;
  model: ProjectModel;
  /** The projects, sorted by id. */
  projects: AnalyzedProject[];
  /** Document text by URI. */
  texts: Map<string, string>;
  /** Absolute file path by URI. */
  paths: Map<string, string>;
  /** Files or paths that were not analysed, and why. */
  skipped: SkippedFile[];
  /** Kept for the rules runs. */
  workspaces: ProjectWorkspaces;
  /** Headers read from outside the paths because a project includes them: context, never checked. */
  outside: ReadonlySet<string>;
}

/** Read files as the analysis wants them: text without a byte-order mark, or why it was skipped. */
async function readSource(file: string): Promise<{ text: string } | { reason: string }> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    return { reason: (error as Error).message };
  }
  if (text.includes('\u0000')) return { reason: 'binary file (contains NUL bytes)' };
  // A byte-order mark would shift every column by one; replace it with a space of the same length.
  return { text: text.replace(/^\uFEFF/, ' ') };
}

/** The folders among the paths given (a file given stands for itself: its projects are found above it). */
function folderRoots(paths: readonly string[]): string[] {
  return paths
    .map((p) => path.resolve(p))
    .filter((p) => {
      try {
        return fsSync.statSync(p).isDirectory();
      } catch {
        return false;
      }
    });
}

/**
 * Analyse every C/C++ file under the paths (files that fail to parse are skipped, with the reason),
 * each with the definitions of its projects, and give each project the workspace of its call graph.
 * Project files are looked for under the paths and above each file up to the file-system root.
 */
/** Analyses one file (`kmdf lint --jobs N` hands files to worker threads, session/analysisWorkers.ts). */
export interface FileAnalyzer {
  (
    uri: string,
    text: string,
    language: GrammarId,
    context: { defines?: MacroTable; macros?: MacroDefinitions },
  ): Promise<DocumentModel>;
  /**
   * For a model this analyzer promised, when the caller would wait for it: analyse the file on the
   * calling thread now, unless a worker has started it. Settles once the promised model is there, or
   * at once when a worker has it (session/parallelLint.ts).
   */
  runHere?(model: Promise<DocumentModel>): Promise<void>;
}

/** A tree read for its projects: include lines of every file, the project model, the texts kept. */
export interface ReadTree {
  /** The files read (in listing order, then the headers from outside the paths). */
  files: string[];
  /** The texts kept (what `keep` said, and every header from outside the paths). */
  kept: Map<string, string>;
  model: ProjectModel;
  outside: Set<string>;
  skipped: SkippedFile[];
  headerMacros: HeaderMacros;
}

/**
 * List and read the files under the paths (their include lines), build the project model, and read
 * the headers the projects include from outside the paths. Texts `keep` refuses are let go once
 * their include lines are read (`textOf` reads them again; a header's is read again for its macros).
 */
async function readTree(paths: string[], keep: (file: string) => boolean): Promise<ReadTree> {
  const listed = await listSourceFiles(paths);
  const skipped = [...listed.skipped];
  const includes = new Map<string, IncludeDirective[]>();
  const kept = new Map<string, string>();
  const files: string[] = [];
  for (const file of listed.files) {
    const r = await readSource(file);
    if ('reason' in r) {
      skipped.push({ path: file, reason: r.reason });
      continue;
    }
    files.push(file);
    if (keep(file)) kept.set(file, r.text);
    includes.set(path.resolve(file), scanIncludes(r.text));
  }
  const roots = folderRoots(paths);
  let model = new ProjectModel({ files: includes, roots, stopAt: () => undefined });
  // Headers the projects include from outside the paths (a shared `inc` folder): read for their
  // declarations and macros, never checked themselves.
  const outside = new Set<string>();
  let stale = false;
  const current = () => {
    if (stale) model = new ProjectModel({ files: includes, roots, stopAt: () => undefined, contextOnly: outside });
    stale = false;
    return model;
  };
  await readIncludedOutside(
    current,
    (file) => includes.has(file),
    (file, text) => {
      outside.add(file);
      files.push(file);
      kept.set(file, text);
      includes.set(file, scanIncludes(text));
      stale = true;
    },
  );
  current();
  const keptByPath = new Map([...kept].map(([file, text]) => [path.resolve(file), text]));
  const letGo = new Set(files.filter((f) => !kept.has(f)).map((f) => path.resolve(f)));
  const headerMacros = new HeaderMacros(
    (file) => keptByPath.get(file) ?? (letGo.has(file) ? readSourceSync(file) : undefined),
  );
  return { files, kept, model, outside, skipped, headerMacros };
}

/** readSource, synchronously, for a text let go after its include lines were read; undefined when unreadable. */
function readSourceSync(file: string): string | undefined {
  let text: string;
  try {
    text = fsSync.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return text.includes('\u0000') ? undefined : text.replace(/^\uFEFF/, ' ');
}

export async function analyzeDriver(
  paths: string[],
  index?: KnowledgeIndex,
  analyzeFile?: FileAnalyzer,
): Promise<AnalyzedDriver> {
  const tree = await readTree(paths, () => true);
  const { model, outside, headerMacros } = tree;
  const skipped = [...tree.skipped];
  const texts = new Map<string, string>();
  const read = tree.kept;
  const options = index ? analysisOptions(() => index) : {};
  const lookup = index ? registrationLookup(index) : {};
  const workspace = new WorkspaceModel(lookup);
  const filePaths = new Map<string, string>();
  const workspaces = new ProjectWorkspaces(() => new WorkspaceModel(lookup));
  // With an analyzer every file is handed out at once (workers run ahead); models are taken in file order.
  const started = analyzeFile
    ? [...read].map(([file, text]) =>
        analyzeFile(workspaces.uriOf(path.resolve(file)), text, languageOf(file), {
          defines: model.definesFor(file),
          macros: headerMacros.tableFor(model, file),
        }).then(
          (m) => ({ model: m }),
          (error: unknown) => ({ error }),
        ),
      )
    : undefined;
  let i = 0;
  for (const [file, text] of read) {
    const uri = workspaces.uriOf(path.resolve(file));
    const defines = model.definesFor(file);
    const macros = headerMacros.tableFor(model, file);
    const handed = started?.[i++];
    try {
      if (handed) {
        const result = await handed;
        if ('error' in result) throw result.error;
        workspace.update(result.model);
      } else
        workspace.update(
          await analyzeText(uri, text, languageOf(file), { ...options, defines, ...(macros ? { macros } : {}) }),
        );
    } catch (error) {
      skipped.push({ path: file, reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    texts.set(uri, text);
    filePaths.set(uri, file);
  }
  const modelOf = (uri: string) => workspace.get(uri);
  const projects = model.projects().map((project): AnalyzedProject => ({
    root: project.root,
    ...(project.kind !== 'loose' ? { marker: project.id } : {}),
    project,
    workspace: workspaces.workspaceFor(model, project, modelOf),
    checked: new Set(model.checkedFiles(project).map((f) => workspaces.uriOf(f))),
  }));
  return { workspace, model, projects, texts, paths: filePaths, skipped, workspaces, outside };
}

export interface LintOptions {
  index: KnowledgeIndex;
  /** `--kmdf-version` / `--umdf-version`. */
  overrides?: TargetSettings;
  /** Settings-level target (the editor's `kmdf.target.*`); the CLI has none. */
  settings?: TargetSettings;
  /** `--rule ID=severity`. */
  severityOverrides?: Record<string, SeverityOverride>;
  rules?: readonly Rule[];
}

export interface LintResult {
  findings: Finding[];
  /** Problems with `.kmdf.json` files and build project files (malformed XML, skipped files), one message each. */
  configProblems: string[];
  ruleErrors: string[];
}

/** Run the rules over an analysed tree, project by project (see session/projectRules.ts). */
export function lintDriver(driver: AnalyzedDriver, options: LintOptions): LintResult {
  const ruleErrors: string[] = [];
  const findings = runProjectRules({
    model: driver.model,
    workspaces: driver.workspaces,
    modelOf: (uri) => driver.workspace.get(uri),
    index: options.index,
    texts: (uri) => driver.texts.get(uri),
    target: {
      ...(options.overrides ? { overrides: options.overrides } : {}),
      ...(options.settings ? { settings: options.settings } : {}),
    },
    ...(options.severityOverrides ? { severityOverrides: options.severityOverrides } : {}),
    ...(options.rules ? { rules: options.rules } : {}),
    onRuleError: (ruleId, uri, error) =>
      ruleErrors.push(
        `${ruleId} failed on ${driver.paths.get(uri) ?? uri}: ${error instanceof Error ? error.message : String(error)}`,
      ),
  });
  return { findings, configProblems: [...driver.model.problems()], ruleErrors };
}

/** `kmdf lint`'s run of a whole tree: the findings, and what the report says about the files. */
export interface TreeLint extends LintResult {
  /** Files or paths that were not analysed, and why. */
  skipped: SkippedFile[];
  /** Absolute file path by URI, of every file analysed. */
  paths: Map<string, string>;
  /** Files analysed, the headers from outside the paths among them. */
  analysed: number;
  /** Headers read from outside the paths, for context. */
  outside: number;
}

/**
 * What a lint of a tree works from: the tree read, the project runs in the order runProjectRules takes
 * them, the files each run needs, and the files no run needs (analysed too, as analyzeDriver does, so
 * that a failure is reported). Every thread of a parallel lint reads its own plan of the same paths;
 * the same paths give the same plan.
 */
export interface LintPlan {
  tree: ReadTree;
  workspaces: ProjectWorkspaces;
  runs: ProjectRun[];
  /** The readable files each run needs (its context), by run. */
  needs: string[][];
  /** Readable files no run needs. */
  leftovers: string[];
  /** The path as listed, by resolved path. */
  fileOf: Map<string, string>;
}

export async function planLint(paths: string[], index: KnowledgeIndex): Promise<LintPlan> {
  const tree = await readTree(paths, () => false);
  const lookup = registrationLookup(index);
  const workspaces = new ProjectWorkspaces(() => new WorkspaceModel(lookup));
  const readable = new Set(tree.files.map((f) => path.resolve(f)));
  const fileOf = new Map(tree.files.map((f) => [path.resolve(f), f]));
  const runs = projectRuns(tree.model, workspaces);
  const needs = runs.map((run) => tree.model.contextFiles(run.project).filter((f) => readable.has(f)));
  const needed = new Set(needs.flat());
  const leftovers = [...readable].filter((f) => !needed.has(f));
  return { tree, workspaces, runs, needs, leftovers, fileOf };
}

/** One run's share of the report. */
export interface RunLint {
  findings: Finding[];
  ruleErrors: string[];
}

/** What checking some of a plan's runs gave: per run, in run order, and about the files analysed for them. */
export interface RunsLint {
  runs: RunLint[];
  /** Files whose analysis failed (resolved path), and why. */
  failed: { file: string; reason: string }[];
  /** The files analysed: URI and path as listed, in the order they were taken. */
  analysed: [string, string][];
}

/** At most this many files beyond the handed-out ones are analysed by a run waiting for the workers (models held till needed). */
const MAX_AHEAD_WHILE_WAITING = 32;

/**
 * Check the runs `from` to `to` (exclusive) of a plan, with memory that does not grow with the tree:
 * runs are checked one after the other, each file is analysed when the first run that needs it comes,
 * and its model and text are let go after the last one in the range. `lookahead` files beyond the
 * current run are handed to `analyzeFile` early, so workers analyse the next run's files while the
 * rules of this one run. With `leftovers`, the files no run needs are analysed at the end.
 */
export async function lintRuns(
  plan: LintPlan,
  options: LintOptions,
  range: { from: number; to: number; leftovers: boolean },
  analyzeFile?: FileAnalyzer,
  lookahead = 0,
): Promise<RunsLint> {
  const { index } = options;
  const { tree, workspaces, fileOf } = plan;
  const { model, headerMacros } = tree;
  const analysis = analysisOptions(() => index);
  // Files in the order they are first needed, and how many runs of the range still need each.
  const order: string[] = [];
  const uses = new Map<string, number>();
  const needs = plan.needs.slice(range.from, range.to);
  for (const files of needs)
    for (const f of files) {
      if (!uses.has(f)) order.push(f);
      uses.set(f, (uses.get(f) ?? 0) + 1);
    }
  if (range.leftovers) order.push(...plan.leftovers);
  const position = new Map(order.map((f, i) => [f, i]));

  type Analysed = { model: DocumentModel; text: string } | { error: string };
  // Handed out (to workers) or, on one thread, waiting to be analysed one after the other when taken:
  // analyses started together would hold their trees and texts at once.
  const pending = new Map<string, Promise<Analysed> | (() => Promise<Analysed>)>();
  // The analyzer's promises of the files handed out and not yet taken (for runHere).
  const promised = new Map<string, Promise<DocumentModel>>();
  const ready = new Map<string, { model: DocumentModel; text: string }>();
  const failed: { file: string; reason: string }[] = [];
  const analysed: [string, string][] = [];
  const filePaths = new Map<string, string>();
  let next = 0;
  // Files whose analysis is over (a model or an error), for the main thread to tell what it waits for.
  const settled = new Set<string>();
  const analyse = async (file: string): Promise<Analysed> => {
    try {
      return await analyseFile(file);
    } finally {
      settled.add(file);
    }
  };
  const analyseFile = async (file: string): Promise<Analysed> => {
    const original = fileOf.get(file)!;
    const text = tree.kept.get(original) ?? readSourceSync(original);
    if (text === undefined) return { error: 'unreadable on the second read' };
    const uri = workspaces.uriOf(file);
    const defines = model.definesFor(original);
    const macros = headerMacros.tableFor(model, original);
    try {
      let m: DocumentModel;
      if (analyzeFile) {
        const handed = analyzeFile(uri, text, languageOf(original), { defines, macros });
        promised.set(file, handed);
        m = await handed;
      } else
        m = await analyzeText(uri, text, languageOf(original), { ...analysis, defines, ...(macros ? { macros } : {}) });
      return { model: m, text };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  };
  const handOut = (upTo: number) => {
    for (; next < Math.min(upTo, order.length); next++) {
      const file = order[next];
      pending.set(file, analyzeFile ? analyse(file) : () => analyse(file));
    }
  };
  const take = async (file: string) => {
    const job = pending.get(file);
    if (!job) return;
    pending.delete(file);
    promised.delete(file);
    const result = await (typeof job === 'function' ? job() : job);
    if ('error' in result) {
      failed.push({ file, reason: result.error });
      return;
    }
    const uri = workspaces.uriOf(file);
    filePaths.set(uri, fileOf.get(file)!);
    analysed.push([uri, fileOf.get(file)!]);
    ready.set(uri, result);
  };

  // Rather than wait for files a worker has not started, analyse them here, from the last one (the
  // workers start from the first); the models are taken in order all the same.
  const runHere = async (files: readonly string[]) => {
    if (!analyzeFile?.runHere) return;
    for (let k = files.length - 1; k >= 0; k--) {
      const handed = promised.get(files[k]);
      if (handed) await analyzeFile.runHere(handed);
    }
  };

  // While a run waits for files the workers have started, the main thread analyses the files after
  // the handed-out ones (handed out and taken back at once, so a worker that is free still gets them):
  // a worker's first file comes after its start-up, and the main thread would sit idle meanwhile.
  const analyseAheadWhileWaiting = async (files: readonly string[]) => {
    if (!analyzeFile?.runHere) return;
    const limit = Math.min(order.length, next + MAX_AHEAD_WHILE_WAITING);
    while (next < limit && files.some((f) => !settled.has(f))) {
      handOut(next + 1);
      const handed = promised.get(order[next - 1]);
      if (handed) await analyzeFile.runHere(handed);
    }
  };

  let ruleErrors: string[] = [];
  const rulesOptions = {
    model,
    workspaces,
    modelOf: (uri: string) => ready.get(uri)?.model,
    index,
    texts: (uri: string) => ready.get(uri)?.text,
    target: {
      ...(options.overrides ? { overrides: options.overrides } : {}),
      ...(options.settings ? { settings: options.settings } : {}),
    },
    ...(options.severityOverrides ? { severityOverrides: options.severityOverrides } : {}),
    ...(options.rules ? { rules: options.rules } : {}),
    onRuleError: (ruleId: string, uri: string, error: unknown) =>
      ruleErrors.push(
        `${ruleId} failed on ${filePaths.get(uri) ?? uri}: ${error instanceof Error ? error.message : String(error)}`,
      ),
  };
  const runs: RunLint[] = [];
  for (const [i, files] of needs.entries()) {
    const run = plan.runs[range.from + i];
    const last = files.reduce((n, f) => Math.max(n, position.get(f)!), -1);
    handOut(last + 1 + lookahead);
    await runHere(files);
    await analyseAheadWhileWaiting(files);
    for (const f of files) await take(f);
    ruleErrors = [];
    const findings = runRules(projectRunOptions(rulesOptions, run));
    runs.push({ findings, ruleErrors });
    // Done with this run: its workspace's tables, and the files no later run of the range needs, go.
    workspaces.forget(run.project.id);
    for (const f of files) {
      const left = uses.get(f)! - 1;
      uses.set(f, left);
      if (!left) ready.delete(workspaces.uriOf(f));
    }
  }
  handOut(order.length);
  await runHere(order);
  for (const f of order) await take(f);
  ready.clear();
  return { runs, failed, analysed };
}

/**
 * The report of a whole plan from the parts that checked its runs (in run order): a finding two runs
 * agree on is reported once, as runProjectRules does; a file two parts failed on, once.
 */
export function combineLint(plan: LintPlan, parts: readonly RunsLint[]): TreeLint {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const ruleErrors: string[] = [];
  const paths = new Map<string, string>();
  const failed = new Map<string, string>();
  for (const part of parts) {
    for (const run of part.runs) {
      for (const f of run.findings) {
        const key = findingKey(f);
        if (seen.has(key)) continue;
        seen.add(key);
        findings.push(f);
      }
      ruleErrors.push(...run.ruleErrors);
    }
    for (const [uri, file] of part.analysed) paths.set(uri, file);
    for (const f of part.failed) if (!failed.has(f.file)) failed.set(f.file, f.reason);
  }
  // Reported in the order analyzeDriver meets the files.
  const { tree, fileOf } = plan;
  const rank = new Map(tree.files.map((f, i) => [path.resolve(f), i]));
  const failures = [...failed].sort((a, b) => rank.get(a[0])! - rank.get(b[0])!);
  const skipped = [...tree.skipped, ...failures.map(([file, reason]) => ({ path: fileOf.get(file)!, reason }))];
  return {
    findings: findings.sort(compareFindings),
    configProblems: [...tree.model.problems()],
    ruleErrors,
    skipped,
    paths,
    analysed: paths.size,
    outside: tree.outside.size,
  };
}

/**
 * `analyzeDriver` then `lintDriver`, the same findings, with memory that does not grow with the tree
 * (lintRuns over every run of the plan). session/parallelLint.ts splits the runs over worker threads.
 */
export async function lintTree(
  paths: string[],
  options: LintOptions,
  analyzeFile?: FileAnalyzer,
  lookahead = 0,
): Promise<TreeLint> {
  const plan = await planLint(paths, options.index);
  const part = await lintRuns(
    plan,
    options,
    { from: 0, to: plan.runs.length, leftovers: true },
    analyzeFile,
    lookahead,
  );
  return combineLint(plan, [part]);
}
