/**
 * Runs contract rules over fixture drivers through the rules engine: every file of a fixture is
 * analysed into one WorkspaceModel and the engine checks each document (roles from the workspace,
 * registrations resolved through the index).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../../../../server/src/analysis/parse';
import type { DocumentModel } from '../../../../server/src/analysis/model';
import { WorkspaceModel } from '../../../../server/src/analysis/workspace';
import { KnowledgeIndex } from '../../../../server/src/knowledge/knowledgeIndex';
import type { IndexEntry } from '../../../../server/src/knowledge/types';
import { runRules as runEngine } from '../../../../server/src/rules/engine';
import type { Finding, Rule, Target } from '../../../../server/src/rules/types';
import { testIndex } from '../../features/testIndex';

export const fixturesDir = path.resolve(__dirname, '../../../fixtures/rules/contracts');

/** A fixture driver: its files (uri → text) and their models in one workspace. */
export interface FixtureDriver {
  workspace: WorkspaceModel;
  texts: Map<string, string>;
  models: DocumentModel[];
}

export const DEFAULT_TARGET: Target = { framework: 'KMDF', kmdfVersion: '1.33', source: 'default' };

/**
 * Documentation facts the rules consult, for as long as the embedded catalog lacks them (the docs
 * parsers fill them in); an entry's own facts always win.
 */
const DOC_FACTS: Record<string, Partial<IndexEntry>> = {
  EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART: {
    roleName: 'EvtDeviceSelfManagedIoRestart',
    flags: [{ id: 'called-only-after', ref: 'EvtDeviceSelfManagedIoSuspend' }],
  },
  EVT_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND: { roleName: 'EvtDeviceSelfManagedIoSuspend' },
  EVT_WDF_IO_QUEUE_IO_RESUME: { roleName: 'EvtIoResume' },
  EVT_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL: { roleName: 'EvtIoInternalDeviceControl' },
  EVT_WDF_DEVICE_SURPRISE_REMOVAL: { roleName: 'EvtDeviceSurpriseRemoval' },
  EVT_WDF_DEVICE_SELF_MANAGED_IO_INIT: { roleName: 'EvtDeviceSelfManagedIoInit' },
  WdfDmaTransactionStopSystemTransfer: { kmdf: '1.11', flags: [{ id: 'system-mode-dma-only' }] },
  WdfDmaTransactionCancel: { kmdf: '1.11', flags: [{ id: 'requires-dma-v3' }] },
};

let cachedIndex: KnowledgeIndex | undefined;

/** The test index: catalog + header facts (testIndex) with DOC_FACTS filled in where missing. */
export function contractIndex(overrides: Record<string, Partial<IndexEntry>> = {}): KnowledgeIndex {
  if (!Object.keys(overrides).length && cachedIndex) return cachedIndex;
  const entries = testIndex().entries.map((e) => {
    const facts = { ...DOC_FACTS[e.name], ...overrides[e.name] };
    if (!Object.keys(facts).length) return e;
    const copy = structuredClone(e);
    if (facts.roleName && !copy.roleName) copy.roleName = facts.roleName;
    if (facts.kmdf && (!copy.kmdf || overrides[e.name]?.kmdf)) copy.kmdf = facts.kmdf;
    for (const flag of facts.flags ?? []) {
      if (overrides[e.name]?.flags) copy.flags = copy.flags.filter((f) => f.id !== flag.id);
      if (!copy.flags.some((f) => f.id === flag.id)) copy.flags.push(flag);
    }
    return copy;
  });
  const index = new KnowledgeIndex(entries, ['test']);
  if (!Object.keys(overrides).length) cachedIndex = index;
  return index;
}

/** Analyse files (uri → text) into one workspace; `@branch` markers become the branch outline (see withOutline). */
export async function analyzeDriver(files: Record<string, string>, index = contractIndex()): Promise<FixtureDriver> {
  const workspace = new WorkspaceModel({
    callbackForField: (s, f) => index.callbackForField(s, f)?.name,
    callbackForArgument: (c, i) => index.callbackForArgument(c, i)?.name,
  });
  const texts = new Map<string, string>();
  const models: DocumentModel[] = [];
  for (const [uri, text] of Object.entries(files)) {
    const model = await analyzeText(uri, text, 'c');
    if (text.includes('@branch')) withOutline(model, text);
    workspace.update(model);
    texts.set(uri, text);
    models.push(model);
  }
  return { workspace, texts, models };
}

/** Load a fixture: `<rule>/<name>.c`, or every .c file of the folder `<rule>/<name>/`. */
export async function loadFixture(ruleId: string, name: string, index = contractIndex()): Promise<FixtureDriver> {
  const base = path.join(fixturesDir, ruleId, name);
  const files: Record<string, string> = {};
  if (fs.existsSync(base) && fs.statSync(base).isDirectory()) {
    for (const f of fs
      .readdirSync(base)
      .filter((n) => n.endsWith('.c'))
      .sort())
      files[`file:///fixtures/${ruleId}/${name}/${f}`] = fs.readFileSync(path.join(base, f), 'utf8');
  } else {
    files[`file:///fixtures/${ruleId}/${name}`] = fs.readFileSync(base, 'utf8');
  }
  return analyzeDriver(files, index);
}

/** Run rules over every document of a driver through the engine (suppressions included). */
export function runRules(
  rules: Rule[],
  driver: FixtureDriver,
  options: { index?: KnowledgeIndex; target?: Target } = {},
): Finding[] {
  const errors: string[] = [];
  const findings = runEngine({
    workspace: driver.workspace,
    index: options.index ?? contractIndex(),
    target: options.target ?? DEFAULT_TARGET,
    texts: (uri) => driver.texts.get(uri),
    rules,
    onRuleError: (id, uri, error) =>
      errors.push(`${id} on ${uri}: ${error instanceof Error ? error.stack : String(error)}`),
  });
  // A rule that throws is a bug, never a silent pass.
  if (errors.length) throw new Error(errors.join('\n'));
  return findings;
}

/** Where a fixture expects findings: `expect KMDF3xxx` on a line → "uri:line KMDF3xxx" (0-based lines). */
export function expectedFindings(driver: FixtureDriver): string[] {
  const out: string[] = [];
  for (const [uri, text] of driver.texts) {
    text.split(/\r?\n/).forEach((line, i) => {
      for (const m of line.matchAll(/expect (KMDF\d{4})/g)) out.push(`${uri}:${i} ${m[1]}`);
    });
  }
  return out.sort();
}

/** The findings in the same shape as expectedFindings. */
export function foundAt(findings: Finding[]): string[] {
  return findings.map((f) => `${f.uri}:${f.span.start.line} ${f.ruleId}`).sort();
}

/**
 * Test stand-in for the statement outline the analysis model does not have yet: a call or return on
 * a line marked `@branch A.0 B.1` lies in arm 0 of statement A and arm 1 of statement B; unmarked
 * ones are at the top level of their function.
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

/** Apply a quick fix's edits (same document) to a text. */
export function applyEdits(
  text: string,
  edits: { span: { startOffset: number; endOffset: number }; newText: string }[],
): string {
  const sorted = [...edits].sort((a, b) => b.span.startOffset - a.span.startOffset);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.span.startOffset) + e.newText + out.slice(e.span.endOffset);
  return out;
}
