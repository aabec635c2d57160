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
import { registrationLookup, type SeverityOverride } from '../rules/engine';
import type { Finding, Rule } from '../rules/types';
import { analysisOptions } from './analysisOptions';
import { readIncludedOutside } from './contextHeaders';
import { HeaderMacros } from './headerMacros';
import { runProjectRules } from './projectRules';
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
export type FileAnalyzer = (
  uri: string,
  text: string,
  language: GrammarId,
  context: { defines?: MacroTable; macros?: MacroDefinitions },
) => Promise<DocumentModel>;

export async function analyzeDriver(
  paths: string[],
  index?: KnowledgeIndex,
  analyzeFile?: FileAnalyzer,
): Promise<AnalyzedDriver> {
  const listed = await listSourceFiles(paths);
  const skipped = [...listed.skipped];
  const texts = new Map<string, string>();
  const includes = new Map<string, IncludeDirective[]>();
  const read = new Map<string, string>();
  for (const file of listed.files) {
    const r = await readSource(file);
    if ('reason' in r) {
      skipped.push({ path: file, reason: r.reason });
      continue;
    }
    read.set(file, r.text);
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
      read.set(file, text);
      includes.set(file, scanIncludes(text));
      stale = true;
    },
  );
  current();
  const textByPath = new Map([...read].map(([file, text]) => [path.resolve(file), text]));
  const headerMacros = new HeaderMacros((file) => textByPath.get(file));
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
