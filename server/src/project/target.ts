/**
 * Which framework and version a driver targets. In order: explicit overrides (CLI flags), the
 * project's `.kmdf.json`, the build project (`.vcxproj` KMDF_VERSION_MAJOR/MINOR, UMDF_VERSION_MAJOR/MINOR,
 * DriverType; or a WDK `sources` file), the editor settings, else the newest KMDF.
 * The explicit `.kmdf.json` wins over the build project because it is where a user corrects a
 * detection that went wrong.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Target } from '../rules/types';
import { ancestors, findProjectConfig, type ProjectConfig } from './projectConfig';

/** The newest versions the embedded facts describe (KMDF 1.33, UMDF 2.33 headers). */
export const NEWEST_KMDF = '1.33';
export const NEWEST_UMDF = '2.33';

/** What a build project says; any part may be missing. */
export interface ProjectTargetFacts {
  framework?: 'KMDF' | 'UMDF';
  kmdfVersion?: string;
  umdfVersion?: string;
  /** The project file the facts come from. */
  file: string;
}

/** Facts from the text of a `.vcxproj` (the first value of each property wins; configurations rarely differ). */
export function parseVcxproj(text: string, file: string): ProjectTargetFacts {
  const prop = (name: string) => new RegExp(`<${name}(?:\\s[^>]*)?>\\s*([^<]*?)\\s*</${name}>`, 'i').exec(text)?.[1];
  return factsFrom(
    {
      driverType: prop('DriverType'),
      kmdfMajor: prop('KMDF_VERSION_MAJOR'),
      kmdfMinor: prop('KMDF_VERSION_MINOR'),
      umdfMajor: prop('UMDF_VERSION_MAJOR'),
      umdfMinor: prop('UMDF_VERSION_MINOR'),
    },
    file,
  );
}

/** Facts from a WDK `sources` file (`KMDF_VERSION_MAJOR=1`, `UMDF_VERSION_MAJOR=2`, `TARGETTYPE=…`). */
export function parseSourcesFile(text: string, file: string): ProjectTargetFacts {
  const value = (name: string) => new RegExp(`^[ \\t]*${name}[ \\t]*=[ \\t]*(\\S*)`, 'mi').exec(text)?.[1];
  const umdfMajor = value('UMDF_VERSION_MAJOR');
  const kmdfMajor = value('KMDF_VERSION_MAJOR');
  const targetType = value('TARGETTYPE');
  return factsFrom(
    {
      // A sources file has no DriverType; a UMDF version or a DLL target says user mode.
      driverType: umdfMajor && !kmdfMajor ? 'UMDF' : kmdfMajor ? 'KMDF' : targetType && /^DYNLINK$/i.test(targetType) ? 'UMDF' : undefined,
      kmdfMajor,
      kmdfMinor: value('KMDF_VERSION_MINOR'),
      umdfMajor,
      umdfMinor: value('UMDF_VERSION_MINOR'),
    },
    file,
  );
}

function factsFrom(
  raw: { driverType?: string; kmdfMajor?: string; kmdfMinor?: string; umdfMajor?: string; umdfMinor?: string },
  file: string,
): ProjectTargetFacts {
  const version = (major?: string, minor?: string) => (major && /^\d+$/.test(major) ? `${major}.${minor && /^\d+$/.test(minor) ? minor : '0'}` : undefined);
  const kmdfVersion = version(raw.kmdfMajor, raw.kmdfMinor);
  const umdfVersion = version(raw.umdfMajor, raw.umdfMinor);
  let framework: ProjectTargetFacts['framework'];
  const type = raw.driverType?.toUpperCase();
  if (type === 'KMDF' || type === 'UMDF') framework = type;
  else if (umdfVersion && !kmdfVersion) framework = 'UMDF';
  else if (kmdfVersion && !umdfVersion) framework = 'KMDF';
  return {
    file,
    ...(framework ? { framework } : {}),
    ...(kmdfVersion ? { kmdfVersion } : {}),
    ...(umdfVersion ? { umdfVersion } : {}),
  };
}

/** The build project nearest to `dir` (a `.vcxproj`, else a `sources` file), searching upwards. */
export function findProjectFacts(dir: string, stopAt?: string): ProjectTargetFacts | undefined {
  for (const folder of ancestors(dir, stopAt)) {
    let names: string[];
    try {
      names = fs.readdirSync(folder);
    } catch {
      continue;
    }
    const vcxproj = names.filter((n) => /\.vcxproj$/i.test(n)).sort()[0];
    const read = (name: string) => {
      try {
        return fs.readFileSync(path.join(folder, name), 'utf8');
      } catch {
        return undefined;
      }
    };
    if (vcxproj) {
      const text = read(vcxproj);
      if (text !== undefined) return parseVcxproj(text, path.join(folder, vcxproj));
    }
    const sources = names.find((n) => n.toLowerCase() === 'sources');
    if (sources) {
      const text = read(sources);
      if (text !== undefined) return parseSourcesFile(text, path.join(folder, sources));
    }
  }
  return undefined;
}

/** Target facts from settings or flags (the same shape as `kmdf.target.*`). */
export interface TargetSettings {
  framework?: 'auto' | 'KMDF' | 'UMDF';
  kmdfVersion?: string;
  umdfVersion?: string;
}

export interface ResolveTargetOptions {
  /** CLI flags (`--kmdf-version`, `--umdf-version`): win over everything. */
  overrides?: TargetSettings;
  /** The project's `.kmdf.json` target, if any (with the file it came from). */
  config?: { file: string; target?: ProjectConfig['target'] };
  project?: ProjectTargetFacts;
  /** Editor settings (`kmdf.target.*`). */
  settings?: TargetSettings;
}

/**
 * Combine the sources of target facts. Each layer fills only what the layers above it left open; the
 * `source` names the layer that decided the framework (or the version, when the framework is implied).
 */
export function resolveTarget(options: ResolveTargetOptions): Target {
  const layers: { source: string; facts: TargetSettings }[] = [];
  if (options.overrides) layers.push({ source: 'command line', facts: options.overrides });
  if (options.config?.target) layers.push({ source: options.config.file, facts: options.config.target });
  if (options.project) layers.push({ source: options.project.file, facts: options.project });
  if (options.settings) layers.push({ source: 'settings', facts: options.settings });
  let framework: 'KMDF' | 'UMDF' | undefined;
  let kmdfVersion: string | undefined;
  let umdfVersion: string | undefined;
  let source: string | undefined;
  for (const { source: from, facts } of layers) {
    const fw = facts.framework === 'KMDF' || facts.framework === 'UMDF' ? facts.framework : undefined;
    const kv = facts.kmdfVersion || undefined;
    const uv = facts.umdfVersion || undefined;
    if (!framework && fw) {
      framework = fw;
      source ??= from;
    }
    if (!kmdfVersion && kv) {
      kmdfVersion = kv;
      source ??= from;
    }
    if (!umdfVersion && uv) {
      umdfVersion = uv;
      source ??= from;
    }
  }
  // A version alone implies the framework: a UMDF version with no KMDF version is a UMDF driver.
  framework ??= umdfVersion && !kmdfVersion ? 'UMDF' : 'KMDF';
  if (framework === 'KMDF') kmdfVersion ??= NEWEST_KMDF;
  else umdfVersion ??= NEWEST_UMDF;
  return {
    framework,
    ...(framework === 'KMDF' ? { kmdfVersion } : {}),
    ...(framework === 'UMDF' ? { umdfVersion } : {}),
    source: source ?? 'default',
  };
}

/**
 * The target of the file at `filePath`: nearest `.kmdf.json` and build project above it, over the
 * given settings and overrides. Results are cached per folder by the caller when it lints many files.
 */
export function targetForFile(filePath: string, options: { overrides?: TargetSettings; settings?: TargetSettings; stopAt?: string } = {}): Target {
  const dir = path.dirname(path.resolve(filePath));
  const config = findProjectConfig(dir, options.stopAt);
  return resolveTarget({
    ...(options.overrides ? { overrides: options.overrides } : {}),
    ...(config ? { config: { file: config.file, target: config.config.target } } : {}),
    ...(() => {
      const project = findProjectFacts(dir, options.stopAt);
      return project ? { project } : {};
    })(),
    ...(options.settings ? { settings: options.settings } : {}),
  });
}

/** Compare "1.15" and "1.9" numerically: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}
