/**
 * Harness for the code-server tests: a prepared code-server (scripts/editors/prepare-code-server.mjs)
 * serving the workbench on loopback, extensions installed from .vsix files, and Debian's Chromium
 * driven by playwright-core. Every wait polls a condition with a deadline; nothing sleeps blindly.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CODE_SERVER_VERSION, codeServerCacheDir } from '../../scripts/editors/paths.cjs';
import { repoRoot, sharedDir } from '../support/paths';

/** Folder for this run's code-server profiles, workspaces and results (git-ignored). */
export const runDir = path.join(repoRoot, 'test', '.cache', 'code-server-runs');
/** Screenshots and logs kept as test artifacts (git-ignored). */
export const artifactsDir = path.join(repoRoot, 'test', 'artifacts', 'code-server');
/** The packaged extension under test (`npm run package`). */
export const extensionVsix = path.join(repoRoot, 'dist', 'kmdf-assist.vsix');
/** The runner extension built by scripts/editors/build-vscode-suite.mjs. */
export const runnerVsix = path.join(repoRoot, 'test', '.cache', 'vscode-suite', 'kmdf-test-runner.vsix');
const codeServerDir = codeServerCacheDir(CODE_SERVER_VERSION);
const codeServerEntry = path.join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
/** Debian's Chromium; playwright-core never downloads a browser here. */
export const CHROMIUM = process.env.KMDF_CHROMIUM ?? '/usr/bin/chromium';

/** Settings for the test profile: offline, no tours, nothing that reaches the network. */
export const TEST_USER_SETTINGS: Record<string, unknown> = {
  'kmdf.docs.online': false,
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'git.enabled': false,
  'editor.minimap.enabled': false,
  'editor.fontSize': 14,
  'files.autoSave': 'off',
  'chat.commandCenter.enabled': false,
};

/** Fail with a message telling how to get the missing piece. */
export function requirePrepared(): void {
  const problems: string[] = [];
  if (!fs.existsSync(path.join(codeServerDir, 'prepared.json')))
    problems.push('code-server is not prepared: run `node scripts/editors/prepare-code-server.mjs`');
  if (!fs.existsSync(extensionVsix))
    problems.push(`${path.relative(repoRoot, extensionVsix)} is missing: run \`npm run package\``);
  if (!fs.existsSync(CHROMIUM)) problems.push(`${CHROMIUM} is missing: apt-get install chromium`);
  if (problems.length) throw new Error(problems.join('\n'));
}

/** Poll `probe` until it returns a truthy value; throw naming `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    const value = await probe();
    if (value) return value;
    if (Date.now() >= until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A code-server profile: user data, extensions and a workspace folder, all under `runDir/name`. */
export interface Profile {
  name: string;
  userDataDir: string;
  extensionsDir: string;
  workspace: string;
}

/**
 * Make a fresh profile named `name`: a copy of `fixture` as its workspace, the test settings, and the
 * given extensions installed with code-server's `--install-extension`.
 */
export function createProfile(
  name: string,
  fixture: string,
  vsixFiles: string[],
  settings: Record<string, unknown> = {},
): Profile {
  const base = path.join(runDir, name);
  fs.rmSync(base, { recursive: true, force: true });
  const profile: Profile = {
    name,
    userDataDir: path.join(base, 'user-data'),
    extensionsDir: path.join(base, 'extensions'),
    workspace: path.join(base, 'workspace', path.basename(fixture)),
  };
  fs.mkdirSync(path.join(profile.userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(profile.extensionsDir, { recursive: true });
  fs.cpSync(fixture, profile.workspace, { recursive: true });
  fs.writeFileSync(
    path.join(profile.userDataDir, 'User', 'settings.json'),
    `${JSON.stringify({ ...TEST_USER_SETTINGS, ...settings }, null, 2)}\n`,
  );
  const args = [
    codeServerEntry,
    '--user-data-dir',
    profile.userDataDir,
    '--extensions-dir',
    profile.extensionsDir,
    '--config',
    configFile(),
  ];
  for (const vsix of vsixFiles) args.push('--install-extension', vsix);
  const result = spawnSync(process.execPath, [...args, '--force'], {
    encoding: 'utf8',
    env: codeServerEnv({}),
    timeout: 120_000,
  });
  const output = `${result.stdout}${result.stderr}`;
  const installed = (output.match(/was successfully installed/g) ?? []).length;
  if (result.status !== 0 || installed !== vsixFiles.length) {
    throw new Error(
      `code-server --install-extension failed (exit ${result.status ?? result.signal}, ${installed}/${vsixFiles.length} installed):\n${output}`,
    );
  }
  return profile;
}

/** An empty config file, so code-server neither reads nor writes ~/.config/code-server. */
function configFile(): string {
  const file = path.join(runDir, 'config.yaml');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(runDir, { recursive: true });
    fs.writeFileSync(file, 'auth: none\n');
  }
  return file;
}

function codeServerEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(runDir, 'xdg-config'),
    XDG_DATA_HOME: path.join(runDir, 'xdg-data'),
    KMDF_REPO_ROOT: repoRoot,
    KMDF_SHARED_DIR: sharedDir,
    ...extra,
  };
  // Variables of a surrounding VS Code or test run would confuse the server's extension host.
  for (const key of Object.keys(env)) if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') delete env[key];
  return env;
}

/** A running code-server. */
export class CodeServer {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly profile: Profile,
    private readonly logFile: string,
  ) {
    const append = (chunk: Buffer) => {
      this.output += chunk.toString();
      fs.appendFileSync(this.logFile, chunk);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
  }

  /** Start code-server on a free loopback port for `profile`; resolves when it answers /healthz. */
  static async start(profile: Profile, env: Record<string, string> = {}): Promise<CodeServer> {
    requirePrepared();
    const port = await freePort();
    fs.mkdirSync(artifactsDir, { recursive: true });
    const logFile = path.join(artifactsDir, `${profile.name}-code-server.log`);
    fs.writeFileSync(logFile, '');
    const child = spawn(
      process.execPath,
      [
        codeServerEntry,
        '--config',
        configFile(),
        '--auth',
        'none',
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--user-data-dir',
        profile.userDataDir,
        '--extensions-dir',
        profile.extensionsDir,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--ignore-last-opened',
        profile.workspace,
      ],
      { env: codeServerEnv(env), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const server = new CodeServer(child, port, profile, logFile);
    let exited: string | undefined;
    child.once('exit', (code, signal) => (exited = `code-server exited (${code ?? signal})`));
    await waitFor(
      `code-server to listen on 127.0.0.1:${port}`,
      async () => {
        if (exited) throw new Error(`${exited}:\n${server.output}`);
        try {
          return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
        } catch {
          return false;
        }
      },
      60_000,
    );
    return server;
  }

  /** The workbench URL with the profile's workspace open. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(this.profile.workspace)}`;
  }

  /** What code-server printed so far. */
  get log(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** Debian's Chromium, headless, with the flags that keep it off the network. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Open the workbench in a new page and wait until its editor area is there. */
export async function openWorkbench(
  browser: Browser,
  server: CodeServer,
  viewport = { width: 1400, height: 860 },
): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.goto(server.url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await page.waitForSelector('.monaco-workbench .part.editor', { timeout: 60_000 });
  return page;
}
