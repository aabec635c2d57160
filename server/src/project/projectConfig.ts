/**
 * The project-level configuration file `.kmdf.json`, read by both the editor and the CLI:
 *
 * ```json
 * { "rules": { "KMDF2001": "off", "KMDF1005": "warning" },
 *   "target": { "framework": "UMDF", "umdfVersion": "2.15" } }
 * ```
 *
 * The nearest `.kmdf.json` above a file applies to it. Invalid parts are reported and ignored, so one
 * typo never switches everything off.
 */
import * as path from 'node:path';
import { applyEdits, modify } from 'jsonc-parser';
import { z } from 'zod';
import { searchFolders } from './folders';
import { readRegularFile } from './projectFile';

export const PROJECT_CONFIG_FILE = '.kmdf.json';

const severitySchema = z.enum(['off', 'hint', 'info', 'warning', 'error']);
const versionSchema = z.string().regex(/^\d+\.\d+$/, 'expected a version like "1.33"');

const configSchema = z
  .object({
    rules: z.record(z.string().regex(/^KMDF\d{4}$/, 'expected a rule id like "KMDF2001"'), severitySchema).optional(),
    target: z
      .object({
        framework: z.enum(['KMDF', 'UMDF']).optional(),
        kmdfVersion: versionSchema.optional(),
        umdfVersion: versionSchema.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type ProjectConfig = z.infer<typeof configSchema>;

/** Values a quick fix writes into a `.kmdf.json` (the target version the driver needs). */
export interface ProjectConfigChange {
  target: { kmdfVersion?: string; umdfVersion?: string };
}

export interface LoadedProjectConfig {
  /** Absolute path of the file. */
  file: string;
  config: ProjectConfig;
  /** What was wrong with it, one message per problem ("rules.KMDF9: expected …"). */
  problems: string[];
}

/** Parse the text of a `.kmdf.json`; never throws. */
export function parseProjectConfig(text: string, file: string): LoadedProjectConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { file, config: {}, problems: [`${file}: not valid JSON (${(e as Error).message})`] };
  }
  const result = configSchema.safeParse(raw);
  if (result.success) return { file, config: result.data, problems: [] };
  const problems = result.error.issues.map((i) => `${file}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  // Keep what is valid: check the sections and the rule entries one by one.
  const config: ProjectConfig = {};
  const obj = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  if (obj.rules && typeof obj.rules === 'object') {
    const rules: Record<string, z.infer<typeof severitySchema>> = {};
    for (const [id, value] of Object.entries(obj.rules as Record<string, unknown>)) {
      const sev = severitySchema.safeParse(value);
      if (/^KMDF\d{4}$/.test(id) && sev.success) rules[id] = sev.data;
    }
    config.rules = rules;
  }
  const target = configSchema.shape.target.safeParse(obj.target);
  if (target.success) config.target = target.data;
  return { file, config, problems };
}

/** A `.kmdf.json` is a few lines; anything larger is not one. */
export const MAX_CONFIG_BYTES = 256 * 1024;

/**
 * The nearest `.kmdf.json` in `dir` or above it (up to `stopAt`, else the file-system root; never in a
 * world-writable folder, see folders.ts). Only a regular file is read: a FIFO or a device of that name is
 * passed over, with the reason in `problems` of the result when no other file is found.
 */
export function findProjectConfig(dir: string, stopAt?: string): LoadedProjectConfig | undefined {
  for (const folder of searchFolders(dir, stopAt)) {
    const file = path.join(folder, PROJECT_CONFIG_FILE);
    const read = readRegularFile(file, MAX_CONFIG_BYTES);
    if ('skipped' in read) {
      if (read.skipped !== 'skipped: no such file') return { file, config: {}, problems: [`${file}: ${read.skipped}`] };
      continue;
    }
    return parseProjectConfig(read.text, file);
  }
  return undefined;
}

/** One replacement in a `.kmdf.json`'s text (offsets in UTF-16 units). */
export interface ConfigTextEdit {
  offset: number;
  length: number;
  content: string;
}

/**
 * The edit that writes `change` into a `.kmdf.json`'s text (`undefined`: the file does not exist yet,
 * and the edit is its whole text), keeping the rest of the file and its layout as they are. Undefined
 * when the text is not a JSON object with an object (or no) `target`: a file that cannot be read is
 * left for the user to repair.
 */
export function configEdit(text: string | undefined, change: ProjectConfigChange): ConfigTextEdit | undefined {
  if (text === undefined) return { offset: 0, length: 0, content: `${JSON.stringify(change, null, 2)}\n` };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const isObject = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v);
  const target = isObject(raw) ? (raw as { target?: unknown }).target : null;
  if (target === null || (target !== undefined && !isObject(target))) return undefined;
  const indent = /^([ \t]+)\S/m.exec(text)?.[1] ?? '  ';
  const formattingOptions = {
    insertSpaces: !indent.includes('\t'),
    tabSize: indent.includes('\t') ? 4 : indent.length,
    eol: text.includes('\r\n') ? '\r\n' : '\n',
  };
  let updated = text;
  for (const [key, value] of Object.entries(change.target))
    if (value !== undefined)
      updated = applyEdits(updated, modify(updated, ['target', key], value, { formattingOptions }));
  // One replacement of the part that changed.
  let start = 0;
  while (start < text.length && start < updated.length && text[start] === updated[start]) start++;
  let end = 0;
  while (
    end < text.length - start &&
    end < updated.length - start &&
    text[text.length - 1 - end] === updated[updated.length - 1 - end]
  )
    end++;
  return { offset: start, length: text.length - start - end, content: updated.slice(start, updated.length - end) };
}
