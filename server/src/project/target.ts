/**
 * Which framework and version a driver targets. In order: explicit overrides (CLI flags), the
 * project's `.kmdf.json`, the build project (`.vcxproj` KMDF_VERSION_MAJOR/MINOR, UMDF_VERSION_MAJOR/MINOR,
 * DriverType; or a WDK `sources` file), the editor settings, else the newest KMDF.
 * The explicit `.kmdf.json` wins over the build project because it is where a user corrects a
 * detection that went wrong.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { searchFolders } from './folders';
import {
  projectFileKind,
  readProjectFile,
  parseSourcesText,
  parseVcxprojText,
  type ProjectFile,
  type ProjectTarget,
} from './projectFile';
import type { ProjectConfig } from './projectConfig';
import { NEWEST_KMDF, NEWEST_UMDF } from './versions';

export { NEWEST_KMDF, NEWEST_UMDF } from './versions';

/** The driver's target, from the project file, else settings, else newest. */
export interface Target {
  framework: 'KMDF' | 'UMDF';
  /** "1.33" */
  kmdfVersion?: string;
  umdfVersion?: string;
  /** Where the target came from: ".vcxproj path", "sources path", "settings", "default". */
  source: string;
  /** Set when the version is one the project file only implies (it names no minor version). */
  defaulted?: boolean;
}

/** What a build project says about the target, and the project file it comes from; any part may be missing. */
export interface ProjectTargetFacts extends ProjectTarget {
  /** The project file the facts come from. */
  file: string;
}

function factsOf(project: ProjectFile): ProjectTargetFacts {
  return { file: project.file, ...project.target };
}

/** Target facts from the text of a `.vcxproj`, evaluated per configuration (see projectFile.ts). */
export function parseVcxproj(text: string, file: string): ProjectTargetFacts {
  return factsOf(parseVcxprojText(text, file));
}

/** Target facts from a WDK `sources` file (`KMDF_VERSION_MAJOR=1`, `UMDF_VERSION_MAJOR=2`, `TARGETTYPE=...`). */
export function parseSourcesFile(text: string, file: string): ProjectTargetFacts {
  return factsOf(parseSourcesText(text, file));
}

/**
 * The build project nearest to `dir`, searching upwards: in each folder the first readable `.vcxproj`
 * (by name), else a `sources` file. Files that are skipped (not regular, too large) do not count.
 * `why` says how it was found, for `kmdf lint --explain`; `onSkip` hears of each file passed over.
 */
export function findProjectFile(
  dir: string,
  stopAt?: string,
  onSkip?: (file: string, reason: string) => void,
): { project: ProjectFile; why: string } | undefined {
  const start = path.resolve(dir);
  for (const folder of searchFolders(start, stopAt)) {
    let names: string[];
    try {
      names = fs.readdirSync(folder);
    } catch {
      continue;
    }
    const candidates = [
      ...names.filter((n) => projectFileKind(n) === 'vcxproj').sort(),
      ...names.filter((n) => projectFileKind(n) === 'sources'),
    ];
    const skipped: string[] = [];
    for (const name of candidates) {
      const project = readProjectFile(path.join(folder, name));
      if (project.skipped) {
        skipped.push(`${name} ${project.skipped}`);
        onSkip?.(project.file, project.skipped);
        continue;
      }
      const where =
        folder === start
          ? "in the file's folder"
          : `${path.relative(folder, start).split(path.sep).length} folder(s) up`;
      const what = project.kind === 'vcxproj' ? 'the nearest .vcxproj' : 'the nearest sources file';
      return { project, why: `${what}, ${where}${skipped.length ? ` (${skipped.join('; ')})` : ''}` };
    }
  }
  return undefined;
}

/** The target facts of the build project nearest to `dir` (see `findProjectFile`). */
export function findProjectFacts(dir: string, stopAt?: string): ProjectTargetFacts | undefined {
  const found = findProjectFile(dir, stopAt);
  return found ? factsOf(found.project) : undefined;
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
 * Combine the sources of target facts. Each layer fills only what the layers above it left open. A
 * version the project only defaults (no minor version set) comes after the settings, which may name
 * another. `source` names the first layer that decided the framework or the version (with the
 * project's reason when the version is the project's default), else "default".
 */
export function resolveTarget(options: ResolveTargetOptions): Target {
  const layers: { source: string; origin: string; facts: TargetSettings }[] = [];
  const project = options.project;
  const projectSource = project ? (project.reason ? `${project.file}; ${project.reason}` : project.file) : '';
  if (options.overrides) layers.push({ source: 'command line', origin: 'command line', facts: options.overrides });
  if (options.config?.target)
    layers.push({ source: options.config.file, origin: options.config.file, facts: options.config.target });
  if (project) {
    const { kmdfVersion, umdfVersion, framework } = project;
    layers.push({
      source: project.versionDefaulted ? project.file : projectSource,
      origin: project.file,
      facts: project.versionDefaulted
        ? { ...(framework ? { framework } : {}) }
        : {
            ...(framework ? { framework } : {}),
            ...(kmdfVersion ? { kmdfVersion } : {}),
            ...(umdfVersion ? { umdfVersion } : {}),
          },
    });
  }
  if (options.settings) layers.push({ source: 'settings', origin: 'settings', facts: options.settings });
  const impliedLayer = project?.versionDefaulted
    ? {
        source: projectSource,
        origin: project.file,
        facts: {
          ...(project.kmdfVersion ? { kmdfVersion: project.kmdfVersion } : {}),
          ...(project.umdfVersion ? { umdfVersion: project.umdfVersion } : {}),
        },
      }
    : undefined;
  if (impliedLayer) layers.push(impliedLayer);
  let framework: { value: 'KMDF' | 'UMDF'; layer: (typeof layers)[number] } | undefined;
  let kmdf: { value: string; layer: (typeof layers)[number] } | undefined;
  let umdf: { value: string; layer: (typeof layers)[number] } | undefined;
  for (const layer of layers) {
    const { facts } = layer;
    const fw = facts.framework === 'KMDF' || facts.framework === 'UMDF' ? facts.framework : undefined;
    if (!framework && fw) framework = { value: fw, layer };
    if (!kmdf && facts.kmdfVersion) kmdf = { value: facts.kmdfVersion, layer };
    if (!umdf && facts.umdfVersion) umdf = { value: facts.umdfVersion, layer };
  }
  // A version alone implies the framework: a UMDF version with no KMDF version is a UMDF driver.
  const fw = framework?.value ?? (umdf && !kmdf ? 'UMDF' : 'KMDF');
  const version = fw === 'KMDF' ? kmdf : umdf;
  // The first layer that decided something; when the version came from that same origin (the
  // project's own default), its source, which carries the reason.
  const deciding = [framework?.layer, version?.layer]
    .filter((l) => l !== undefined)
    .sort((a, b) => layers.indexOf(a) - layers.indexOf(b))[0];
  const source = !deciding
    ? 'default'
    : version && deciding.origin === version.layer.origin
      ? version.layer.source
      : deciding.source;
  return {
    framework: fw,
    ...(fw === 'KMDF' ? { kmdfVersion: kmdf?.value ?? NEWEST_KMDF } : { umdfVersion: umdf?.value ?? NEWEST_UMDF }),
    source,
    ...(impliedLayer && version?.layer === impliedLayer ? { defaulted: true } : {}),
  };
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
