/**
 * What a workspace check covers, in words, for the server's progress and the client's messages: the
 * driver projects, and the files that belong to none (loose files). Loose files are checked and
 * reported like any other, but they are no driver project and are never counted as one.
 */

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * "3 driver projects and 5 loose files", "2 driver projects", "6 loose files", or "no files";
 * `projectNoun` names a project ("driver" in the progress, which is short).
 */
export function describeCheckScope(projects: number, looseFiles: number, projectNoun = 'driver project'): string {
  const parts = [
    ...(projects ? [plural(projects, projectNoun)] : []),
    ...(looseFiles ? [plural(looseFiles, 'loose file')] : []),
  ];
  return parts.length ? parts.join(' and ') : 'no files';
}
