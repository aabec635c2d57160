/**
 * Contract diagnostics: the rules engine's findings on open documents, published after edits
 * (debounced; a newer edit cancels a pending or running check). The rule id is the code, with a link
 * to the rule's page; related locations and quick fixes travel with each diagnostic.
 */
import {
  DiagnosticSeverity,
  type Connection,
  type Diagnostic,
  type DiagnosticRelatedInformation,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { Settings } from '../../../shared/settings';
import type { Finding, Severity } from '../rules/types';
import { KeyedDebouncer, type RunToken } from '../util/debounce';
import { describeError } from '../util/logger';
import { toRange } from '../util/lsp';
import type { DiagnosticFixData } from './codeActions';
import type { FeatureContext } from './context';

/** Runs the rules over some documents of the workspace with the current settings (the rules engine, adapted in analysisBackend.ts). */
export type RulesRunner = (uris: string[], settings: Settings) => Promise<Finding[]> | Finding[];

/** Delay after the last change of a document before it is checked. */
export const DIAGNOSTICS_DELAY_MS = 250;
/** Other open documents are re-checked later: a change in one file can change findings in another. */
const OTHERS_DELAY_MS = 1000;

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

export class DiagnosticsFeature {
  private readonly debouncer = new KeyedDebouncer(DIAGNOSTICS_DELAY_MS);
  private readonly othersDebouncer = new KeyedDebouncer(OTHERS_DELAY_MS);
  private connection?: Connection;
  /** Documents we published non-empty diagnostics for (cleared when switched off). */
  private readonly published = new Set<string>();

  constructor(
    private readonly ctx: FeatureContext,
    private readonly runRules: RulesRunner,
    private readonly helpUrl?: (ruleId: string) => string | undefined,
  ) {}

  register(connection: Connection): void {
    this.connection = connection;
    this.ctx.documents.onModel((uri) => {
      this.schedule(uri);
      for (const other of this.ctx.documents.openUris())
        if (other !== uri) this.othersDebouncer.schedule(other, async (token) => void (await this.check(other, token)));
    });
  }

  /** Check a document soon (after edits). */
  schedule(uri: string): void {
    this.othersDebouncer.cancel(uri);
    this.debouncer.schedule(uri, async (token) => void (await this.check(uri, token)));
  }

  /** Re-check every open document (settings or index changed). */
  refreshAll(): void {
    for (const uri of this.ctx.documents.openUris()) this.schedule(uri);
    if (!this.ctx.settings().diagnostics.enable) for (const uri of this.published) this.publish(uri, []);
  }

  /** Clear a closed document's diagnostics. */
  clear(uri: string): void {
    this.debouncer.cancel(uri);
    this.othersDebouncer.cancel(uri);
    if (this.published.has(uri)) this.publish(uri, []);
  }

  /** Run the rules on one document and publish, unless a newer change cancelled this run. */
  async check(uri: string, token: RunToken = { cancelled: false }): Promise<Diagnostic[] | undefined> {
    const settings = this.ctx.settings();
    if (!settings.diagnostics.enable) {
      if (this.published.has(uri)) this.publish(uri, []);
      return [];
    }
    const current = await this.ctx.documents.current(uri);
    if (!current || token.cancelled) return undefined;
    let findings: Finding[];
    try {
      findings = await this.runRules([uri], settings);
    } catch (error) {
      this.ctx.logger.error(`Rules failed on ${uri}: ${describeError(error)}`);
      return undefined;
    }
    if (token.cancelled) return undefined;
    const diagnostics = findings.filter((f) => f.uri === uri).map((f) => toDiagnostic(f, this.helpUrl));
    this.publish(uri, diagnostics);
    return diagnostics;
  }

  private publish(uri: string, diagnostics: Diagnostic[]): void {
    if (diagnostics.length) this.published.add(uri);
    else this.published.delete(uri);
    void this.connection?.sendDiagnostics({ uri, diagnostics });
  }

  dispose(): void {
    this.debouncer.dispose();
    this.othersDebouncer.dispose();
  }
}
