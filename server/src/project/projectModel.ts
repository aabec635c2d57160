/**
 * The driver projects of a tree, as the compiler and the linker see them. One model serves the
 * server and `kmdf lint` alike:
 *
 * - a build project (`.vcxproj`, WDK `sources`) owns the sources it compiles (`ClCompile` items,
 *   `SOURCES`), wherever they lie (DMF's projects sit in `Dmf/Solution/*`, their sources in
 *   `Dmf/Modules.Library`); a project that lists none owns the files of its folder;
 * - it also sees every header those sources include, found as the compiler finds them (beside the
 *   including file, beside the compiled source, then the include path); a header several projects
 *   include belongs to each;
 * - it links the static libraries it references (`ProjectReference`) or names (`AdditionalDependencies`
 *   `X.lib` that another project of the tree builds), and the libraries those link: their files join
 *   the project's call graph, but are checked in their own project;
 * - a file no build project claims belongs to the nearest folder above it with a project file or a
 *   `.kmdf.json` (to that project, or to a project of the folder), else to the loose files of its folder.
 *
 * Definitions for the conditional-compilation prepass are what every configuration of every project
 * that compiles a file agrees on; names they disagree on stay unknown, so both branches are read.
 * Nothing here analyses C: files are known by path with their `#include` lines (includes.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isProjectFileName, isWorldWritable, projectFilesUnder, searchFolders } from './folders';
import { IncludeResolver, KnownFiles, type IncludeDirective } from './includes';
import { findProjectConfig, PROJECT_CONFIG_FILE, type LoadedProjectConfig } from './projectConfig';
import { readProjectFile, type ProjectFile } from './projectFile';
import { findProjectFile, resolveTarget, type ProjectTargetFacts, type Target, type TargetSettings } from './target';

/** What makes a set of files a project. */
export type ProjectKind = 'vcxproj' | 'sources' | 'folder' | 'loose';

export interface DriverProject {
  /** The project file; for a folder project its `.kmdf.json` (or unreadable project file); for loose files their folder. */
  id: string;
  kind: ProjectKind;
  /** The folder of the project file, or of the loose files. */
  root: string;
  /** The build project's facts (`vcxproj` and `sources` kinds). */
  build?: ProjectFile;
  /** The files it compiles or owns, sorted. */
  sources: string[];
  /** Headers it includes (or lists) that are not among its sources, sorted. */
  headers: string[];
  /** Static library projects it links, directly or through another library, nearest first. */
  libraries: DriverProject[];
  /** How each of its sources and headers came to belong to it, for `kmdf lint --explain`. */
  why: ReadonlyMap<string, string>;
}

/** The input: every known file (absolute path) with its include lines. */
export interface ProjectModelInput {
  files: ReadonlyMap<string, readonly IncludeDirective[]>;
  /** Folders searched downwards for project files (the paths given to `kmdf lint`, the workspace folders). */
  roots: readonly string[];
  /** Where the upward search for a file's project files ends (its workspace folder); undefined: the file-system root. */
  stopAt: (file: string) => string | undefined;
  /** Files read for context only (headers included from outside the folders): never among a project's checked files. */
  contextOnly?: ReadonlySet<string>;
}

/** Target layers above and below the project's own facts (see target.ts). */
export interface TargetLayers {
  overrides?: TargetSettings;
  settings?: TargetSettings;
}

/** Definitions by name: the replacement text, or `null` for a macro known not to be defined. */
export type DefineTable = ReadonlyMap<string, string | null>;

const SOURCE_FILE = /\.(c|cc|cpp|cxx)$/i;

/** Past this nesting of includes a closure stops (a cycle the `seen` set missed through case, or a generated maze). */
const MAX_INCLUDE_DEPTH = 32;

/** Headers of the kit and the compiler: the index knows what matters in them, and they are large. */
const KIT_HEADER =
  /^(ntddk|wdm|ntifs|ntddkbd|ntddmou|ntstrsafe|wdf|wdfcx|ntintsafe|ntverp|windows|winioctl|initguid|devguid|wdmguid|usb|usbdi|usbdlib|wdfusb|hidport|hidclass|ntdef|ntstatus|sal|specstrings|driverspecs|stdlib|stdio|string|stddef|stdarg|stdint|wchar|intrin|ucx\/[\w./]+|ude\/[\w./]+|wdf\/[\w./]+)\.h$/i;

/**
 * A build project's shared definitions plus those its toolset and the WDK's build rules make without
 * the project naming them. A KMDF driver is built by the kernel-mode toolset, which compiles with
 * /kernel, and /kernel predefines `_KERNEL_MODE` as 1
 * (https://learn.microsoft.com/cpp/build/reference/kernel-create-kernel-mode-binary); a UMDF driver is
 * built without it. The Driver Model Settings (KMDF/UMDF Version Major and Minor,
 * https://learn.microsoft.com/windows-hardware/drivers/develop/driver-model-settings-properties-for-driver-projects)
 * reach the compiler as the macros of the same names: shipped WDF libraries test
 * `defined(UMDF_VERSION_MAJOR)` to tell a UMDF build while their projects set only the property.
 * So the framework's own major (and the minor, when the project writes one every configuration
 * agrees on) is defined, and the other framework's major is known not to be. A definition the
 * project writes itself wins.
 */
function withToolsetDefines(project: DriverProject): DefineTable {
  const own = project.build?.defines.shared ?? new Map<string, string>();
  const framework = project.build?.target.framework;
  if (!project.build || !framework) return own;
  const toolset = new Map<string, string | null>();
  const version = framework === 'KMDF' ? project.build.target.kmdfVersion : project.build.target.umdfVersion;
  const [major, minor] = version?.split('.') ?? [];
  const [mine, other] = framework === 'KMDF' ? ['KMDF', 'UMDF'] : ['UMDF', 'KMDF'];
  toolset.set('_KERNEL_MODE', framework === 'KMDF' ? '1' : null);
  if (major) toolset.set(`${mine}_VERSION_MAJOR`, major);
  if (minor && !project.build.target.versionDefaulted && agreedVersion(project.build, framework))
    toolset.set(`${mine}_VERSION_MINOR`, minor);
  toolset.set(`${other}_VERSION_MAJOR`, null);
  return new Map([...toolset, ...own]);
}

/** Whether every configuration of the framework names the same version (the target is the newest otherwise). */
function agreedVersion(build: ProjectFile, framework: 'KMDF' | 'UMDF'): boolean {
  const minors = build.configurations
    .filter((c) => (c.driverType?.toUpperCase() ?? framework) === framework)
    .map((c) => (framework === 'KMDF' ? `${c.kmdfMajor}.${c.kmdfMinor}` : `${c.umdfMajor}.${c.umdfMinor}`));
  return new Set(minors).size <= 1;
}

function isRegularFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export class ProjectModel {
  private readonly byFile = new Map<string, DriverProject[]>();
  private readonly projectList: DriverProject[];
  private readonly problemList: string[] = [];
  private readonly configs = new Map<string, LoadedProjectConfig | undefined>();
  private readonly targets = new Map<string, Target>();
  private readonly fileDefines = new Map<string, DefineTable>();
  private readonly nearestBuild = new Map<string, ProjectTargetFacts | undefined>();
  private readonly checked = new Map<DriverProject, string[]>();
  private readonly closures = new Map<string, string[]>();
  private includeResolver?: IncludeResolver;

  /** The project files read, with the stamp they were read at (to tell when the model is stale). */
  readonly projectFiles: ReadonlyMap<string, string>;

  constructor(private readonly input: ProjectModelInput) {
    const built = build(input, this.problemList);
    this.projectList = built.projects;
    this.projectFiles = built.stamps;
    // Projects that compile a file come before those that include it.
    for (const pick of [(p: DriverProject) => p.sources, (p: DriverProject) => p.headers])
      for (const project of this.projectList) {
        for (const file of pick(project)) {
          const list = this.byFile.get(file);
          if (list) list.push(project);
          else this.byFile.set(file, [project]);
        }
      }
  }

  /** Every project, sorted by id. */
  projects(): readonly DriverProject[] {
    return this.projectList;
  }

  /** The projects a known file belongs to (owning ones first, then those that include it), empty for an unknown file. */
  projectsOf(file: string): readonly DriverProject[] {
    return this.byFile.get(path.resolve(file)) ?? [];
  }

  /**
   * The files a project's rules run on: its sources, and its headers but those a library it links
   * includes too (a library's headers are checked in the library, as its sources are: DMF's drivers all
   * include the framework's hundred headers, which the framework's own projects already check).
   */
  checkedFiles(project: DriverProject): string[] {
    let checked = this.checked.get(project);
    if (!checked) {
      const inLibraries = new Set(project.libraries.flatMap((l) => [...l.sources, ...l.headers]));
      const contextOnly = this.input.contextOnly;
      checked = [...project.sources, ...project.headers.filter((h) => !inLibraries.has(h))].filter(
        (f) => !contextOnly?.has(f),
      );
      this.checked.set(project, checked);
    }
    return checked;
  }

  /** The files of a project's call graph: its own and the headers it includes, then those of each library it links. */
  contextFiles(project: DriverProject): string[] {
    const out = new Set([...project.sources, ...project.headers]);
    for (const library of project.libraries) for (const f of [...library.sources, ...library.headers]) out.add(f);
    return [...out];
  }

  /**
   * The definitions a file is analysed with: those every configuration of every build project that
   * owns or includes it agrees on (a file in a folder or loose project has none).
   */
  definesFor(file: string): DefineTable {
    const full = path.resolve(file);
    let defines = this.fileDefines.get(full);
    if (!defines) {
      const projects = this.projectsOf(full);
      const tables = projects.map((p) => withToolsetDefines(p));
      const shared = new Map<string, string | null>();
      if (tables.length)
        for (const [name, value] of tables[0]) if (tables.every((t) => t.get(name) === value)) shared.set(name, value);
      this.fileDefines.set(full, (defines = shared));
    }
    return defines;
  }

  /** The nearest `.kmdf.json` above a file (its rule severities and target), within the file's search folders. */
  configFor(file: string): LoadedProjectConfig | undefined {
    const dir = path.dirname(path.resolve(file));
    if (!this.configs.has(dir)) {
      const config = findProjectConfig(dir, this.input.stopAt(path.resolve(file)));
      this.configs.set(dir, config);
      for (const p of config?.problems ?? []) if (!this.problemList.includes(p)) this.problemList.push(p);
    }
    return this.configs.get(dir);
  }

  /**
   * The target a file is checked with inside a project: command-line overrides, the file's
   * `.kmdf.json`, the project's build facts (a folder or loose project, or none: the nearest build project
   * above the file), the settings, else the newest KMDF.
   */
  targetFor(project: DriverProject | undefined, file: string, layers: TargetLayers = {}): Target {
    const full = path.resolve(file);
    const key = `${project?.id ?? ''}\u0000${path.dirname(full)}`;
    let target = this.targets.get(key);
    if (!target) {
      const config = this.configFor(full);
      const facts = project?.build ? { file: project.build.file, ...project.build.target } : this.buildAbove(full);
      target = resolveTarget({
        ...(layers.overrides ? { overrides: layers.overrides } : {}),
        ...(config ? { config: { file: config.file, target: config.config.target } } : {}),
        ...(facts ? { project: facts } : {}),
        ...(layers.settings ? { settings: layers.settings } : {}),
      });
      this.targets.set(key, target);
    }
    return target;
  }

  /** Read `.kmdf.json` files again when next asked (they are not part of the model's stamps). */
  forgetConfigs(): void {
    this.configs.clear();
    this.targets.clear();
    this.nearestBuild.clear();
  }

  /**
   * The known headers a file includes, directly or through other headers, in the order the compiler
   * meets them (each once), found as its first project finds them (see IncludeResolver).
   */
  includeClosure(file: string): readonly string[] {
    const full = path.resolve(file);
    let closure = this.closures.get(full);
    if (!closure) {
      const includePath = this.projectsOf(full)[0]?.build?.includeDirs ?? [];
      const resolver = this.resolver();
      const seen = new Set<string>([full]);
      closure = [];
      const visit = (includer: string, depth: number) => {
        if (depth > MAX_INCLUDE_DEPTH) return;
        for (const include of this.input.files.get(includer) ?? []) {
          const found = resolver.resolve(include, includer, full, includePath);
          if (!found || seen.has(found.file)) continue;
          seen.add(found.file);
          closure!.push(found.file);
          visit(found.file, depth + 1);
        }
      };
      visit(full, 0);
      this.closures.set(full, closure);
    }
    return closure;
  }

  /**
   * Headers on disk that the known files include but that are not known themselves: outside the
   * folders given (a shared `inc` folder beside the driver, reached through the project's include path
   * or a relative `#include "../inc/x.h"`). The kit's own headers are not among them (the index has them).
   */
  includedOutside(): string[] {
    const resolver = this.resolver();
    const out = new Set<string>();
    for (const [file, includes] of this.input.files) {
      const includer = path.resolve(file);
      const includePath = this.projectsOf(includer)[0]?.build?.includeDirs ?? [];
      for (const include of includes) {
        if (KIT_HEADER.test(include.name) || resolver.resolve(include, includer, includer, includePath)) continue;
        const name = include.name.replace(/\\/g, '/');
        const candidates = path.isAbsolute(name)
          ? [name]
          : [
              ...(include.quoted ? [path.join(path.dirname(includer), name)] : []),
              ...includePath.map((d) => path.join(d, name)),
            ];
        const hit = candidates.find(isRegularFile);
        // A header in a world-writable folder could be anyone's (as for project files, folders.ts).
        if (hit && !/[\\/]Windows Kits[\\/]/i.test(hit) && !isWorldWritable(path.dirname(hit)))
          out.add(path.resolve(hit));
      }
    }
    return [...out].sort();
  }

  /** Where includes lead among the model's files (made when first asked; the files never change). */
  private resolver(): IncludeResolver {
    return (this.includeResolver ??= new IncludeResolver(new KnownFiles([...this.input.files.keys()])));
  }

  /** Problems with project files and `.kmdf.json` files met so far (malformed, not regular files), one line each. */
  problems(): readonly string[] {
    return this.problemList;
  }

  private buildAbove(file: string): ProjectTargetFacts | undefined {
    const dir = path.dirname(file);
    if (!this.nearestBuild.has(dir)) {
      const found = findProjectFile(dir, this.input.stopAt(file));
      this.nearestBuild.set(dir, found ? { file: found.project.file, ...found.project.target } : undefined);
    }
    return this.nearestBuild.get(dir);
  }
}

/**
 * The target of one file, read as the model reads it (its projects, its `.kmdf.json`, the layers given),
 * for a question about a single file; `stopAt` ends the upward search (the workspace folder).
 */
export function targetForFile(
  filePath: string,
  options: { overrides?: TargetSettings; settings?: TargetSettings; stopAt?: string } = {},
): Target {
  const file = path.resolve(filePath);
  const model = new ProjectModel({ files: new Map([[file, []]]), roots: [], stopAt: () => options.stopAt });
  return model.targetFor(model.projectsOf(file)[0], file, options);
}

/** Whether a model built earlier still describes the project files on disk (same files, same stamps). */
export function projectFilesChanged(model: ProjectModel): boolean {
  for (const [file, stamp] of model.projectFiles) if (stampOf(file) !== stamp) return true;
  return false;
}

function stampOf(file: string): string {
  try {
    const s = fs.statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}:${s.mode}`;
  } catch {
    return 'missing';
  }
}

// --- Building the model -------------------------------------------------------------------------

interface Draft {
  project: DriverProject;
  sources: Set<string>;
  headers: Set<string>;
  why: Map<string, string>;
}

function build(
  input: ProjectModelInput,
  problems: string[],
): { projects: DriverProject[]; stamps: Map<string, string> } {
  const files = [...input.files.keys()].map((f) => path.resolve(f)).sort();
  const known = new KnownFiles(files);
  const resolver = new IncludeResolver(known);
  const listings = new Map<string, string[]>();
  const listDir = (dir: string): string[] => {
    let names = listings.get(dir);
    if (!names) {
      try {
        names = fs.readdirSync(dir).sort();
      } catch {
        names = [];
      }
      listings.set(dir, names);
    }
    return names;
  };

  // Project files: under the roots, and in every folder above a file up to where its search ends.
  const projectFiles = new Set(projectFilesUnder(input.roots));
  const searchOf = new Map<string, string[]>();
  const foldersAbove = (file: string): string[] => {
    const dir = path.dirname(file);
    let folders = searchOf.get(dir);
    if (!folders) searchOf.set(dir, (folders = searchFolders(dir, input.stopAt(file))));
    return folders;
  };
  for (const file of files)
    for (const folder of foldersAbove(file))
      for (const name of listDir(folder)) if (isProjectFileName(name)) projectFiles.add(path.join(folder, name));

  const drafts = new Map<string, Draft>();
  const stamps = new Map<string, string>();
  const unreadable = new Set<string>();
  for (const file of [...projectFiles].sort()) {
    const facts = readProjectFile(file);
    stamps.set(file, stampOf(file));
    if (facts.skipped) {
      problems.push(`${file}: ${facts.skipped}`);
      unreadable.add(file);
      continue;
    }
    problems.push(...facts.problems);
    drafts.set(file.toLowerCase(), draft(file, facts.kind, path.dirname(file), facts));
  }
  const buildDrafts = [...drafts.values()];

  const claimed = new Set<string>();
  const claim = (d: Draft, file: string, why: string, asHeader = false) => {
    if (d.sources.has(file) || d.headers.has(file)) return;
    (asHeader ? d.headers : d.sources).add(file);
    d.why.set(file, why);
    claimed.add(file);
  };

  // 1. What each build project compiles and lists.
  for (const d of buildDrafts) {
    const facts = d.project.build!;
    const listed = path.basename(facts.file);
    for (const item of facts.compileItems) {
      const file = known.get(item);
      if (file)
        claim(
          d,
          file,
          facts.kind === 'vcxproj' ? `compiled by ${listed} (ClCompile)` : `listed in SOURCES of ${facts.file}`,
        );
    }
    for (const item of facts.headerItems) {
      const file = known.get(item);
      if (file) claim(d, file, `listed by ${listed} (ClInclude)`, true);
    }
  }

  // 2. Sources no project lists: the nearest folder above with a project file or a .kmdf.json.
  const folderProjects = new Map<string, Draft>();
  const nearest = (file: string): Draft => {
    for (const folder of foldersAbove(file)) {
      const names = listDir(folder);
      const vcxproj = names.filter((n) => n.toLowerCase().endsWith('.vcxproj'));
      const candidates = [...vcxproj, ...names.filter((n) => n.toLowerCase() === 'sources')];
      for (const name of candidates) {
        const d = drafts.get(path.join(folder, name).toLowerCase());
        if (d) return d;
      }
      const marker =
        candidates.find((n) => unreadable.has(path.join(folder, n))) ?? names.find((n) => n === PROJECT_CONFIG_FILE);
      if (marker) return folderDraft(path.join(folder, marker), folder, 'folder');
    }
    const dir = path.dirname(file);
    return folderDraft(dir, dir, 'loose');
  };
  const folderDraft = (id: string, root: string, kind: 'folder' | 'loose'): Draft => {
    let d = folderProjects.get(id);
    if (!d) folderProjects.set(id, (d = draft(id, kind, root)));
    return d;
  };
  const placeUnclaimed = (file: string) => {
    const d = nearest(file);
    const where = path.relative(d.project.root, file) || path.basename(file);
    const why =
      d.project.kind === 'loose'
        ? 'a loose file: no project lists it and no folder above it holds a project file'
        : `no project lists it; ${where} is in the folder of ${d.project.id}`;
    claim(d, file, why);
  };
  for (const file of files) if (!claimed.has(file) && SOURCE_FILE.test(file)) placeUnclaimed(file);

  // 3. The headers each build project's sources include, and the headers those include.
  for (const d of buildDrafts) {
    const includePath = d.project.build!.includeDirs;
    const queue: { file: string; source: string }[] = [...d.sources].map((f) => ({ file: f, source: f }));
    queue.push(...[...d.headers].map((f) => ({ file: f, source: f })));
    for (let i = 0; i < queue.length; i++) {
      const { file, source } = queue[i];
      for (const include of input.files.get(file) ?? []) {
        const found = resolver.resolve(include, file, source, includePath);
        if (!found || d.sources.has(found.file) || d.headers.has(found.file)) continue;
        claim(d, found.file, `included by ${file} (found in ${found.via})`, true);
        queue.push({ file: found.file, source });
      }
    }
  }

  // 4. Headers nobody includes: the nearest project folder, as for sources.
  for (const file of files) if (!claimed.has(file)) placeUnclaimed(file);

  // 5. Libraries: referenced projects and named .lib files that a static-library project of the tree builds.
  const byLibrary = new Map<string, Draft[]>();
  for (const d of buildDrafts) {
    const name = d.project.build!.libraryName;
    if (!name) continue;
    const list = byLibrary.get(name);
    if (list) list.push(d);
    else byLibrary.set(name, [d]);
  }
  const directLibraries = (d: Draft): Draft[] => {
    const facts = d.project.build!;
    const out: Draft[] = [];
    for (const ref of facts.projectReferences) {
      const target = drafts.get(path.resolve(ref).toLowerCase());
      if (target?.project.build?.libraryName) out.push(target);
    }
    for (const lib of facts.libraries) for (const target of byLibrary.get(lib.toLowerCase()) ?? []) out.push(target);
    return out.filter((t, i) => t !== d && out.indexOf(t) === i);
  };
  for (const d of buildDrafts) {
    const seen = new Set<Draft>([d]);
    const queue = directLibraries(d);
    for (let i = 0; i < queue.length; i++) {
      const lib = queue[i];
      if (seen.has(lib)) continue;
      seen.add(lib);
      d.project.libraries.push(lib.project);
      queue.push(...directLibraries(lib));
    }
  }

  const all = [...buildDrafts, ...folderProjects.values()].filter((d) => d.sources.size || d.headers.size);
  for (const d of all) {
    d.project.sources = [...d.sources].sort();
    d.project.headers = [...d.headers].sort();
  }
  // Libraries with no file among those known add nothing to a call graph.
  for (const d of all) d.project.libraries = d.project.libraries.filter((l) => l.sources.length || l.headers.length);
  const projects = all.map((d) => d.project).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { projects, stamps };
}

function draft(id: string, kind: ProjectKind, root: string, facts?: ProjectFile): Draft {
  const why = new Map<string, string>();
  return {
    project: { id, kind, root, ...(facts ? { build: facts } : {}), sources: [], headers: [], libraries: [], why },
    sources: new Set(),
    headers: new Set(),
    why,
  };
}
