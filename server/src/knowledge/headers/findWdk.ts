/**
 * Finding an installed WDK's WDF header folders: `<root>\Include\wdf\kmdf\<version>` and
 * `<root>\Include\wdf\umdf\<version>`, newest version first. The file system and environment are
 * injectable so the search is testable on any platform.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface WdkFrameworkFolder {
  /** Folder name, e.g. "1.33". */
  version: string;
  /** The folder holding wdf.h, wdfio.h, … */
  includeDir: string;
}

export interface WdkLocation {
  /** The kit root, e.g. "C:\Program Files (x86)\Windows Kits\10". */
  root: string;
  kmdf?: WdkFrameworkFolder;
  umdf?: WdkFrameworkFolder;
}

export interface FindWdkOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  exists?: (p: string) => boolean;
  /** Entry names of a folder; [] when it cannot be read. */
  readdir?: (p: string) => string[];
}

const VERSION = /^\d+(\.\d+)*$/;

/** Compare dotted versions numerically: 1.9 < 1.15 < 1.33. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Look for the WDK. `KMDF_INC_PATH` / `UMDF_INC_PATH` (a version folder, or the folder holding the
 * version folders) win; then the kit roots from `WDKContentRoot`, `WindowsSdkDir`,
 * `%ProgramFiles(x86)%\Windows Kits\10`, `%ProgramFiles%\Windows Kits\10` and, on Windows, the
 * default `C:\Program Files (x86)\Windows Kits\10`. The first root with a KMDF or UMDF folder
 * that holds wdf.h is returned, with the newest such version of each; undefined if none.
 */
export function findWdk(options: FindWdkOptions = {}): WdkLocation | undefined {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const p = platform === 'win32' ? path.win32 : path.posix;
  const exists = options.exists ?? fs.existsSync;
  const readdir = options.readdir ?? defaultReaddir;
  const get = (name: string) => envValue(env, name);

  const newest = (frameworkDir: string): WdkFrameworkFolder | undefined => {
    const versions = readdir(frameworkDir)
      .filter((v) => VERSION.test(v))
      .sort((a, b) => compareVersions(b, a));
    for (const version of versions) {
      const includeDir = p.join(frameworkDir, version);
      if (exists(p.join(includeDir, 'wdf.h'))) return { version, includeDir };
    }
    return undefined;
  };

  // Explicit include paths (as set in a WDK build environment).
  const explicit = (value: string | undefined): WdkFrameworkFolder | undefined => {
    if (!value) return undefined;
    const dir = value.replace(/[\\/]+$/, '');
    if (exists(p.join(dir, 'wdf.h'))) {
      const base = p.basename(dir);
      return { version: VERSION.test(base) ? base : '', includeDir: dir };
    }
    return newest(dir);
  };
  const kmdfExplicit = explicit(get('KMDF_INC_PATH'));
  const umdfExplicit = explicit(get('UMDF_INC_PATH'));
  if (kmdfExplicit || umdfExplicit) {
    const someDir = (kmdfExplicit ?? umdfExplicit)!.includeDir;
    const include = /^(.*?)[\\/]include[\\/]/i.exec(someDir);
    return {
      root: include ? include[1] : someDir,
      ...(kmdfExplicit ? { kmdf: kmdfExplicit } : {}),
      ...(umdfExplicit ? { umdf: umdfExplicit } : {}),
    };
  }

  const roots: string[] = [];
  const addRoot = (r: string | undefined) => {
    if (!r) return;
    const clean = r.replace(/[\\/]+$/, '');
    if (clean && !roots.some((x) => x.toLowerCase() === clean.toLowerCase())) roots.push(clean);
  };
  addRoot(get('WDKContentRoot'));
  addRoot(get('WindowsSdkDir'));
  const x86 = get('ProgramFiles(x86)');
  if (x86) addRoot(p.join(x86, 'Windows Kits', '10'));
  const pf = get('ProgramFiles');
  if (pf) addRoot(p.join(pf, 'Windows Kits', '10'));
  if (platform === 'win32') addRoot('C:\\Program Files (x86)\\Windows Kits\\10');

  for (const root of roots) {
    const kmdf = newest(p.join(root, 'Include', 'wdf', 'kmdf'));
    const umdf = newest(p.join(root, 'Include', 'wdf', 'umdf'));
    if (kmdf || umdf) return { root, ...(kmdf ? { kmdf } : {}), ...(umdf ? { umdf } : {}) };
  }
  return undefined;
}

/** Environment variables are case-insensitive on Windows; an injected env may not be. */
function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  if (env[name]) return env[name];
  const key = Object.keys(env).find((k) => k.toLowerCase() === name.toLowerCase());
  return key ? env[key] || undefined : undefined;
}

function defaultReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
