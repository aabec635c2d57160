/**
 * Merging the sources of the index by name: signatures from headers (or the wdf-signatures facts),
 * requirements and flags from the docs front matter, text from the docs. Where sources disagree the
 * header wins for signatures, and the disagreement is kept as a `Conflict`.
 */
import { applyFrameworkFacts } from './frameworkFacts';
import { conditionalIrql, loosestMax, maxLevel, normalizeLevel } from './irql';
import type { Conflict, DocPage, Flag, Framework, HeaderDecl, IndexEntry, Irql, Param, Registration } from './types';

/** Sources in order of trust; `label` goes into `entry.sources`. */
export interface MergeInput {
  /** Entries to start from (the embedded catalog), or none. */
  base?: IndexEntry[];
  /** Header declarations, each tagged with the source label (e.g. "header:wdfio.h", "wdf-signatures:kmdf-1.33"). */
  headers?: { label: string; framework?: Framework; decls: HeaderDecl[] }[];
  /** Docs pages, most authoritative first (e.g. current docs before the 2018 snapshot). */
  docs?: { label: string; pages: DocPage[] }[];
}

export function mergeSources(input: MergeInput): IndexEntry[] {
  const byName = new Map<string, IndexEntry>();
  for (const entry of input.base ?? []) byName.set(entry.name, structuredClone(entry));

  // Headers first: they own signatures.
  const headerSeen = new Set<string>();
  for (const { label, framework, decls } of input.headers ?? []) {
    for (const decl of decls) {
      const entry = getOrCreate(byName, decl.name, decl.kind);
      const fresh = !headerSeen.has(decl.name);
      headerSeen.add(decl.name);
      addSource(entry, label);
      if (framework && !entry.frameworks.includes(framework)) entry.frameworks.push(framework);
      entry.header ??= decl.header;
      if (fresh) {
        // The first header source for this name replaces whatever the base had.
        if (decl.returns) entry.returns = decl.returns;
        if (decl.params) entry.params = decl.params.map(cleanParam);
        if (decl.annotations) entry.annotations = decl.annotations;
        if (decl.irql) {
          // A header that writes no level (only `_IRQL_requires_same_` or a minimum, as the completion
          // routine's does) keeps the level the base read from the docs, as mergeIrql does for pages.
          const base = entry.irql;
          const noLevel = decl.irql.max === undefined && decl.irql.exact === undefined;
          entry.irql = {
            ...decl.irql,
            ...(noLevel && base?.max !== undefined ? { max: base.max } : {}),
            ...(noLevel && base?.exact !== undefined ? { exact: base.exact } : {}),
            ...(base?.text ? { text: base.text } : {}),
          };
        }
        const when = conditionalIrql(decl.annotations);
        if (when.length) {
          // The level depends on an argument: keep the branches, and the loosest level as `max`.
          const loosest = loosestMax(when);
          entry.irql = { ...(entry.irql?.same ? { same: true } : {}), ...(loosest ? { max: loosest } : {}), when };
        }
      }
      if (decl.pfn) entry.pfn = decl.pfn;
      if (decl.callbackFields) entry.callbackFields = mergeFields(entry.callbackFields, decl.callbackFields);
      if (decl.members) entry.members = decl.members;
    }
  }

  // Docs: requirements, flags and links; signatures only where no header gave one.
  const docSeen = new Set<string>();
  for (const { label, pages } of input.docs ?? []) {
    for (const page of pages) {
      const entry = getOrCreate(byName, page.name, page.kind);
      const first = !docSeen.has(page.name);
      docSeen.add(page.name);
      addSource(entry, label);
      applyDocPage(entry, page, first, headerSeen.has(page.name));
    }
  }

  const entries = [...byName.values()];
  linkRegistrations(entries);
  applyFrameworkFacts(entries);
  for (const e of entries) {
    e.frameworks.sort();
    // A page naming its own API ("must call WdfRequestStopAcknowledge" on that method's page) says nothing.
    e.flags = dedupeFlags(e.flags).filter((f) => f.ref === undefined || (f.ref !== e.name && f.ref !== e.roleName));
  }
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function getOrCreate(map: Map<string, IndexEntry>, name: string, kind: IndexEntry['kind']): IndexEntry {
  let entry = map.get(name);
  if (!entry) {
    entry = { name, kind, params: [], frameworks: [], flags: [], sources: [] };
    map.set(name, entry);
  }
  return entry;
}

function addSource(entry: IndexEntry, label: string): void {
  if (!entry.sources.includes(label)) entry.sources.push(label);
}

function cleanParam(p: Param): Param {
  const out: Param = { name: p.name, type: p.type };
  if (p.direction) out.direction = p.direction;
  if (p.sal?.length) out.sal = p.sal;
  if (p.optional) out.optional = true;
  return out;
}

function mergeFields(a: IndexEntry['callbackFields'], b: NonNullable<IndexEntry['callbackFields']>) {
  const out = [...(a ?? [])];
  for (const f of b) if (!out.some((x) => x.field === f.field)) out.push(f);
  return out;
}

function applyDocPage(entry: IndexEntry, page: DocPage, firstDoc: boolean, hasHeader: boolean): void {
  // Requirements: the first (most authoritative) docs source wins; later ones only fill gaps.
  const fill = <K extends keyof IndexEntry>(key: K, value: IndexEntry[K] | undefined) => {
    if (value === undefined || value === '') return;
    if (firstDoc || entry[key] === undefined) entry[key] = value;
  };
  if (entry.header && page.header && entry.header.toLowerCase() !== page.header.toLowerCase() && firstDoc) {
    addConflict(entry, 'header', [
      { source: 'header', value: entry.header },
      { source: page.location, value: page.header },
    ]);
  }
  if (!entry.header) entry.header = page.header;
  fill('kmdf', page.kmdf);
  fill('umdf', page.umdf);
  fill('minWindows', page.minWindows);
  fill('roleName', page.roleName);
  fill('docsUrl', page.docsUrl);
  if (page.format !== 'rendered') fill('docsPath', repoRelativePath(page.location));
  if (page.ddiCompliance?.length) fill('ddiCompliance', page.ddiCompliance);
  if (page.fields?.length) fill('fields', page.fields);
  // Header members (the compiler's view) win over the page's.
  if (page.members?.length && !entry.members) entry.members = page.members;
  if (firstDoc) {
    for (const fw of page.frameworks) if (!entry.frameworks.includes(fw)) entry.frameworks.push(fw);
    // A banner saying "KMDF only" outranks a framework inferred from one header set.
    if (page.flags.some((f) => f.id === 'kmdf-only')) entry.frameworks = entry.frameworks.filter((f) => f === 'KMDF');
    if (page.flags.some((f) => f.id === 'umdf-only')) entry.frameworks = entry.frameworks.filter((f) => f === 'UMDF');
    entry.flags.push(...page.flags);
  }
  mergeIrql(entry, page, firstDoc);

  // Signature from the docs only when no header gave one, and only from a complete prototype whose
  // types read as C (some published prototypes are garbled: `_In_ const pInArgs`, `reads_bytes_(n) PVOID`).
  const trustworthy = page.prototypeComplete !== false && page.params.every((p) => !p.type || isPlausibleCType(p.type));
  if (!trustworthy) {
    // Neither parameters nor return type: a half-right signature would make stubs that do not compile.
  } else if (!hasHeader && page.params.length && entry.params.length === 0) {
    entry.params = page.params.filter((p) => p.type).map((p) => cleanParam(p));
    if (page.returns) entry.returns = page.returns;
  } else if (!hasHeader && page.returns && !entry.returns) {
    entry.returns = page.returns;
  }
  if (hasHeader && page.prototypeComplete && page.params.length && entry.params.length) {
    const docNames = page.params.map((p) => p.name).join(', ');
    const hdrNames = entry.params.map((p) => p.name).join(', ');
    if (docNames !== hdrNames) {
      addConflict(entry, 'params', [
        { source: 'header', value: hdrNames },
        { source: page.location, value: docNames },
      ]);
    }
  }
}

const TYPE_QUALIFIERS = new Set(['const', 'CONST', 'volatile', 'struct', 'enum', 'union', 'unsigned', 'signed']);

/** A parameter type as C would read it: qualifiers, one type name, pointer stars. */
export function isPlausibleCType(type: string): boolean {
  const words = type.replace(/\*/g, ' * ').trim().split(/\s+/);
  const names = words.filter((w) => w !== '*' && !TYPE_QUALIFIERS.has(w));
  if (names.length === 0) return false;
  return words.every((w) => w === '*' || /^[A-Za-z_][A-Za-z0-9_]*$/.test(w)) && names.length <= 2;
}

function mergeIrql(entry: IndexEntry, page: DocPage, firstDoc: boolean): void {
  const docIrql = page.irql;
  if (!docIrql) return;
  if (!entry.irql) {
    entry.irql = { ...docIrql };
    return;
  }
  if (!firstDoc) {
    entry.irql.text ??= docIrql.text;
    return;
  }
  const fromHeader = entry.irql;
  if (fromHeader.when) {
    // Conditional levels come from the header; the docs' single level would be wrong for one branch.
    entry.irql = { ...fromHeader, text: docIrql.text ?? fromHeader.text };
    return;
  }
  const headerLevel = maxLevel(fromHeader);
  const docLevel = maxLevel(docIrql);
  if (!headerLevel) {
    // A header level written but not readable (a macro, an expression this model cannot place) is unknown:
    // the docs may give the level, but the disagreement is kept rather than dropped without a trace.
    const unread = fromHeader.exact ?? fromHeader.max;
    if (unread !== undefined && !docLevel) {
      entry.irql = { ...fromHeader, text: docIrql.text ?? fromHeader.text };
      return;
    }
    if (unread !== undefined) {
      addConflict(entry, 'irql', [
        { source: 'header', value: describe(fromHeader) },
        { source: page.location, value: describeDoc(docIrql) },
      ]);
    }
    // The docs give the level (the header says only `_IRQL_requires_same_`, or a level it cannot place).
    entry.irql = { ...docIrql, ...(fromHeader.same ? { same: true } : {}) };
    return;
  }
  entry.irql = { ...fromHeader, text: docIrql.text ?? fromHeader.text };
  if (docLevel && docLevel !== headerLevel) {
    addConflict(entry, 'irql', [
      { source: 'header', value: describe(fromHeader) },
      { source: page.location, value: describeDoc(docIrql) },
    ]);
  }
}

/** The requirement text when it names a level; otherwise ("See Remarks section.") the level read from the page. */
function describeDoc(irql: Irql): string {
  return irql.text && /_LEVEL|\bany\b/i.test(irql.text) ? irql.text : describe(irql);
}

function describe(irql: Irql): string {
  const parts: string[] = [];
  if (irql.exact) parts.push(`= ${irql.exact}`);
  if (irql.min) parts.push(`>= ${irql.min}`);
  if (irql.max) parts.push(`<= ${irql.max}`);
  return parts.join(', ') || irql.text || '';
}

function addConflict(entry: IndexEntry, field: Conflict['field'], values: Conflict['values']): void {
  entry.conflicts ??= [];
  if (!entry.conflicts.some((c) => c.field === field)) entry.conflicts.push({ field, values });
}

function dedupeFlags(flags: Flag[]): Flag[] {
  const seen = new Set<string>();
  return flags.filter((f) => {
    const key = `${f.id}:${f.ref ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** "…/ddi-docs/current/wdfio/nc-wdfio-x.md" → "wdfio/nc-wdfio-x.md"; URLs and other paths unchanged but normalised. */
export function repoRelativePath(location: string): string {
  const norm = location.replace(/\\/g, '/');
  const m = /([^/]+\/[^/]+\.md)$/.exec(norm);
  return m ? m[1] : norm;
}

/** The structure type a method parameter takes, e.g. "PWDF_IO_QUEUE_CONFIG" → "WDF_IO_QUEUE_CONFIG". */
function structOfParamType(type: string): string {
  return type
    .replace(/\bconst\b/g, '')
    .replace(/\*/g, '')
    .trim()
    .replace(/^P(?=WDF_)/, '');
}

/**
 * Fill `registeredThrough` on callbacks: config fields (and the method that takes the config),
 * and `PFN_…` parameters of methods and `WDF_…_INIT` helpers.
 */
function linkRegistrations(entries: IndexEntry[]): void {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const byPfn = new Map<string, IndexEntry>();
  for (const e of entries) {
    if (e.kind !== 'callback') continue;
    e.registeredThrough = undefined;
    byPfn.set(e.pfn ?? e.name.replace(/^EVT_/, 'PFN_'), e);
  }
  const methods = entries.filter((e) => e.kind === 'method');
  const push = (cb: IndexEntry | undefined, reg: Registration) => {
    if (!cb || cb.kind !== 'callback') return;
    cb.registeredThrough ??= [];
    const key = JSON.stringify(reg);
    if (!cb.registeredThrough.some((r) => JSON.stringify(r) === key)) cb.registeredThrough.push(reg);
  };
  for (const s of entries) {
    if (s.kind !== 'structure' || !s.callbackFields) continue;
    const takers = methods
      .filter((m) => !/_INIT/.test(m.name) && m.params.some((p) => structOfParamType(p.type) === s.name))
      .map((m) => m.name)
      .sort(
        (a, b) =>
          Number(/Create|Set|Assign|Register/.test(b)) - Number(/Create|Set|Assign|Register/.test(a)) ||
          (a < b ? -1 : a > b ? 1 : 0),
      );
    for (const f of s.callbackFields) {
      push(byName.get(f.callback) ?? byPfn.get(f.pfn), {
        struct: s.name,
        field: f.field,
        ...(takers[0] ? { method: takers[0] } : {}),
      });
    }
  }
  for (const m of methods) {
    m.params.forEach((p, i) => {
      if (!/^PFN_/.test(p.type)) return;
      const cb = byPfn.get(p.type) ?? byName.get(p.type.replace(/^PFN_/, 'EVT_'));
      push(cb, { method: m.name, param: p.name, paramIndex: i });
    });
  }
}

export { normalizeLevel };
