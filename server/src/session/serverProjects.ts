/**
 * The server's project state: the `#include` lines of every file it knows (open documents and the
 * scanned workspace), the project model built from them (project/projectModel.ts, the same as
 * `kmdf lint` builds), and the per-project workspaces. The model is rebuilt when a file's include
 * lines change, a project file on disk changes, or the workspace is scanned again; the upward search
 * for project files stops at the workspace folder holding a file.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MacroTable } from '../analysis/conditionals';
import type { MacroDefinitions } from '../analysis/macros';
import type { DocumentModel } from '../analysis/model';
import type { WorkspaceModel } from '../analysis/workspace';
import { containingFolder, isWorldWritable } from '../project/folders';
import { PROJECT_CONFIG_FILE } from '../project/projectConfig';
import { scanIncludes, type IncludeDirective } from '../project/includes';
import { ProjectModel, projectFilesChanged } from '../project/projectModel';
import type { Target, TargetSettings } from '../project/target';
import { HeaderMacros } from './headerMacros';
import { ProjectWorkspaces } from './projectWorkspaces';

const HEADER_FILE = /\.(h|hh|hpp|hxx|inl)$/i;

/**
 * Project files on disk are looked at again at most this often: every hover and completion asks for
 * the model, and looking is a stat of every project file (about 1 ms for the hundred projects of the
 * bench's tree). Clients that watch files tell the server at once (`invalidate`).
 */
const PROJECT_FILES_CHECK_MS = 500;

const sameIncludes = (a: readonly IncludeDirective[], b: readonly IncludeDirective[]) =>
  a.length === b.length && a.every((x, i) => x.name === b[i].name && x.quoted === b[i].quoted);

export class ServerProjects {
  private readonly includes = new Map<string, IncludeDirective[]>();
  /** Header texts (open or scanned), for the macros they give the files including them. */
  private readonly headerTexts = new Map<string, string>();
  private readonly headerMacros = new HeaderMacros((file) => this.headerTexts.get(file));
  /** Headers read from outside the workspace folders because a project includes them: context only. */
  private readonly outsideFiles = new Set<string>();
  private current?: ProjectModel;
  /** While a scan reads the workspace: the model stays as it is until the scan has read every file. */
  private held = false;
  private staleWhileHeld = false;
  /** When the current model's project files were last found unchanged (or the model built). */
  private projectFilesCheckedAt = 0;
  readonly workspaces: ProjectWorkspaces;

  constructor(
    /** Every model the server has (open documents over scanned files). */
    private readonly all: WorkspaceModel,
    /** The workspace folders. */
    private readonly folders: () => readonly string[],
    createWorkspace: () => WorkspaceModel,
  ) {
    this.workspaces = new ProjectWorkspaces(createWorkspace);
  }

  /** Record a file's text (its include lines); non-file documents have no project. */
  noteText(uri: string, text: string): void {
    if (!uri.startsWith('file:')) return;
    const file = path.resolve(fileURLToPath(uri));
    if (HEADER_FILE.test(file)) {
      this.headerTexts.set(file, text);
      this.headerMacros.changed(file);
    }
    const includes = scanIncludes(text);
    const before = this.includes.get(file);
    if (before && sameIncludes(before, includes)) return;
    this.includes.set(file, includes);
    this.stale();
  }

  /**
   * Keep the model as it is while many files are noted (a scan reading the workspace), so that a
   * request meanwhile does not rebuild it once per file read; `release` lets the next question rebuild it.
   */
  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    if (this.staleWhileHeld) this.current = undefined;
    this.staleWhileHeld = false;
  }

  private stale(): void {
    if (this.held && this.current) this.staleWhileHeld = true;
    else this.current = undefined;
  }

  /** A project file appeared, changed or went away on disk: build the model again on the next question. */
  invalidate(): void {
    this.current = undefined;
  }

  /** A file was deleted: it no longer counts for the projects. */
  forget(uri: string): void {
    if (!uri.startsWith('file:')) return;
    if (this.includes.delete(path.resolve(fileURLToPath(uri)))) this.stale();
  }

  /** The project model, rebuilt when stale. */
  model(): ProjectModel {
    const now = performance.now();
    if (this.current && now - this.projectFilesCheckedAt >= PROJECT_FILES_CHECK_MS) {
      this.projectFilesCheckedAt = now;
      if (projectFilesChanged(this.current)) this.current = undefined;
    }
    if (!this.current) {
      this.projectFilesCheckedAt = now;
      const folders = this.folders();
      this.current = new ProjectModel({
        files: this.includes,
        roots: folders,
        stopAt: (file) => containingFolder(file, folders),
        contextOnly: this.outsideFiles,
      });
      this.workspaces.retain(this.current);
    }
    return this.current;
  }

  /** `.kmdf.json` files are read again on the next question (each rules run: a user may have just edited one). */
  refreshConfigs(): void {
    this.current?.forgetConfigs();
  }

  /** The definitions a document is analysed with (see ProjectModel.definesFor). */
  definesFor(uri: string): MacroTable | undefined {
    if (!uri.startsWith('file:')) return undefined;
    const file = fileURLToPath(uri);
    if (!this.includes.has(path.resolve(file))) return undefined;
    return this.model().definesFor(file);
  }

  /** The macros a document gets from the headers it includes (see HeaderMacros). */
  macrosFor(uri: string): MacroDefinitions | undefined {
    if (!uri.startsWith('file:')) return undefined;
    const file = path.resolve(fileURLToPath(uri));
    if (!this.includes.has(file)) return undefined;
    return this.headerMacros.tableFor(this.model(), file);
  }

  /** Record a header read from outside the workspace folders (its findings are never published). */
  noteOutside(uri: string, text: string): void {
    this.outsideFiles.add(path.resolve(fileURLToPath(uri)));
    this.current = undefined;
    this.noteText(uri, text);
  }

  /** Whether a document is a header from outside the workspace folders, read for context only. */
  isOutside(uri: string): boolean {
    return uri.startsWith('file:') && this.outsideFiles.has(path.resolve(fileURLToPath(uri)));
  }

  /** The target of a document: its first project's, its `.kmdf.json`, over the settings; undefined when it is not a file. */
  targetFor(uri: string, settings?: TargetSettings): Target | undefined {
    if (!uri.startsWith('file:')) return undefined;
    const file = fileURLToPath(uri);
    const model = this.model();
    return model.targetFor(model.projectsOf(file)[0], file, settings ? { settings } : {});
  }

  /**
   * The `.kmdf.json` that applies to a document, else where one would (`exists` false): in the folder
   * of its project's file when the document lies under it, else in the document's folder. Undefined
   * for a document that is not a file, or when that folder is one no `.kmdf.json` is read from.
   */
  configFileFor(uri: string): { file: string; exists: boolean } | undefined {
    if (!uri.startsWith('file:')) return undefined;
    const file = path.resolve(fileURLToPath(uri));
    const model = this.model();
    const found = model.configFor(file);
    if (found) return { file: found.file, exists: true };
    const root = model.projectsOf(file)[0]?.root;
    const folder = root && !path.relative(root, file).startsWith('..') ? root : path.dirname(file);
    return isWorldWritable(folder) ? undefined : { file: path.join(folder, PROJECT_CONFIG_FILE), exists: false };
  }

  /**
   * The files the rules read when they check a document (createRulesRunner): the call-graph files of
   * every project that checks it. Undefined when no project checks it (it is then checked alone, with
   * whatever the scan has read, so only the end of the scan settles it).
   */
  filesCheckedWith(uri: string): string[] | undefined {
    if (!uri.startsWith('file:')) return undefined;
    const model = this.model();
    const file = path.resolve(fileURLToPath(uri));
    const checking = model.projectsOf(file).filter((p) => model.checkedFiles(p).includes(file));
    if (!checking.length) return undefined;
    return [...new Set(checking.flatMap((p) => model.contextFiles(p)))];
  }

  /** The workspace of the project a document belongs to (its first: the one that compiles it, else one that includes it). */
  workspaceFor(uri: string): WorkspaceModel {
    const modelOf = (u: string): DocumentModel | undefined => this.all.get(u);
    if (uri.startsWith('file:')) {
      const model = this.model();
      const project = model.projectsOf(fileURLToPath(uri))[0];
      if (project) return this.workspaces.workspaceFor(model, project, modelOf);
    }
    const own = this.all.get(uri);
    return this.workspaces.workspaceOf(own ? [own] : []);
  }
}
