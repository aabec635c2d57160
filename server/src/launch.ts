/**
 * Entry of dist/server.js: starts the language server (dist/serverMain.js), through V8's code cache
 * when KMDF_ASSIST_CODE_CACHE names a folder (the VS Code client gives one in its global storage).
 * A start then skips parsing and compiling the functions the session that wrote the cache had run
 * (issue 10, Node 20, medians of 12 alternating starts: cold start to the initialize result 166 -> 133
 * ms, a 1,000-line file's didOpen to its diagnostics 261 -> 241 ms). Without the variable the server
 * loads as any module does.
 *
 * Node 22.1 and later have the cache built in (`module.enableCompileCache`). Before that the bundle
 * is compiled here with `vm.Script` and its cached data; the cache is written once per bundle and
 * Node build (the key hashes both), after the session has run for a while or when it exits, so that
 * it holds the functions compiled by then (V8 caches lazily compiled functions only once they ran).
 * V8 checks little of a cache against its script (the length), hence the key; and the folder must be
 * the user's own (code is read from it), which a client's storage folder is. A cache that cannot be
 * read or written costs nothing but its time: the server starts as without one.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { folderRefusal, ownerRefusal } from './util/privateFolder';

/** The server bundle beside this one. */
const SERVER = path.join(__dirname, 'serverMain.js');
/** How long a session runs before the cache is written, if it has not exited by then. */
const WRITE_AFTER_MS = 30_000;
const CACHE_SUFFIX = '.v8cache';

/** `module.enableCompileCache` (Node 22.1+), absent from older Node and from the types of Node 20. */
type EnableCompileCache = (directory: string) => { status: number; message?: string };

/** Start `entry` (the server), through the code cache in `folder` when there is one and it is the user's own. */
export function launch(
  folder = process.env.KMDF_ASSIST_CODE_CACHE,
  entry = SERVER,
): ReturnType<typeof runWithCodeCache> | undefined {
  const refusal = folder ? refusalOf(folder) : undefined;
  if (refusal) warn(`code cache not used: ${refusal}`);
  if (!folder || refusal) {
    createRequire(__filename)(entry);
    return undefined;
  }
  const enable = (Module as unknown as { enableCompileCache?: EnableCompileCache }).enableCompileCache;
  if (enable) {
    try {
      enable(folder);
    } catch (error) {
      warn(`code cache not used: ${describe(error)}`);
    }
    createRequire(__filename)(entry);
    return undefined;
  }
  return runWithCodeCache(entry, folder);
}

/**
 * Run the CommonJS file `file` compiled with the cached data in `folder`, writing it when there was
 * none to use; returns whether the cache was used, and `writeNow` to write it at once (tests).
 */
export function runWithCodeCache(
  file: string,
  folder: string,
  writeAfterMs = WRITE_AFTER_MS,
): { cacheUsed: boolean; writeNow: () => void } {
  // Hashed as bytes: hashing the string would encode its 2.6 MB again first.
  const bytes = fs.readFileSync(file);
  const key = crypto
    .createHash('sha256')
    .update(`${process.version}\0${process.arch}\0${process.execArgv.join(' ')}\0`)
    .update(bytes)
    .digest('hex')
    .slice(0, 32);
  const source = bytes.toString('utf8');
  // One cache per bundle (named after it), replaced when the bundle or Node changes.
  const prefix = `${path.basename(file, '.js')}-`;
  const cacheFile = path.join(folder, `${prefix}${key}${CACHE_SUFFIX}`);
  let cachedData: Buffer | undefined;
  try {
    const stat = fs.lstatSync(cacheFile);
    if (stat.isFile() && !ownerRefusal(stat, cacheFile)) cachedData = fs.readFileSync(cacheFile);
  } catch {
    // None yet (the first start of this bundle), or unreadable: compiled as usual.
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const cacheUsed = cachedData !== undefined && !script.cachedDataRejected;
  let written = cacheUsed;
  const writeNow = () => {
    if (written) return;
    written = true;
    writeCache(folder, cacheFile, prefix, script);
  };
  if (!written) {
    setTimeout(writeNow, writeAfterMs).unref();
    process.once('exit', writeNow);
  }
  const mod = new Module(file, module);
  mod.filename = file;
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
  return { cacheUsed, writeNow };
}

/** Write the script's cached data (atomically), and remove the bundle's caches of other builds of it and of Node. */
function writeCache(folder: string, cacheFile: string, prefix: string, script: vm.Script): void {
  try {
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(temporary, cacheFile);
    for (const name of fs.readdirSync(folder))
      if (name.startsWith(prefix) && name.endsWith(CACHE_SUFFIX) && name !== path.basename(cacheFile))
        fs.rmSync(path.join(folder, name), { force: true });
  } catch (error) {
    warn(`code cache not written to ${folder}: ${describe(error)}`);
  }
}

/** Why the folder may not hold the cache (it is read back as code): someone else's, or writable by anyone. */
function refusalOf(folder: string): string | undefined {
  try {
    return folderRefusal(fs.lstatSync(folder), folder);
  } catch {
    return undefined; // Not there yet: made, the user's own, when the cache is first written.
  }
}

function warn(message: string): void {
  process.stderr.write(`kmdf: ${message}\n`);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

if (require.main === module) launch();
