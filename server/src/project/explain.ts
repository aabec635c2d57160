/**
 * `kmdf lint --explain FILE`: what the analysis of one file is based on — the build project it
 * belongs to and why, the target and why, the include path, project references, linked libraries,
 * and the definitions the configurations share or disagree on. Nothing here prints.
 */
import * as path from 'node:path';
import type { Target } from '../rules/types';
import { findProjectConfig } from './projectConfig';
import type { ProjectFile } from './projectFile';
import { findProjectFile, resolveTarget, type TargetSettings } from './target';

/** The JSON shape of `kmdf lint --explain FILE --format json`. */
export interface FileExplanation {
  file: string;
  /** The build project whose facts apply (nearest readable `.vcxproj`, else `sources`), or null. */
  project: {
    file: string;
    kind: ProjectFile['kind'];
    why: string;
    configurationType: string | null;
    configurations: string[];
  } | null;
  /** The nearest `.kmdf.json`, with its problems, or null. */
  config: { file: string; problems: string[] } | null;
  target: Target;
  includePath: string[];
  projectReferences: string[];
  libraries: string[];
  defines: { shared: Record<string, string>; differing: string[] };
  importsRead: string[];
  problems: string[];
  notes: string[];
}

export function explainFile(
  filePath: string,
  options: { overrides?: TargetSettings; settings?: TargetSettings } = {},
): FileExplanation {
  const file = path.resolve(filePath);
  const dir = path.dirname(file);
  const skipped: string[] = [];
  const found = findProjectFile(dir, undefined, (f, reason) => skipped.push(`${f} ${reason}`));
  const config = findProjectConfig(dir);
  const project = found?.project;
  const target = resolveTarget({
    ...(options.overrides ? { overrides: options.overrides } : {}),
    ...(config ? { config: { file: config.file, target: config.config.target } } : {}),
    ...(project ? { project: { file: project.file, ...project.target } } : {}),
    ...(options.settings ? { settings: options.settings } : {}),
  });
  return {
    file,
    project:
      found && project
        ? {
            file: project.file,
            kind: project.kind,
            why: found.why,
            configurationType: project.configurationType ?? null,
            configurations: project.configurations.map((c) => c.name).filter(Boolean),
          }
        : null,
    config: config ? { file: config.file, problems: config.problems } : null,
    target,
    includePath: project?.includeDirs ?? [],
    projectReferences: project?.projectReferences ?? [],
    libraries: project?.libraries ?? [],
    defines: { shared: Object.fromEntries(project?.defines.shared ?? []), differing: project?.defines.differing ?? [] },
    importsRead: project?.imports.filter((i) => i.read).map((i) => i.file) ?? [],
    problems: [...skipped, ...(project?.problems ?? [])],
    notes: project?.notes ?? [],
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
  if (e.project) {
    lines.push(`project: ${e.project.file} (${e.project.why})`);
    const n = e.project.configurations.length;
    lines.push(
      `  type: ${e.project.configurationType ?? 'not set'}; ${n ? `${n} configuration${n === 1 ? '' : 's'}: ${e.project.configurations.join(', ')}` : 'one configuration'}`,
    );
  } else {
    lines.push('project: none (no .vcxproj or sources file above the file)');
  }
  lines.push(`.kmdf.json: ${e.config ? e.config.file : 'none'}`);
  for (const p of e.config?.problems ?? []) lines.push(`  problem: ${p}`);
  const version = e.target.framework === 'KMDF' ? e.target.kmdfVersion : e.target.umdfVersion;
  lines.push(`target: ${e.target.framework} ${version} (from ${e.target.source})`);
  list('include path', e.includePath);
  list('project references', e.projectReferences);
  lines.push(`libraries: ${e.libraries.length ? e.libraries.join(', ') : 'none'}`);
  const shared = Object.entries(e.defines.shared).map(([name, value]) => (value === '1' ? name : `${name}=${value}`));
  lines.push(`defines shared by all configurations: ${shared.length ? shared.join(' ') : 'none'}`);
  lines.push(
    `defines the configurations disagree on (analysed with what configurations share): ${e.defines.differing.length ? e.defines.differing.join(' ') : 'none'}`,
  );
  if (e.importsRead.length) list('imports read', e.importsRead);
  for (const p of e.problems) lines.push(`problem: ${p}`);
  if (e.notes.length) list('notes', e.notes);
  return lines.join('\n') + '\n';
}
