/**
 * Settings: the one source of truth. The server validates `kmdf.*` against this schema
 * (invalid values fall back to defaults, with a message); a test checks that package.json's
 * `contributes.configuration` has the same keys, types, enums and defaults.
 */
import { z } from 'zod';

export const SEVERITY_OVERRIDES = ['off', 'hint', 'info', 'warning', 'error'] as const;

/** `kmdf.diagnostics.scope`: the whole workspace's driver projects, or only the files open in the editor. */
export const DIAGNOSTICS_SCOPES = ['workspace', 'openFiles'] as const;

/**
 * `kmdf.docs.baseUrl`: https to any host, http only to loopback. The host part must end at `:port`,
 * `/` or the end, so `http://127.0.0.1.example.com/` and `http://localhost@example.com/` do not pass.
 */
const DOCS_BASE_URL_PATTERN = /^(https:\/\/[^\s/?#@]+|http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?)(\/\S*)?$/;

export const settingsSchema = z.object({
  wdk: z
    .object({
      /** Explicit WDK include folders (e.g. …/Include/wdf/kmdf/1.33); empty = find the WDK automatically. */
      includePaths: z.array(z.string()).default([]),
      /** Look for an installed WDK in the standard Windows Kits locations. */
      autoDetect: z.boolean().default(true),
    })
    .default({}),
  target: z
    .object({
      /** Target KMDF version ("1.33"); empty = from the project file, else newest. */
      kmdfVersion: z
        .string()
        .regex(/^(\d+\.\d+)?$/)
        .default(''),
      /** Target UMDF version ("2.33"); empty = from the project file, else newest. */
      umdfVersion: z
        .string()
        .regex(/^(\d+\.\d+)?$/)
        .default(''),
      /** Driver model when the project does not say. */
      framework: z.enum(['auto', 'KMDF', 'UMDF']).default('auto'),
    })
    .default({}),
  docs: z
    .object({
      /** Local folder of reference pages (docs-repository layout, or rendered pages). */
      path: z.string().default(''),
      /** Fetch reference pages on demand and cache them on disk. */
      online: z.boolean().default(true),
      /** Base URL of the online docs pages (docs-repository Markdown): https, or http to this machine (tests). */
      baseUrl: z
        .string()
        .regex(DOCS_BASE_URL_PATTERN, {
          message: 'must be an https:// URL (http:// only to 127.0.0.1, [::1] or localhost)',
        })
        .default(
          'https://raw.githubusercontent.com/MicrosoftDocs/windows-driver-docs-ddi/staging/wdk-ddi-src/content/',
        ),
      /** Days a page fetched online is kept in the disk cache before it is fetched again. */
      cacheMaxAgeDays: z.number().int().min(1).max(3650).default(14),
    })
    .default({}),
  analysis: z
    .object({
      /** Open documents larger than this are not analysed (generated tables, amalgamations); same default as the workspace scan. */
      maxFileSizeKB: z.number().int().min(1).default(2048),
    })
    .default({}),
  inlayHints: z
    .object({
      /** Show the IRQL a callback runs at beside its definition. */
      irql: z.boolean().default(true),
    })
    .default({}),
  diagnostics: z
    .object({
      enable: z.boolean().default(true),
      /** Which files are checked: every file of the workspace's driver projects (in the background), or only open ones. */
      scope: z.enum(DIAGNOSTICS_SCOPES).default('workspace'),
      /** Per-rule severity overrides, e.g. { "KMDF1001": "off" }. */
      rules: z.record(z.string(), z.enum(SEVERITY_OVERRIDES)).default({}),
    })
    .default({}),
  logLevel: z.enum(['error', 'warning', 'info', 'debug']).default('info'),
});

export type Settings = z.infer<typeof settingsSchema>;

/** Defaults for every setting. */
export const defaultSettings: Settings = settingsSchema.parse({});

/**
 * Values taken instead of the default when a setting (or an object holding it) is invalid, where the
 * default is the riskier choice: an invalid `docs.online` (`"yes"`) must not switch fetching on.
 */
const SAFE_FALLBACKS: ReadonlyArray<{ path: readonly string[]; value: unknown }> = [
  { path: ['docs', 'online'], value: false },
];

/**
 * Parse a `kmdf` configuration object: valid parts are kept, each invalid value falls back to its
 * default (or its safe value, SAFE_FALLBACKS) and is reported, so one wrong setting never disables the rest.
 */
export function parseSettings(raw: unknown): { settings: Settings; problems: string[] } {
  const result = settingsSchema.safeParse(raw ?? {});
  if (result.success) return { settings: result.data, problems: [] };
  type Node = Record<string, unknown>;
  const invalid = result.error.issues.map((issue) => issue.path.map(String));
  /** The safe fallbacks an invalid path covers (itself, or an object that holds them). */
  const safeUnder = (path: string[]) => SAFE_FALLBACKS.filter((s) => path.every((part, i) => s.path[i] === part));
  const problems = result.error.issues.map((issue, i) => {
    const safe = safeUnder(invalid[i]);
    const using = safe.length
      ? ` (using ${safe.map((s) => `kmdf.${s.path.join('.')} = ${String(s.value)}`).join(', ')})`
      : '';
    return `${['kmdf', ...invalid[i]].join('.')}: ${issue.message}${using}`;
  });
  // Drop each invalid leaf and parse again, so the remaining values are kept.
  const copy = JSON.parse(JSON.stringify(raw ?? {})) as Node;
  for (const path of invalid) {
    let node: unknown = copy;
    for (const part of path.slice(0, -1)) node = (node as Node | undefined)?.[part];
    if (path.length && node && typeof node === 'object') delete (node as Node)[path[path.length - 1]];
  }
  const retry = settingsSchema.safeParse(copy);
  const settings = structuredClone(retry.success ? retry.data : defaultSettings);
  for (const path of invalid) {
    for (const safe of safeUnder(path)) {
      let node = settings as unknown as Node;
      for (const part of safe.path.slice(0, -1)) node = node[part] as Node;
      node[safe.path[safe.path.length - 1]] = safe.value;
    }
  }
  return { settings, problems };
}
