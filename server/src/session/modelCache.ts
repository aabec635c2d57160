/**
 * Per-file models on disk (issue 10 §2), so that a restarted server does not parse the whole tree
 * again: the workspace scan looks a file up before analysing it. An entry is keyed by everything the
 * model is made from: the server's code (version and a hash of its bundle), the file's URI, language
 * and text, the defines and header macros it is analysed with, and the index's role types. Entries
 * are V8-serialised (the structured clone the analysis workers already send models with).
 *
 * A file that cannot be read back (corrupt, cut short, written by another server build) is ignored
 * and removed, with one log line; the file is analysed as if there were no cache. Each file has one
 * slot (named by its URI): a new text or context replaces the entry of the old one, so edits and
 * branch switches do not pile entries up. The folder of each server build is its own; folders of
 * other builds are removed when the cache opens, and a folder that has grown past MAX_ENTRIES is
 * emptied, so the cache stays bounded by the files of the workspaces seen.
 *
 * Measured on 60 files of the bench's generated tree: analysing took 1,124 ms, reading the models
 * back 75 ms; a model is about 8 times its text.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import type { DocumentModel } from '../analysis/model';
import { describeError, type Logger } from '../util/logger';

/** Entries (files) one server build keeps at most (about 10 times the bench's 2,000-file tree). */
const MAX_ENTRIES = 20_000;

const FORMAT = 'kmdf-model-cache/1';

/** Where a file's entry is (`slot`, from its URI) and what it must have been made from (`key`). */
export interface CacheKey {
  slot: string;
  key: string;
}

interface Entry {
  format: string;
  identity: string;
  key: string;
  model: DocumentModel;
}

export class ModelCache {
  /** The folder of this server build's entries. */
  private readonly folder: string;
  private broken = false;
  /** Look-ups answered from disk, and misses (for the log and the tests). */
  hits = 0;
  misses = 0;

  /** `identity`: what tells this server's code from another's (version and bundle hash). */
  constructor(
    dir: string,
    private readonly identity: string,
    private readonly logger: Logger,
  ) {
    this.folder = path.join(dir, sha256(identity).slice(0, 16));
    try {
      fs.mkdirSync(this.folder, { recursive: true });
      for (const name of fs.readdirSync(dir))
        if (name !== path.basename(this.folder) && /^[0-9a-f]{16}$/.test(name))
          fs.rmSync(path.join(dir, name), { recursive: true, force: true });
      if (fs.readdirSync(this.folder).length > MAX_ENTRIES) {
        fs.rmSync(this.folder, { recursive: true, force: true });
        fs.mkdirSync(this.folder, { recursive: true });
      }
    } catch (error) {
      this.broken = true;
      logger.warn(`Model cache ${dir} not usable (${describeError(error)}): files are analysed without it`);
    }
  }

  /**
   * The key of a file's model: its slot (by URI) and everything its analysis reads besides the code
   * (the identity).
   */
  keyOf(parts: { uri: string; language: string; text: string; context: string; roleTypes: string }): CacheKey {
    return {
      slot: sha256(parts.uri),
      key: sha256([parts.uri, parts.language, parts.context, parts.roleTypes, parts.text].join('\u0000')),
    };
  }

  /** The model stored under `key`, if a sound entry of this server build is there. */
  get({ slot, key }: CacheKey): DocumentModel | undefined {
    if (this.broken) return undefined;
    const file = this.fileOf(slot);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      this.misses++;
      return undefined; // not cached
    }
    try {
      const entry = v8.deserialize(bytes) as Partial<Entry> | null;
      if (entry?.format !== FORMAT || entry.identity !== this.identity || !entry.model)
        throw new Error('not an entry of this server build');
      if (entry.key !== key) {
        // The model of another text or context of this file: replaced when the new one is stored.
        this.misses++;
        return undefined;
      }
      this.hits++;
      return entry.model;
    } catch (error) {
      this.misses++;
      this.logger.warn(`Model cache: ${file} ignored and removed (${describeError(error)})`);
      fs.rmSync(file, { force: true });
      return undefined;
    }
  }

  /** Store a model (written to a temporary file, then renamed: a reader never sees half an entry). */
  put({ slot, key }: CacheKey, model: DocumentModel): void {
    if (this.broken) return;
    const file = this.fileOf(slot);
    const temporary = `${file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(
        temporary,
        v8.serialize({ format: FORMAT, identity: this.identity, key, model } satisfies Entry),
      );
      fs.renameSync(temporary, file);
    } catch (error) {
      fs.rmSync(temporary, { force: true });
      this.logger.once('warning', 'model-cache-write', `Model cache: cannot write ${file} (${describeError(error)})`);
    }
  }

  private fileOf(slot: string): string {
    return path.join(this.folder, `${slot}.model`);
  }
}

/**
 * What identifies a server build: its version and a hash of the file its code runs from (the bundle,
 * which holds the whole analysis); undefined when that file cannot be read (then no cache is used:
 * two builds of one version must not share entries).
 */
export function codeIdentity(version: string, codeFile: string): string | undefined {
  try {
    return `kmdf-assist ${version} ${sha256(fs.readFileSync(codeFile)).slice(0, 16)}`;
  } catch {
    return undefined;
  }
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
