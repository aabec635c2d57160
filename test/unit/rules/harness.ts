/**
 * Test harness for the rules: a knowledge index (the embedded catalog plus the header facts of
 * ../shared/wdf-signatures, plus a few documented facts the docs would add when the catalog lacks
 * them), fixture workspaces analysed from text, expected findings marked in the fixtures with
 * `// expect: RULEID`, and quick fixes applied to the text and re-analysed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../../../server/src/analysis/parse';
import { WorkspaceModel } from '../../../server/src/analysis/workspace';
import { loadEmbeddedCatalog } from '../../../server/src/knowledge/catalog';
import { KnowledgeIndex } from '../../../server/src/knowledge/knowledgeIndex';
import { mergeSources } from '../../../server/src/knowledge/merge';
import type { HeaderDecl, IndexEntry } from '../../../server/src/knowledge/types';
import { runRules, type RunRulesOptions } from '../../../server/src/rules/engine';
import type { FixEdit, Finding, Target } from '../../../server/src/rules/types';

export const repoRoot = path.resolve(__dirname, '../../..');
export const sharedDir = path.resolve(repoRoot, '../shared');
export const fixturesDir = path.join(repoRoot, 'test/fixtures/rules');

interface SignatureFile {
  callbacks: Omit<HeaderDecl, 'kind' | 'location'>[];
  methods: Omit<HeaderDecl, 'kind' | 'location'>[];
  structs: Omit<HeaderDecl, 'kind' | 'location'>[];
}

function declsOf(file: string): HeaderDecl[] {
  const data = JSON.parse(fs.readFileSync(path.join(sharedDir, 'wdf-signatures', file), 'utf8')) as SignatureFile;
  return [
    ...data.callbacks.map((c) => ({
      ...c,
      kind: 'callback' as const,
      location: file,
      pfn: c.pfn ?? c.name.replace(/^EVT_/, 'PFN_'),
    })),
    ...data.methods.map((m) => ({ ...m, kind: 'method' as const, location: file })),
    ...data.structs.map((s) => ({ ...s, kind: 'structure' as const, location: file })),
  ];
}

/**
 * Facts from the reference pages (versions, banners, not-pageable remarks) and the `WDF_…_INIT` helpers'
 * signatures, used only where the catalog does not have them yet. Values are those the pages give.
 */
const DOC_FACTS: Record<string, Partial<IndexEntry> & { kind?: IndexEntry['kind'] }> = {
  EVT_WDF_DEVICE_D0_ENTRY: { flags: [{ id: 'not-pageable' }], kmdf: '1.0', umdf: '2.0' },
  EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART: { flags: [{ id: 'not-pageable' }], kmdf: '1.0', umdf: '2.0' },
  WdfDeviceWdmDispatchIrp: { kmdf: '1.11', umdf: '2.17' },
  WdfDeviceInitSetIoTypeEx: { kmdf: '1.13', umdf: '2.0' },
  WdfDeviceWdmGetDeviceObject: { kmdf: '1.0', frameworks: ['KMDF'], flags: [{ id: 'kmdf-only' }] },
  // Its page says KMDF only (and gives a UMDF version too); the UMDF headers declare it.
  EVT_WDF_DEVICE_RELATIONS_QUERY: { kmdf: '1.0', umdf: '2.0', frameworks: ['KMDF'], flags: [{ id: 'kmdf-only' }] },
  WdfRequestComplete: { kmdf: '1.0', umdf: '2.0', ddiCompliance: ['RequestCompleted', 'KmdfIrql'] },
  WdfIoTargetSendIoctlSynchronously: { kmdf: '1.0', umdf: '2.0', ddiCompliance: ['KmdfIrql', 'SyncReqSend'] },
  WDF_DRIVER_CONFIG_INIT: {
    kind: 'method',
    returns: 'VOID',
    params: [
      { name: 'Config', type: 'PWDF_DRIVER_CONFIG' },
      { name: 'EvtDriverDeviceAdd', type: 'PFN_WDF_DRIVER_DEVICE_ADD' },
    ],
  },
  WDF_TIMER_CONFIG_INIT: {
    kind: 'method',
    returns: 'VOID',
    params: [
      { name: 'Config', type: 'PWDF_TIMER_CONFIG' },
      { name: 'EvtTimerFunc', type: 'PFN_WDF_TIMER' },
    ],
  },
  WDF_TIMER_CONFIG_INIT_PERIODIC: {
    kind: 'method',
    returns: 'VOID',
    params: [
      { name: 'Config', type: 'PWDF_TIMER_CONFIG' },
      { name: 'EvtTimerFunc', type: 'PFN_WDF_TIMER' },
      { name: 'Period', type: 'LONG' },
    ],
  },
  WDF_DPC_CONFIG_INIT: {
    kind: 'method',
    returns: 'VOID',
    params: [
      { name: 'Config', type: 'PWDF_DPC_CONFIG' },
      { name: 'EvtDpcFunc', type: 'PFN_WDF_DPC' },
    ],
  },
  WDF_WORKITEM_CONFIG_INIT: {
    kind: 'method',
    returns: 'VOID',
    params: [
      { name: 'Config', type: 'PWDF_WORKITEM_CONFIG' },
      { name: 'EvtWorkItemFunc', type: 'PFN_WDF_WORKITEM' },
    ],
  },
  WDF_INTERRUPT_CONFIG_INIT: {
    kind: 'method',
    returns: 'VOID',
    params: [
      { name: 'Configuration', type: 'PWDF_INTERRUPT_CONFIG' },
      { name: 'EvtInterruptIsr', type: 'PFN_WDF_INTERRUPT_ISR' },
      { name: 'EvtInterruptDpc', type: 'PFN_WDF_INTERRUPT_DPC' },
    ],
  },
  WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE: {
    kind: 'method',
    returns: 'VOID',
    params: [
      { name: 'Config', type: 'PWDF_IO_QUEUE_CONFIG' },
      { name: 'DispatchType', type: 'WDF_IO_QUEUE_DISPATCH_TYPE' },
    ],
  },
};

let cached: KnowledgeIndex | undefined;

/** The index the rule tests use (built once per process). */
export function ruleTestIndex(): KnowledgeIndex {
  if (cached) return cached;
  const entries = mergeSources({
    base: loadEmbeddedCatalog().entries,
    headers: [
      { label: 'wdf-signatures:kmdf-1.33', framework: 'KMDF', decls: declsOf('kmdf-1.33.json') },
      { label: 'wdf-signatures:umdf-2.33', framework: 'UMDF', decls: declsOf('umdf-2.33.json') },
    ],
  });
  const byName = new Map(entries.map((e) => [e.name, e]));
  for (const [name, facts] of Object.entries(DOC_FACTS)) {
    let entry = byName.get(name);
    if (!entry) {
      entry = {
        name,
        kind: facts.kind ?? 'method',
        params: [],
        frameworks: ['KMDF', 'UMDF'],
        flags: [],
        sources: ['test'],
      };
      entries.push(entry);
      byName.set(name, entry);
    }
    if (facts.flags) for (const f of facts.flags) if (!entry.flags.some((x) => x.id === f.id)) entry.flags.push(f);
    if (facts.frameworks && entry.flags.some((f) => f.id === 'kmdf-only')) entry.frameworks = facts.frameworks;
    entry.kmdf ??= facts.kmdf;
    entry.umdf ??= facts.umdf;
    entry.ddiCompliance ??= facts.ddiCompliance;
    if (facts.params && !entry.params.length) {
      entry.params = facts.params;
      entry.returns ??= facts.returns;
    }
  }
  // Registrations through the INIT helpers added above.
  cached = new KnowledgeIndex(mergeSources({ base: entries }), ['test']);
  return cached;
}

export const KMDF_NEWEST: Target = { framework: 'KMDF', kmdfVersion: '1.33', source: 'default' };

export interface Fixture {
  workspace: WorkspaceModel;
  texts: Map<string, string>;
}

export function uriOf(name: string): string {
  return `file:///fixture/${name}`;
}

/** Analyse a set of files (name → text) into a workspace. */
export async function analyzeFiles(files: Record<string, string>): Promise<Fixture> {
  const workspace = new WorkspaceModel();
  const texts = new Map<string, string>();
  for (const [name, text] of Object.entries(files)) {
    const uri = uriOf(name);
    workspace.update(await analyzeText(uri, text));
    texts.set(uri, text);
  }
  return { workspace, texts };
}

/** The files of a fixture folder (test/fixtures/rules/<dir>). */
export function readFixture(dir: string): Record<string, string> {
  const full = path.join(fixturesDir, dir);
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(full).sort())
    if (/\.(c|h|cpp)$/.test(name)) out[name] = fs.readFileSync(path.join(full, name), 'utf8');
  return out;
}

/** The target a fixture asks for with `// target: UMDF 2.15` on its first line, else the newest KMDF. */
export function fixtureTarget(files: Record<string, string>): Target {
  for (const text of Object.values(files)) {
    const m = /^\/\/ target: (KMDF|UMDF) (\d+\.\d+)/.exec(text);
    if (m)
      return m[1] === 'KMDF'
        ? { framework: 'KMDF', kmdfVersion: m[2], source: 'fixture' }
        : { framework: 'UMDF', umdfVersion: m[2], source: 'fixture' };
  }
  return KMDF_NEWEST;
}

/** Run the rules over every file of a fixture. */
export async function lint(files: Record<string, string>, options: Partial<RunRulesOptions> = {}): Promise<Finding[]> {
  const { workspace, texts } = await analyzeFiles(files);
  return runRules({
    workspace,
    index: ruleTestIndex(),
    target: fixtureTarget(files),
    texts: (uri) => texts.get(uri),
    ...options,
  });
}

/** A fixture file or folder (test/fixtures/rules/<rel>) as name → text. */
export function loadFixture(rel: string): Record<string, string> {
  const full = path.join(fixturesDir, rel);
  if (fs.statSync(full).isDirectory()) return readFixture(rel);
  return { [path.basename(rel)]: fs.readFileSync(full, 'utf8') };
}

/** `name:line` (1-based) of each `// expect: RULE` marker for a rule. */
export function expectedMarkers(files: Record<string, string>, ruleId: string): string[] {
  const out: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    text.split(/\r?\n/).forEach((line, i) => {
      const m = /\/\/ expect: ([\w, ]+)/.exec(line);
      if (m && m[1].split(/[,\s]+/).includes(ruleId)) out.push(`${name}:${i + 1}`);
    });
  }
  return out.sort();
}

/** `name:line` of each finding of a rule. */
export function foundAt(findings: Finding[], ruleId: string): string[] {
  return findings
    .filter((f) => f.ruleId === ruleId)
    .map((f) => `${f.uri.replace('file:///fixture/', '')}:${f.span.start.line + 1}`)
    .sort();
}

/** Apply edits (any order) to a text. */
export function applyEdits(text: string, edits: FixEdit[]): string {
  const sorted = [...edits].sort(
    (a, b) => b.span.startOffset - a.span.startOffset || b.span.endOffset - a.span.endOffset,
  );
  let out = text;
  for (const e of sorted) out = out.slice(0, e.span.startOffset) + e.newText + out.slice(e.span.endOffset);
  return out;
}

/** Apply a finding's first (preferred) fix to the files. */
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

/** Only our own families (the callback-contract family is tested by its own suite). */
export function ownFindings(findings: Finding[]): Finding[] {
  return findings.filter((f) => !/^KMDF3/.test(f.ruleId));
}

export function describe_(findings: Finding[]): string {
  return findings
    .map(
      (f) =>
        `${f.uri.replace('file:///fixture/', '')}:${f.span.start.line + 1}: ${f.severity}: ${f.message} [${f.ruleId}]`,
    )
    .join('\n');
}
