/**
 * Settings: the one source of truth. The server validates `kmdf.*` against this schema
 * (invalid values fall back to defaults, with a message); a test checks that package.json's
 * `contributes.configuration` has the same keys, types, enums and defaults.
 */
import { z } from 'zod';

export const SEVERITY_OVERRIDES = ['off', 'hint', 'info', 'warning', 'error'] as const;

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
      /** Base URL of the online docs pages (docs-repository Markdown). */
      baseUrl: z
        .string()
        .default(
          'https://raw.githubusercontent.com/MicrosoftDocs/windows-driver-docs-ddi/staging/wdk-ddi-src/content/',
        ),
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
 * Parse a `kmdf` configuration object: valid parts are kept, each invalid value falls back to its
 * default and is reported, so one wrong setting never disables the rest.
 */
export function parseSettings(raw: unknown): { settings: Settings; problems: string[] } {
  const result = settingsSchema.safeParse(raw ?? {});
  if (result.success) return { settings: result.data, problems: [] };
  const problems = result.error.issues.map((i) => `kmdf.${i.path.join('.')}: ${i.message}`);
  // Drop each invalid leaf and parse again, so the remaining values are kept.
  type Node = Record<string, unknown>;
  const copy = JSON.parse(JSON.stringify(raw ?? {})) as Node;
  for (const issue of result.error.issues) {
    let node: unknown = copy;
    for (const key of issue.path.slice(0, -1)) node = (node as Node | undefined)?.[key as string];
    if (node && typeof node === 'object') delete (node as Node)[issue.path[issue.path.length - 1] as string];
  }
  const retry = settingsSchema.safeParse(copy);
  return { settings: retry.success ? retry.data : defaultSettings, problems };
}
