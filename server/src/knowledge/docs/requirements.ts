/**
 * Normalising the requirement facts of a docs page (IRQL, framework versions, minimum Windows,
 * frameworks, kind) and building public reference URLs.
 */
import { normalizeLevel } from '../irql';
import { PUBLIC_REFERENCE_BASE, type EntryKind, type Framework, type Irql } from '../types';
import { lookupTable } from '../../util/lookupTable';

/** A level name, optionally with a number added or taken ("DISPATCH_LEVEL + 1"); one capture group. */
const LEVEL =
  '((?:PASSIVE_LEVEL|APC_LEVEL|DISPATCH_LEVEL|DIRQL|DEVICE_LEVEL|SYNCH_LEVEL|HIGH_LEVEL|PASSIVE|APC|DISPATCH)(?:\\s*[-+]\\s*\\d+\\b)?)';

/**
 * IRQL facts from a requirement text ("<= DISPATCH_LEVEL (see Remarks section)", "PASSIVE_LEVEL",
 * "Any level", "_requires_same_", "See Remarks section.").
 *
 * Convention: "<= X" (and "at or below X") gives `max`; ">= X" gives `min`; a bare level ("PASSIVE_LEVEL",
 * "Called at DISPATCH_LEVEL.") means the page names the one level the code runs or must be called at,
 * so it gives `exact`; "Any level"/"Any IRQL" gives `max: HIGH_LEVEL`; "requires same" gives `same`.
 * The cleaned raw text is always kept in `text`. Returns undefined for an empty text.
 */
export function parseIrqlText(raw: string | undefined): Irql | undefined {
  const text = cleanRequirement(raw);
  if (!text) return undefined;
  const irql: Irql = { text };
  if (/requires?[\s_]*same/i.test(text)) irql.same = true;
  if (/\bany\s+(level|irql)\b/i.test(text)) {
    irql.max = 'HIGH_LEVEL';
    return irql;
  }
  const range = new RegExp(`${LEVEL}\\s*(?:-|–|to|through)\\s*${LEVEL}`, 'i').exec(text);
  if (range) {
    irql.min = normalizeLevel(range[1]);
    irql.max = normalizeLevel(range[2]);
    return irql;
  }
  const max = new RegExp(`(?:<=|≤|=<|<|at or below|less than or equal to)\\s*${LEVEL}`, 'i').exec(text);
  const min = new RegExp(`(?:>=|≥|at or above|greater than or equal to)\\s*${LEVEL}`, 'i').exec(text);
  if (max) irql.max = normalizeLevel(max[1]);
  if (min) irql.min = normalizeLevel(min[1]);
  if (!max && !min) {
    const exact = new RegExp(`(?:^|[\\s=(])${LEVEL}\\b`, 'i').exec(text);
    if (exact) irql.exact = normalizeLevel(exact[1]);
  }
  return irql;
}

/** Whether IRQL facts name a level (or `same`), not just text such as "See Remarks section." */
export function hasIrqlLevel(irql: Irql | undefined): boolean {
  return !!irql && !!(irql.max || irql.min || irql.exact || irql.same);
}

/**
 * The level a page's prose states for the callback or function ("is called at IRQL = PASSIVE_LEVEL",
 * "can be called at IRQL <= DISPATCH_LEVEL", "runs at DISPATCH_LEVEL"), for pages whose requirement
 * says only "See Remarks section." or nothing.
 */
export function irqlFromProse(plain: string): Irql | undefined {
  const patterns = [
    new RegExp(
      `\\b(?:called|invoked|runs?|executes?|calls? (?:it|(?:this|the|its|a)(?: [\\w']+){1,3}))\\s+(?:only\\s+)?at\\s+(?:an?\\s+)?IRQL\\s*(<=|≤|=|==|<|>=)?\\s*${LEVEL}`,
      'i',
    ),
    new RegExp(
      `\\b(?:called|invoked|runs?|executes?)\\s+(?:only\\s+)?at\\s+(?:the\\s+(?:device's\\s+)?)?${LEVEL}`,
      'i',
    ),
    new RegExp(`\\bIRQL\\s*(<=|≤|=|==)\\s*${LEVEL}`, 'i'),
  ];
  for (const pattern of patterns) {
    const m = pattern.exec(plain);
    if (!m) continue;
    const op = m.length > 2 ? m[1] : undefined;
    const level = normalizeLevel(m[m.length - 1]);
    if (!level) continue;
    const sentence = sentenceAround(plain, m.index, m[0].length);
    if (op === '<=' || op === '≤' || op === '<') return { max: level, text: sentence };
    if (op === '>=') return { min: level, text: sentence };
    return { exact: level, text: sentence };
  }
  return undefined;
}

/**
 * The first `Evt…` name followed, in the same sentence, by the word "callback" ("A driver's EvtIoStop
 * event callback function …" → "EvtIoStop"), as `/\b(Evt[A-Z]\w*)\b[^.]*?\bcallback/` finds it, but
 * linear: the next period and the next "callback" are searched once and reused while they lie ahead
 * (the regex rescans to the period from every name, quadratic on a long text of names).
 */
export function evtNameBeforeCallback(text: string): string | undefined {
  const names = /\bEvt[A-Z]\w*/g;
  const callback = /\bcallback/g;
  let dot = -1;
  let word = -1;
  for (let m = names.exec(text); m; m = names.exec(text)) {
    const end = m.index + m[0].length;
    if (dot < end) {
      dot = text.indexOf('.', end);
      if (dot < 0) dot = text.length;
    }
    if (word < end && word !== Infinity) {
      callback.lastIndex = end;
      word = callback.exec(text)?.index ?? Infinity;
    }
    if (word < dot) return m[0];
  }
  return undefined;
}

function sentenceAround(text: string, start: number, length: number): string {
  const before = text.lastIndexOf('.', start);
  const nl = text.lastIndexOf('\n', start);
  const from = Math.max(before, nl) + 1;
  const dot = text.indexOf('.', start + length);
  const end = dot < 0 ? text.length : dot + 1;
  return text.slice(from, end).replace(/\s+/g, ' ').trim();
}

/** Trim a requirement value; YAML leftovers (quotes) and blank values become undefined. */
export function cleanRequirement(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  const text = (Array.isArray(raw) ? raw.join(', ') : typeof raw === 'string' ? raw : JSON.stringify(raw))
    .replace(/^["']|["']$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return text || undefined;
}

/** "1.0" → "1.0", "1" → "1.0", "1.11" → "1.11", "Version 2.0" → "2.0"; empty or unreadable → undefined. */
export function normalizeVersion(raw: unknown): string | undefined {
  const text = cleanRequirement(raw);
  if (!text) return undefined;
  const m = /(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  return `${Number(m[1])}.${m[2] !== undefined ? Number(m[2]) : 0}`;
}

/** "Available starting with Windows 8.1." → "Windows 8.1"; "Windows 10, version 1709" stays. */
export function normalizeWindows(raw: unknown): string | undefined {
  const text = cleanRequirement(raw);
  if (!text) return undefined;
  const m = /Windows\s+(?:Server\s+)?(?:\d+(?:\.\d+)?|Vista|XP|2000)(?:\s+R2)?(?:,?\s+version\s+\w+)?/i.exec(text);
  return m ? m[0].replace(/\s+/g, ' ') : undefined;
}

/** The "[Applies to …]" banner's frameworks and whether it says "only". */
export function parseBanner(banner: string | undefined): { frameworks: Framework[]; only?: Framework } | undefined {
  if (!banner) return undefined;
  const kmdf = /\bKMDF\b/i.test(banner);
  const umdf = /\bUMDF\b/i.test(banner);
  if (!kmdf && !umdf) return undefined;
  const frameworks: Framework[] = [...(kmdf ? ['KMDF' as const] : []), ...(umdf ? ['UMDF' as const] : [])];
  const only = frameworks.length === 1 && /\bonly\b/i.test(banner) ? frameworks[0] : undefined;
  return { frameworks, only };
}

/** Frameworks from the versions and the banner; a banner saying "only" wins over the versions. */
export function frameworksOf(
  kmdf: string | undefined,
  umdf: string | undefined,
  banner: ReturnType<typeof parseBanner>,
): Framework[] {
  if (banner?.only) return [banner.only];
  const set = new Set<Framework>();
  if (kmdf) set.add('KMDF');
  if (umdf) set.add('UMDF');
  for (const f of banner?.frameworks ?? []) set.add(f);
  return [...set].sort();
}

const PREFIX_KIND: Readonly<Record<string, EntryKind>> = lookupTable({
  NC: 'callback',
  NF: 'method',
  NS: 'structure',
  NE: 'enumeration',
});
const KIND_PREFIX: Record<EntryKind, string> = {
  callback: 'nc',
  method: 'nf',
  macro: 'nf',
  structure: 'ns',
  enumeration: 'ne',
};
const TOPIC_KIND: Readonly<Record<string, EntryKind>> = lookupTable({
  callback: 'callback',
  function: 'method',
  struct: 'structure',
  enum: 'enumeration',
  macro: 'macro',
});

/** Kind from a UID prefix ("NC") or an `ms.topic` value ("callback", "function", "struct", "enum", "macro"). */
export function kindOf(uidPrefix: string | undefined, topic: string | undefined): EntryKind | undefined {
  const fromTopic = topic ? TOPIC_KIND[topic.trim().toLowerCase()] : undefined;
  if (fromTopic === 'macro') return 'macro';
  return (uidPrefix ? PREFIX_KIND[uidPrefix.toUpperCase()] : undefined) ?? fromTopic;
}

/** Kind from a rendered page title's word ("callback function", "function", "macro", "structure", "enumeration"). */
export function kindFromTitleWord(word: string): EntryKind | undefined {
  const w = word.toLowerCase();
  if (w.startsWith('callback')) return 'callback';
  if (w.startsWith('function') || w.startsWith('method')) return 'method';
  if (w.startsWith('macro')) return 'macro';
  if (w.startsWith('struct')) return 'structure';
  if (w.startsWith('enum')) return 'enumeration';
  return undefined;
}

/**
 * Public reference URL from a docs-repository relative path: "wdfio/nc-wdfio-evt_wdf_io_queue_io_stop.md"
 * (also with backslashes, a leading folder such as "…/content/", or a full local path) →
 * "https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nc-wdfio-evt_wdf_io_queue_io_stop".
 * Undefined for a path that is not a reference page.
 */
export function docsUrlFromRepoPath(relPath: string): string | undefined {
  const m = /(?:^|\/)([a-z0-9_]+)\/(n[cfse]-[a-z0-9_]+-[^/]+?)(?:\.md)?$/i.exec(relPath.replace(/\\/g, '/').trim());
  return m ? `${PUBLIC_REFERENCE_BASE}${m[1].toLowerCase()}/${m[2].toLowerCase()}` : undefined;
}

/**
 * Public reference URL from a name, header and kind: ("EVT_WDF_IO_QUEUE_IO_STOP", "wdfio.h", "callback") →
 * ".../ddi/wdfio/nc-wdfio-evt_wdf_io_queue_io_stop". Structures and enumerations are filed under their
 * tag name, so "WDF_IO_QUEUE_CONFIG" gives "ns-wdfio-_wdf_io_queue_config".
 */
export function docsUrlFor(name: string, header: string, kind: EntryKind): string | undefined {
  const dir = header.trim().toLowerCase().replace(/\.h$/, '');
  if (!/^[a-z0-9_]+$/.test(dir) || !/^\w+$/.test(name)) return undefined;
  let stem = name.toLowerCase();
  if ((kind === 'structure' || kind === 'enumeration') && !stem.startsWith('_')) stem = `_${stem}`;
  return `${PUBLIC_REFERENCE_BASE}${dir}/${KIND_PREFIX[kind]}-${dir}-${stem}`;
}
