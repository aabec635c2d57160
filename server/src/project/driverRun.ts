/**
 * A whole-driver analysis for the command line (`kmdf lint`, `kmdf callbacks`): list the C/C++ files
 * under some paths, split them into projects (two drivers in one tree must not share a call graph),
 * analyse each project into its own workspace, work out each file's target and project overrides,
 * and run the rules per project. Nothing here prints; the commands format the result.
 */
import * as fsSync from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { analyzeText, languageOf } from '../analysis/parse';
import { listSourceFiles, type SkippedFile } from '../analysis/scan';
import { WorkspaceModel } from '../analysis/workspace';
import type { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import { registrationLookup, runRules, type SeverityOverride } from '../rules/engine';
import type { Finding, Rule, Target } from '../rules/types';
import { ancestors, findProjectConfig, PROJECT_CONFIG_FILE } from './projectConfig';
import { findProjectFile, resolveTarget, type TargetSettings } from './target';

/** One project of an analysed tree: the files that are analysed together, with their own call graph. */
export interface AnalyzedProject {
  /** The folder that holds the project file, or the folder of loose files. */
  root: string;
  /** What makes it a project: the `.vcxproj`, `sources` or `.kmdf.json` file found, else undefined (loose files of one folder). */
  marker?: string;
  workspace: WorkspaceModel;
  /** Document text by URI (this project's files only). */
  texts: Map<string, string>;
  /** Absolute file path by URI (this project's files only). */
  paths: Map<string, string>;
}

export interface AnalyzedDriver {
  /**
   * Every file together. For listings that do not follow calls; anything that follows the call graph
   * or registrations across files must use `projects`, or two drivers in one tree would mix.
   */
  workspace: WorkspaceModel;
  /** The files split by project (see `projectRootOf`), sorted by root. */
  projects: AnalyzedProject[];
  /** Document text by URI. */
  texts: Map<string, string>;
  /** Absolute file path by URI. */
  paths: Map<string, string>;
  /** Files or paths that were not analysed, and why. */
  skipped: SkippedFile[];
}

/** Files whose presence makes a folder a project. */
function projectMarkerIn(names: readonly string[]): string | undefined {
  return (
    names.filter((n) => /\.vcxproj$/i.test(n)).sort()[0] ??
    names.find((n) => n.toLowerCase() === 'sources') ??
    names.find((n) => n === PROJECT_CONFIG_FILE)
  );
}

/**
 * The project a file belongs to: the nearest folder at or above it, up to `stopAt` (the path given on
 * the command line), that holds a `.vcxproj`, a `sources` file or a `.kmdf.json`; else the file's own
 * folder (loose files of one folder are one project). `listDir` is cached by the caller.
 */
export function projectRootOf(
  file: string,
  stopAt: string,
  listDir: (dir: string) => readonly string[],
): { root: string; marker?: string } {
  const dir = path.dirname(path.resolve(file));
  for (const folder of ancestors(dir, stopAt)) {
    const marker = projectMarkerIn(listDir(folder));
    if (marker) return { root: folder, marker: path.join(folder, marker) };
  }
  return { root: dir };
}

/** The deepest of the given paths (a folder, or a file's folder) that contains the file. */
function givenRootOf(file: string, roots: readonly string[]): string {
  let best: string | undefined;
  for (const root of roots) {
    const rel = path.relative(root, file);
    if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
    if (!best || root.length > best.length) best = root;
  }
  return best ?? path.dirname(file);
}

/**
 * Analyse every C/C++ file under the paths, split into projects (files that fail to parse are skipped,
 * with the reason). Each project gets its own workspace; `workspace` holds them all.
 */
export async function analyzeDriver(paths: string[], index?: KnowledgeIndex): Promise<AnalyzedDriver> {
  const listed = await listSourceFiles(paths);
  const lookup = index ? registrationLookup(index) : {};
  const workspace = new WorkspaceModel(lookup);
  const givenRoots = paths.map((p) => {
    const full = path.resolve(p);
    try {
      return fsSync.statSync(full).isDirectory() ? full : path.dirname(full);
    } catch {
      return path.dirname(full);
    }
  });
  const listings = new Map<string, readonly string[]>();
  const listDir = (dir: string): readonly string[] => {
    let names = listings.get(dir);
    if (!names) {
      try {
        names = fsSync.readdirSync(dir);
      } catch {
        names = [];
      }
      listings.set(dir, names);
    }
    return names;
  };
  const projects = new Map<string, AnalyzedProject>();
  const texts = new Map<string, string>();
  const filePaths = new Map<string, string>();
  const skipped = [...listed.skipped];
  for (const file of listed.files) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      skipped.push({ path: file, reason: (error as Error).message });
      continue;
    }
    if (text.includes('\u0000')) {
      skipped.push({ path: file, reason: 'binary file (contains NUL bytes)' });
      continue;
    }
    // A byte-order mark would shift every column by one; replace it with a space of the same length.
    const clean = text.replace(/^\uFEFF/, ' ');
    const uri = pathToFileURL(file).href;
    try {
      workspace.update(await analyzeText(uri, clean, languageOf(file)));
    } catch (error) {
      skipped.push({ path: file, reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    texts.set(uri, clean);
    filePaths.set(uri, file);
    const { root, marker } = projectRootOf(file, givenRootOf(path.resolve(file), givenRoots), listDir);
    let project = projects.get(root);
    if (!project) {
      project = {
        root,
        ...(marker ? { marker } : {}),
        workspace: new WorkspaceModel(lookup),
        texts: new Map(),
        paths: new Map(),
      };
      projects.set(root, project);
    }
    project.workspace.update(workspace.get(uri)!);
    project.texts.set(uri, clean);
    project.paths.set(uri, file);
  }
  const sorted = [...projects.values()].sort((a, b) => (a.root < b.root ? -1 : a.root > b.root ? 1 : 0));
  return { workspace, projects: sorted, texts, paths: filePaths, skipped };
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
  /** Targets used, by project folder (for `--verbose` style reporting and tests). */
  targets: Map<string, Target>;
  ruleErrors: string[];
}

/** Run the rules over an analysed driver, each file with the target and `.kmdf.json` of its own project. */
export function lintDriver(driver: AnalyzedDriver, options: LintOptions): LintResult {
  const configProblems: string[] = [];
  const targets = new Map<string, Target>();
  const configs = new Map<string, Record<string, SeverityOverride> | undefined>();
  const seenConfigFiles = new Set<string>();
  const seenProjectFiles = new Set<string>();
  const ruleErrors: string[] = [];
  const dirOf = (uri: string) => path.dirname(driver.paths.get(uri) ?? fileURLToPath(uri));
  const targetOf = (uri: string): Target => {
    const dir = dirOf(uri);
    let target = targets.get(dir);
    if (!target) {
      const config = findProjectConfig(dir);
      const found = findProjectFile(dir, undefined, (file, reason) => {
        if (!seenProjectFiles.has(file)) configProblems.push(`${file}: ${reason}`);
        seenProjectFiles.add(file);
      });
      if (found && !seenProjectFiles.has(found.project.file)) {
        seenProjectFiles.add(found.project.file);
        configProblems.push(...found.project.problems);
      }
      target = resolveTarget({
        ...(options.overrides ? { overrides: options.overrides } : {}),
        ...(config ? { config: { file: config.file, target: config.config.target } } : {}),
        ...(found ? { project: { file: found.project.file, ...found.project.target } } : {}),
        ...(options.settings ? { settings: options.settings } : {}),
      });
      targets.set(dir, target);
    }
    return target;
  };
  const projectOverrides = (uri: string) => {
    const dir = dirOf(uri);
    if (!configs.has(dir)) {
      const config = findProjectConfig(dir);
      if (config && !seenConfigFiles.has(config.file)) {
        seenConfigFiles.add(config.file);
        configProblems.push(...config.problems);
      }
      configs.set(dir, config?.config.rules);
    }
    return configs.get(dir);
  };
  // Each project on its own: its call graph, registrations and IRQL facts never see another project's files.
  const findings: Finding[] = [];
  for (const project of driver.projects) {
    findings.push(
      ...runRules({
        workspace: project.workspace,
        index: options.index,
        target: targetOf,
        texts: (uri) => project.texts.get(uri),
        projectOverrides,
        ...(options.severityOverrides ? { severityOverrides: options.severityOverrides } : {}),
        ...(options.rules ? { rules: options.rules } : {}),
        onRuleError: (ruleId, uri, error) =>
          ruleErrors.push(
            `${ruleId} failed on ${driver.paths.get(uri) ?? uri}: ${error instanceof Error ? error.message : String(error)}`,
          ),
      }),
    );
  }
  // Within a file the engine's order stands (a file belongs to one project); files in URI order as before.
  findings.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
  return { findings, configProblems, targets, ruleErrors };
}
