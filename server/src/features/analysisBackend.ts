/**
 * The analysis layer, the rules engine and WDK detection as the server's features use them. The one
 * place where server-side wiring meets ../analysis, ../rules and ../knowledge/headers.
 */
import { fileURLToPath } from 'node:url';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  analyzeText,
  defaultIsRoleType,
  DocumentStore,
  languageOf,
  scanPaths,
  WorkspaceModel,
  type AnalysisOptions,
} from '../analysis';
import { findWdk } from '../knowledge/headers';
import type { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import { ruleHelpUri } from '../rules/help';
import { runRules, type SeverityOverride } from '../rules/engine';
import type { Target } from '../rules/types';
import { findProjectConfig } from '../project/projectConfig';
import { resolveTarget, targetForFile } from '../project/target';
import { describeError, type Logger } from '../util/logger';
import type { RulesRunner } from './diagnostics';
import type { AnalysisBackend } from './documents';
import type { WdkFinder } from './indexService';
import { ProjectScopes } from './projectScope';

/** Model-building options that know the index's role types (beyond the EVT_ naming convention). */
export function analysisOptions(index: () => KnowledgeIndex): AnalysisOptions {
  return {
    isRoleType: (name) => defaultIsRoleType(name) || index().get(name)?.kind === 'callback',
  };
}

/** A workspace model whose registrations resolve through the index. */
export function createWorkspace(index: () => KnowledgeIndex): WorkspaceModel {
  return new WorkspaceModel({
    callbackForField: (struct, field) => index().callbackForField(struct, field)?.name,
    callbackForArgument: (callee, argIndex) => index().callbackForArgument(callee, argIndex)?.name,
  });
}

/** Open documents in an incremental DocumentStore; workspace folders through scanPaths. */
export function createAnalysisBackend(index: () => KnowledgeIndex, logger: Logger): AnalysisBackend {
  const options = analysisOptions(index);
  const store = new DocumentStore({ ...options, capacity: 100 });
  return {
    analyze: (uri, text, version, language, changes) => store.update(uri, text, version, language, changes),
    close: (uri) => store.close(uri),
    async scan(folders) {
      const result = await scanPaths(folders, options);
      for (const s of result.skipped.slice(0, 50)) logger.debug(`Not analysed: ${s.path}: ${s.reason}`);
      if (result.skipped.length)
        logger.info(`${result.skipped.length} files under the workspace were not analysed (see debug log)`);
      return result.models;
    },
    async reload(uri) {
      // A closed document goes back to what is on disk (or leaves the workspace when it is not a file).
      if (!uri.startsWith('file:')) return undefined;
      const file = fileURLToPath(uri);
      const text = await fs.promises.readFile(file, 'utf8').catch(() => undefined);
      return text === undefined ? undefined : analyzeText(uri, text, languageOf(file), options);
    },
  };
}

/** WDK header folders from an installed kit (KMDF and UMDF include folders, newest versions). */
export const findWdkHeaders: WdkFinder = async () => {
  const wdk = findWdk();
  if (!wdk) return undefined;
  const includePaths = [wdk.kmdf?.includeDir, wdk.umdf?.includeDir].filter((p): p is string => !!p);
  const versions = [wdk.kmdf && `KMDF ${wdk.kmdf.version}`, wdk.umdf && `UMDF ${wdk.umdf.version}`]
    .filter(Boolean)
    .join(', ');
  return {
    includePaths,
    label: `WDK ${wdk.root} (${versions})`,
    kmdfVersion: wdk.kmdf?.version,
    umdfVersion: wdk.umdf?.version,
  };
};

/**
 * The rules engine over the workspace, for open documents. Each document is checked against the
 * workspace model of its own project only (see projectScope.ts), so two drivers in one workspace never
 * see each other's callbacks, helpers or IRQL facts. The target of each file comes from the nearest
 * `.kmdf.json` / build project above it, over the `kmdf.target.*` settings; per-rule severities from
 * settings win over the project file's.
 */
export function createRulesRunner(
  workspace: WorkspaceModel,
  index: () => KnowledgeIndex,
  texts: (uri: string) => string | undefined,
  logger: Logger,
  /** The workspace folders (project roots are looked for up to these). */
  folders: () => readonly string[],
): RulesRunner {
  const scopes = new ProjectScopes(workspace, folders, () => createWorkspace(index));
  return (uris, settings) => {
    const targets = new Map<string, Target>();
    const projectRules = new Map<string, Readonly<Record<string, SeverityOverride>> | undefined>();
    const fileOf = (uri: string) => (uri.startsWith('file:') ? fileURLToPath(uri) : undefined);
    const target = (uri: string): Target => {
      const file = fileOf(uri);
      if (!file) return resolveTarget({ settings: settings.target });
      const dir = path.dirname(file);
      let found = targets.get(dir);
      if (!found) targets.set(dir, (found = targetForFile(file, { settings: settings.target })));
      return found;
    };
    const projectOverrides = (uri: string) => {
      const file = fileOf(uri);
      if (!file) return undefined;
      const dir = path.dirname(file);
      if (!projectRules.has(dir)) {
        const config = findProjectConfig(dir);
        for (const problem of config?.problems ?? []) logger.once('warning', `kmdf-json:${problem}`, problem);
        projectRules.set(dir, config?.config.rules);
      }
      return projectRules.get(dir);
    };
    const rootOf = scopes.rootFinder();
    const byProject = new Map<string, string[]>();
    for (const uri of uris) {
      const root = rootOf(uri);
      const group = byProject.get(root);
      if (group) group.push(uri);
      else byProject.set(root, [uri]);
    }
    const findings = [...byProject.values()].flatMap((group) =>
      runRules({
        workspace: scopes.workspaceFor(group[0], rootOf),
        index: index(),
        uris: group,
        texts,
        severityOverrides: settings.diagnostics.rules,
        target,
        projectOverrides,
        onRuleError: (ruleId, uri, error) =>
          logger.once('error', `rule:${ruleId}:${uri}`, `Rule ${ruleId} failed on ${uri}: ${describeError(error)}`),
      }),
    );
    // A file belongs to one project, so the engine's order within a file stands; files in URI order.
    return findings.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
  };
}

/** The page of a rule, for codeDescription.href. */
export const ruleHelpUrl = (ruleId: string): string => ruleHelpUri(ruleId);
