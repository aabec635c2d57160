/**
 * `kmdf callbacks`: every function of the driver recognised as a callback, with its role type (from
 * its declaration or, failing that, from the config field or argument it is registered in), where it
 * is defined, the IRQL it runs at and where it is registered.
 */
import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Span } from '../analysis/model';
import { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import { analyzeDriver, type AnalyzedDriver } from '../session/treeAnalysis';
import { IrqlFacts, describeLevel } from '../rules/facts/irql';
import { UsageError } from './usage';

/** The public JSON shape of one callback (`kmdf callbacks --json`); lines are 1-based. */
export interface CallbackJson {
  function: string;
  roleType: string;
  file: string;
  line: number;
  /** "= PASSIVE_LEVEL", "≤ DISPATCH_LEVEL", "= DISPATCH_LEVEL"; null when unknown. */
  irql: string | null;
  /** "file:line" of the first registration; null when the driver never registers it (or it is DriverEntry). */
  registeredAt: string | null;
}

export function registerCallbacksCommand(program: Command): void {
  program
    .command('callbacks')
    .description('List the functions recognised as WDF callbacks, with role type, IRQL and registration.')
    .argument('<paths...>', 'C/C++ files or folders')
    .option('--json', 'print a JSON array of {"function","roleType","file","line","irql","registeredAt"}')
    .action(async (paths: string[], opts: { json?: boolean }) => {
      for (const p of paths) {
        if (!fs.existsSync(p)) throw new UsageError(`${p}: no such file or folder`);
      }
      const index = KnowledgeIndex.fromCatalog();
      const driver = await analyzeDriver(paths, index);
      for (const s of driver.skipped) process.stderr.write(`kmdf: skipped ${s.path}: ${s.reason}\n`);
      const list = listCallbacks(driver, index, process.cwd());
      if (opts.json) {
        process.stdout.write(JSON.stringify(list, null, 2) + '\n');
        return;
      }
      const rows = list.map((c) => [
        `${c.file}:${c.line}`,
        c.function,
        c.roleType,
        c.irql ?? '?',
        c.registeredAt ? `registered at ${c.registeredAt}` : '',
      ]);
      const widths = rows.reduce((w, r) => r.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), [] as number[]);
      for (const r of rows)
        process.stdout.write(
          r
            .map((cell, i) => (i < r.length - 1 ? cell.padEnd(widths[i]) : cell))
            .join('  ')
            .trimEnd() + '\n',
        );
      process.stderr.write(
        `kmdf: ${list.length} callback${list.length === 1 ? '' : 's'} in ${driver.texts.size} file${driver.texts.size === 1 ? '' : 's'}\n`,
      );
    });
}

/**
 * The callbacks of an analysed driver, sorted by file and line; each project is read on its own (with
 * the libraries it links), and lists the callbacks named in its own files. One listed the same way by
 * two projects (a shared header) is listed once.
 */
export function listCallbacks(driver: AnalyzedDriver, index: KnowledgeIndex, baseDir: string): CallbackJson[] {
  const out = driver.projects.flatMap((p) => callbacksOf(p.workspace, p.checked, driver, index, baseDir));
  const seen = new Set<string>();
  const unique = out.filter((c) => {
    const key = JSON.stringify(c);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

function callbacksOf(
  workspace: AnalyzedDriver['workspace'],
  checked: ReadonlySet<string>,
  driver: AnalyzedDriver,
  index: KnowledgeIndex,
  baseDir: string,
): CallbackJson[] {
  const facts = new IrqlFacts(workspace, index);
  const display = (uri: string, span: Span) => {
    const file = driver.paths.get(uri) ?? uri;
    const rel = path.relative(baseDir, file);
    return { file: rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file, line: span.start.line + 1 };
  };
  const names = new Set<string>();
  for (const model of workspace.models()) {
    if (!checked.has(model.uri)) continue;
    for (const decl of model.roleDecls) for (const n of decl.names) names.add(n.name);
    for (const r of model.registrations) names.add(r.functionName);
    for (const fn of model.functions) if (fn.functionClass) names.add(fn.name);
  }
  const out: CallbackJson[] = [];
  for (const name of names) {
    // Only role types the index knows as callbacks (not a macro passed where a PFN goes).
    const role = workspace
      .rolesOf(name)
      .find((r) => index.get(r.roleType)?.kind === 'callback' || r.via === 'declaration');
    if (!role) continue;
    const def = workspace.definitions(name)[0];
    const where = def
      ? display(def.uri, def.fn.nameSpan)
      : role.via === 'declaration'
        ? display(role.uri, role.nameSpan)
        : role.via === 'function-class'
          ? display(role.uri, role.fn.nameSpan)
          : display(role.uri, role.registration.span);
    const level = facts.irqlOf(name);
    const registration = workspace.registrations(name)[0];
    const reg = registration ? display(registration.uri, registration.registration.span) : undefined;
    out.push({
      function: name,
      roleType: role.roleType,
      file: where.file,
      line: where.line,
      irql: level ? describeLevel(level) : null,
      registeredAt: reg ? `${reg.file}:${reg.line}` : null,
    });
  }
  return out;
}
