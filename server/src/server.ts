/**
 * Wires the KMDF Assist language features to a connection. Thin on purpose: each feature is a class
 * in ./features with `register(connection)`; analysis lives in ./analysis, knowledge in ./knowledge.
 *
 * Start-up order: the logger works from the first message (level from KMDF_ASSIST_LOG until settings
 * arrive); the embedded catalog answers at once; after `initialized` the settings are pulled, the index
 * is rebuilt from the configured WDK headers and docs folder, and the workspace folders are scanned.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  TextDocumentSyncKind,
  type ClientCapabilities,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { IndexStatusNotification, type IndexStatus, type InitializationOptions } from '../../shared/protocol';
import { defaultSettings, parseSettings, type Settings } from '../../shared/settings';
import { parseDocPage } from './knowledge/docs';
import { DocsTextProvider, defaultCacheDir, type DocsTextConfig } from './docsText/provider';
import {
  createAnalysisBackend,
  createRulesRunner,
  createWorkspace,
  findWdkHeaders,
  ruleHelpUrl,
} from './features/analysisBackend';
import { CallHierarchyFeature } from './features/callHierarchy';
import { CodeActionsFeature } from './features/codeActions';
import { CompletionFeature } from './features/completion';
import type { FeatureContext } from './features/context';
import { CustomRequestsFeature } from './features/customRequests';
import { DefinitionFeature } from './features/definition';
import { DiagnosticsFeature } from './features/diagnostics';
import { DocumentHighlightFeature } from './features/documentHighlight';
import { DriverDocuments } from './features/documents';
import { HoverFeature } from './features/hover';
import { IndexService } from './features/indexService';
import { InlayHintsFeature } from './features/inlayHints';
import { ProjectView } from './features/project';
import { ReferencesFeature } from './features/references';
import { RenameFeature } from './features/rename';
import { SignatureHelpFeature } from './features/signatureHelp';
import { SymbolsFeature } from './features/symbols';
import { Logger, describeError } from './util/logger';

/** Languages whose documents the server analyses. */
const LANGUAGES = new Set(['c', 'cpp']);

export function startServer(connection: Connection): void {
  const logger = Logger.forConnection(connection);
  redirectConsole(connection);

  let settings: Settings = defaultSettings;
  let capabilities: ClientCapabilities = {};
  let initOptions: InitializationOptions = {};
  let workspaceFolders: string[] = [];
  let lastProblems = '';

  const docs = new DocsTextProvider(docsConfig(settings, initOptions), parseDocPage, logger);
  const indexService = new IndexService(
    logger,
    docs,
    (status) => void connection.sendNotification(IndexStatusNotification.method, status),
    findWdkHeaders,
  );
  const currentIndex = () => indexService.current();
  const workspace = createWorkspace(currentIndex);
  const documents = new DriverDocuments(createAnalysisBackend(currentIndex, logger), workspace, logger);
  const project = new ProjectView(workspace, currentIndex, () => workspaceFolders);
  const ctx: FeatureContext = {
    index: () => indexService.current(),
    settings: () => settings,
    documents,
    project,
    docs,
    logger,
  };

  const diagnostics = new DiagnosticsFeature(
    ctx,
    createRulesRunner(
      workspace,
      currentIndex,
      (uri) => documents.text(uri),
      logger,
      () => workspaceFolders,
    ),
    ruleHelpUrl,
  );
  const rebuild = async (): Promise<IndexStatus> => {
    const status = await indexService.rebuild(settings);
    diagnostics.refreshAll();
    return status;
  };
  for (const feature of [
    new HoverFeature(ctx),
    new CompletionFeature(ctx),
    new CodeActionsFeature(ctx),
    new InlayHintsFeature(ctx),
    new SymbolsFeature(ctx),
    new SignatureHelpFeature(ctx),
    new DefinitionFeature(ctx),
    new ReferencesFeature(ctx),
    new RenameFeature(ctx),
    new CallHierarchyFeature(ctx),
    new DocumentHighlightFeature(ctx),
    new CustomRequestsFeature(ctx, rebuild),
    diagnostics,
  ]) {
    feature.register(connection);
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    capabilities = params.capabilities;
    initOptions = (params.initializationOptions ?? {}) as InitializationOptions;
    docs.configure(docsConfig(settings, initOptions));
    workspaceFolders = foldersOf(params);
    logger.info(
      `KMDF Assist server starting (node ${process.version}); workspace: ${workspaceFolders.join(', ') || 'none'}`,
    );
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['.', '>', '=', ' '], resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        inlayHintProvider: true,
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        signatureHelpProvider: { triggerCharacters: ['(', ','] },
        definitionProvider: true,
        declarationProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        callHierarchyProvider: true,
        documentHighlightProvider: true,
      },
      serverInfo: { name: 'kmdf-assist', version: process.env.KMDF_ASSIST_VERSION ?? '0.1.0' },
    };
  });

  /** Pull `kmdf.*`; invalid values fall back to defaults and are shown once as a warning. */
  const loadSettings = async (pushed?: unknown): Promise<void> => {
    let raw: unknown = pushed;
    // A client that cannot be asked (no workspace/configuration, e.g. Neovim 0.7) pushes its settings;
    // a change notification without them must not reset what it pushed before.
    if (!capabilities.workspace?.configuration && pushed === undefined && settings !== defaultSettings) return;
    if (capabilities.workspace?.configuration) {
      raw = await connection.workspace.getConfiguration({ section: 'kmdf' }).catch((error: unknown) => {
        logger.warn(`Could not read settings: ${describeError(error)}`);
        return undefined;
      });
    }
    const { settings: parsed, problems } = parseSettings(raw ?? {});
    const key = problems.join('\n');
    if (problems.length && key !== lastProblems) {
      void connection.window.showWarningMessage(
        `KMDF Assist: invalid settings (defaults used for these): ${problems.join('; ')}`,
      );
    }
    lastProblems = key;
    for (const p of problems) logger.warn(`Setting ${p}`);
    const previous = settings;
    settings = parsed;
    logger.setLevel(settings.logLevel);
    logger.debug(() => `Settings: ${JSON.stringify(settings)}`);
    docs.configure(docsConfig(settings, initOptions));
    if (indexInputs(previous) !== indexInputs(settings) || previous === defaultSettings) await rebuild();
    else diagnostics.refreshAll();
    if (capabilities.workspace?.inlayHint?.refreshSupport) {
      await connection.languages.inlayHint
        .refresh()
        .catch((error: unknown) => logger.debug(`inlay hint refresh: ${describeError(error)}`));
    }
  };

  connection.onInitialized(async () => {
    if (capabilities.workspace?.didChangeConfiguration?.dynamicRegistration) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'kmdf' });
    }
    await loadSettings();
    await documents.scan(workspaceFolders);
    diagnostics.refreshAll();
  });

  connection.onDidChangeConfiguration((params) => {
    const pushed = (params.settings as { kmdf?: unknown } | undefined)?.kmdf;
    void loadSettings(pushed).catch((error: unknown) => logger.error('Applying settings failed', error));
  });

  connection.onDidOpenTextDocument(({ textDocument }) => {
    if (!isC(textDocument.languageId, textDocument.uri)) return;
    documents.didOpen(textDocument.uri, textDocument.text, textDocument.version, textDocument.languageId);
  });
  connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
    if (!documents.isOpen(textDocument.uri)) return;
    documents.didChange(textDocument.uri, contentChanges, textDocument.version);
  });
  connection.onDidCloseTextDocument(({ textDocument }) => {
    documents.didClose(textDocument.uri);
    diagnostics.clear(textDocument.uri);
  });
  connection.onShutdown(() => diagnostics.dispose());

  connection.listen();
}

/** The settings that decide the index's sources and its reported docs source (a change rebuilds it). */
function indexInputs(s: Settings): string {
  return JSON.stringify([s.wdk, s.docs.path, s.docs.online, s.docs.baseUrl]);
}

function docsConfig(settings: Settings, init: InitializationOptions): DocsTextConfig {
  return {
    folder: settings.docs.path || undefined,
    online: settings.docs.online,
    baseUrl: settings.docs.baseUrl,
    cacheDir: init.cacheDir || defaultCacheDir(),
  };
}

function isC(languageId: string, uri: string): boolean {
  return LANGUAGES.has(languageId) || /\.(c|cc|cpp|cxx|h|hh|hpp|hxx|inl)$/i.test(uri);
}

function foldersOf(params: InitializeParams): string[] {
  const uris = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
  const out: string[] = [];
  for (const uri of uris) {
    if (!uri.startsWith('file:')) continue;
    const folder = fileURLToPath(uri);
    if (fs.existsSync(folder)) out.push(path.resolve(folder));
  }
  return out;
}

/** console.* would write into the stdio stream and corrupt the protocol: send it to the client's log instead. */
function redirectConsole(connection: Connection): void {
  console.log = (...args: unknown[]) => connection.console.log(args.map(String).join(' '));
  console.info = (...args: unknown[]) => connection.console.info(args.map(String).join(' '));
  console.warn = (...args: unknown[]) => connection.console.warn(args.map(String).join(' '));
  console.error = (...args: unknown[]) => connection.console.error(args.map(String).join(' '));
  console.debug = (...args: unknown[]) => connection.console.log(args.map(String).join(' '));
}
