/** What the user is told after "KMDF: Analyse Workspace" (kept free of `vscode` so it is unit-tested). */
import { describeCheckScope } from '../../shared/checkScope';
import type { AnalyseWorkspaceResult } from '../../shared/protocol';

const ORDER = ['error', 'warning', 'info', 'hint'] as const;
const NOUN = { error: 'error', warning: 'warning', info: 'information', hint: 'hint' } as const;

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 || noun === 'information' ? '' : 's'}`;
}

/**
 * What a run checked: "11 files of 3 driver projects and 3 loose files", "5 files of 2 driver
 * projects", "6 loose files" (files in no driver project are counted as such, never as a project).
 */
function checkedText(result: AnalyseWorkspaceResult): string {
  if (!result.projects) return describeCheckScope(0, result.looseFiles);
  const inProjects = plural(result.files - result.looseFiles, 'file');
  return `${inProjects} of ${describeCheckScope(result.projects, result.looseFiles)}`;
}

/** One line: what was checked and what was found, or why nothing was. */
export function describeWorkspaceAnalysis(result: AnalyseWorkspaceResult): string {
  if (!result.enabled)
    return 'KMDF Assist: workspace analysis is off (kmdf.diagnostics.scope is "openFiles", or kmdf.diagnostics.enable is false).';
  const found = ORDER.filter((s) => result.findings[s] > 0).map((s) => plural(result.findings[s], NOUN[s]));
  const checked = checkedText(result);
  if (result.cancelled)
    return `KMDF Assist: workspace analysis stopped (${checked} planned); the Problems view shows what was checked.`;
  return `KMDF Assist: analysed ${checked}: ${found.length ? found.join(', ') : 'no findings'}.`;
}
