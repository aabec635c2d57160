/**
 * The rules over every file of every driver project of the workspace, as `kmdf lint` runs them
 * (projectRules.ts), for the findings of files that are not open. A run goes project by project and
 * gives way between documents (`pause`), so requests are answered while it runs; each project's
 * findings are kept apart, so a later run may check only the projects a changed file belongs to and a
 * header several projects include keeps what the others found in it. Free of LSP types.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DriverProject, ProjectModel } from '../project/projectModel';
import { rulesSteps } from '../rules/engine';
import type { Finding } from '../rules/types';
import type { Settings } from '../../../shared/settings';
import {
  compareFindings,
  findingKey,
  projectRunOptions,
  projectRuns,
  RULES_PIECE_MS,
  type ProjectRulesOptions,
} from './projectRules';
import type { ServerProjects } from './serverProjects';

/**
 * Inside one document the run gives way once it has run rules this long: a request arriving then
 * waits at most about this (and the step under way), not for every rule on a long file. A break
 * costs a turn of the event loop, a few microseconds: 1 ms slices cost the run about 1%.
 */
const SLICE_MS = 1;

/** How far a run has come. */
export interface WorkspaceCheckProgress {
  /** Driver projects in this run (loose files, in no project, are checked but are no project). */
  projects: number;
  /** Documents the run checks, and how many are done. */
  files: number;
  /** Of `files`, those that belong to no driver project. */
  looseFiles: number;
  done: number;
}

export interface WorkspaceCheckRequest {
  settings: Settings;
  /** Check only the projects whose files (or linked libraries' files) include one of these URIs; default: every project. */
  uris?: readonly string[];
  /** Gives way to waiting requests; awaited between documents. */
  pause: () => Promise<void>;
  /** Checked between documents: true stops the run (the project under way keeps its previous findings). */
  cancelled: () => boolean;
  progress?: (progress: WorkspaceCheckProgress) => void;
  /** A project's findings are in; these URIs' findings may have changed. */
  changed?: (uris: readonly string[]) => void;
}

export interface WorkspaceCheckResult extends WorkspaceCheckProgress {
  /** Stopped before the end (cancelled). */
  cancelled: boolean;
}

export class WorkspaceChecks {
  /** Findings by project id, then by the URI they are in. */
  private readonly byProject = new Map<string, Map<string, Finding[]>>();

  constructor(
    private readonly projects: ServerProjects,
    /** The run's options with the settings (the model, workspaces, index, texts and overrides of this moment). */
    private readonly rulesOptions: (settings: Settings) => ProjectRulesOptions,
  ) {}

  /** The findings in a document from every project that checked it (each once), in the engine's order. */
  findingsOf(uri: string): Finding[] {
    const found: Finding[] = [];
    const seen = new Set<string>();
    for (const perUri of this.byProject.values()) {
      for (const f of perUri.get(uri) ?? []) {
        const key = findingKey(f);
        if (seen.has(key)) continue;
        seen.add(key);
        found.push(f);
      }
    }
    return found.sort(compareFindings);
  }

  /** Every document some project has checked (with findings or not). */
  uris(): string[] {
    const all = new Set<string>();
    for (const perUri of this.byProject.values()) for (const uri of perUri.keys()) all.add(uri);
    return [...all];
  }

  /** Forget every finding (diagnostics switched off or limited to open files); returns the URIs that had some. */
  clear(): string[] {
    const had = this.uris();
    this.byProject.clear();
    return had;
  }

  /** Check the projects asked for, one document at a time. */
  async run(request: WorkspaceCheckRequest): Promise<WorkspaceCheckResult> {
    const options = this.rulesOptions(request.settings);
    const { model } = options;
    this.dropGoneProjects(model, request.changed);
    const wanted = request.uris ? this.projectsHolding(model, request.uris) : undefined;
    const runs = projectRuns(model, options.workspaces).filter((r) => !wanted || wanted.has(r.project.id));
    const loose = runs.filter((r) => r.project.kind === 'loose');
    const progress: WorkspaceCheckProgress = {
      projects: runs.length - loose.length,
      files: runs.reduce((n, r) => n + r.uris.length, 0),
      looseFiles: loose.reduce((n, r) => n + r.uris.length, 0),
      done: 0,
    };
    request.progress?.({ ...progress });
    for (const run of runs) {
      await request.pause();
      if (request.cancelled()) return { ...progress, cancelled: true };
      const steps = rulesSteps(projectRunOptions({ ...options, pieceMs: RULES_PIECE_MS }, run));
      let findings: Finding[] | undefined;
      let sliceStarted = performance.now();
      for (;;) {
        const step = steps.next();
        if (step.done) {
          findings = step.value;
          break;
        }
        if (step.value.documentDone) {
          progress.done++;
          request.progress?.({ ...progress });
        } else if (performance.now() - sliceStarted < SLICE_MS) continue;
        await request.pause();
        if (request.cancelled()) return { ...progress, cancelled: true };
        sliceStarted = performance.now();
      }
      const perUri = new Map<string, Finding[]>(run.uris.map((uri) => [uri, []]));
      for (const f of findings) {
        const list = perUri.get(f.uri);
        if (list) list.push(f);
        else perUri.set(f.uri, [f]);
      }
      const before = this.byProject.get(run.project.id);
      this.byProject.set(run.project.id, perUri);
      request.changed?.([...new Set([...(before?.keys() ?? []), ...perUri.keys()])]);
    }
    return { ...progress, cancelled: false };
  }

  /**
   * Check one document now, in every project that checks it, and keep what each found in it (a
   * document just closed: its findings from the disk at once, before the run over its projects).
   * Gives way (`pause`) every few milliseconds, as a run does, so that a document opened meanwhile
   * is analysed and checked first (every `sliceMs`); when `wanted()` is false after a pause (the
   * document was opened again), it stops and keeps nothing. Resolves whether the findings were kept.
   */
  async checkDocument(
    uri: string,
    settings: Settings,
    turns: { pause: () => Promise<void>; wanted?: () => boolean; sliceMs?: number },
  ): Promise<boolean> {
    const { pause, wanted = () => true, sliceMs = SLICE_MS } = turns;
    const options = this.rulesOptions(settings);
    const found: [string, Finding[]][] = [];
    for (const run of projectRuns(options.model, options.workspaces, [uri])) {
      const steps = rulesSteps(projectRunOptions({ ...options, pieceMs: RULES_PIECE_MS }, run));
      let sliceStarted = performance.now();
      for (;;) {
        const step = steps.next();
        if (step.done) {
          found.push([run.project.id, step.value.filter((f) => f.uri === uri)]);
          break;
        }
        if (performance.now() - sliceStarted < sliceMs) continue;
        await pause();
        if (!wanted()) return false;
        sliceStarted = performance.now();
      }
    }
    for (const [id, findings] of found) {
      let perUri = this.byProject.get(id);
      if (!perUri) this.byProject.set(id, (perUri = new Map<string, Finding[]>()));
      perUri.set(uri, findings);
    }
    return true;
  }

  /**
   * Projects whose workspace holds one of the files (they compile or include it, or link a library
   * that does), and those that checked it last time (a deleted file leaves its projects).
   */
  private projectsHolding(model: ProjectModel, uris: readonly string[]): Set<string> {
    const files = new Set(uris.filter((u) => u.startsWith('file:')).map((u) => path.resolve(fileURLToPath(u))));
    const ids = new Set<string>();
    for (const project of model.projects()) if (holds(model, project, files)) ids.add(project.id);
    for (const [id, perUri] of this.byProject) if (uris.some((u) => perUri.has(u))) ids.add(id);
    return ids;
  }

  /** The project model was rebuilt without some project: its findings go (and their documents are told). */
  private dropGoneProjects(model: ProjectModel, changed?: (uris: readonly string[]) => void): void {
    const ids = new Set(model.projects().map((p) => p.id));
    for (const [id, perUri] of this.byProject) {
      if (ids.has(id)) continue;
      this.byProject.delete(id);
      changed?.([...perUri.keys()]);
    }
  }
}

function holds(model: ProjectModel, project: DriverProject, files: ReadonlySet<string>): boolean {
  for (const file of model.contextFiles(project)) if (files.has(file)) return true;
  return false;
}
