/**
 * Workspace-wide diagnostics (`kmdf.diagnostics.scope` = "workspace"): after the workspace scan,
 * every file of every driver project is checked in the background (session/workspaceChecks.ts), with
 * work-done progress the user can cancel, and the findings of files that are not open are reported:
 * pushed with textDocument/publishDiagnostics, or answered to workspace/diagnostic when the client
 * pulls (an open document's diagnostics stay with diagnostics.ts, from its editor text).
 *
 * Later runs check only the projects of what changed: a file changed or deleted on disk, a document
 * closed (its findings come back from disk instead of disappearing), an open document's new model
 * (its text may change findings in the files of its project). Settings, index and project-file
 * changes, and the Analyse Workspace command, check everything again. A run in progress is not
 * interrupted by changes: they wait for the next run.
 */
import type {
  CancellationToken,
  Connection,
  Diagnostic,
  WorkspaceDiagnosticParams,
  WorkspaceDiagnosticReport,
  WorkspaceDocumentDiagnosticReport,
} from 'vscode-languageserver';
import { describeCheckScope } from '../../../shared/checkScope';
import { AnalyseWorkspaceRequest, type AnalyseWorkspaceResult } from '../../../shared/protocol';
import type { Settings } from '../../../shared/settings';
import type { WorkspaceCheckProgress, WorkspaceChecks } from '../session/workspaceChecks';
import type { FeatureContext } from '../session/context';
import { describeError } from '../util/logger';
import { toDiagnostic } from './diagnostics';

/** Changes closer together than this are checked in one run. */
export const WORKSPACE_RECHECK_DELAY_MS = 1500;
/** The key of a just-closed document's report until the check of its disk text replaces it. */
const FROM_THE_EDITOR = '(from the editor)';
/** Work-done progress is reported at most this often. */
const PROGRESS_INTERVAL_MS = 200;
/** The counts of a run that checked nothing (off, failed, or not begun). */
const NOTHING_CHECKED = { projects: 0, files: 0, looseFiles: 0 };

/** What the feature needs to know of the client. */
export interface WorkspaceDiagnosticsClient {
  /** The client pulls diagnostics (textDocument/diagnostic and workspace/diagnostic). */
  pulls(): boolean;
}

/** A full report's diagnostics and the result id the client holds them under. */
export interface Reported {
  id: string;
  key: string;
  diagnostics: Diagnostic[];
}

export function workspaceScopeOn(settings: Settings): boolean {
  return settings.diagnostics.enable && settings.diagnostics.scope === 'workspace';
}

export class WorkspaceDiagnosticsFeature {
  private connection?: Connection;
  /** What is waiting for the next run: some URIs, or everything. */
  private pending: Set<string> | 'all' | undefined;
  private timer?: NodeJS.Timeout;
  private running?: { cancelled: boolean; done: Promise<AnalyseWorkspaceResult> };
  /** By URI, what the client was last given for a file that is not open (push or pull). */
  private readonly reported = new Map<string, Reported>();
  private nextId = 0;
  /** Pulls waiting for something new to report (workspace/diagnostic is answered when there is). */
  private readonly waiting = new Set<() => void>();
  /** Documents just closed whose check from disk is still to come, with the pulls waiting for it. */
  private readonly closing = new Map<string, (() => void)[]>();
  private started = false;
  private disposed = false;

  constructor(
    private readonly ctx: FeatureContext,
    private readonly checks: WorkspaceChecks,
    private readonly client: WorkspaceDiagnosticsClient,
    /** Gives way to requests read from the client and not yet answered. */
    private readonly pause: () => Promise<void>,
    private readonly helpUrl?: (ruleId: string) => string | undefined,
  ) {}

  register(connection: Connection): void {
    this.connection = connection;
    connection.onRequest(AnalyseWorkspaceRequest.method, () => this.analyseNow());
    connection.languages.diagnostics.onWorkspace((params, token) => this.pullWorkspace(params, token));
    this.ctx.documents.onModel((uri) => this.changed([uri]));
    this.ctx.documents.onDiskModel((uri) => {
      if (this.closing.has(uri)) void this.checkClosed(uri);
      this.changed([uri]);
    });
  }

  /** The workspace was scanned: the first run. */
  start(): void {
    this.started = true;
    this.schedule('all', 0);
  }

  /** Settings, the index or project files changed: check everything again (or clear, when switched off). */
  refreshAll(): void {
    if (!workspaceScopeOn(this.ctx.settings())) {
      this.pending = undefined;
      if (this.running) this.running.cancelled = true;
      this.checks.clear();
      this.reportAll();
      return;
    }
    this.schedule('all', 0);
  }

  /** These documents changed (on disk, or an open document's text): check their projects after a pause. */
  changed(uris: readonly string[]): void {
    if (!uris.length) return;
    if (this.pending !== 'all') {
      this.pending ??= new Set();
      for (const uri of uris) this.pending.add(uri);
    }
    this.schedule(this.pending, WORKSPACE_RECHECK_DELAY_MS);
  }

  /** A document was opened: its diagnostics now come from its editor text. */
  opened(uri: string): void {
    this.reported.delete(uri);
    this.settleClosing(uri);
  }

  /**
   * A document was closed and keeps its editor-time diagnostics until the check of its text on disk
   * replaces them: whatever that check finds (even nothing) is reported, as soon as the disk's model
   * is in (checkClosed), not with the next run over its projects. Pulls of it wait for that check.
   */
  closed(uri: string): void {
    if (!this.keepsFindings(uri)) return;
    this.settleClosing(uri);
    this.closing.set(uri, []);
    this.reported.set(uri, { id: String(++this.nextId), key: FROM_THE_EDITOR, diagnostics: [] });
  }

  /**
   * The closed document's model from disk is in: check it alone now (giving way to a document opened
   * meanwhile, often the next one the user opens) and report it.
   */
  private async checkClosed(uri: string): Promise<void> {
    await this.pause();
    if (!this.closing.has(uri)) return; // reopened meanwhile
    try {
      if (workspaceScopeOn(this.ctx.settings())) {
        const kept = await this.checks.checkDocument(uri, this.ctx.settings(), {
          pause: this.pause,
          wanted: () => this.closing.has(uri),
        });
        if (!kept) return; // reopened meanwhile: its diagnostics are the editor's
      }
      this.report([uri]);
    } catch (error) {
      this.ctx.logger.error(`Checking ${uri} after it was closed failed: ${describeError(error)}`);
    } finally {
      this.settleClosing(uri);
    }
  }

  /** The closed document's check is done (or moot): pulls waiting for it go on. */
  private settleClosing(uri: string): void {
    const waiters = this.closing.get(uri);
    this.closing.delete(uri);
    for (const wake of waiters ?? []) wake();
  }

  /** Whether a document closed now keeps its findings from the workspace checks (instead of being cleared). */
  keepsFindings(uri: string): boolean {
    return workspaceScopeOn(this.ctx.settings()) && uri.startsWith('file:');
  }

  /** "KMDF: Analyse Workspace": a run over everything now (one under way is replaced). */
  async analyseNow(): Promise<AnalyseWorkspaceResult> {
    if (!workspaceScopeOn(this.ctx.settings())) return { ...this.summary(NOTHING_CHECKED, false), enabled: false };
    if (this.running) this.running.cancelled = true;
    clearTimeout(this.timer);
    this.pending = undefined;
    return this.runNow('all');
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    if (this.running) this.running.cancelled = true;
    for (const wake of this.waiting) wake();
    for (const uri of [...this.closing.keys()]) this.settleClosing(uri);
  }

  private schedule(what: Set<string> | 'all', delayMs: number): void {
    if (!this.started || this.disposed || !workspaceScopeOn(this.ctx.settings())) return;
    this.pending = what === 'all' ? 'all' : what;
    if (this.running) return; // picked up when the run in progress ends
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const next = this.pending;
      this.pending = undefined;
      if (next) void this.runNow(next);
    }, delayMs);
  }

  private async runNow(what: Set<string> | 'all'): Promise<AnalyseWorkspaceResult> {
    if (this.running) await this.running.done.catch(() => undefined);
    const run: { cancelled: boolean; done: Promise<AnalyseWorkspaceResult> } = {
      cancelled: false,
      done: Promise.resolve(this.summary(NOTHING_CHECKED, true)),
    };
    this.running = run;
    run.done = this.check(what === 'all' ? undefined : [...what], run).finally(() => {
      if (this.running === run) this.running = undefined;
      if (this.pending && !this.disposed) this.schedule(this.pending, WORKSPACE_RECHECK_DELAY_MS);
    });
    return run.done;
  }

  private async check(uris: string[] | undefined, run: { cancelled: boolean }): Promise<AnalyseWorkspaceResult> {
    const progress = await this.connection?.window.createWorkDoneProgress().catch(() => undefined);
    let began = false;
    let lastReport = 0;
    const report = (p: WorkspaceCheckProgress) => {
      const message = `analysing ${describeCheckScope(p.projects, p.looseFiles, 'driver')}, ${p.done}/${p.files} files`;
      const percentage = p.files ? Math.floor((100 * p.done) / p.files) : 0;
      if (!began) {
        began = true;
        progress?.begin('KMDF', percentage, message, true);
        lastReport = performance.now();
      } else if (performance.now() - lastReport >= PROGRESS_INTERVAL_MS) {
        lastReport = performance.now();
        progress?.report(percentage, message);
      }
    };
    const cancelledByUser = progress?.token.onCancellationRequested(() => (run.cancelled = true));
    try {
      const result = await this.checks.run({
        settings: this.ctx.settings(),
        ...(uris ? { uris } : {}),
        pause: this.pause,
        cancelled: () => run.cancelled || this.disposed,
        progress: report,
        changed: (changed) => this.report(changed),
      });
      this.ctx.logger.debug(
        () =>
          `Workspace checks: ${result.done}/${result.files} files (${describeCheckScope(result.projects, result.looseFiles)})${result.cancelled ? ' (cancelled)' : ''}`,
      );
      return this.summary(result, result.cancelled);
    } catch (error) {
      this.ctx.logger.error(`Workspace checks failed: ${describeError(error)}`);
      return this.summary(NOTHING_CHECKED, true);
    } finally {
      cancelledByUser?.dispose();
      progress?.done();
    }
  }

  private summary(
    { projects, files, looseFiles }: Pick<AnalyseWorkspaceResult, 'projects' | 'files' | 'looseFiles'>,
    cancelled: boolean,
  ): AnalyseWorkspaceResult {
    const findings = { error: 0, warning: 0, info: 0, hint: 0 };
    for (const uri of this.checks.uris()) for (const f of this.checks.findingsOf(uri)) findings[f.severity]++;
    return { enabled: true, projects, files, looseFiles, findings, cancelled };
  }

  /** Tell the client about these documents (those that are not open). */
  private report(uris: readonly string[]): void {
    let changed = false;
    for (const uri of uris) {
      if (this.ctx.documents.isOpen(uri)) continue;
      const diagnostics = this.checks
        .findingsOf(uri)
        .filter((f) => f.uri === uri)
        .map((f) => toDiagnostic(f, this.helpUrl));
      const key = JSON.stringify(diagnostics);
      const before = this.reported.get(uri);
      if (before ? before.key === key : !diagnostics.length) continue;
      this.reported.set(uri, { id: String(++this.nextId), key, diagnostics });
      changed = true;
      if (!this.client.pulls()) void this.connection?.sendDiagnostics({ uri, diagnostics });
    }
    if (changed) for (const wake of [...this.waiting]) wake();
  }

  /** Everything the client was given, again (after a clear: empty for every file). */
  private reportAll(): void {
    this.report([...this.reported.keys()]);
  }

  /**
   * workspace/diagnostic: full reports for the files that are not open whose diagnostics differ from
   * the result the client holds. When nothing differs the request waits until something does (the
   * client asks again as soon as it is answered; it cancels the wait when it no longer needs it).
   */
  private async pullWorkspace(
    params: WorkspaceDiagnosticParams,
    token: CancellationToken,
  ): Promise<WorkspaceDiagnosticReport> {
    const held = new Map(params.previousResultIds.map((r) => [r.uri, r.value]));
    for (;;) {
      const items: WorkspaceDocumentDiagnosticReport[] = [];
      for (const [uri, reported] of this.reported) {
        if (this.ctx.documents.isOpen(uri) || held.get(uri) === reported.id) continue;
        // Just closed: the client keeps what it shows until the check of the disk's text is in.
        if (reported.key === FROM_THE_EDITOR) continue;
        if (!held.has(uri) && !reported.diagnostics.length) continue;
        items.push({ kind: 'full', uri, version: null, resultId: reported.id, items: reported.diagnostics });
      }
      if (items.length || token.isCancellationRequested || this.disposed) return { items };
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiting.delete(wake);
          listener.dispose();
          resolve();
        };
        const listener = token.onCancellationRequested(wake);
        this.waiting.add(wake);
      });
    }
  }

  /**
   * The diagnostics of a file that is not open, for textDocument/diagnostic (diagnostics.ts asks);
   * for a document just closed, once the check of its text on disk is in.
   */
  async closedReport(uri: string): Promise<Reported | undefined> {
    const waiters = this.closing.get(uri);
    if (waiters) await new Promise<void>((resolve) => waiters.push(resolve));
    return this.reported.get(uri);
  }
}
