/**
 * workspace/didChangeConfiguration, and the first settings pull after `initialized`: read the `kmdf`
 * settings again and apply what changed — the docs source, the file size limit, the index when its
 * inputs changed (else every check runs again), then the inlay hints.
 */
import type { Connection } from 'vscode-languageserver';
import type { InitializationOptions } from '../../../shared/protocol';
import type { DocsTextProvider } from '../docsText/provider';
import type { DriverDocuments } from '../session/documents';
import { docsTextConfig, indexInputsChanged, type SettingsService } from '../session/settingsService';
import { describeError, type Logger } from '../util/logger';

/** What a settings change reaches beyond the settings themselves. */
export interface SettingsTargets {
  docs: DocsTextProvider;
  documents: DriverDocuments;
  /** What the client said in `initialize` (the docs cache folder). */
  initOptions(): InitializationOptions;
  /** Rebuild the index from the settings' WDK and docs folders (the checks run again after it). */
  rebuildIndex(): Promise<unknown>;
  /** Run every check again (diagnostics of open documents and of the workspace). */
  refreshChecks(): void;
  /** Whether the client can be asked to pull inlay hints again. */
  refreshesInlayHints(): boolean;
}

export class ConfigurationFeature {
  private connection?: Connection;

  constructor(
    private readonly settings: SettingsService,
    private readonly logger: Logger,
    private readonly targets: SettingsTargets,
  ) {}

  register(connection: Connection): void {
    this.connection = connection;
    connection.onDidChangeConfiguration((params) => {
      const pushed = (params.settings as { kmdf?: unknown } | undefined)?.kmdf;
      void this.apply(pushed).catch((error: unknown) => this.logger.error('Applying settings failed', error));
    });
  }

  /** Read the settings again (`pushed`: the `kmdf` object a client without workspace/configuration sent) and apply what changed. */
  async apply(pushed?: unknown): Promise<void> {
    const change = await this.settings.load(pushed);
    if (!change) return;
    const { docs, documents } = this.targets;
    docs.configure(docsTextConfig(change.current, this.targets.initOptions()));
    documents.sizeLimitChanged();
    if (indexInputsChanged(change)) await this.targets.rebuildIndex();
    else this.targets.refreshChecks();
    if (this.connection && this.targets.refreshesInlayHints()) {
      await this.connection.languages.inlayHint
        .refresh()
        .catch((error: unknown) => this.logger.debug(`inlay hint refresh: ${describeError(error)}`));
    }
  }
}
