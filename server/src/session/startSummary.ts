/**
 * The summary the server logs once it has started: which WDK headers it read (or that the bundled
 * catalog alone is used), where hover reference text comes from, and each driver project with its
 * target and where that target came from. One log line each, so every line carries one timestamp.
 */
import * as path from 'node:path';
import type { DocsStatus, IndexStatus } from '../../../shared/protocol';
import type { ProjectKind } from '../project/projectModel';
import type { Target } from '../project/target';
import type { HeaderOrigin } from './indexService';

export interface SummaryProject {
  kind: ProjectKind;
  /** The project file, `.kmdf.json`, or folder of loose files. */
  id: string;
  root: string;
  target: Target;
  /** The files it checks. */
  files: number;
}

export interface SummaryInput {
  headers: HeaderOrigin;
  index: Pick<IndexStatus, 'callbacks' | 'methods' | 'structs' | 'enums'>;
  docs: DocsStatus;
  /** `kmdf.docs.path` and `kmdf.docs.baseUrl` as set. */
  docsPath: string;
  docsBaseUrl: string;
  projects: SummaryProject[];
}

/** The summary's lines, in order. */
export function startSummary(input: SummaryInput): string[] {
  const { headers, index } = input;
  const catalog = `${index.callbacks} callback role types, ${index.methods} methods, ${index.structs} structures, ${index.enums} enumerations`;
  const lines: string[] = [];
  if (headers.origin === 'none' || headers.origin === 'off')
    lines.push(
      `WDK headers: ${headers.origin === 'off' ? 'none set, detection off (kmdf.wdk.autoDetect)' : 'none set or found in the Windows Kits folders'}; the bundled catalog is used (${catalog})`,
    );
  else
    lines.push(
      `WDK headers: ${headers.origin === 'settings' ? 'kmdf.wdk.includePaths' : (headers.label ?? 'detected')}: ${headers.paths.join(', ')} (over the bundled catalog: ${catalog})`,
    );
  lines.push(`Reference text: ${docsLine(input)}`);
  const drivers = input.projects.filter((p) => p.kind !== 'loose');
  lines.push(`Driver projects: ${drivers.length || 'none'}`);
  for (const project of drivers) lines.push(`  ${projectLine(project)}`);
  // Files in no project are checked too, but they are no driver project: a line of their own per folder.
  for (const loose of input.projects.filter((p) => p.kind === 'loose'))
    lines.push(`Loose files (in no driver project): ${projectLine(loose)}`);
  return lines;
}

function docsLine(input: SummaryInput): string {
  const { docs } = input;
  switch (docs.state) {
    case 'folder':
      return `from kmdf.docs.path ${input.docsPath} (${docs.detail})`;
    case 'online':
      return `online from ${input.docsBaseUrl}${docs.checked ? '' : ' (nothing fetched yet)'}`;
    case 'cached':
      return `pages cached earlier only (${docs.detail})`;
    case 'facts':
      return `none, facts only (${docs.detail})`;
  }
}

function projectLine(project: SummaryProject): string {
  const { target } = project;
  const version = target.framework === 'UMDF' ? target.umdfVersion : target.kmdfVersion;
  // The project file is named when the target's origin does not name it already.
  const named = target.source.split('; ')[0] === project.id;
  const name =
    project.kind === 'loose'
      ? `${project.files} in ${project.root}`
      : named
        ? path.basename(project.root)
        : `${path.basename(project.root)} (${path.relative(project.root, project.id) || project.id})`;
  return `${name}: ${target.framework} ${version ?? ''} ${targetOrigin(target.source, project.root)}`.replace(
    /\s+/g,
    ' ',
  );
}

/** Where a target came from, in words: the project file's properties, a `.kmdf.json`, the settings, the default. */
export function targetOrigin(source: string, root: string): string {
  if (source === 'default') return 'by default (nothing names a version: the newest)';
  if (source === 'settings') return 'from the kmdf.target settings';
  if (source === 'command line') return 'from the command line';
  const [file, ...reason] = source.split('; ');
  const rel = path.relative(root, file);
  const shown = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
  const what = /\.kmdf\.json$/i.test(file)
    ? `from ${shown}`
    : /\.vcxproj$/i.test(file)
      ? `from the properties of ${shown}`
      : `from ${shown}`;
  return reason.length ? `${what} (${reason.join('; ')})` : what;
}
