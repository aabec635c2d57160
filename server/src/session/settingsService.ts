/**
 * The `kmdf.*` settings as the server holds them. Pulled with workspace/configuration when the
 * client can be asked; taken from didChangeConfiguration's `settings` when it cannot (Neovim 0.7).
 * Validated against shared/settings.ts: each invalid value falls back (to its default, or its safe
 * value) and the problems are shown once as a warning, then logged on every load.
 */
import type { Connection } from 'vscode-languageserver';
import type { InitializationOptions } from '../../../shared/protocol';
import { defaultSettings, parseSettings, type Settings } from '../../../shared/settings';
import { defaultCacheDir } from '../docsText/pageCache';
import type { DocsTextConfig } from '../docsText/provider';
import { describeError, type Logger } from '../util/logger';

/** What a load changed. */
export interface SettingsChange {
  previous: Settings;
  current: Settings;
  /** The first load (the previous settings are the built-in defaults, never applied). */
  first: boolean;
}

export class SettingsService {
  private value: Settings = defaultSettings;
  private loaded = false;
  /** The problems last shown, so the same warning is not shown again on every change. */
  private lastProblems = '';

  constructor(
    private readonly connection: Connection,
    private readonly logger: Logger,
    /** Whether the client answers workspace/configuration (known after initialize). */
    private readonly canPull: () => boolean,
  ) {}

  current(): Settings {
    return this.value;
  }

  /**
   * Read the settings again: pulled from the client, or `pushed` (the `kmdf` object of a change
   * notification). Undefined when there was nothing to read: a client that cannot be asked sent a
   * change without settings, which must not reset what it pushed before.
   */
  async load(pushed?: unknown): Promise<SettingsChange | undefined> {
    if (!this.canPull() && pushed === undefined && this.loaded) return undefined;
    let raw: unknown = pushed;
    if (this.canPull()) {
      raw = await this.connection.workspace.getConfiguration({ section: 'kmdf' }).catch((error: unknown) => {
        this.logger.warn(`Could not read settings: ${describeError(error)}`);
        return undefined;
      });
    }
    const { settings, problems } = parseSettings(raw ?? {});
    const key = problems.join('\n');
    if (problems.length && key !== this.lastProblems) {
      void this.connection.window.showWarningMessage(
        `KMDF Assist: invalid settings (defaults used for these): ${problems.join('; ')}`,
      );
    }
    this.lastProblems = key;
    for (const p of problems) this.logger.warn(`Setting ${p}`);
    const change: SettingsChange = { previous: this.value, current: settings, first: !this.loaded };
    this.value = settings;
    this.loaded = true;
    this.logger.setLevel(settings.logLevel);
    this.logger.debug(() => `Settings: ${JSON.stringify(settings)}`);
    return change;
  }
}

/** The settings that decide the index's sources and its reported docs source (a change rebuilds it). */
export function indexInputsChanged(change: SettingsChange): boolean {
  const inputs = (s: Settings) => JSON.stringify([s.wdk, s.docs.path, s.docs.online, s.docs.baseUrl]);
  return change.first || inputs(change.previous) !== inputs(change.current);
}

/** Where docs prose is read from under these settings (the cache folder comes from the client, else the default). */
export function docsTextConfig(settings: Settings, init: InitializationOptions): DocsTextConfig {
  return {
    folder: settings.docs.path || undefined,
    online: settings.docs.online,
    baseUrl: settings.docs.baseUrl,
    cacheDir: init.cacheDir || defaultCacheDir(),
    cacheMaxAgeDays: settings.docs.cacheMaxAgeDays,
  };
}
