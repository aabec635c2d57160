/**
 * The facts of a driver's build project, read the way the build reads them: a `.vcxproj` (MSBuild,
 * evaluated per configuration, see msbuild.ts) or a WDK `sources` file. What every configuration
 * agrees on is kept apart from what differs, so the analysis can use what all configurations share.
 *
 * Files are read only when they are regular files of at most 4 MB (checked before and after opening,
 * and opened non-blocking), so a FIFO or a device named `x.vcxproj` never blocks the server.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  evaluateProject,
  parseMsbuildXml,
  resolveAgainst,
  unresolvedMacros,
  type EvaluatedConfiguration,
  type MsbuildDocument,
} from './msbuild';
import { defaultVersion, type Framework } from './versions';
import { lookupTable } from '../util/lookupTable';

export const MAX_PROJECT_FILE_BYTES = 4 * 1024 * 1024;

/** What the build produces (MSBuild `ConfigurationType`; a `sources` TARGETTYPE is mapped onto it). */
export type ConfigurationType = 'Driver' | 'StaticLibrary' | 'DynamicLibrary' | 'Application' | 'Utility' | 'Makefile';
const CONFIGURATION_TYPES: readonly ConfigurationType[] = [
  'Driver',
  'StaticLibrary',
  'DynamicLibrary',
  'Application',
  'Utility',
  'Makefile',
];

/** The facts of one build configuration. */
export interface ConfigurationFacts {
  /** "Debug|x64"; "" for a `sources` file or a project that declares no configurations. */
  name: string;
  /** `DriverType` (KMDF, UMDF, WDM, ...), as written. */
  driverType?: string;
  /** `TargetVersion` (the Windows version: Windows10, Windows7, ...), as written. */
  targetVersion?: string;
  configurationType?: ConfigurationType;
  kmdfMajor?: string;
  kmdfMinor?: string;
  umdfMajor?: string;
  umdfMinor?: string;
  /** Preprocessor definitions, name to value (a bare `NAME` is `1`, as for the compiler's `/D`). */
  defines: Map<string, string>;
  /** Absolute include folders, in order. */
  includeDirs: string[];
  /** Libraries linked (file names such as `ntstrsafe.lib`), in order. */
  libraries: string[];
}

/** What a build project says about the target; any part may be missing. */
export interface ProjectTarget {
  framework?: Framework;
  kmdfVersion?: string;
  umdfVersion?: string;
  /** Why the version is what it is, when the project did not spell it out ("KMDF 1.x, minor not set: ..."). */
  reason?: string;
  /** The version is a default (the project sets no minor version): settings may still name another. */
  versionDefaulted?: boolean;
}

export interface ProjectFile {
  /** Absolute path. */
  file: string;
  kind: 'vcxproj' | 'sources';
  /** Set when the file was not read at all ("skipped: not a regular file"); nothing else is then known. */
  skipped?: string;
  /** What was wrong with the file (malformed XML); the facts that could be read are still given. */
  problems: string[];
  /** What was left out or approximated (unknown macros, conditions not understood, imports not read). */
  notes: string[];
  configurations: ConfigurationFacts[];
  /** The ConfigurationType all configurations share (undefined when they differ or none is set). */
  configurationType?: ConfigurationType;
  target: ProjectTarget;
  /** Definitions with the same value in every configuration, and the names the configurations disagree on. */
  defines: { shared: Map<string, string>; differing: string[] };
  /** Include folders of any configuration, in order of first appearance. */
  includeDirs: string[];
  /** Referenced projects (absolute paths of `.vcxproj` files), in order. */
  projectReferences: string[];
  /**
   * The sources the compiler is given (absolute paths): `.vcxproj` `ClCompile` items of any
   * configuration, `sources` SOURCES. Empty when the project lists none (then its folder is its extent).
   */
  compileItems: string[];
  /** Headers the project lists (`.vcxproj` `ClInclude` items), absolute paths. */
  headerItems: string[];
  /** The file name of what it builds when it is a static library (`$(TargetName).lib`, lower case), else undefined. */
  libraryName?: string;
  /** Libraries linked by any configuration, in order of first appearance. */
  libraries: string[];
  /** Imported MSBuild files: read (inside the tree) or not (toolset files such as `$(VCTargetsPath)\...`). */
  imports: { file: string; read: boolean; reason?: string }[];
}

// --- Reading files safely -----------------------------------------------------------------------

/** Read a file only when it is a regular file of at most `maxBytes`; never blocks on a FIFO or device. */
export function readRegularFile(
  file: string,
  maxBytes = MAX_PROJECT_FILE_BYTES,
): { text: string } | { skipped: string } {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
    if (stat.isSymbolicLink()) stat = fs.statSync(file);
  } catch (error) {
    return {
      skipped: `skipped: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    };
  }
  const check = (s: fs.Stats) =>
    !s.isFile()
      ? 'skipped: not a regular file'
      : s.size > maxBytes
        ? `skipped: larger than ${Math.round(maxBytes / 1024 / 1024)} MB (${(s.size / 1024 / 1024).toFixed(1)} MB)`
        : undefined;
  const before = check(stat);
  if (before) return { skipped: before };
  let fd: number | undefined;
  try {
    // Non-blocking, so a file swapped for a FIFO between the stat and the open cannot hang us; fstat tells.
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    const after = check(fs.fstatSync(fd));
    if (after) return { skipped: after };
    return { text: decode(fs.readFileSync(fd)) };
  } catch (error) {
    return { skipped: `skipped: ${(error as Error).message}` };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** UTF-8 (with or without a byte-order mark) or UTF-16 with a byte-order mark, as Visual Studio writes. */
function decode(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  return bytes.toString('utf8').replace(/^\uFEFF/, '');
}

// --- The entry point ------------------------------------------------------------------------------

const cache = new Map<string, { key: string; result: ProjectFile }>();
const CACHE_LIMIT = 128;

/** What kind of project file a name is, if any. */
export function projectFileKind(file: string): ProjectFile['kind'] | undefined {
  const base = path.basename(file).toLowerCase();
  return base.endsWith('.vcxproj') ? 'vcxproj' : base === 'sources' ? 'sources' : undefined;
}

/**
 * The facts of a `.vcxproj` or `sources` file. Never throws: a file that cannot be read comes back
 * with `skipped`, malformed content with `problems`. Results are cached per path while the file's
 * size and modification time stay the same.
 */
export function readProjectFile(file: string): ProjectFile {
  const full = path.resolve(file);
  const kind = projectFileKind(full) ?? 'vcxproj';
  let stamp: string;
  try {
    const s = fs.statSync(full);
    stamp = `${s.ino}:${s.size}:${s.mtimeMs}:${s.mode}`;
  } catch {
    stamp = 'missing';
  }
  const hit = cache.get(full);
  if (hit && hit.key === stamp) return hit.result;
  const read = readRegularFile(full);
  const result =
    'skipped' in read
      ? emptyProject(full, kind, read.skipped)
      : kind === 'sources'
        ? parseSourcesText(read.text, full)
        : parseVcxprojText(read.text, full);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(full, { key: stamp, result });
  return result;
}

function emptyProject(file: string, kind: ProjectFile['kind'], skipped?: string): ProjectFile {
  return {
    file,
    kind,
    ...(skipped ? { skipped } : {}),
    problems: [],
    notes: [],
    configurations: [],
    target: {},
    defines: { shared: new Map(), differing: [] },
    includeDirs: [],
    projectReferences: [],
    compileItems: [],
    headerItems: [],
    libraries: [],
    imports: [],
  };
}

// --- .vcxproj -------------------------------------------------------------------------------------

/** The nearest folder at or above `dir` holding a `.sln` file, else `dir`: how `$(SolutionDir)` is approximated. */
function approximateSolutionDir(dir: string): string {
  for (let current = dir; ;) {
    try {
      if (fs.readdirSync(current).some((n) => /\.sln$/i.test(n))) return current;
    } catch {
      // An unreadable folder: keep going up.
    }
    const parent = path.dirname(current);
    if (parent === current) return dir;
    current = parent;
  }
}

/** Facts from the text of a `.vcxproj` at `file` (imports are read from beside it). */
export function parseVcxprojText(text: string, file: string): ProjectFile {
  const result = emptyProject(file, 'vcxproj');
  const parsed = parseMsbuildXml(text);
  if ('error' in parsed) {
    result.problems.push(`${file}: ${parsed.error}`);
    return result;
  }
  const projectDir = path.dirname(file);
  let solutionDirNoted = false;
  const evaluation = evaluateProject(
    { file, root: parsed.root },
    {
      solutionDir: () => {
        const dir = approximateSolutionDir(projectDir);
        if (!solutionDirNoted)
          result.notes.push(`$(SolutionDir) taken as ${dir} (the nearest folder with a .sln file)`);
        solutionDirNoted = true;
        return dir;
      },
      readImport: (importFile): MsbuildDocument | { skipped: string } => {
        const read = readRegularFile(importFile);
        if ('skipped' in read) return read;
        const doc = parseMsbuildXml(read.text);
        if ('error' in doc) {
          result.problems.push(`${importFile}: ${doc.error}`);
          return { skipped: 'not well-formed XML' };
        }
        return { file: importFile, root: doc.root };
      },
    },
  );
  result.notes.push(...evaluation.notes);
  result.imports = evaluation.imports;
  const unread = evaluation.imports.filter((i) => !i.read);
  if (unread.length) result.notes.push(`imports not read: ${unread.map((i) => `${i.file} (${i.reason})`).join(', ')}`);
  const notes = new Set<string>();
  result.configurations = evaluation.configurations.map((c) => configurationFacts(c, projectDir, notes));
  const references = new Set<string>();
  for (const c of evaluation.configurations) {
    for (const ref of c.projectReferences) {
      if (unresolvedMacros(ref).length)
        notes.add(`project reference ${ref} dropped: unknown macro ${unresolvedMacros(ref).join(', ')}`);
      else references.add(resolveAgainst(projectDir, ref));
    }
  }
  result.projectReferences = [...references];
  result.compileItems = itemPaths(
    evaluation.configurations.flatMap((c) => c.compileItems),
    projectDir,
    'source',
    notes,
  );
  result.headerItems = itemPaths(
    evaluation.configurations.flatMap((c) => c.headerItems),
    projectDir,
    'header',
    notes,
  );
  result.notes.push(...notes);
  summarize(result, 'toolset');
  if (result.configurationType === 'StaticLibrary') {
    // `TargetName` defaults to the project's file name; a value we cannot expand falls back to it too.
    const names = new Set(
      evaluation.configurations.map((c) => {
        const name = c.properties.get('TargetName')?.trim();
        return name && !unresolvedMacros(name).length ? name : path.basename(file).replace(/\.vcxproj$/i, '');
      }),
    );
    if (names.size > 1) result.notes.push(`configurations build different libraries: ${[...names].join(', ')}`);
    result.libraryName = `${[...names][0]}.lib`.toLowerCase();
  }
  return result;
}

function configurationFacts(c: EvaluatedConfiguration, projectDir: string, notes: Set<string>): ConfigurationFacts {
  const prop = (name: string) => {
    const v = c.properties.get(name)?.trim();
    return v ? v : undefined;
  };
  const meta = (name: string) => c.metadata.get(name.toLowerCase()) ?? '';
  const type = prop('ConfigurationType');
  const configurationType = CONFIGURATION_TYPES.find((t) => t.toLowerCase() === type?.toLowerCase());
  if (type && !configurationType) notes.add(`ConfigurationType ${type} is not one we know`);
  const defines = parseDefineList(meta('ClCompile.PreprocessorDefinitions'), notes);
  const includeDirs = includeList(meta('ClCompile.AdditionalIncludeDirectories').split(';'), projectDir, notes);
  const libraries = libraryNames(
    [...meta('Link.AdditionalDependencies').split(';'), ...meta('Lib.AdditionalDependencies').split(';')],
    notes,
  );
  return {
    name: c.name,
    ...optional({
      driverType: prop('DriverType'),
      targetVersion: prop('TargetVersion'),
      configurationType,
      kmdfMajor: prop('KMDF_VERSION_MAJOR'),
      kmdfMinor: prop('KMDF_VERSION_MINOR'),
      umdfMajor: prop('UMDF_VERSION_MAJOR'),
      umdfMinor: prop('UMDF_VERSION_MINOR'),
    }),
    defines,
    includeDirs,
    libraries,
  };
}

function optional<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `NAME;NAME=value;...` (MSBuild) into a map; a leftover `%(...)` or an unknown macro in a name is dropped. */
function parseDefineList(list: string, notes: Set<string>): Map<string, string> {
  const defines = new Map<string, string>();
  for (const raw of list.split(';')) addDefine(defines, raw.trim(), notes);
  return defines;
}

function addDefine(defines: Map<string, string>, spec: string, notes: Set<string>): void {
  if (!spec || /^%\(/.test(spec)) return;
  const eq = spec.search(/[=#]/);
  const name = (eq < 0 ? spec : spec.slice(0, eq)).trim();
  if (!/^[A-Za-z_]\w*(\(.*\))?$/.test(name)) {
    notes.add(
      `definition ${spec} dropped: ${unresolvedMacros(name).length ? `unknown macro ${unresolvedMacros(name).join(', ')}` : 'not a macro name'}`,
    );
    return;
  }
  defines.set(name, eq < 0 ? '1' : spec.slice(eq + 1));
}

function includeList(entries: string[], baseDir: string, notes: Set<string>): string[] {
  const out: string[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (!entry || /^%\(/.test(entry)) continue;
    const macros = unresolvedMacros(entry);
    if (macros.length) {
      notes.add(`include folder ${entry} dropped: unknown macro ${macros.join(', ')}`);
      continue;
    }
    const dir = matchCase(resolveAgainst(baseDir, entry));
    if (!out.includes(dir)) out.push(dir);
  }
  return out;
}

/** Item paths (`..\\Modules\\x.c`) resolved against the project folder, without duplicates; wildcards are not expanded. */
function itemPaths(items: string[], baseDir: string, what: string, notes: Set<string>): string[] {
  const out = new Set<string>();
  for (const item of items) {
    if (unresolvedMacros(item).length) {
      notes.add(`${what} ${item} dropped: unknown macro ${unresolvedMacros(item).join(', ')}`);
      continue;
    }
    if (/[*?]/.test(item)) {
      notes.add(`${what} ${item} dropped: wildcards are not expanded`);
      continue;
    }
    out.add(matchCase(resolveAgainst(baseDir, item)));
  }
  return [...out];
}

function libraryNames(entries: string[], notes: Set<string>): string[] {
  const out: string[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (!entry || /^%\(/.test(entry)) continue;
    // `$(DDK_LIB_PATH)wdmsec.lib`: the folder macro says where, the rest is the library's name.
    const name = (
      entry
        .replace(/^"(.*)"$/, '$1')
        .split(/[\\/]/)
        .pop() ?? ''
    ).replace(/^(\$\([^)]*\))+/, '');
    if (!name || unresolvedMacros(name).length || !/\.lib$/i.test(name)) {
      if (!name || unresolvedMacros(name).length)
        notes.add(`library ${entry} dropped: unknown macro ${unresolvedMacros(name).join(', ')}`);
      continue;
    }
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/**
 * Windows paths ignore case, so `..\DMF\Framework` names the folder `Dmf/Framework`; on other systems
 * find the folder whose name matches but for case. A path that matches nothing is returned as given.
 */
function matchCase(p: string): string {
  if (process.platform === 'win32' || !path.isAbsolute(p) || fs.existsSync(p)) return p;
  const parts = p.split(path.sep).filter(Boolean);
  let current = path.parse(p).root;
  for (const part of parts) {
    const exact = path.join(current, part);
    if (fs.existsSync(exact)) {
      current = exact;
      continue;
    }
    let names: string[];
    try {
      names = fs.readdirSync(current);
    } catch {
      return p;
    }
    const match = names.find((n) => n.toLowerCase() === part.toLowerCase());
    if (!match) return p;
    current = path.join(current, match);
  }
  return current;
}

// --- sources ---------------------------------------------------------------------------------------

/** What a `sources` SOURCES list names that the compiler reads (not `.rc` or `.mc` files). */
const SOURCE_NAME = /\.(c|cc|cpp|cxx)$/i;

const TARGET_TYPES: Readonly<Record<string, ConfigurationType>> = lookupTable({
  DRIVER: 'Driver',
  EXPORT_DRIVER: 'Driver',
  MINIPORT: 'Driver',
  LIBRARY: 'StaticLibrary',
  DRIVER_LIBRARY: 'StaticLibrary',
  DYNLINK: 'DynamicLibrary',
  PROGRAM: 'Application',
  UMAPPL: 'Application',
});

/**
 * Facts from a WDK `sources` file (nmake macro syntax): `NAME = value` lines, `\` continuations,
 * `#` comments, `$(NAME)` references to earlier macros. `!if` blocks are read as if every branch applied.
 */
export function parseSourcesText(text: string, file: string): ProjectFile {
  const result = emptyProject(file, 'sources');
  const macros = new Map<string, string>();
  const notes = new Set<string>();
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  let sawDirective = false;
  for (const raw of lines) {
    const line = raw.replace(/(^|[^^])#.*$/, '$1').trim();
    if (!line) continue;
    if (line.startsWith('!')) {
      sawDirective = true;
      continue;
    }
    const m = /^([A-Za-z_][\w]*)\s*=(.*)$/.exec(line);
    if (!m) continue;
    const target = m[1].toUpperCase();
    // `C_DEFINES = $(C_DEFINES) ...` extends a macro the build environment may have set: empty here.
    const value = m[2]
      .trim()
      .replace(
        /\$\(([A-Za-z_]\w*)\)/g,
        (whole, name: string) => macros.get(name.toUpperCase()) ?? (name.toUpperCase() === target ? '' : whole),
      );
    macros.set(target, value);
  }
  if (sawDirective) notes.add('!if blocks read as if every branch applied');
  const get = (name: string) => macros.get(name)?.trim() || undefined;
  const defines = new Map<string, string>();
  for (const token of (get('C_DEFINES') ?? '').split(/\s+/)) {
    const d = /^[-/]D(.*)$/.exec(token);
    if (d) addDefine(defines, d[1], notes);
  }
  const targetType = get('TARGETTYPE');
  const configurationType = targetType ? TARGET_TYPES[targetType.toUpperCase()] : undefined;
  if (targetType && !configurationType) notes.add(`TARGETTYPE ${targetType} is not one we know`);
  const kmdfMajor = get('KMDF_VERSION_MAJOR');
  const umdfMajor = get('UMDF_VERSION_MAJOR');
  // A sources file has no DriverType: the version macros say which framework, a DLL target says user mode.
  const driverType =
    umdfMajor && (!kmdfMajor || configurationType === 'DynamicLibrary')
      ? 'UMDF'
      : kmdfMajor
        ? 'KMDF'
        : configurationType === 'DynamicLibrary'
          ? 'UMDF'
          : undefined;
  result.configurations = [
    {
      name: '',
      ...optional({
        driverType,
        configurationType,
        kmdfMajor,
        kmdfMinor: get('KMDF_VERSION_MINOR'),
        umdfMajor,
        umdfMinor: get('UMDF_VERSION_MINOR'),
      }),
      defines,
      includeDirs: includeList((get('INCLUDES') ?? '').split(/;/), path.dirname(file), notes),
      libraries: libraryNames((get('TARGETLIBS') ?? '').split(/\s+/), notes),
    },
  ];
  result.compileItems = itemPaths(
    (get('SOURCES') ?? '').split(/\s+/).filter((n) => SOURCE_NAME.test(n)),
    path.dirname(file),
    'source',
    notes,
  );
  result.notes.push(...notes);
  summarize(result, 'build');
  if (configurationType === 'StaticLibrary' && get('TARGETNAME'))
    result.libraryName = `${get('TARGETNAME')}.lib`.toLowerCase();
  return result;
}

// --- Summaries ------------------------------------------------------------------------------------

/** Fill the project-wide facts from the configurations. */
function summarize(result: ProjectFile, builder: string): void {
  const configs = result.configurations;
  const all = <T>(pick: (c: ConfigurationFacts) => T[]) => [...new Set(configs.flatMap(pick))];
  result.includeDirs = all((c) => c.includeDirs);
  result.libraries = all((c) => c.libraries);
  result.defines = splitDefines(configs);
  const types = new Set(configs.map((c) => c.configurationType));
  if (types.size === 1) {
    const [only] = types;
    if (only) result.configurationType = only;
  } else if (types.size > 1) {
    result.notes.push(`configurations differ in ConfigurationType: ${[...types].map((t) => t ?? '(none)').join(', ')}`);
  }
  result.target = targetOf(configs, builder);
}

/** Definitions every configuration has with one value, and the names they disagree on (sorted). */
export function splitDefines(configs: readonly { defines: Map<string, string> }[]): {
  shared: Map<string, string>;
  differing: string[];
} {
  const shared = new Map<string, string>();
  const differing = new Set<string>();
  if (!configs.length) return { shared, differing: [] };
  const names = new Set(configs.flatMap((c) => [...c.defines.keys()]));
  for (const name of names) {
    const values = configs.map((c) => c.defines.get(name));
    if (values.every((v) => v !== undefined && v === values[0])) shared.set(name, values[0]!);
    else differing.add(name);
  }
  return { shared, differing: [...differing].sort() };
}

/** One configuration's framework and version (with the reason, when defaulted). */
function configTarget(
  c: ConfigurationFacts,
  builder: string,
): { framework?: Framework; version?: string; reason?: string } {
  const numeric = (v?: string) => (v && /^\d+$/.test(v) ? v : undefined);
  const kmdfMajor = numeric(c.kmdfMajor);
  const umdfMajor = numeric(c.umdfMajor);
  const type = c.driverType?.toUpperCase();
  const framework: Framework | undefined =
    type === 'KMDF' || type === 'UMDF'
      ? type
      : type
        ? undefined
        : umdfMajor && !kmdfMajor
          ? 'UMDF'
          : kmdfMajor && !umdfMajor
            ? 'KMDF'
            : undefined;
  if (!framework) return {};
  const major = framework === 'KMDF' ? kmdfMajor : umdfMajor;
  const minor = numeric(framework === 'KMDF' ? c.kmdfMinor : c.umdfMinor);
  if (major && minor) return { framework, version: `${major}.${minor}` };
  const d = defaultVersion(framework, major, c.targetVersion, builder);
  return { framework, version: d.version, reason: d.reason };
}

const compare = (a: string, b: string) => {
  const [a1, a2] = a.split('.').map(Number);
  const [b1, b2] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
};

/**
 * The target across configurations. Configurations of WDM or no framework are left out. When the
 * others disagree on the version, the newest is used, so a finding about versions holds for every
 * configuration; the reason then lists them.
 */
function targetOf(configs: ConfigurationFacts[], builder: string): ProjectTarget {
  const targets = configs.map((c) => ({ name: c.name, ...configTarget(c, builder) })).filter((t) => t.framework);
  if (!targets.length) {
    // No framework anywhere; an explicit version still says something (a lone UMDF version means UMDF).
    return {};
  }
  const counts = new Map<Framework, number>();
  for (const t of targets) counts.set(t.framework!, (counts.get(t.framework!) ?? 0) + 1);
  const framework = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
  const mine = targets.filter((t) => t.framework === framework);
  const newest = mine.reduce((best, t) => (compare(t.version!, best.version!) > 0 ? t : best));
  const versions = [...new Set(mine.map((t) => t.version!))];
  const key = framework === 'KMDF' ? 'kmdfVersion' : 'umdfVersion';
  const reasons: string[] = [];
  if (counts.size > 1)
    reasons.push(
      `configurations differ in DriverType (${[...counts.keys()].join(', ')}), ${framework} is the most common`,
    );
  if (versions.length > 1) {
    const byVersion = versions.sort(compare).map(
      (v) =>
        `${framework} ${v}: ${mine
          .filter((t) => t.version === v)
          .map((t) => t.name || '(default)')
          .join(', ')}`,
    );
    reasons.push(`configurations differ (${byVersion.join('; ')}), the newest is used`);
  }
  if (newest.reason) reasons.push(newest.reason);
  return {
    framework,
    [key]: newest.version,
    ...(reasons.length ? { reason: reasons.join('; ') } : {}),
    ...(newest.reason ? { versionDefaulted: true } : {}),
  };
}
