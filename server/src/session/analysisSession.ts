/**
 * The server's analysis session: the one place where the server's wiring meets ../analysis,
 * ../project, ../rules and ../knowledge/headers. Open documents are parsed incrementally, the
 * workspace folders are scanned, each file is analysed with its projects' definitions, and the rules
 * run project by project exactly as `kmdf lint` runs them (projectRules.ts).
 */
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { analyzeText, DocumentStore, languageOf, listSourceFiles, type WorkspaceModel } from '../analysis';
import { readSourceText, TimeSlices } from '../analysis/folderScan';
import type { MacroTable } from '../analysis/conditionals';
import type { MacroDefinitions } from '../analysis/macros';
import type { DocumentModel } from '../analysis/model';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { FileAnalyzer, ScanFirst } from './documents';
import type { WdkFinder } from './indexService';
import { findWdk } from '../knowledge/headers';
import type { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import { resolveTarget } from '../project/target';
import { runRules } from '../rules/engine';
import { ruleHelpUri } from '../rules/help';
import { describeError, type Logger } from '../util/logger';
import { analysisOptions, createWorkspace } from './analysisOptions';
import { AnalysisWorkerPool, roleTypesOf } from './analysisWorkers';
import { FindingsReuse } from '../rules/findingsReuse';
import { RULES_PIECE_MS, runProjectRulesStepped, type ProjectRulesOptions } from './projectRules';
import { WorkspaceChecks } from './workspaceChecks';
import type { ModelCache } from './modelCache';
import { readIncludedOutside } from './contextHeaders';
import { ProjectView } from './projectView';
import { ServerProjects } from './serverProjects';
import type { Settings } from '../../../shared/settings';
import type { Finding } from '../rules/types';
import type { RunToken } from '../util/debounce';

/**
 * Runs the rules over some documents of the workspace with the current settings (the rules engine,
 * adapted here). With a `token`, the run stops at its next break once the token is cancelled and
 * resolves undefined (the caller was going to drop its findings anyway).
 */
export type RulesRunner = ((
  uris: string[],
  settings: Settings,
  token?: RunToken,
) => Promise<Finding[] | undefined> | Finding[] | undefined) & {
  /** The findings it reuses from one check of a document to the next, with its counts (tests, measures). */
  findingsReuse?: FindingsReuse;
};

export { analysisOptions, createWorkspace } from './analysisOptions';

/** The server's analysis state, made once per server: every model, the projects, and the views over them. */
export interface AnalysisSession {
  /** Every model (open documents over scanned files). */
  workspace: WorkspaceModel;
  projects: ServerProjects;
  fileAnalyzer: FileAnalyzer;
  /** The cross-file view the features read (`forDocument(uri)` for one document's project). */
  view: ProjectView;
  /** The rules runner for the diagnostics feature, reading open documents' texts through `texts`. */
  rulesRunner(texts: (uri: string) => string | undefined): RulesRunner;
  /**
   * The workspace-wide checks: every file of every project, with `editorText` for open documents
   * (the editor's text wins) and the text read from disk for the others.
   */
  workspaceChecks(editorText: (uri: string) => string | undefined): WorkspaceChecks;
  /** Stop the analysis workers (server shutdown). */
  dispose(): Promise<void>;
}

export interface AnalysisSessionOptions {
  /**
   * Worker threads that analyse the files read from disk (the scan, files changed on disk, new
   * contexts), so that requests never wait behind one; 0 or absent: on the main thread. Open
   * documents are always analysed on the main thread (incrementally, from their last tree).
   */
  jobs?: number;
  /** Models of files read from disk are looked up here before they are analysed (modelCache.ts); asked at each file. */
  modelCache?: () => ModelCache | undefined;
  /**
   * A document opened with the text its file has on disk takes the model the scan made of it, instead
   * of being analysed again (default true; false: the plain path, for tests that compare the two).
   */
  reuseDiskModels?: boolean;
}

/** `folders`: the workspace folders (project files are looked for in them, and above a file up to them). */
export function createAnalysisSession(
  index: () => KnowledgeIndex,
  logger: Logger,
  folders: () => readonly string[],
  options: AnalysisSessionOptions = {},
): AnalysisSession {
  const workspace = createWorkspace(index);
  const projects = new ServerProjects(workspace, folders, () => createWorkspace(index));
  const diskTexts = new Map<string, string>();
  const workers = options.jobs ? new DiskAnalysisWorkers(options.jobs, index) : undefined;
  return {
    workspace,
    projects,
    fileAnalyzer: createFileAnalyzer(
      index,
      logger,
      projects,
      diskTexts,
      workers,
      options.modelCache,
      options.reuseDiskModels ?? true,
      (uri) => workspace.get(uri),
    ),
    view: new ProjectView(workspace, index, projects),
    rulesRunner: (texts) => createRulesRunner(workspace, index, texts, logger, projects),
    workspaceChecks: (editorText) =>
      new WorkspaceChecks(projects, (settings) =>
        projectRulesOptions(
          workspace,
          index,
          (uri) => editorText(uri) ?? diskTexts.get(uri),
          logger,
          projects,
          settings,
        ),
      ),
    dispose: async () => workers?.close(),
  };
}

/** How much of the first files a scan reads its workers analyse to warm up (see AnalysisWorkerPool.warmUp). */
const WARM_UP_BYTES = 96 * 1024;

/**
 * The worker pool of the files read from disk, started at the first such file (a session that
 * never scans starts no thread), told the index's role types again whenever the index changes.
 */
export class DiskAnalysisWorkers {
  private pool?: AnalysisWorkerPool;
  private indexSeen?: KnowledgeIndex;

  constructor(
    private readonly jobs: number,
    private readonly index: () => KnowledgeIndex,
  ) {}

  /** The pool, current with the index; undefined once a worker has died (the main thread analyses then). */
  current(): AnalysisWorkerPool | undefined {
    const index = this.index();
    if (!this.pool) {
      this.pool = new AnalysisWorkerPool(this.jobs, { roleTypes: roleTypesOf(index) }, { unref: true });
      this.indexSeen = index;
    } else if (this.indexSeen !== index) {
      this.pool.setRoleTypes(roleTypesOf(index));
      this.indexSeen = index;
    }
    return this.pool.failed ? undefined : this.pool;
  }

  /** How many files may be handed out at once to keep every worker busy. */
  get window(): number {
    return this.jobs * 2;
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}

/** Open documents in an incremental DocumentStore; workspace folders listed, read and analysed here. */
export function createFileAnalyzer(
  index: () => KnowledgeIndex,
  logger: Logger,
  projects: ServerProjects,
  /** Filled with the text of every file read from disk (the workspace checks need the text of closed files). */
  diskTexts: Map<string, string> = new Map(),
  /** Where files read from disk are analysed; absent: on the main thread. */
  workers?: DiskAnalysisWorkers,
  modelCache?: () => ModelCache | undefined,
  /** A document opened with the text a file has on disk takes the file's model (see SessionFileAnalyzer.analyze); false: analysed anyway. */
  reuseDiskModels = true,
  /** The model the workspace holds for a URI: what an open document with the disk's text may take. */
  modelOf?: (uri: string) => DocumentModel | undefined,
): FileAnalyzer {
  return new SessionFileAnalyzer(index, logger, projects, diskTexts, workers, modelCache, reuseDiskModels, modelOf);
}

/** A file's model from disk, with what it was made from (SessionFileAnalyzer.diskModelFor). */
interface DiskModel {
  uri: string;
  text: string;
  language: 'c' | 'cpp';
  context: string;
  roleTypes: string;
}

/** A file read from disk for the scan. */
interface ReadFile {
  file: string;
  uri: string;
  text: string;
}

type Skipped = { path: string; reason: string };

class SessionFileAnalyzer implements FileAnalyzer {
  private readonly index: () => KnowledgeIndex;
  private readonly options: ReturnType<typeof analysisOptions>;
  /** The role types of the index last seen, as the model cache's key part (computed once per index). */
  private roleTypesKey?: { index: KnowledgeIndex; key: string };
  private readonly store: DocumentStore;
  /** By URI, the context (contextKey) each file read from disk was analysed with. */
  private readonly diskContexts = new Map<string, string>();
  /**
   * What each model of a file read from disk was made from: a document opened with that very text,
   * context, grammar and role types takes the model the workspace holds for it instead of being
   * analysed again (see `analyze`). Weak: the workspace alone decides which models stay in memory.
   */
  private readonly diskModels = new WeakMap<DocumentModel, DiskModel>();
  /**
   * Open documents answered with their disk model, whose tree is still to parse (for the incremental
   * re-parse of their first edit): what `prepareEdits` parses.
   */
  private readonly treesToBuild = new Map<string, { text: string; version: number; language: 'c' | 'cpp' }>();
  /** A tree being built by `prepareEdits`, which an analysis of the same document waits for. */
  private readonly treeBuilds = new Map<string, Promise<unknown>>();
  /**
   * Open documents answered with their disk model: the lineage that model was checked under, with the
   * context it was made in. The parsed document built next for the document (for its edits) continues
   * that lineage when it is built in the same context, so the first edit's check reuses the findings
   * of the check on open (findingsReuse.ts), as it does after an open that was analysed.
   */
  private readonly diskLineages = new Map<string, { lineage: object; context: string; roleTypes: string }>();
  /** The lineage a parsed document continues (see diskLineages); itself when absent. */
  private readonly continued = new WeakMap<object, object>();
  /** How many open documents took the model read from disk instead of being analysed (tests, measures). */
  reusedDiskModels = 0;

  constructor(
    index: () => KnowledgeIndex,
    private readonly logger: Logger,
    private readonly projects: ServerProjects,
    private readonly diskTexts: Map<string, string>,
    private readonly workers: DiskAnalysisWorkers | undefined,
    private readonly modelCache: () => ModelCache | undefined = () => undefined,
    private readonly reuseDiskModels = true,
    /** The model the workspace holds for a URI (the disk's, for a file not open). */
    private readonly modelOf: (uri: string) => DocumentModel | undefined = () => undefined,
  ) {
    this.index = index;
    this.options = analysisOptions(index);
    this.store = new DocumentStore({
      ...this.options,
      capacity: 100,
      definesFor: (uri) => projects.definesFor(uri),
      macrosFor: (uri) => projects.macrosFor(uri),
    });
  }

  analyze(
    uri: string,
    text: string,
    version: number,
    language: 'c' | 'cpp',
    changes?: TextDocumentContentChangeEvent[],
  ): Promise<DocumentModel> {
    this.projects.noteText(uri, text);
    this.treesToBuild.delete(uri);
    const diskLineage = this.diskLineages.get(uri);
    this.diskLineages.delete(uri);
    if (!changes && !this.store.has(uri)) {
      const reused = this.diskModelFor(uri, text, language);
      if (reused) {
        this.reusedDiskModels++;
        this.treesToBuild.set(uri, { text, version, language });
        // A model is never changed once built: the disk's serves, under the document's version.
        const served = { ...reused.model, version };
        const lineage = {};
        lineages.set(served, lineage);
        this.diskLineages.set(uri, { lineage, context: reused.context, roleTypes: reused.roleTypes });
        return Promise.resolve(served);
      }
    }
    const building = this.treeBuilds.get(uri);
    const update = () => {
      // Edited before its tree was built for the edits: the tree built now continues the lineage.
      const continues = !this.store.has(uri) ? this.continuable(uri, diskLineage) : undefined;
      return this.store.update(uri, text, version, language, changes).then((model) => {
        const parsed = this.store.get(uri);
        if (parsed && continues) this.continued.set(parsed, continues);
        if (parsed?.model === model) lineages.set(model, this.continued.get(parsed) ?? parsed);
        return model;
      });
    };
    return building ? building.then(update, update) : update();
  }

  /**
   * The lineage of a document's disk model, when a parsed document built for it now is built in the
   * context that model was made in (defines, header macros, role types): then it may continue it.
   */
  private continuable(uri: string, disk: { lineage: object; context: string; roleTypes: string } | undefined) {
    if (!disk || disk.roleTypes !== this.roleTypes()) return undefined;
    return disk.context === contextKey(this.contextOf(uri)) ? disk.lineage : undefined;
  }

  /**
   * The model the workspace read from disk for a document opened with `text`, when its analysis
   * would give the same model: the same text, grammar, defines, header macros and role types.
   */
  private diskModelFor(
    uri: string,
    text: string,
    language: 'c' | 'cpp',
  ): { model: DocumentModel; context: string; roleTypes: string } | undefined {
    if (!this.reuseDiskModels) return undefined;
    const model = this.modelOf(uri);
    const disk = model && this.diskModels.get(model);
    if (!model || !disk || disk.uri !== uri || disk.language !== language || disk.roleTypes !== this.roleTypes())
      return undefined;
    if (this.diskTexts.get(uri) !== text || disk.text !== text) return undefined;
    return disk.context === contextKey(this.contextOf(uri))
      ? { model, context: disk.context, roleTypes: disk.roleTypes }
      : undefined;
  }

  /**
   * Parse the tree of a document answered with its disk model (after its first check): its first
   * edit then re-parses incrementally, as it would have had the document been analysed on open.
   */
  prepareEdits(uri: string): void {
    const todo = this.treesToBuild.get(uri);
    if (!todo || this.treeBuilds.has(uri) || this.store.has(uri)) return;
    this.treesToBuild.delete(uri);
    const continues = this.continuable(uri, this.diskLineages.get(uri));
    this.diskLineages.delete(uri);
    const build = this.store
      .update(uri, todo.text, todo.version, todo.language)
      .then(() => {
        const parsed = this.store.get(uri);
        if (parsed && continues) this.continued.set(parsed, continues);
      })
      .catch((error: unknown) => this.logger.debug(`Parsing ${uri} for its edits failed: ${describeError(error)}`))
      .finally(() => this.treeBuilds.delete(uri));
    this.treeBuilds.set(uri, build);
  }

  close(uri: string): void {
    this.treesToBuild.delete(uri);
    this.diskLineages.delete(uri);
    const building = this.treeBuilds.get(uri);
    if (building) void building.then(() => this.store.close(uri));
    this.store.close(uri);
  }

  async scan(folders: string[], pause?: () => Promise<void>, first?: ScanFirst): Promise<DocumentModel[]> {
    // Every file's include lines first: what a file's projects are decides the definitions it is analysed with.
    const { texts, skipped } = await this.readFolders(folders);
    await this.readIncludedOutside(texts);
    const cache = this.modelCache();
    const hitsBefore = cache?.hits ?? 0;
    const early = first ? this.readFirst(texts, first.uris()) : undefined;
    const models = await this.analyseInTurn(
      early?.texts ?? texts,
      skipped,
      pause,
      early && { count: early.count, done: (so) => first!.analysed(so, early.ready) },
    );
    // Back in file order: the workspace receives the models as a scan in file order gives them.
    if (early) models.sort((a, b) => early.order.get(a.uri)! - early.order.get(b.uri)!);
    if (cache) this.logger.info(`Model cache: ${cache.hits - hitsBefore} of ${texts.length} files read back from disk`);
    for (const s of skipped.slice(0, 50)) this.logger.debug(`Not analysed: ${s.path}: ${s.reason}`);
    if (skipped.length)
      this.logger.info(`${skipped.length} files under the workspace were not analysed (see debug log)`);
    for (const problem of this.projects.model().problems()) this.logger.once('warning', `project:${problem}`, problem);
    return models;
  }

  async reload(uri: string, analysed?: { text: string; model: DocumentModel }): Promise<DocumentModel | undefined> {
    // A closed document goes back to what is on disk (or leaves the workspace when it is not a file).
    if (!uri.startsWith('file:')) return undefined;
    const file = fileURLToPath(uri);
    let read: string | undefined;
    try {
      // As the scan reads: at once, and never waiting on a FIFO put where the file was.
      read = readSourceText(file);
    } catch {
      read = undefined;
    }
    if (read === undefined || read.includes('\u0000')) {
      this.forget(uri);
      return undefined;
    }
    const text = read.replace(/^\uFEFF/, ' ');
    this.projects.noteText(uri, text);
    this.diskTexts.set(uri, text);
    if (analysed?.text === text) {
      // The editor's last analysis was of this very text, with this file's context (the store's).
      const key = contextKey(this.contextOf(uri));
      this.diskContexts.set(uri, key);
      this.keepDiskModel(uri, file, text, key, this.roleTypes(), analysed.model);
      return analysed.model;
    }
    return this.analyseDisk(uri, file, text);
  }

  forget(uri: string): void {
    this.diskTexts.delete(uri);
    this.diskContexts.delete(uri);
    this.projects.forget(uri);
  }

  async reanalyseChangedContexts(
    skip: (uri: string) => boolean,
    pause?: () => Promise<void>,
  ): Promise<DocumentModel[]> {
    const models: DocumentModel[] = [];
    for (const [uri, before] of [...this.diskContexts]) {
      const text = this.diskTexts.get(uri);
      if (skip(uri) || text === undefined || contextKey(this.contextOf(uri)) === before) continue;
      await pause?.();
      // Read meanwhile (reloaded, forgotten or opened): that analysis is the newer one.
      if (skip(uri) || this.diskTexts.get(uri) !== text || this.diskContexts.get(uri) !== before) continue;
      try {
        models.push(await this.analyseDisk(uri, fileURLToPath(uri), text));
      } catch (error) {
        this.logger.debug(`Not analysed again: ${uri}: ${describeError(error)}`);
      }
    }
    return models;
  }

  /** The C/C++ files under the folders, read (and noted in the projects) with those that could not be. */
  private async readFolders(folders: string[]): Promise<{ texts: ReadFile[]; skipped: Skipped[] }> {
    const listed = await listSourceFiles(folders);
    const skipped = [...listed.skipped];
    const texts: ReadFile[] = [];
    // Requests meanwhile see the model as it was, instead of rebuilding it after every file read.
    this.projects.hold();
    const turn = new TimeSlices();
    // The workers start now, and analyse the first files read (without their projects' context,
    // the result dropped) while this thread reads the rest.
    const workers = this.workers?.current();
    let warmUpLeft = WARM_UP_BYTES;
    try {
      for (const file of listed.files) {
        await turn.next();
        let text: string;
        try {
          text = readSourceText(file);
        } catch (error) {
          skipped.push({ path: file, reason: describeError(error) });
          continue;
        }
        if (text.includes('\u0000')) {
          skipped.push({ path: file, reason: 'binary file (contains NUL bytes)' });
          continue;
        }
        const uri = pathToFileURL(file).href;
        const clean = text.replace(/^\uFEFF/, ' ');
        this.projects.noteText(uri, clean);
        this.diskTexts.set(uri, clean);
        texts.push({ file, uri, text: clean });
        if (workers && warmUpLeft > 0 && clean.length <= warmUpLeft) {
          warmUpLeft -= clean.length;
          workers.warmUp(clean, languageOf(file));
        }
      }
    } finally {
      this.projects.release();
    }
    return { texts, skipped };
  }

  /**
   * Headers the projects include from outside the folders (a shared `inc` beside the workspace):
   * read for their declarations and macros, as `kmdf lint` reads them (treeAnalysis.ts); added to `texts`.
   */
  private async readIncludedOutside(texts: ReadFile[]): Promise<void> {
    const known = new Set(texts.map((t) => t.file));
    await readIncludedOutside(
      () => this.projects.model(),
      (file) => known.has(file),
      (file, text) => {
        const uri = pathToFileURL(file).href;
        this.projects.noteOutside(uri, text);
        texts.push({ file, uri, text });
      },
    );
  }

  /**
   * The scan's order when some documents are to be checked first: the files their checks read
   * (ServerProjects.filesCheckedWith), then the rest, each part in file order. `ready`: the documents
   * a project checks (the others are settled by the end of the scan only); `order`: the file order.
   */
  private readFirst(
    texts: ReadFile[],
    uris: readonly string[],
  ): { texts: ReadFile[]; count: number; ready: string[]; order: Map<string, number> } {
    const needed = new Set<string>();
    const ready: string[] = [];
    for (const uri of uris) {
      const files = this.projects.filesCheckedWith(uri);
      if (!files) continue;
      ready.push(uri);
      for (const f of files) needed.add(path.resolve(f));
    }
    const isNeeded = (t: ReadFile) => needed.has(path.resolve(t.file));
    const firstPart = texts.filter(isNeeded);
    return {
      texts: [...firstPart, ...texts.filter((t) => !isNeeded(t))],
      count: firstPart.length,
      ready,
      order: new Map(texts.map((t, i) => [t.uri, i])),
    };
  }

  /**
   * The files' models, in the order given; a file whose analysis failed goes to `skipped`. A few files
   * are out with the workers at a time (their contexts are computed as they are handed out); the main
   * thread gives way before each, and takes the models back in order. `first.done` is called with the
   * models so far once the first `first.count` files are taken back.
   */
  private async analyseInTurn(
    texts: ReadFile[],
    skipped: Skipped[],
    pause?: () => Promise<void>,
    first?: { count: number; done: (models: readonly DocumentModel[]) => void },
  ): Promise<DocumentModel[]> {
    const models: DocumentModel[] = [];
    const window = this.workers?.window ?? 1;
    const out: { file: string; analysed: Promise<{ model: DocumentModel } | { error: unknown }> }[] = [];
    let taken = 0;
    const takeOldest = async () => {
      const { file, analysed } = out.shift()!;
      const result = await analysed;
      if ('model' in result) models.push(result.model);
      else skipped.push({ path: file, reason: describeError(result.error) });
      if (++taken === first?.count) first.done(models.slice());
    };
    if (first?.count === 0) first.done([]);
    for (const { file, uri, text } of texts) {
      await pause?.();
      out.push({
        file,
        analysed: this.analyseDisk(uri, file, text).then(
          (model) => ({ model }),
          (error: unknown) => ({ error }),
        ),
      });
      if (out.length >= window) await takeOldest();
    }
    while (out.length) await takeOldest();
    return models;
  }

  private contextOf(uri: string) {
    const macros = this.projects.macrosFor(uri);
    return { ...this.options, defines: this.projects.definesFor(uri), ...(macros ? { macros } : {}) };
  }

  private async analyseDisk(uri: string, file: string, text: string): Promise<DocumentModel> {
    const context = this.contextOf(uri);
    const key = contextKey(context);
    const roleTypes = this.roleTypes();
    this.diskContexts.set(uri, key);
    const cache = this.modelCache();
    const cacheKey = cache?.keyOf({ uri, language: languageOf(file), text, context: key, roleTypes });
    const cached = cacheKey ? cache!.get(cacheKey) : undefined;
    if (cached) {
      this.keepDiskModel(uri, file, text, key, roleTypes, cached);
      return cached;
    }
    const model = await this.analyseDiskNow(uri, file, text, context);
    if (cacheKey) cache!.put(cacheKey, model);
    // Read again meanwhile (another text or context): that analysis is the file's.
    if (this.diskTexts.get(uri) === text && this.diskContexts.get(uri) === key)
      this.keepDiskModel(uri, file, text, key, roleTypes, model);
    return model;
  }

  private keepDiskModel(
    uri: string,
    file: string,
    text: string,
    context: string,
    roleTypes: string,
    model: DocumentModel,
  ): void {
    this.diskModels.set(model, { uri, text, language: languageOf(file), context, roleTypes });
  }

  private roleTypes(): string {
    const index = this.index();
    if (this.roleTypesKey?.index !== index) this.roleTypesKey = { index, key: roleTypesOf(index).sort().join(',') };
    return this.roleTypesKey.key;
  }

  private async analyseDiskNow(
    uri: string,
    file: string,
    text: string,
    context: ReturnType<SessionFileAnalyzer['contextOf']>,
  ): Promise<DocumentModel> {
    const pool = this.workers?.current();
    if (pool) {
      try {
        return await pool.analyze(uri, text, languageOf(file), context);
      } catch (error) {
        // An analysis error is the file's; a dead worker is the pool's: the main thread takes over.
        if (!pool.failed) throw error;
        this.logger.once(
          'warning',
          'analysis-workers',
          `Analysis workers stopped (${describeError(pool.failed)}): analysing on the main thread`,
        );
      }
    }
    return analyzeText(uri, text, languageOf(file), context);
  }
}

/**
 * The parsed document that built each model of an open document: one object for as long as the
 * document is parsed incrementally with the same defines, header macros and language (the store
 * opens it again when those change). Rules reuse findings only between models of one lineage. A
 * document opened with its disk model starts a lineage of its own, which the parsed document built
 * for its edits continues when it is built in that model's context (SessionFileAnalyzer.diskLineages).
 */
const lineages = new WeakMap<DocumentModel, object>();

/**
 * What a file's analysis depends on beyond its text, as a comparable string: its defines and the
 * macros its headers give it (the tables are rebuilt with every project model, so compared by content).
 */
function contextKey(context: { defines?: MacroTable; macros?: MacroDefinitions }): string {
  const macros = [...(context.macros?.values() ?? [])].map((m) => [m.name, m.params ?? null, m.body]);
  return JSON.stringify([[...(context.defines ?? [])], macros]);
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

/** The rules of an editor check give way to waiting requests after running this long (a long file has many rules' worth). */
const RULES_SLICE_MS = 4;

/** One turn of the event loop: the connection hands over the messages it has read. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The rules over the documents asked for, project by project (projectRules.ts): each document is
 * checked in every project that compiles or includes it, against that project's workspace. The target
 * of each file comes from its project and nearest `.kmdf.json`, over the `kmdf.target.*` settings;
 * per-rule severities from settings win over the `.kmdf.json`'s. A document that is not a file is
 * checked on its own.
 */
export function createRulesRunner(
  workspace: WorkspaceModel,
  index: () => KnowledgeIndex,
  texts: (uri: string) => string | undefined,
  logger: Logger,
  projects: ServerProjects,
): RulesRunner {
  // Findings of the edited documents' unchanged functions, reused from one check to the next.
  const reuse = { findings: new FindingsReuse(), lineageOf: (model: DocumentModel) => lineages.get(model) };
  const runner: RulesRunner = async (uris, settings, token) => {
    const options = projectRulesOptions(workspace, index, texts, logger, projects, settings);
    const { model, onRuleError } = options;
    const inProjects = uris.filter((u) => u.startsWith('file:') && model.projectsOf(fileURLToPath(u)).length);
    const known = new Set(inProjects);
    const findings = await runProjectRulesStepped(
      { ...options, uris: inProjects, reuse, pieceMs: RULES_PIECE_MS },
      nextTurn,
      RULES_SLICE_MS,
      token && (() => token.cancelled),
    );
    if (!findings) return undefined;
    // Documents outside every project (untitled, or not yet seen): each on its own, with the settings' target.
    for (const uri of uris) {
      const own = known.has(uri) ? undefined : workspace.get(uri);
      if (!own) continue;
      findings.push(
        ...runRules({
          workspace: projects.workspaces.workspaceOf([own]),
          index: index(),
          uris: [uri],
          texts,
          severityOverrides: settings.diagnostics.rules,
          target: resolveTarget({ settings: settings.target }),
          onRuleError,
        }),
      );
    }
    return findings.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
  };
  runner.findingsReuse = reuse.findings;
  return runner;
}

/**
 * What a project-by-project rules run needs, with the current settings; `.kmdf.json` files are read
 * again (a user may have just edited one) and the project model's problems logged once.
 */
export function projectRulesOptions(
  workspace: WorkspaceModel,
  index: () => KnowledgeIndex,
  texts: (uri: string) => string | undefined,
  logger: Logger,
  projects: ServerProjects,
  settings: Settings,
): ProjectRulesOptions & { onRuleError: NonNullable<ProjectRulesOptions['onRuleError']> } {
  projects.refreshConfigs();
  const model = projects.model();
  for (const problem of model.problems()) logger.once('warning', `project:${problem}`, problem);
  return {
    model,
    workspaces: projects.workspaces,
    modelOf: (uri) => workspace.get(uri),
    index: index(),
    texts,
    target: { settings: settings.target },
    severityOverrides: settings.diagnostics.rules,
    onRuleError: (ruleId, uri, error) =>
      logger.once('error', `rule:${ruleId}:${uri}`, `Rule ${ruleId} failed on ${uri}: ${describeError(error)}`),
  };
}

/** The installed page of a rule, for codeDescription.href (a `file:` URI; none when the page is not there). */
export const ruleHelpUrl = (ruleId: string): string | undefined => ruleHelpUri(ruleId);
