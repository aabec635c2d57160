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
import { parseDocPage } from './knowledge/docs';
import { prepareGrammar } from './analysis/parse';
import { DocsTextProvider } from './docsText/provider';
import { createAnalysisSession, findWdkHeaders, ruleHelpUrl, type AnalysisSession } from './session/analysisSession';
import { defaultJobs } from './session/analysisWorkers';
import { codeIdentity, ModelCache } from './session/modelCache';
import { CallHierarchyFeature } from './features/callHierarchy';
import { CodeActionsFeature, FIX_ALL_KIND } from './features/codeActions';
import { CompletionFeature } from './features/completion';
import type { FeatureContext } from './session/context';
import { CustomRequestsFeature } from './features/customRequests';
import { DefinitionFeature } from './features/definition';
import { DiagnosticsFeature } from './features/diagnostics';
import { DocumentHighlightFeature } from './features/documentHighlight';
import { DriverMapFeature } from './features/driverMap';
import { DriverDocuments } from './session/documents';
import { HoverFeature } from './features/hover';
import { IndexService } from './session/indexService';
import { startSummary } from './session/startSummary';
import { InlayHintsFeature } from './features/inlayHints';
import { ReferencesFeature } from './features/references';
import { RenameFeature } from './features/rename';
import { SignatureHelpFeature } from './features/signatureHelp';
import { SymbolsFeature } from './features/symbols';
import { WorkspaceDiagnosticsFeature } from './features/workspaceDiagnostics';
import { docsTextConfig, SettingsService } from './session/settingsService';
import { ConfigurationFeature } from './features/configuration';
import { DocumentSyncFeature } from './features/documentSync';
import { WatchedFilesFeature } from './features/watchedFiles';
import { BackgroundGate } from './util/backgroundGate';
import { Logger } from './util/logger';
import { withCancellation } from './util/requestScope';
import type { InboundMessages } from './util/transport';

/**
 * The workspace re-check takes its next slice once no request or edit has arrived for this long (a
 * client's back-to-back requests are apart by a round trip; a person's by 100 ms or more)…
 */
const EDITOR_QUIET_MS = 50;
/** …but waits at most this long in a row, then runs BACKGROUND_RUN_MS whatever arrives (≥ 1/11 of the time). */
const BACKGROUND_MAX_HOLD_MS = 1000;
const BACKGROUND_RUN_MS = 100;

/** The page Rebuild Index asks the docs host for (the role type every KMDF driver registers). */
const DOCS_CHECK_PAGE = 'EVT_WDF_DRIVER_DEVICE_ADD';

/** What the client said in `initialize`. */
interface ClientInfo {
  capabilities: ClientCapabilities;
  initOptions: InitializationOptions;
  workspaceFolders: string[];
}

/** The server's state, made once per connection, that the features share. */
interface ServerState {
  logger: Logger;
  client: ClientInfo;
  settings: SettingsService;
  docs: DocsTextProvider;
  indexService: IndexService;
  session: AnalysisSession;
  documents: DriverDocuments;
  ctx: FeatureContext;
  /** Messages read from the client and not yet handled, when the transport tells (util/transport.ts). */
  inbound: InboundMessages | undefined;
}

/** The features the start-up and shutdown handlers drive beyond registering them. */
interface LifecycleFeatures {
  diagnostics: DiagnosticsFeature;
  workspaceDiagnostics: WorkspaceDiagnosticsFeature;
  driverMap: DriverMapFeature;
  configuration: ConfigurationFeature;
  watchedFiles: WatchedFilesFeature;
}

/**
 * Compose the server on a connection. `inbound` (util/transport.ts) tells which client messages are
 * read but not yet handled; without it (tests, other transports) analyses just cannot look ahead.
 */
export function startServer(rawConnection: Connection, inbound?: InboundMessages): void {
  const logger = Logger.forConnection(rawConnection);
  redirectConsole(rawConnection);
  // Every handler registered below answers RequestCancelled once the client cancels it.
  const connection = withCancellation(rawConnection);
  const state = createState(connection, logger, inbound, (uri) => features.diagnostics.clear(uri));
  const features = registerFeatures(connection, state);
  registerLifecycle(connection, state, features);
  connection.listen();
}

/** `tooLarge`: a document above the size limit is not analysed (its diagnostics go). */
function createState(
  connection: Connection,
  logger: Logger,
  inbound: InboundMessages | undefined,
  tooLarge: (uri: string) => void,
): ServerState {
  const client: ClientInfo = { capabilities: {}, initOptions: {}, workspaceFolders: [] };
  const settings = new SettingsService(connection, logger, () => !!client.capabilities.workspace?.configuration);
  const docs = new DocsTextProvider(docsTextConfig(settings.current(), client.initOptions), parseDocPage, logger);
  const indexService = new IndexService(
    logger,
    docs,
    (status) => void connection.sendNotification(IndexStatusNotification.method, status),
    findWdkHeaders,
  );
  docs.onStatusChange(() => indexService.docsChanged());
  const currentIndex = () => indexService.current();
  // Files read from disk are analysed on worker threads, so that hovers never wait behind the scan.
  // Models of files read from disk are kept in the client's storage folder, so a restart does not parse the tree again.
  let modelCache: ModelCache | null | undefined;
  const session = createAnalysisSession(currentIndex, logger, () => client.workspaceFolders, {
    jobs: defaultJobs(),
    modelCache: () => {
      if (modelCache === undefined) {
        const identity = client.initOptions.cacheDir ? codeIdentity(serverVersion(), __filename) : undefined;
        modelCache = identity
          ? new ModelCache(path.join(client.initOptions.cacheDir!, 'models'), identity, logger)
          : null;
      }
      return modelCache ?? undefined;
    },
  });
  const documents = new DriverDocuments(session.fileAnalyzer, session.workspace, logger, {
    maxBytes: () => settings.current().analysis.maxFileSizeKB * 1024,
    inbound,
    onTooLarge: (uri, bytes, maxBytes) => {
      tooLarge(uri);
      const message = `KMDF Assist: ${displayName(uri)} is ${formatBytes(bytes)}, above kmdf.analysis.maxFileSizeKB (${maxBytes / 1024} KB): it is not analysed.`;
      logger.warn(message);
      void connection.window.showWarningMessage(message);
    },
  });
  const ctx: FeatureContext = {
    index: currentIndex,
    settings: () => settings.current(),
    documents,
    project: session.view,
    docs,
    logger,
  };
  return { logger, client, settings, docs, indexService, session, documents, ctx, inbound };
}

/** Make every feature and register its handlers on the connection. */
function registerFeatures(connection: Connection, state: ServerState): LifecycleFeatures {
  const { ctx, client, session, documents, settings, inbound } = state;
  const diagnostics = new DiagnosticsFeature(
    ctx,
    session.rulesRunner((uri) => documents.text(uri)),
    ruleHelpUrl,
  );
  const driverMap = new DriverMapFeature(ctx, session.projects, session.workspace, (texts) =>
    session.rulesRunner(texts),
  );
  const backgroundGate = new BackgroundGate(EDITOR_QUIET_MS, BACKGROUND_MAX_HOLD_MS, BACKGROUND_RUN_MS);
  const workspaceDiagnostics = new WorkspaceDiagnosticsFeature(
    ctx,
    session.workspaceChecks((uri) => documents.analysedText(uri)),
    { pulls: () => pullsDiagnostics(client.capabilities) },
    // Gives way to the requests read, to the checks of documents being edited, and to a client
    // sending requests back to back (a quiet moment first).
    async () => {
      await documents.yieldToQueuedRequests();
      await diagnostics.editorChecksDone();
      if (inbound) await backgroundGate.whenQuiet(() => inbound.lastActivityAt());
    },
    ruleHelpUrl,
  );
  const refreshChecks = () => {
    diagnostics.refreshAll();
    workspaceDiagnostics.refreshAll();
  };
  const rebuild = async (): Promise<IndexStatus> => {
    const status = await state.indexService.rebuild(settings.current());
    refreshChecks();
    return status;
  };
  /** "Rebuild Index" asked for by the user: the docs host is asked again too, so the answer says what the network does now. */
  const rebuildRequested = async (): Promise<IndexStatus> => {
    const status = await rebuild();
    if (status.state === 'error') return status;
    await state.docs.check(state.indexService.current().get(DOCS_CHECK_PAGE));
    return state.indexService.currentStatus();
  };
  const configuration = new ConfigurationFeature(settings, state.logger, {
    docs: state.docs,
    documents,
    initOptions: () => client.initOptions,
    rebuildIndex: rebuild,
    refreshChecks,
    refreshesInlayHints: () => !!client.capabilities.workspace?.inlayHint?.refreshSupport,
  });
  const watchedFiles = new WatchedFilesFeature(documents, session.projects, state.logger, () => {
    refreshChecks();
    driverMap.changed();
  });
  for (const feature of [
    new DocumentSyncFeature(documents, diagnostics, workspaceDiagnostics),
    configuration,
    watchedFiles,
    new HoverFeature(ctx, () => !!client.initOptions.settingsLinks),
    new CompletionFeature(ctx),
    new CodeActionsFeature(
      ctx,
      () =>
        !!client.capabilities.workspace?.workspaceEdit?.documentChanges &&
        !!client.capabilities.workspace.workspaceEdit.resourceOperations?.includes('create'),
    ),
    new InlayHintsFeature(ctx),
    new SymbolsFeature(ctx),
    new SignatureHelpFeature(ctx),
    new DefinitionFeature(ctx),
    new ReferencesFeature(ctx),
    new RenameFeature(ctx),
    new CallHierarchyFeature(ctx),
    new DocumentHighlightFeature(ctx),
    driverMap,
    new CustomRequestsFeature(ctx, rebuildRequested),
    diagnostics,
    workspaceDiagnostics,
  ]) {
    feature.register(connection);
  }
  return { diagnostics, workspaceDiagnostics, driverMap, configuration, watchedFiles };
}

/** initialize (the client's capabilities and folders), initialized (settings, then the scan), shutdown. */
function registerLifecycle(connection: Connection, state: ServerState, features: LifecycleFeatures): void {
  const { client, logger, documents } = state;
  const { diagnostics, workspaceDiagnostics, driverMap } = features;
  connection.onInitialize((params: InitializeParams): InitializeResult => {
    client.capabilities = params.capabilities;
    client.initOptions = (params.initializationOptions ?? {}) as InitializationOptions;
    if (client.initOptions.stampsLogLines) logger.setStamped(false);
    client.workspaceFolders = foldersOf(params);
    if (pullsDiagnostics(client.capabilities))
      diagnostics.usePull(async (uri) => (await workspaceDiagnostics.closedReport(uri))?.diagnostics ?? []);
    state.docs.configure(docsTextConfig(state.settings.current(), client.initOptions));
    logger.info(
      `KMDF Assist server starting (node ${process.version}); workspace: ${client.workspaceFolders.join(', ') || 'none'}`,
    );
    const capabilities = pullsDiagnostics(client.capabilities)
      ? {
          ...SERVER_CAPABILITIES,
          diagnosticProvider: { identifier: 'kmdf', interFileDependencies: true, workspaceDiagnostics: true },
        }
      : SERVER_CAPABILITIES;
    // The C grammar and its query get ready once the answer is out, before the first didOpen when the
    // client leaves a moment (as when the extension starts for a workspace before a file is open).
    setImmediate(() => void prepareGrammar('c'));
    return { capabilities, serverInfo: { name: 'kmdf-assist', version: serverVersion() } };
  });
  connection.onInitialized(async () => {
    if (client.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'kmdf' });
    }
    if (client.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration) features.watchedFiles.watch();
    const scanned = (async () => {
      await features.configuration.apply();
      await documents.scan(client.workspaceFolders);
    })();
    // Documents opened meanwhile are checked once their projects are read (see holdUntil).
    if (client.workspaceFolders.length) diagnostics.holdUntil(scanned);
    await scanned;
    logStartSummary(state);
    diagnostics.refreshAll();
    workspaceDiagnostics.start();
    driverMap.changed();
  });
  connection.onShutdown(() => {
    void state.session.dispose();
    diagnostics.dispose();
    workspaceDiagnostics.dispose();
    driverMap.dispose();
  });
}

/** What the server found at start, one line each: WDK headers or the catalog, the docs source, each project's target. */
function logStartSummary({ settings, session, indexService, docs, logger }: ServerState): void {
  const current = settings.current();
  const model = session.projects.model();
  const status = indexService.currentStatus();
  const lines = startSummary({
    headers: indexService.headers(),
    index: status,
    docs: docs.status(),
    docsPath: current.docs.path,
    docsBaseUrl: current.docs.baseUrl,
    projects: model.projects().flatMap((project) => {
      const file = model.checkedFiles(project)[0];
      if (!file) return [];
      return [
        {
          kind: project.kind,
          id: project.id,
          root: project.root,
          target: model.targetFor(project, file, { settings: current.target }),
          files: model.checkedFiles(project).length,
        },
      ];
    }),
  });
  for (const line of lines) logger.info(line);
}

const SERVER_CAPABILITIES: InitializeResult['capabilities'] = {
  textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
  hoverProvider: true,
  completionProvider: { triggerCharacters: ['.', '>', '=', ' '], resolveProvider: false },
  codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
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
};

/**
 * Pull diagnostics when the client can pull both a document's and the workspace's (LSP 3.17) and be
 * asked to pull again; otherwise (Neovim 0.7, older clients) they are pushed.
 */
function pullsDiagnostics(capabilities: ClientCapabilities): boolean {
  return !!capabilities.textDocument?.diagnostic && !!capabilities.workspace?.diagnostics?.refreshSupport;
}

function serverVersion(): string {
  return process.env.KMDF_ASSIST_VERSION ?? '0.1.0';
}

/** The file name of a URI, for messages. */
function displayName(uri: string): string {
  return decodeURIComponent(
    uri
      .replace(/[?#].*$/, '')
      .split('/')
      .pop() ?? uri,
  );
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
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
