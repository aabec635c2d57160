// Prepares a runnable code-server (VS Code 1.100 in a browser) in a cache folder (paths.cjs) for the
// editor tests, without downloading anything but npm packages: VS Code's own download site is out of
// reach in CI, so the npm package of code-server stands in for it. Its install script expects to build
// native modules with network access to node headers; we skip it (`--ignore-scripts`) and do its steps
// by hand against the local Node headers.
//
// Idempotent: every step leaves a stamp, and a finished preparation leaves `prepared.json`; a second run
// with the same code-server and Node versions does nothing but check that stamp.
//
// Usage: node scripts/editors/prepare-code-server.mjs [--force] [--quiet]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import paths from './paths.cjs';

/** The code-server release whose VS Code (1.100) the suite is checked against. */
export const CODE_SERVER_VERSION = paths.CODE_SERVER_VERSION;

/** Folder the preparation writes to (outside the repository, shared by every clone: see paths.cjs). */
export const cacheDir = paths.codeServerCacheDir(CODE_SERVER_VERSION);
/** The installed code-server package. */
export const codeServerDir = path.join(cacheDir, 'node_modules', 'code-server');
/** The code-server entry point, to be run with `node`. */
export const codeServerEntry = path.join(codeServerDir, 'out', 'node', 'entry.js');
const vscodeDir = path.join(codeServerDir, 'lib', 'vscode');
const stampDir = path.join(cacheDir, 'stamps');
const preparedFile = path.join(cacheDir, 'prepared.json');
const logFile = path.join(cacheDir, 'prepare.log');

/** Native modules of VS Code's server that code-server loads; each is rebuilt against the local Node. */
const NATIVE_MODULES = [
  'kerberos',
  '@parcel/watcher',
  '@vscode/spdlog',
  'native-watchdog',
  'node-pty',
  '@vscode/deviceid',
];

/** Debian packages the build needs, each with a file that proves it is installed. */
const DEBIAN_PREREQUISITES = [
  ['libkrb5-dev', '/usr/include/krb5.h'],
  ['libx11-dev', '/usr/include/X11/Xlib.h'],
  ['libxkbfile-dev', '/usr/include/X11/extensions/XKBfile.h'],
  ['libsecret-1-dev', '/usr/include/libsecret-1/libsecret/secret.h'],
  ['pkg-config', '/usr/bin/pkg-config'],
  ['ripgrep', '/usr/bin/rg'],
  ['python3', '/usr/bin/python3'],
  ['make', '/usr/bin/make'],
  ['g++', '/usr/bin/g++'],
];

class PrepareError extends Error {}

function log(quiet, message) {
  if (!quiet) console.log(`[code-server] ${message}`);
}

/** Runs a command, appending its output to the log; throws a PrepareError naming the step on failure. */
function run(step, cmd, args, cwd, env = {}) {
  fs.appendFileSync(logFile, `\n$ (cd ${cwd} && ${cmd} ${args.join(' ')})\n`);
  const result = spawnSync(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  fs.appendFileSync(logFile, `${result.stdout ?? ''}${result.stderr ?? ''}`);
  if (result.error || result.status !== 0) {
    const tail = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new PrepareError(
      `step "${step}" failed: ${cmd} ${args.join(' ')} (in ${cwd}) ` +
        `${result.error ? result.error.message : `exited ${result.status ?? result.signal}`}\n${tail}\n(full log: ${logFile})`,
    );
  }
  return result.stdout;
}

/** The Node headers folder for node-gyp, so it never tries to download them. */
function nodeHeadersDir() {
  const candidates = [process.env.npm_config_nodedir, path.resolve(path.dirname(process.execPath), '..')].filter(
    Boolean,
  );
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, 'include', 'node', 'node_version.h'))) return dir;
  }
  throw new PrepareError(
    `no Node headers found (looked for include/node/node_version.h under ${candidates.join(', ')}); ` +
      'native modules cannot be built offline without them',
  );
}

/** node-gyp as shipped inside npm (no separate install needed). */
function nodeGypScript() {
  const npmRoot = path.resolve(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm');
  const candidates = [path.join(npmRoot, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')];
  const found = candidates.find((file) => fs.existsSync(file));
  if (!found) throw new PrepareError(`node-gyp not found (looked in ${candidates.join(', ')})`);
  return found;
}

function checkPrerequisites() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 20) {
    throw new PrepareError(`code-server ${CODE_SERVER_VERSION} needs Node 20; this is Node ${process.versions.node}`);
  }
  const missing = DEBIAN_PREREQUISITES.filter(([, file]) => !fs.existsSync(file)).map(([pkg]) => pkg);
  if (missing.length) {
    throw new PrepareError(
      `missing Debian packages: ${missing.join(' ')} — install them with ` +
        `\`apt-get install -y ${missing.join(' ')}\` (.ci/run does this)`,
    );
  }
}

/** Runs `body` unless the stamp for `name` holds `key`; records the time it took. */
function step(name, key, quiet, timings, body) {
  const stamp = path.join(stampDir, `${name.replace(/[^\w.-]+/g, '_')}.stamp`);
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === key) {
    timings.push({ step: name, seconds: 0, cached: true });
    return;
  }
  const started = Date.now();
  log(quiet, `${name} …`);
  body();
  fs.writeFileSync(stamp, key);
  const seconds = (Date.now() - started) / 1000;
  timings.push({ step: name, seconds, cached: false });
  log(quiet, `${name} done in ${seconds.toFixed(1)}s`);
}

function symlink(target, linkPath) {
  const current = fs.lstatSync(linkPath, { throwIfNoEntry: false });
  if (current?.isSymbolicLink() && fs.readlinkSync(linkPath) === target) return;
  fs.rmSync(linkPath, { recursive: true, force: true });
  fs.symlinkSync(target, linkPath);
}

/**
 * Makes sure code-server is installed and runnable; returns its entry point.
 * @param {{ force?: boolean, quiet?: boolean }} [options]
 * @returns {{ entry: string, cached: boolean, timings: { step: string, seconds: number, cached: boolean }[] }}
 */
export function prepareCodeServer({ force = false, quiet = false } = {}) {
  const key = JSON.stringify({
    codeServer: CODE_SERVER_VERSION,
    node: process.versions.node,
    platform: process.platform,
    arch: process.arch,
  });
  if (!force && fs.existsSync(preparedFile) && fs.existsSync(codeServerEntry)) {
    const prepared = JSON.parse(fs.readFileSync(preparedFile, 'utf8'));
    if (prepared.key === key) return { entry: codeServerEntry, cached: true, timings: [] };
  }
  checkPrerequisites();
  if (force) fs.rmSync(cacheDir, { recursive: true, force: true });
  fs.mkdirSync(stampDir, { recursive: true });
  fs.rmSync(preparedFile, { force: true });
  fs.writeFileSync(logFile, `prepare-code-server ${new Date().toISOString()} ${key}\n`);
  const timings = [];
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const nodedir = nodeHeadersDir();
  // npm reads this when node-gyp runs under it; set it for the direct node-gyp calls too.
  const gypEnv = { npm_config_nodedir: nodedir };

  step('install code-server', key, quiet, timings, () => {
    const manifest = path.join(cacheDir, 'package.json');
    fs.writeFileSync(manifest, `${JSON.stringify({ name: 'kmdf-code-server-cache', private: true }, null, 2)}\n`);
    run(
      'install code-server',
      npm,
      ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--no-save', `code-server@${CODE_SERVER_VERSION}`],
      cacheDir,
    );
  });
  step('install VS Code server dependencies', key, quiet, timings, () => {
    run(
      'install VS Code server dependencies',
      npm,
      ['install', '--ignore-scripts', '--omit=dev', '--no-audit', '--no-fund'],
      vscodeDir,
    );
  });
  const nodeGyp = nodeGypScript();
  for (const moduleName of NATIVE_MODULES) {
    step(`build native module ${moduleName}`, key, quiet, timings, () => {
      const moduleDir = path.join(vscodeDir, 'node_modules', moduleName);
      if (!fs.existsSync(path.join(moduleDir, 'binding.gyp'))) {
        throw new PrepareError(
          `native module ${moduleName} has no binding.gyp in ${moduleDir}; did the dependency install change?`,
        );
      }
      run(
        `build native module ${moduleName}`,
        process.execPath,
        [nodeGyp, 'rebuild', `--nodedir=${nodedir}`],
        moduleDir,
        gypEnv,
      );
    });
  }
  step('link ripgrep and node_modules.asar', key, quiet, timings, () => {
    const rgDir = path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
    fs.mkdirSync(rgDir, { recursive: true });
    symlink('/usr/bin/rg', path.join(rgDir, 'rg'));
    symlink('node_modules', path.join(vscodeDir, 'node_modules.asar'));
    // The launcher scripts the install script would link (the remote CLI and the browser helper).
    symlink('code-linux.sh', path.join(vscodeDir, 'bin', 'remote-cli', 'code-server'));
    symlink('browser-linux.sh', path.join(vscodeDir, 'bin', 'helpers', 'browser.sh'));
  });
  step('install built-in extension dependencies', key, quiet, timings, () => {
    run(
      'install built-in extension dependencies',
      npm,
      ['install', '--ignore-scripts', '--no-audit', '--no-fund'],
      path.join(vscodeDir, 'extensions'),
    );
  });
  step('rebuild argon2', key, quiet, timings, () => {
    run('rebuild argon2', npm, ['rebuild', 'argon2'], cacheDir, gypEnv);
  });
  step('check code-server starts', key, quiet, timings, () => {
    // A private config folder: code-server writes a default config file on first start.
    const env = { XDG_CONFIG_HOME: path.join(cacheDir, 'config'), XDG_DATA_HOME: path.join(cacheDir, 'data') };
    const output = run('check code-server starts', process.execPath, [codeServerEntry, '--version'], cacheDir, env);
    const version = output.trim().split('\n').at(-1) ?? '';
    if (!version.startsWith(`${CODE_SERVER_VERSION} `)) {
      throw new PrepareError(`code-server --version printed "${version}", expected ${CODE_SERVER_VERSION}`);
    }
  });
  fs.writeFileSync(
    preparedFile,
    `${JSON.stringify({ key, timings, preparedAt: new Date().toISOString() }, null, 2)}\n`,
  );
  return { entry: codeServerEntry, cached: false, timings };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const force = process.argv.includes('--force');
  const quiet = process.argv.includes('--quiet');
  const started = Date.now();
  try {
    const { entry, cached, timings } = prepareCodeServer({ force, quiet });
    const total = ((Date.now() - started) / 1000).toFixed(1);
    if (cached) console.log(`[code-server] ${CODE_SERVER_VERSION} already prepared (${entry}); ${total}s`);
    else {
      for (const t of timings)
        console.log(`[code-server]   ${t.cached ? 'cached' : `${t.seconds.toFixed(1)}s`.padStart(6)}  ${t.step}`);
      console.log(`[code-server] ${CODE_SERVER_VERSION} prepared in ${total}s (${entry})`);
    }
  } catch (error) {
    console.error(
      `[code-server] preparation failed: ${error instanceof PrepareError ? error.message : (error?.stack ?? error)}`,
    );
    process.exit(1);
  }
}
