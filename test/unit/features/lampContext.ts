/** The features in-process over the Lamp fixture driver, with the test index and the real analysis layer. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { strict as assert } from 'node:assert';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defaultSettings, type Settings } from '../../../shared/settings';
import { DocsTextProvider } from '../../../server/src/docsText/provider';
import {
  createAnalysisSession,
  projectRulesOptions,
  type AnalysisSession,
  type AnalysisSessionOptions,
} from '../../../server/src/session/analysisSession';
import type { FeatureContext } from '../../../server/src/session/context';
import type { Connection, PublishDiagnosticsParams } from 'vscode-languageserver';
import { DiagnosticsFeature } from '../../../server/src/features/diagnostics';
import type { RulesRunner } from '../../../server/src/session/analysisSession';
import { DriverDocuments } from '../../../server/src/session/documents';
import { silentLogger } from '../../../server/src/util/logger';
import { testIndex } from '../../support/testIndex';
import { repoRoot } from '../../support/paths';

export const lampDir = path.join(repoRoot, 'test/fixtures/lsp/lamp');

export interface LampContext extends FeatureContext {
  settingsValue: Settings;
  session: AnalysisSession;
  open(file: string, text?: string): { uri: string; text: string };
}

/** `options`: the analysis session's (the plain path when a test compares an optimisation with it). */
export async function lampContext(options?: AnalysisSessionOptions): Promise<LampContext> {
  const index = testIndex();
  const session = createAnalysisSession(
    () => index,
    silentLogger,
    () => [lampDir],
    options,
  );
  const documents = new DriverDocuments(session.fileAnalyzer, session.workspace, silentLogger);
  await documents.scan([lampDir]);
  const ctx: LampContext = {
    settingsValue: defaultSettings,
    index: () => index,
    settings: () => ctx.settingsValue,
    documents,
    session,
    project: session.view,
    docs: new DocsTextProvider({ online: false, baseUrl: '' }, () => undefined, silentLogger),
    logger: silentLogger,
    open(file, text = fs.readFileSync(path.join(lampDir, file), 'utf8')) {
      const uri = pathToFileURL(path.join(lampDir, file)).href;
      documents.didClose(uri);
      documents.didOpen(uri, text, 1, 'c');
      return { uri, text };
    },
  };
  return ctx;
}

/** The project rules options of one open Lamp document (queue.c by default), analysed, checked that it is in a project. */
export async function openedRulesOptions(file = 'queue.c') {
  const ctx = await lampContext();
  const { uri } = ctx.open(file);
  await ctx.documents.current(uri);
  const options = {
    ...projectRulesOptions(
      ctx.session.workspace,
      ctx.index,
      (u) => ctx.documents.text(u),
      silentLogger,
      ctx.session.projects,
      defaultSettings,
    ),
    uris: [uri],
  };
  assert.ok(options.model.projectsOf(fileURLToPath(uri)).length, `${file} is in a project`);
  return { ctx, uri, options };
}

export { positionOf } from '../../support/positions';

/**
 * The diagnostics feature over `runner`, registered on a connection that keeps what it publishes;
 * `whenPublished(match)` resolves once a publication matches (one already made included).
 */
export function publishingDiagnostics(ctx: LampContext, runner: RulesRunner) {
  const diagnostics = new DiagnosticsFeature(ctx, runner);
  const published: PublishDiagnosticsParams[] = [];
  const waiting = new Set<{ match: (p: PublishDiagnosticsParams) => boolean; resolve: () => void }>();
  diagnostics.register({
    sendDiagnostics(p: PublishDiagnosticsParams) {
      published.push(p);
      for (const w of [...waiting])
        if (w.match(p)) {
          waiting.delete(w);
          w.resolve();
        }
      return Promise.resolve();
    },
    languages: { diagnostics: { on: () => ({ dispose: () => undefined }) } },
  } as unknown as Connection);
  const whenPublished = (match: (p: PublishDiagnosticsParams) => boolean) =>
    new Promise<void>((resolve) => (published.some(match) ? resolve() : waiting.add({ match, resolve })));
  return { diagnostics, published, whenPublished };
}
