/**
 * The rule-test harness: fixture drivers analysed from text into one workspace, the rules engine run
 * over them with the test index, expected findings marked in the fixtures, and quick fixes applied.
 *
 * A fixture marks each line a finding must start on with `// expect: RULE` (several: `// expect: A, B`),
 * and one a suppression hides with `// silenced: RULE`;
 * markers and findings compare as `name:line RULE`, lines 1-based. A line may also carry
 * `@branch A.0 B.1` (see withOutline).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../../server/src/analysis/parse';
import type { DocumentModel } from '../../server/src/analysis/model';
import { WorkspaceModel } from '../../server/src/analysis/workspace';
import type { KnowledgeIndex } from '../../server/src/knowledge/knowledgeIndex';
import { allRules } from '../../server/src/rules/registry';
import { runRules as runEngine, type RunRulesOptions } from '../../server/src/rules/engine';
import type { FixEdit, Finding, Rule } from '../../server/src/rules/types';
import type { Target } from '../../server/src/project/target';
import { fixturesRoot } from './paths';
import { testIndex } from './testIndex';

/** test/fixtures/rules. */
export const fixturesDir = path.join(fixturesRoot, 'rules');

export const KMDF_NEWEST: Target = { framework: 'KMDF', kmdfVersion: '1.33', source: 'default' };

/** A fixture driver: its files (uri → text) and their models in one workspace. */
export interface FixtureDriver {
  workspace: WorkspaceModel;
  texts: Map<string, string>;
  models: DocumentModel[];
}

const URI_PREFIX = 'file:///fixture/';

/** The URI a fixture file named `name` is analysed under. */
export function uriOf(name: string): string {
  return `${URI_PREFIX}${name}`;
}

/** A fixture file's name in markers and messages: its URI without the fixture prefix. */
function nameOf(uri: string): string {
  return uri.startsWith(URI_PREFIX) ? uri.slice(URI_PREFIX.length) : uri;
}

/** Analyse files (uri → text) into one workspace; `@branch` markers become the branch outline. */
export async function analyzeDriver(files: Record<string, string>, index = testIndex()): Promise<FixtureDriver> {
  const workspace = new WorkspaceModel({
    callbackForField: (s, f) => index.callbackForField(s, f)?.name,
    callbackForArgument: (c, i) => index.callbackForArgument(c, i)?.name,
  });
  const texts = new Map<string, string>();
  const models: DocumentModel[] = [];
  for (const [uri, text] of Object.entries(files)) {
    const model = await analyzeText(uri, text);
    if (text.includes('@branch')) withOutline(model, text);
    workspace.update(model);
    texts.set(uri, text);
    models.push(model);
  }
  return { workspace, texts, models };
}

/** Analyse files (name → text) into one workspace, each under uriOf(name). */
export function analyzeFiles(files: Record<string, string>, index = testIndex()): Promise<FixtureDriver> {
  return analyzeDriver(Object.fromEntries(Object.entries(files).map(([name, text]) => [uriOf(name), text])), index);
}

/** The C files of a fixture folder (test/fixtures/rules/<dir>), name → text. */
export function readFixture(dir: string): Record<string, string> {
  const full = path.join(fixturesDir, dir);
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(full).sort())
    if (/\.(c|h|cpp)$/.test(name)) out[name] = fs.readFileSync(path.join(full, name), 'utf8');
  return out;
}

/** A fixture file or folder (test/fixtures/rules/<rel>) as name → text. */
export function loadFixture(rel: string): Record<string, string> {
  const full = path.join(fixturesDir, rel);
  if (fs.statSync(full).isDirectory()) return readFixture(rel);
  return { [path.basename(rel)]: fs.readFileSync(full, 'utf8') };
}

/** A fixture file or folder (test/fixtures/rules/<rel>) analysed into one workspace. */
export function loadDriver(rel: string, index?: KnowledgeIndex): Promise<FixtureDriver> {
  return analyzeFiles(loadFixture(rel), index);
}

/** A registered rule by its id (fails the test when there is none). */
export function ruleById(id: string): Rule {
  const rule = allRules.find((r) => r.meta.id === id);
  assert.ok(rule, `rule ${id} is registered`);
  return rule;
}

/** The target a fixture asks for with `// target: UMDF 2.15` on its first line, else the newest KMDF. */
export function fixtureTarget(texts: Iterable<string>): Target {
  for (const text of texts) {
    const m = /^\/\/ target: (KMDF|UMDF) (\d+\.\d+)/.exec(text);
    if (m)
      return m[1] === 'KMDF'
        ? { framework: 'KMDF', kmdfVersion: m[2], source: 'fixture' }
        : { framework: 'UMDF', umdfVersion: m[2], source: 'fixture' };
  }
  return KMDF_NEWEST;
}

/**
 * Run rules (all of them unless `options.rules`) over every document of a driver through the engine,
 * suppressions included. A rule that throws is a bug, never a silent pass: it fails the test unless
 * the test watches `onRuleError` itself.
 */
export function checkDriver(driver: FixtureDriver, options: Partial<RunRulesOptions> = {}): Finding[] {
  const errors: string[] = [];
  const findings = runEngine({
    workspace: driver.workspace,
    index: testIndex(),
    target: fixtureTarget(driver.texts.values()),
    texts: (uri) => driver.texts.get(uri),
    onRuleError: (id, uri, error) =>
      errors.push(`${id} on ${uri}: ${error instanceof Error ? error.stack : String(error)}`),
    ...options,
  });
  if (errors.length) throw new Error(errors.join('\n'));
  return findings;
}

/** Run the given rules over a driver (see checkDriver). */
export function runRules(
  rules: Rule[],
  driver: FixtureDriver,
  options: { index?: KnowledgeIndex; target?: Target } = {},
): Finding[] {
  return checkDriver(driver, { rules, ...options });
}

/** Analyse files (name → text) and run the rules over them (see checkDriver). */
export async function lint(files: Record<string, string>, options: Partial<RunRulesOptions> = {}): Promise<Finding[]> {
  return checkDriver(await analyzeFiles(files, options.index), options);
}

/** `name:line RULE` of each `// expect:` marker (of `ruleId` only, when given). */
export function expectedMarkers(files: Record<string, string> | FixtureDriver, ruleId?: string): string[] {
  return markedLines(files, 'expect', ruleId);
}

/**
 * `name:line RULE` of each `// <kind>: RULE` marker (of `ruleId` only, when given): `expect` for a
 * finding, `silenced` for one a suppression hides.
 */
export function markedLines(
  files: Record<string, string> | FixtureDriver,
  kind: 'expect' | 'silenced',
  ruleId?: string,
): string[] {
  const named =
    'texts' in files && files.texts instanceof Map
      ? [...files.texts].map(([uri, text]) => [nameOf(uri), text] as const)
      : Object.entries(files as Record<string, string>);
  const marker = new RegExp(`// ${kind}: ([\\w, ]+)`);
  const out: string[] = [];
  for (const [name, text] of named) {
    text.split(/\r?\n/).forEach((line, i) => {
      const m = marker.exec(line);
      for (const id of m ? m[1].split(/[,\s]+/).filter(Boolean) : [])
        if (!ruleId || id === ruleId) out.push(`${name}:${i + 1} ${id}`);
    });
  }
  return out.sort();
}

/** The findings (of `ruleId` only, when given) in the shape of expectedMarkers. */
export function foundAt(findings: Finding[], ruleId?: string): string[] {
  return findings
    .filter((f) => !ruleId || f.ruleId === ruleId)
    .map((f) => `${nameOf(f.uri)}:${f.span.start.line + 1} ${f.ruleId}`)
    .sort();
}

/** Apply edits (any order) to a text. */
export function applyEdits(text: string, edits: Pick<FixEdit, 'span' | 'newText'>[]): string {
  const sorted = [...edits].sort(
    (a, b) => b.span.startOffset - a.span.startOffset || b.span.endOffset - a.span.endOffset,
  );
  let out = text;
  for (const e of sorted) out = out.slice(0, e.span.startOffset) + e.newText + out.slice(e.span.endOffset);
  return out;
}

/** Apply a finding's first (preferred) fix to the files (name → text). */
export function applyFix(files: Record<string, string>, finding: Finding): Record<string, string> {
  const fix = finding.fixes?.find((f) => f.preferred) ?? finding.fixes?.[0];
  if (!fix) throw new Error(`${finding.ruleId} at ${finding.uri}:${finding.span.start.line + 1} has no fix`);
  const out = { ...files };
  for (const [name, text] of Object.entries(files)) {
    const edits = fix.edits.filter((e) => e.uri === uriOf(name));
    if (edits.length) out[name] = applyEdits(text, edits);
  }
  return out;
}

/** Only the role, IRQL and target families (the callback-contract family is tested by its own suites). */
export function ownFindings(findings: Finding[]): Finding[] {
  return findings.filter((f) => !/^KMDF3/.test(f.ruleId));
}

/** Findings one a line, for an assertion's message. */
export function describeFindings(findings: Finding[]): string {
  return findings
    .map((f) => `${nameOf(f.uri)}:${f.span.start.line + 1}: ${f.severity}: ${f.message} [${f.ruleId}]`)
    .join('\n');
}

/**
 * A test's own statement outline where a fixture wants to pin one: a call or return on a line marked
 * `@branch A.0 B.1` lies in arm 0 of statement A and arm 1 of statement B; unmarked ones are at the
 * top level of their function.
 */
export function withOutline(model: DocumentModel, text: string): void {
  const lines = text.split(/\r?\n/);
  const stepsAt = (line: number) => {
    const m = /@branch((?:\s+[A-Z]\.\d+)+)/.exec(lines[line] ?? '');
    if (!m) return [];
    return m[1]
      .trim()
      .split(/\s+/)
      .map((s) => ({ statement: s.charCodeAt(0), arm: Number(s.slice(2)) }));
  };
  for (const fn of model.functions) {
    for (const c of fn.calls) Object.assign(c, { branches: stepsAt(c.span.start.line) });
    for (const r of fn.returns) Object.assign(r, { branches: stepsAt(r.span.start.line) });
  }
}
