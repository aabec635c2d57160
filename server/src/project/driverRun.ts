/**
 * A whole-driver analysis for the command line (`kmdf lint`, `kmdf callbacks`): list the C/C++ files
 * under some paths, analyse them into one workspace, work out each file's target and project
 * overrides, and run the rules. Nothing here prints; the commands format the result.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { analyzeText, languageOf } from '../analysis/parse';
import { listSourceFiles, type SkippedFile } from '../analysis/scan';
import { WorkspaceModel } from '../analysis/workspace';
import type { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import { registrationLookup, runRules, type SeverityOverride } from '../rules/engine';
import type { Finding, Rule, Target } from '../rules/types';
import { findProjectConfig } from './projectConfig';
import { findProjectFacts, resolveTarget, type TargetSettings } from './target';

export interface AnalyzedDriver {
  workspace: WorkspaceModel;
  /** Document text by URI. */
  texts: Map<string, string>;
  /** Absolute file path by URI. */
  paths: Map<string, string>;
  /** Files or paths that were not analysed, and why. */
  skipped: SkippedFile[];
}

/** Analyse every C/C++ file under the paths into one workspace (files that fail to parse are skipped, with the reason). */
export async function analyzeDriver(paths: string[], index?: KnowledgeIndex): Promise<AnalyzedDriver> {
  const listed = await listSourceFiles(paths);
  const workspace = new WorkspaceModel(index ? registrationLookup(index) : {});
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
  }
  return { workspace, texts, paths: filePaths, skipped };
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
  /** Problems with `.kmdf.json` files, one message each. */
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
  const ruleErrors: string[] = [];
  const dirOf = (uri: string) => path.dirname(driver.paths.get(uri) ?? fileURLToPath(uri));
  const targetOf = (uri: string): Target => {
    const dir = dirOf(uri);
    let target = targets.get(dir);
    if (!target) {
      const config = findProjectConfig(dir);
      const project = findProjectFacts(dir);
      target = resolveTarget({
        ...(options.overrides ? { overrides: options.overrides } : {}),
        ...(config ? { config: { file: config.file, target: config.config.target } } : {}),
        ...(project ? { project } : {}),
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
  const findings = runRules({
    workspace: driver.workspace,
    index: options.index,
    target: targetOf,
    texts: (uri) => driver.texts.get(uri),
    projectOverrides,
    ...(options.severityOverrides ? { severityOverrides: options.severityOverrides } : {}),
    ...(options.rules ? { rules: options.rules } : {}),
    onRuleError: (ruleId, uri, error) => ruleErrors.push(`${ruleId} failed on ${driver.paths.get(uri) ?? uri}: ${error instanceof Error ? error.message : String(error)}`),
  });
  return { findings, configProblems, targets, ruleErrors };
}
