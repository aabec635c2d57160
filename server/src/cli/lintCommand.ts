/**
 * `kmdf lint`: the contract diagnostics over files and folders, as text, JSON or SARIF 2.1.0.
 * Exit 0 when no finding reaches --fail-on (default error), 1 when one does, 2 on bad arguments,
 * unreadable paths, or when nothing was linted (every input skipped, or no C/C++ file found). `--explain FILE` instead prints what one file is analysed with (project, target,
 * include path, references, libraries, definitions), as text or JSON, and exits 0.
 */
import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import { lintTree } from '../session/treeAnalysis';
import { explainFile, formatExplanation } from '../project/explain';
import type { SeverityOverride } from '../rules/engine';
import { allRules, RETIRED_RULES } from '../rules/registry';
import type { Finding, Severity } from '../rules/types';
import { defaultJobs } from '../session/analysisWorkers';
import { lintTreeParallel } from '../session/parallelLint';
import { delayOptimization } from '../util/batchTiering';
import { compileWasmOptimizedOnly, limitHeapGrowth } from '../util/heapRelease';
import { toSarif } from './sarif';
import { collect, requireFolders, UsageError } from './usage';

export interface LintOptions {
  format: string;
  kmdfVersion?: string;
  umdfVersion?: string;
  headers: string[];
  docs: string[];
  rule: string[];
  failOn: string;
  /** `--explain FILE`: explain the file instead of linting. */
  explain?: string;
  /** `--jobs N`: worker threads checking shares of the projects beside the main thread (0: none); absent: none. */
  jobs?: string;
}

const FORMATS = ['text', 'json', 'sarif'];
const SEVERITIES = ['off', 'hint', 'info', 'warning', 'error'];
const RANK: Record<Severity, number> = { hint: 0, info: 1, warning: 2, error: 3 };

/** The public JSON shape of one finding (`kmdf lint --format json`); lines and columns are 1-based. */
export interface JsonFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Severity;
  ruleId: string;
  message: string;
  function: string | null;
}

export function registerLintCommand(program: Command): void {
  program
    .command('lint')
    .description('Check KMDF/UMDF driver sources against the WDF callback contracts, IRQL and paging rules.')
    .argument('[paths...]', 'C/C++ files or folders (project files are found next to them)')
    .option('--format <format>', 'text, json or sarif', 'text')
    .option('--kmdf-version <X.Y>', 'target KMDF version (overrides the project)')
    .option('--umdf-version <X.Y>', 'target UMDF version (overrides the project)')
    .option('--headers <dir>', 'WDK include folder to index on top of the embedded catalog; repeatable', collect, [])
    .option('--docs <dir>', 'docs folder to index on top of the embedded catalog; repeatable', collect, [])
    .option('--rule <ID=severity>', 'severity override: off, hint, info, warning or error; repeatable', collect, [])
    .option('--fail-on <severity>', 'exit 1 when a finding is at least this severe: warning or error', 'error')
    .option(
      '--jobs <n>',
      'worker threads checking shares of the projects beside the main thread (0: single-threaded)',
      String(defaultJobs()),
    )
    .option(
      '--explain <file>',
      "instead of linting, print the file's project (and why), target (and why), include path, project references, libraries and defines (text or json)",
    )
    .action(async (paths: string[], opts: LintOptions) => {
      const io = { out: (s: string) => process.stdout.write(s), err: (s: string) => process.stderr.write(s) };
      const code =
        opts.explain !== undefined ? runExplain(opts.explain, paths, opts, io) : await runLint(paths, opts, io);
      process.exitCode = code;
    });
}

/** Validate the arguments; throws UsageError (exit 2) with the reason. */
function validate(
  paths: string[],
  opts: LintOptions,
): { overrides: Record<string, SeverityOverride>; failOn: Severity; notes: string[] } {
  if (!FORMATS.includes(opts.format))
    throw new UsageError(`--format ${opts.format}: expected one of ${FORMATS.join(', ')}`);
  validateVersions(opts);
  if (!paths.length) throw new UsageError('expected at least one file or folder to lint (or --explain FILE)');
  if (opts.jobs !== undefined && !/^\d{1,3}$/.test(opts.jobs))
    throw new UsageError(`--jobs ${opts.jobs}: expected a number of worker threads (0 or more)`);
  if (opts.failOn !== 'warning' && opts.failOn !== 'error')
    throw new UsageError(`--fail-on ${opts.failOn}: expected warning or error`);
  const known = new Set(allRules.map((r) => r.meta.id));
  const overrides: Record<string, SeverityOverride> = {};
  const notes: string[] = [];
  for (const spec of opts.rule) {
    const m = /^([A-Za-z0-9]+)=(\w+)$/.exec(spec.trim());
    if (!m) throw new UsageError(`--rule ${spec}: expected ID=severity, e.g. KMDF2001=off`);
    const id = m[1].toUpperCase();
    // A script written for an older release keeps working: the override is dropped with a note.
    if (RETIRED_RULES[id]) {
      notes.push(`--rule ${spec}: ignored, ${id} is ${RETIRED_RULES[id]}`);
      continue;
    }
    if (!known.has(id)) throw new UsageError(`--rule ${spec}: unknown rule ${m[1]}`);
    if (!SEVERITIES.includes(m[2]))
      throw new UsageError(`--rule ${spec}: severity must be one of ${SEVERITIES.join(', ')}`);
    overrides[id] = m[2] as SeverityOverride;
  }
  for (const p of paths) {
    try {
      fs.accessSync(p, fs.constants.R_OK);
    } catch {
      throw new UsageError(`${p}: ${fs.existsSync(p) ? 'not readable' : 'no such file or folder'}`);
    }
  }
  requireFolders(opts.headers, '--headers');
  requireFolders(opts.docs, '--docs');
  return { overrides, failOn: opts.failOn, notes };
}

function validateVersions(opts: LintOptions): void {
  for (const [flag, value] of [
    ['--kmdf-version', opts.kmdfVersion],
    ['--umdf-version', opts.umdfVersion],
  ] as const) {
    if (value !== undefined && !/^\d+\.\d+$/.test(value))
      throw new UsageError(`${flag} ${value}: expected a version like 1.33`);
  }
}

/** `--kmdf-version` / `--umdf-version` as target overrides; one flag alone says which framework the driver is for. */
function targetOverrides(opts: LintOptions) {
  return {
    ...(opts.kmdfVersion ? { kmdfVersion: opts.kmdfVersion } : {}),
    ...(opts.umdfVersion ? { umdfVersion: opts.umdfVersion } : {}),
    ...(opts.umdfVersion && !opts.kmdfVersion
      ? { framework: 'UMDF' as const }
      : opts.kmdfVersion && !opts.umdfVersion
        ? { framework: 'KMDF' as const }
        : {}),
  };
}

/**
 * Run `kmdf lint --explain FILE [PATH...]`: print what the file is analysed with, as text or JSON; returns 0.
 * Projects and sources are read from the paths given, else from the nearest folder above FILE with a
 * `.sln` file (else FILE's folder). Throws UsageError on bad arguments (SARIF, a missing file or path).
 */
export function runExplain(file: string, paths: string[], opts: LintOptions, io: Pick<LintIo, 'out'>): number {
  if (opts.format !== 'text' && opts.format !== 'json')
    throw new UsageError(`--format ${opts.format}: --explain prints text or json`);
  validateVersions(opts);
  for (const p of paths)
    if (!fs.existsSync(p))
      throw new UsageError(
        `${p}: no such file or folder (the paths after --explain FILE are the tree to read projects from)`,
      );
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch {
    throw new UsageError(`--explain ${file}: ${fs.existsSync(file) ? 'not readable' : 'no such file'}`);
  }
  const explanation = explainFile(file, { overrides: targetOverrides(opts), tree: paths });
  io.out(opts.format === 'json' ? JSON.stringify(explanation, null, 2) + '\n' : formatExplanation(explanation));
  return 0;
}

/** Where `runLint` writes, and (for tests) the index to use instead of the embedded catalog. */
export interface LintIo {
  out: (s: string) => void;
  err: (s: string) => void;
  index?: KnowledgeIndex;
  cwd?: string;
}

/** Run `kmdf lint`; returns the exit code. Results go to `out`, notes and problems to `err`. Throws UsageError on bad arguments. */
export async function runLint(paths: string[], opts: LintOptions, io: LintIo): Promise<number> {
  const { out, err } = io;
  const { overrides, failOn, notes } = validate(paths, opts);
  limitHeapGrowth();
  // A folder is a tree worth the slower first compile; a file or a few keep the quicker start.
  if (paths.some(isFolder)) compileWasmOptimizedOnly();
  delayOptimization();
  for (const note of notes) io.err(`kmdf lint: ${note}\n`);
  const index =
    io.index ??
    (opts.headers.length || opts.docs.length ? await indexFrom(opts.headers, opts.docs) : KnowledgeIndex.fromCatalog());
  const started = performance.now();
  const jobs = opts.jobs === undefined ? 0 : Number(opts.jobs);
  const lintOptions = { index, overrides: targetOverrides(opts), severityOverrides: overrides };
  // Workers check shares of the projects (analysis and rules) beside the main thread.
  const result = jobs > 0 ? await lintTreeParallel(paths, lintOptions, jobs) : await lintTree(paths, lintOptions);
  for (const s of result.skipped) err(`kmdf: skipped ${s.path}: ${s.reason}\n`);
  if (!result.analysed) {
    // A CI job pointed at the wrong folder must not pass as "no findings".
    err(
      result.skipped.length
        ? `kmdf: nothing was linted: every input was skipped (${result.skipped.length} skipped)\n`
        : `kmdf: nothing was linted: no C/C++ source or header under ${paths.join(', ')}\n`,
    );
    return 2;
  }
  for (const p of result.configProblems) err(`kmdf: ${p}\n`);
  for (const e of result.ruleErrors) err(`kmdf: ${e}\n`);

  const cwd = io.cwd ?? process.cwd();
  const display = (uri: string) => {
    const file = result.paths.get(uri) ?? uri;
    const rel = path.relative(cwd, file);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
  };
  const findings = result.findings;
  if (opts.format === 'json')
    out(
      JSON.stringify(
        findings.map((f) => toJson(f, display)),
        null,
        2,
      ) + '\n',
    );
  else if (opts.format === 'sarif') {
    const log = toSarif(
      findings,
      allRules.map((r) => r.meta),
      {
        baseDir: cwd,
        toolVersion: process.env.KMDF_ASSIST_VERSION ?? '0.1.0',
        toPath: (uri) => result.paths.get(uri) ?? uri,
      },
    );
    out(JSON.stringify(log, null, 2) + '\n');
  } else {
    for (const f of findings)
      out(
        `${display(f.uri)}:${f.span.start.line + 1}:${f.span.start.character + 1}: ${f.severity}: ${f.message} [${f.ruleId}]\n`,
      );
    const counts = (['error', 'warning', 'info', 'hint'] as const)
      .map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
      .filter(([, n]) => n);
    const ms = Math.round(performance.now() - started);
    const linted = result.analysed - result.outside;
    const context = result.outside
      ? ` (and ${result.outside} included header${result.outside === 1 ? '' : 's'} from outside the paths, read for context)`
      : '';
    err(
      `kmdf: ${linted} file${linted === 1 ? '' : 's'}${context}, ${findings.length ? counts.map(([s, n]) => `${n} ${s}${n === 1 ? '' : 's'}`).join(', ') : 'no findings'} (${ms} ms)\n`,
    );
  }
  return findings.some((f) => RANK[f.severity] >= RANK[failOn]) ? 1 : 0;
}

function isFolder(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The catalog plus header and docs folders (the docs and header parsers load only when asked for). */
async function indexFrom(headers: string[], docs: string[]): Promise<KnowledgeIndex> {
  const { buildIndex, SourceError } = await import('../knowledge/buildIndex');
  const result = await buildIndex({ headers, docs }).catch((e: unknown) => {
    throw e instanceof SourceError ? new UsageError(e.message) : e;
  });
  return result.index;
}

function toJson(f: Finding, display: (uri: string) => string): JsonFinding {
  return {
    file: display(f.uri),
    line: f.span.start.line + 1,
    column: f.span.start.character + 1,
    endLine: f.span.end.line + 1,
    endColumn: f.span.end.character + 1,
    severity: f.severity,
    ruleId: f.ruleId,
    message: f.message,
    function: f.function ?? null,
  };
}
