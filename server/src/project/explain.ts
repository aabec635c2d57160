/**
 * `kmdf lint --explain FILE`: what the analysis of one file is based on, read from the same project
 * model `kmdf lint` and the server use — the projects the file belongs to and why, the target and why,
 * the include path, the libraries linked, the definitions the configurations share (which the file is
 * analysed with) and those they disagree on. Nothing here prints.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanIncludes, type IncludeDirective } from './includes';
import { ProjectModel, type DriverProject } from './projectModel';
import type { ProjectFile } from './projectFile';
import type { Target, TargetSettings } from './target';

/** One project a file belongs to. */
export interface ProjectMembership {
  /** The project file; for a folder project its `.kmdf.json`; for loose files their folder. */
  file: string;
  kind: DriverProject['kind'];
  /** Why the file belongs to it ("compiled by X.vcxproj (ClCompile)", "included by a.c (found in …)"). */
  why: string;
}

/** The JSON shape of `kmdf lint --explain FILE --format json`. */
export interface FileExplanation {
  file: string;
  /** The folders read for projects and sources (the paths given, else the solution folder above the file). */
  tree: string[];
  /** The build project whose facts apply (the first project that compiles or includes the file), or null. */
  project:
    | (ProjectMembership & {
        configurationType: string | null;
        configurations: string[];
      })
    | null;
  /** Every project the file belongs to, the one above first; a shared header belongs to each that includes it. */
  projects: ProjectMembership[];
  /** The nearest `.kmdf.json`, with its problems, or null. */
  config: { file: string; problems: string[] } | null;
  target: Target;
  includePath: string[];
  projectReferences: string[];
  /** Libraries named in the link (`AdditionalDependencies`, `TARGETLIBS`). */
  libraries: string[];
  /** Static-library projects of the tree linked in (their functions join the call graph), nearest first. */
  linkedProjects: string[];
  defines: { shared: Record<string, string>; differing: string[] };
  /**
   * What the file is analysed with: the definitions every project it belongs to shares, its toolset's
   * among them; `null` for a macro known not to be defined.
   */
  analysedWith: Record<string, string | null>;
  importsRead: string[];
  problems: string[];
  notes: string[];
}

const SOURCE_FILE = /\.(c|h|cc|cpp|cxx|hh|hpp|hxx|inl|ipp)$/i;
const SKIP = new Set(['node_modules', '.git', '.svn', '.hg', '.vs', '.vscode-test']);
const MAX_TREE_FILES = 50_000;

/** The tree for a file when none is given: the nearest folder above it with a `.sln`, else the file's folder. */
export function defaultTree(file: string): string {
  const dir = path.dirname(path.resolve(file));
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

/** The C/C++ files under the folders with their include lines (read as `kmdf lint` reads them, without analysing). */
function readTree(roots: readonly string[], file: string): Map<string, IncludeDirective[]> {
  const files = new Map<string, IncludeDirective[]>();
  const add = (f: string) => {
    try {
      const stat = fs.statSync(f);
      if (!stat.isFile() || stat.size > 2 * 1024 * 1024) return;
      files.set(path.resolve(f), scanIncludes(fs.readFileSync(f, 'utf8')));
    } catch {
      // Unreadable: not part of the tree.
    }
  };
  const visit = (dir: string, depth: number) => {
    if (depth > 24 || files.size >= MAX_TREE_FILES) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP.has(e.name)) visit(full, depth + 1);
      } else if (e.isFile() && SOURCE_FILE.test(e.name)) add(full);
    }
  };
  for (const root of roots) {
    let isDir = false;
    try {
      isDir = fs.statSync(root).isDirectory();
    } catch {
      // Missing: nothing to read.
    }
    if (isDir) visit(path.resolve(root), 0);
    else add(root);
  }
  add(file);
  return files;
}

export function explainFile(
  filePath: string,
  options: { overrides?: TargetSettings; settings?: TargetSettings; tree?: readonly string[] } = {},
): FileExplanation {
  const file = path.resolve(filePath);
  const tree = options.tree?.length ? options.tree.map((t) => path.resolve(t)) : [defaultTree(file)];
  const model = new ProjectModel({
    files: readTree(tree, file),
    roots: tree.filter((t) => {
      try {
        return fs.statSync(t).isDirectory();
      } catch {
        return false;
      }
    }),
    stopAt: () => undefined,
  });
  const projects = model.projectsOf(file);
  const primary = projects[0];
  const config = model.configFor(file);
  const target = model.targetFor(primary, file, options);
  const build: ProjectFile | undefined = primary?.build;
  const membership = (p: DriverProject): ProjectMembership => ({
    file: p.id,
    kind: p.kind,
    why: p.why.get(file) ?? '',
  });
  const problems = model.problems().filter((p) => !config?.problems.includes(p));
  return {
    file,
    tree,
    project: primary
      ? {
          ...membership(primary),
          configurationType: build?.configurationType ?? null,
          configurations: build?.configurations.map((c) => c.name).filter(Boolean) ?? [],
        }
      : null,
    projects: projects.map(membership),
    config: config ? { file: config.file, problems: config.problems } : null,
    target,
    includePath: build?.includeDirs ?? [],
    projectReferences: build?.projectReferences ?? [],
    libraries: build?.libraries ?? [],
    linkedProjects: primary?.libraries.map((l) => l.id) ?? [],
    defines: { shared: Object.fromEntries(build?.defines.shared ?? []), differing: build?.defines.differing ?? [] },
    analysedWith: Object.fromEntries(model.definesFor(file)),
    importsRead: build?.imports.filter((i) => i.read).map((i) => i.file) ?? [],
    problems: [...problems],
    notes: build?.notes ?? [],
  };
}

/** The explanation as text, one fact per line, lists indented below their heading. */
export function formatExplanation(e: FileExplanation): string {
  const lines: string[] = [`file: ${e.file}`];
  const list = (heading: string, items: string[], none = 'none') => {
    if (!items.length) lines.push(`${heading}: ${none}`);
    else {
      lines.push(`${heading}:`);
      for (const item of items) lines.push(`  ${item}`);
    }
  };
  const defines = (table: Record<string, string | null>) =>
    Object.entries(table).map(([name, value]) =>
      value === null ? `(${name} not defined)` : value === '1' ? name : `${name}=${value}`,
    );
  if (e.project) {
    lines.push(`project: ${e.project.file} (${e.project.why})`);
    if (e.project.kind === 'vcxproj' || e.project.kind === 'sources') {
      const n = e.project.configurations.length;
      lines.push(
        `  type: ${e.project.configurationType ?? 'not set'}; ${n ? `${n} configuration${n === 1 ? '' : 's'}: ${e.project.configurations.join(', ')}` : 'one configuration'}`,
      );
    }
    for (const other of e.projects.slice(1)) lines.push(`also in: ${other.file} (${other.why})`);
  } else {
    lines.push('project: none (no project compiles or includes the file)');
  }
  lines.push(`.kmdf.json: ${e.config ? e.config.file : 'none'}`);
  for (const p of e.config?.problems ?? []) lines.push(`  problem: ${p}`);
  const version = e.target.framework === 'KMDF' ? e.target.kmdfVersion : e.target.umdfVersion;
  lines.push(`target: ${e.target.framework} ${version} (from ${e.target.source})`);
  list('include path', e.includePath);
  list('project references', e.projectReferences);
  lines.push(`libraries: ${e.libraries.length ? e.libraries.join(', ') : 'none'}`);
  list('linked library projects (their functions join the call graph)', e.linkedProjects);
  const shared = defines(e.defines.shared);
  lines.push(`defines shared by all configurations: ${shared.length ? shared.join(' ') : 'none'}`);
  lines.push(
    `defines the configurations disagree on (analysed with what configurations share): ${e.defines.differing.length ? e.defines.differing.join(' ') : 'none'}`,
  );
  const mine = defines(e.analysedWith);
  const whose =
    e.projects.length > 1
      ? `defines all ${e.projects.length} projects share, with their toolsets'`
      : "defines with the toolset's";
  lines.push(`${whose} (the file is analysed with these): ${mine.length ? mine.join(' ') : 'none'}`);
  if (e.importsRead.length) list('imports read', e.importsRead);
  for (const p of e.problems) lines.push(`problem: ${p}`);
  if (e.notes.length) list('notes', e.notes);
  return lines.join('\n') + '\n';
}
