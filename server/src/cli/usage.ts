import * as fs from 'node:fs';

/** A bad argument or unreadable path: the CLI prints the message and exits 2. */
export class UsageError extends Error {}

/** Commander collector for repeatable options (`--docs A --docs B`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Fail with a usage error unless every path is a readable folder. */
export function requireFolders(paths: string[], option: string): void {
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      throw new UsageError(`${option} ${p}: no such folder`);
    }
    if (!stat.isDirectory()) throw new UsageError(`${option} ${p}: not a folder`);
    try {
      fs.accessSync(p, fs.constants.R_OK);
    } catch {
      throw new UsageError(`${option} ${p}: not readable`);
    }
  }
}
