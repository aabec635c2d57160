/**
 * Contract diagnostics: the rules engine's findings on open documents, published after edits with
 * the version they are about, or answered to textDocument/diagnostic when the client pulls them
 * (then the client decides when to ask; files that are not open: workspaceDiagnostics.ts). Pacing is adaptive (see DiagnosticsPacer): the check of a document
 * starts as soon as its newest text is analysed when the document was idle (every earlier version
 * checked) or the user paused, and only coalesces while edits keep arriving ahead of the checks; a
 * newer model cancels a pending or running check. The rule id is the code, with a
 * link to the rule's page; related locations and quick fixes travel with each diagnostic.
 */
import {
  DiagnosticSeverity,
  type Connection,
  type Diagnostic,
  type DocumentDiagnosticReport,
  type DiagnosticRelatedInformation,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { Finding, Severity } from '../rules/types';
import { KeyedDebouncer, type RunToken } from '../util/debounce';
import { describeError } from '../util/logger';
import { toRange } from '../session/lsp';
import type { DiagnosticFixData } from './codeActions';
import type { FeatureContext } from '../session/context';
import type { RulesRunner } from '../session/analysisSession';

/** Edits closer together than this are one burst of typing: checks wait for a pause this long. */
export const TYPING_PAUSE_MS = 100;
/** While edits keep arriving, a document is still checked at least this often. */
export const MAX_COALESCE_MS = 1000;
/** Other open documents are re-checked later: a change in one file can change findings in another. */
const OTHERS_DELAY_MS = 1000;
/**
 * Background work (the workspace-wide checks) waits while an open document edited this recently has
 * its newest version still to check, so the edited file's own diagnostics come first; bounded, so a
 * check that never settles (a document too large to analyse) holds nothing up for long.
 */
export const EDITOR_FIRST_MS = 2000;

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** A finding as an LSP diagnostic (the engine has already applied severity overrides and suppressions). */
export function toDiagnostic(finding: Finding, helpUrl?: (ruleId: string) => string | undefined): Diagnostic {
  const severity = SEVERITY[finding.severity];
  const related: DiagnosticRelatedInformation[] = (finding.related ?? []).map((r) => ({
    location: { uri: r.uri, range: toRange(r.span) },
    message: r.message,
  }));
  const fixes: DiagnosticFixData['fixes'] = (finding.fixes ?? []).map((fix) => {
    // The .kmdf.json edit is made when the action is asked for (the file may change meanwhile).
    if (fix.projectConfig) return { title: fix.title, projectConfig: fix.projectConfig };
    const edit: WorkspaceEdit = { changes: {} };
    for (const e of fix.edits) (edit.changes![e.uri] ??= []).push({ range: toRange(e.span), newText: e.newText });
    return { title: fix.title, ...(fix.preferred ? { preferred: true } : {}), edit };
  });
  const href = helpUrl?.(finding.ruleId);
  return {
    range: toRange(finding.span),
    severity,
    code: finding.ruleId,
    ...(href ? { codeDescription: { href } } : {}),
    source: 'kmdf',
    message: finding.message,
    ...(related.length ? { relatedInformation: related } : {}),
    ...(fixes.length ? { data: { fixes } satisfies DiagnosticFixData } : {}),
  };
}

/**
 * When to check a document after its model changed, from when its edits arrived (clangd paces its
 * rebuilds the same way). Times are passed in, so the policy is tested without timers.
 *
 * - A model for another version than the newest edit's: wait (the newer model will come).
 * - The newest text, and its edit arrived while the document was idle (every earlier version
 *   checked, no check running: nothing to coalesce with), or the user paused (the last edit is older
 *   than TYPING_PAUSE_MS), or the edit started after a pause (a single keystroke): check at once.
 * - Otherwise the user is typing ahead of the checks: check when the pause would be reached, unless
 *   the last check is already MAX_COALESCE_MS old (then at once, so long typing still shows results).
 */
export class DiagnosticsPacer {
  private readonly docs = new Map<
    string,
    {
      version: number;
      lastEdit: number;
      previousEdit: number;
      lastCheck: number;
      /** Checks started and not finished. */
      running: number;
      /** The newest version whose check finished. */
      settled: number;
      /** Whether the newest edit arrived with every earlier version checked and no check running. */
      idle: boolean;
    }
  >();

  constructor(
    private readonly pauseMs = TYPING_PAUSE_MS,
    private readonly maxCoalesceMs = MAX_COALESCE_MS,
  ) {}

  /** A change of `uri` to `version` arrived at `now`. */
  edited(uri: string, version: number, now: number): void {
    const doc = this.docs.get(uri);
    if (!doc) {
      this.docs.set(uri, {
        version,
        lastEdit: now,
        previousEdit: -Infinity,
        lastCheck: now,
        running: 0,
        settled: -Infinity,
        idle: true,
      });
      return;
    }
    doc.idle = doc.running === 0 && doc.settled >= doc.version;
    // The newest text is the last one sent, even when a client sends a lower version (it is followed).
    doc.version = version;
    doc.previousEdit = doc.lastEdit;
    doc.lastEdit = now;
  }

  /** Milliseconds to wait before checking after the model of `version` arrived at `now`; undefined: do not check. */
  delay(uri: string, version: number, now: number): number | undefined {
    const doc = this.docs.get(uri);
    if (!doc) return 0;
    if (version !== doc.version) return undefined;
    if (doc.idle) return 0;
    const typing = now - doc.lastEdit < this.pauseMs && doc.lastEdit - doc.previousEdit < this.pauseMs;
    if (!typing || now - doc.lastCheck >= this.maxCoalesceMs) return 0;
    return Math.max(0, doc.lastEdit + this.pauseMs - now);
  }

  /** A check of `uri` (of the model of `version`, when known) started at `now`. */
  checked(uri: string, now: number, version?: number): void {
    let doc = this.docs.get(uri);
    if (!doc) {
      // Opened and not edited yet: the check of its first version.
      doc = {
        version: version ?? -Infinity,
        lastEdit: -Infinity,
        previousEdit: -Infinity,
        lastCheck: now,
        running: 0,
        settled: -Infinity,
        idle: true,
      };
      this.docs.set(uri, doc);
    }
    doc.lastCheck = now;
    doc.running++;
  }

  /** A check started by `checked` finished (published, or dropped for a newer version). */
  finished(uri: string, version?: number): void {
    const doc = this.docs.get(uri);
    if (!doc) return;
    doc.running = Math.max(0, doc.running - 1);
    if (version !== undefined) doc.settled = Math.max(doc.settled, version);
  }

  forget(uri: string): void {
    this.docs.delete(uri);
  }

  /**
   * Whether a document edited or checked within the last `withinMs` before `now` has a check running
   * or its newest version still to check (then background work should wait).
   */
  editorBusy(now: number, withinMs: number): boolean {
    for (const doc of this.docs.values()) {
      if (now - Math.max(doc.lastEdit, doc.lastCheck) >= withinMs) continue;
      if (doc.running > 0 || doc.settled < doc.version) return true;
    }
    return false;
  }
}

export class DiagnosticsFeature {
  private readonly debouncer = new KeyedDebouncer(0);
  private readonly pacer = new DiagnosticsPacer();
  private readonly othersDebouncer = new KeyedDebouncer(OTHERS_DELAY_MS);
  private connection?: Connection;
  /** Documents we published non-empty diagnostics for (cleared when switched off). */
  private readonly published = new Set<string>();

  /** Until this settles (the start-up scan), findings are held back (see holdUntil). */
  private hold?: Promise<void>;

  /** Background work waiting for the editor's checks to settle (editorChecksDone). */
  private readonly editorWaiters = new Set<() => void>();

  /** The client pulls diagnostics: nothing is published, requests are answered. */
  private pulls = false;
  /** For a pull about a document that is not open: what the workspace checks found in it. */
  private closedDiagnostics: (uri: string) => Promise<Diagnostic[]> | Diagnostic[] = () => [];

  constructor(
    private readonly ctx: FeatureContext,
    private readonly runRules: RulesRunner,
    private readonly helpUrl?: (ruleId: string) => string | undefined,
  ) {}

  /**
   * Publish nothing until `until` settles (the start-up scan of the workspace folders), then check
   * every open document. A document checked before the scan is checked alone: the declarations in its
   * headers, the definitions and registrations in the other files of its project are not read yet,
   * and that check reports what the project-aware one withdraws (on the fixture driver and the real
   * trees: "not declared as DRIVER_INITIALIZE" warnings, "not declared with that role type" and
   * "declared but never defined" findings whose declaration or definition is in another file).
   * No finding is shown that the project-aware check would not show. A document whose projects the
   * scan reads first (DriverDocuments.scannedFor) is checked as soon as they are in.
   */
  holdUntil(until: Promise<unknown>): void {
    const hold = until.then(
      () => undefined,
      () => undefined,
    );
    this.hold = hold;
    void hold.then(() => {
      if (this.hold !== hold) return;
      this.hold = undefined;
      this.refreshAll();
    });
  }

  /** Whether a document's findings are held back (the start-up scan has not read its projects yet). */
  private held(uri: string): boolean {
    return !!this.hold && !this.ctx.documents.scannedFor(uri);
  }

  /** Answer textDocument/diagnostic instead of publishing (the client said it pulls). */
  usePull(closedDiagnostics: (uri: string) => Promise<Diagnostic[]> | Diagnostic[]): void {
    this.pulls = true;
    this.closedDiagnostics = closedDiagnostics;
  }

  register(connection: Connection): void {
    this.connection = connection;
    connection.languages.diagnostics.on(async ({ textDocument: { uri } }): Promise<DocumentDiagnosticReport> => {
      // Held (start-up scan): nothing yet; the client is asked to pull again when the hold ends.
      if (this.held(uri)) return { kind: 'full', items: [] };
      if (!this.ctx.documents.isOpen(uri)) return { kind: 'full', items: await this.closedDiagnostics(uri) };
      return { kind: 'full', items: (await this.findings(uri)) ?? [] };
    });
    this.ctx.documents.onScannedEarly((uris) => {
      if (!this.hold) return;
      if (this.pulls) void this.connection?.languages.diagnostics.refresh().catch(() => undefined);
      else for (const uri of uris) if (this.ctx.documents.isOpen(uri)) this.schedule(uri);
    });
    this.ctx.documents.onModel((uri, model) => {
      if (this.pulls) return;
      const delay = this.pacer.delay(uri, model.version, performance.now());
      if (delay !== undefined) this.schedule(uri, delay, model.version);
      for (const other of this.ctx.documents.openUris())
        if (other !== uri) this.othersDebouncer.schedule(other, async (token) => void (await this.check(other, token)));
    });
  }

  /**
   * A document was opened: from now until its first check is done, background work (the workspace
   * checks, the check of a document just closed) gives way to it (editorChecksDone), as it does to
   * an edited one; before, it learnt of the document only when its model was in, and ran meanwhile.
   */
  opened(uri: string, version: number): void {
    if (this.pulls) return; // the client pulls: nothing is checked here for it to wait on
    this.pacer.forget(uri);
    this.pacer.edited(uri, version, performance.now());
  }

  /** The server received a change of `uri` (the pacing needs to know when edits arrive, before their models). */
  edited(uri: string, version: number): void {
    this.pacer.edited(uri, version, performance.now());
    // A check waiting for a pause is moot: the new version's model schedules its own.
    this.debouncer.cancelPending(uri);
  }

  /** Check a document after `delayMs` (at once by default); `version`: the model's that asked for it. */
  schedule(uri: string, delayMs = 0, version?: number): void {
    this.othersDebouncer.cancel(uri);
    this.debouncer.schedule(
      uri,
      async (token) => {
        this.pacer.checked(uri, performance.now(), version);
        try {
          await this.check(uri, token);
        } finally {
          // A check dropped for a newer version settles nothing: that version is not shown.
          this.pacer.finished(uri, token.cancelled ? undefined : version);
          this.wakeEditorWaiters();
        }
      },
      delayMs,
    );
  }

  /**
   * Resolves once no open document just edited waits for its check (see EDITOR_FIRST_MS): the
   * workspace-wide checks call it when they give way, so they do not take turns with the editor's.
   */
  async editorChecksDone(): Promise<void> {
    const until = performance.now() + EDITOR_FIRST_MS;
    while (this.pacer.editorBusy(performance.now(), EDITOR_FIRST_MS) && performance.now() < until) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.editorWaiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(1, until - performance.now()));
        this.editorWaiters.add(wake);
      });
    }
  }

  private wakeEditorWaiters(): void {
    for (const wake of [...this.editorWaiters]) wake();
  }

  /** Re-check every open document (settings or index changed). */
  refreshAll(): void {
    if (this.pulls) {
      // The client asks again for what it shows.
      void this.connection?.languages.diagnostics.refresh().catch(() => undefined);
      return;
    }
    for (const uri of this.ctx.documents.openUris()) this.schedule(uri);
    if (!this.ctx.settings().diagnostics.enable) for (const uri of this.published) this.publish(uri, []);
  }

  /**
   * A document was closed: clear its diagnostics, or (`keep`: the workspace checks report it from
   * disk) leave them until those replace them.
   */
  clear(uri: string, keep = false): void {
    this.pacer.forget(uri);
    this.wakeEditorWaiters();
    this.debouncer.cancel(uri);
    this.othersDebouncer.cancel(uri);
    if (keep) this.published.delete(uri);
    else if (this.published.has(uri)) this.publish(uri, []);
  }

  /** Run the rules on one document and publish, unless a newer change cancelled this run. */
  async check(uri: string, token: RunToken = { cancelled: false }): Promise<Diagnostic[] | undefined> {
    if (this.pulls) return undefined;
    const settings = this.ctx.settings();
    if (!settings.diagnostics.enable) {
      if (this.published.has(uri)) this.publish(uri, []);
      this.ctx.documents.checked(uri);
      return [];
    }
    if (this.held(uri)) return undefined; // checked when the hold ends
    const current = await this.ctx.documents.current(uri);
    if (!current || token.cancelled || this.held(uri)) return undefined;
    // A newer model cancels this check (schedule): the rules stop at their next break.
    const diagnostics = await this.diagnosticsOf(uri, settings, token);
    if (!diagnostics || token.cancelled) return undefined;
    this.publish(uri, diagnostics, current.version);
    this.ctx.documents.checked(uri);
    return diagnostics;
  }

  /** The diagnostics of an open document as it is now (pull), or undefined when it has no model. */
  private async findings(uri: string): Promise<Diagnostic[] | undefined> {
    const settings = this.ctx.settings();
    if (!settings.diagnostics.enable) return [];
    const current = await this.ctx.documents.current(uri);
    if (!current) return undefined;
    const diagnostics = await this.diagnosticsOf(uri, settings);
    this.ctx.documents.checked(uri);
    return diagnostics;
  }

  private async diagnosticsOf(uri: string, settings: ReturnType<FeatureContext['settings']>, token?: RunToken) {
    let findings: Finding[] | undefined;
    try {
      findings = await this.runRules([uri], settings, token);
      if (!findings) return undefined;
    } catch (error) {
      this.ctx.logger.error(`Rules failed on ${uri}: ${describeError(error)}`);
      return undefined;
    }
    return findings.filter((f) => f.uri === uri).map((f) => toDiagnostic(f, this.helpUrl));
  }

  /** `version`: the document version the diagnostics are about, so a client can drop stale ones. */
  private publish(uri: string, diagnostics: Diagnostic[], version?: number): void {
    if (diagnostics.length) this.published.add(uri);
    else this.published.delete(uri);
    void this.connection?.sendDiagnostics({ uri, diagnostics, ...(version !== undefined ? { version } : {}) });
  }

  dispose(): void {
    this.wakeEditorWaiters();
    this.debouncer.dispose();
    this.othersDebouncer.dispose();
  }
}
