/**
 * The server's diagnostics pieces in-process over one folder (analysis session, open documents,
 * DiagnosticsFeature), with a connection that only records publishDiagnostics.
 */
import type { Connection, PublishDiagnosticsParams } from 'vscode-languageserver';
import { defaultSettings } from '../../shared/settings';
import { DocsTextProvider } from '../../server/src/docsText/provider';
import { DiagnosticsFeature } from '../../server/src/features/diagnostics';
import type { Finding } from '../../server/src/rules/types';
import {
  createAnalysisSession,
  type AnalysisSessionOptions,
  type RulesRunner,
} from '../../server/src/session/analysisSession';
import type { FeatureContext } from '../../server/src/session/context';
import { DriverDocuments } from '../../server/src/session/documents';
import { silentLogger } from '../../server/src/util/logger';
import { testIndex } from './testIndex';

/** `options`: the analysis session's (e.g. `reuseDiskModels: false`, the plain path, for a reference). */
export function diagnosticsServer(
  folder: string,
  helpUrl?: (ruleId: string) => string | undefined,
  options?: AnalysisSessionOptions,
) {
  const index = testIndex();
  const session = createAnalysisSession(
    () => index,
    silentLogger,
    () => [folder],
    options,
  );
  const documents = new DriverDocuments(session.fileAnalyzer, session.workspace, silentLogger);
  const ctx: FeatureContext = {
    index: () => index,
    settings: () => defaultSettings,
    documents,
    project: session.view,
    docs: new DocsTextProvider({ online: false, baseUrl: '' }, () => undefined, silentLogger),
    logger: silentLogger,
  };
  const runRules = session.rulesRunner((uri) => documents.text(uri));
  /** The findings of the last check that finished, as the engine gave them (offsets included, which diagnostics leave out). */
  const checked: { findings?: Finding[] } = {};
  const recording: RulesRunner = Object.assign(
    async (...args: Parameters<RulesRunner>) => {
      const findings = await runRules(...args);
      if (findings) checked.findings = findings;
      return findings;
    },
    { findingsReuse: runRules.findingsReuse },
  );
  const diagnostics = new DiagnosticsFeature(ctx, recording, helpUrl);
  const published: PublishDiagnosticsParams[] = [];
  const waiters: { version: number; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  diagnostics.register({
    sendDiagnostics(p: PublishDiagnosticsParams) {
      published.push(p);
      for (const w of waiters.splice(0)) {
        if ((p.version ?? -1) >= w.version) w.resolve(p);
        else waiters.push(w);
      }
      return Promise.resolve();
    },
    languages: { diagnostics: { on: () => ({ dispose: () => undefined }) } },
  } as unknown as Connection);
  /** The first publish about `version` or later, already made or to come (the test's timeout catches one that never comes). */
  const publishedFor = (version: number) =>
    new Promise<PublishDiagnosticsParams>((resolve) => {
      const done = published.find((p) => (p.version ?? -1) >= version);
      if (done) resolve(done);
      else waiters.push({ version, resolve });
    });
  /** The next publish, whatever its version. */
  const nextPublish = () =>
    new Promise<PublishDiagnosticsParams>((resolve) => waiters.push({ version: -Infinity, resolve }));
  return { index, session, documents, diagnostics, runRules, checked, published, publishedFor, nextPublish };
}
