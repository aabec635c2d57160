/**
 * Mining contract facts from documentation prose: each matcher turns a family of sentences
 * ("You should not make this callback function pageable", "To register …, a driver must call X")
 * into a `Flag` with, where the sentence names one, the API it refers to. Sentences are never kept.
 */
import type { Flag, FlagId } from '../types';
import { toPlainText } from './text';

/** An API-like identifier: EvtIoStop, WdfRequestUnmarkCancelable, WDF_IO_QUEUE_CONFIG_INIT, SerCxInitialize. */
// Written without nested or overlapping quantifiers (`(?:[A-Z0-9][A-Za-z0-9]*)+` backtracks
// exponentially on a long capitalised word that fails at its end).
const API = /^(?:[A-Z][a-z0-9]+[A-Z0-9][A-Za-z0-9]*|[A-Z](?=[A-Z0-9]*_[A-Z0-9_])[A-Z0-9_]+)$/;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/g;

function apiNames(text: string): string[] {
  return [
    ...new Set((text.match(IDENT) ?? []).filter((w) => API.test(w) && !/^(STATUS|TRUE|FALSE|NT_SUCCESS)/.test(w))),
  ];
}

/** The first API name after a word position, skipping articles and fillers ("the driver's", "either"). */
function firstApiAfter(text: string): string | undefined {
  const m = /^\s*(?:(?:the|a|an|its|either|driver's|framework's|method|function)\s+)*([A-Za-z_]\w*)/i.exec(text);
  return m && API.test(m[1]) ? m[1] : undefined;
}

/** Sentences of plain text; list items count as sentences and keep their "- " marker. */
function sentences(plain: string): string[] {
  return plain
    .split(/\n+|(?<=[.!?])\s+(?=[A-Z[(])/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Items of the list that follows sentence `i` (lines starting with "- " or "• "). */
function listAfter(all: string[], i: number): string[] {
  const items: string[] = [];
  // Items are list lines, or (where the page lost its <ul>) lines holding one name each.
  for (let j = i + 1; j < all.length && (/^[-•*]\s/.test(all[j]) || API.test(all[j].replace(/[.,;]$/, ''))); j++)
    items.push(all[j].replace(/^[-•*]\s+/, ''));
  return items;
}

const NOT_PAGEABLE = [
  /\b(?:should|must|do|does)\s+not\s+(?:make|mark)\b[^.]*\bpageable\b/i,
  /\b(?:must|should)\s+not\s+be\s+(?:made\s+)?(?:pageable|paged)\b/i,
  /\b(?:cannot|can't)\s+be\s+(?:made\s+)?(?:pageable|paged)\b/i,
  /\bmust\s+(?:be|reside\s+in)\s+(?:non-?pageable|non-?paged)\b/i,
];
const MAY_BE_PAGEABLE =
  /\b(?:can|may)\s+be\s+(?:made\s+)?pageable\b|\b(?:can|may)\s+(?:make|mark)\s+(?:this|the|your)\b[^.]*\bpageable\b/i;
/** Longer than any sentence of the reference pages (the longest is under 1,000 characters). */
const MAX_SENTENCE_LENGTH = 2000;
const CALL_VERB = /\b(?:must|should|can|will|to)?\s*call(?:s|ing)?\s+/gi;

/**
 * Contract facts in a text (HTML, docs Markdown or plain). Tolerant of the wording variations of the
 * real pages; see the comment on each matcher for the family of sentences it reads. `subject` is the
 * page's API name: "Do not call X from Y" gives 'do-not-call-from' Y only when X is the subject.
 */
export function mineFlags(text: string, subject?: string): Flag[] {
  const all = sentences(toPlainText(text));
  const flags: Flag[] = [];
  const add = (id: FlagId, ref?: string) => {
    if (!flags.some((f) => f.id === id && f.ref === ref)) flags.push(ref ? { id, ref } : { id });
  };
  for (let i = 0; i < all.length; i++) {
    const s = all[i];
    // The matchers scan a sentence once per opening phrase; a "sentence" this long is not prose
    // (and would make them quadratic), so it states no contract.
    if (s.length > MAX_SENTENCE_LENGTH) continue;
    const sentence: Sentence = { s, all, i, subject, add };
    for (const matcher of SENTENCE_MATCHERS) matcher(sentence);
  }
  return flags;
}

/** One sentence being mined: its text `s`, its place `i` among `all`, the page's subject, and where flags go. */
interface Sentence {
  s: string;
  all: string[];
  i: number;
  subject: string | undefined;
  add: (id: FlagId, ref?: string) => void;
}

/** "You should not make this callback function pageable", "must not be pageable", "must be nonpageable". */
function pageability({ s, add }: Sentence): void {
  if (NOT_PAGEABLE.some((re) => re.test(s)) && !/\bWdfDeviceInitSetPower|\bpageable\s+data\b/i.test(s))
    add('not-pageable');
  else if (MAY_BE_PAGEABLE.test(s)) add('may-be-pageable');
}

/** "must return STATUS_SUCCESS", or a status for which NT_SUCCESS(…) is TRUE. */
function mustReturnSuccess({ s, add }: Sentence): void {
  if (
    /\bmust\s+return\s+STATUS_SUCCESS\b/i.test(s) ||
    /\bmust\s+return\b[^.]*\bNT_SUCCESS\s*\(\s*\w*\s*\)\s*(?:equals|is)\s+TRUE/i.test(s)
  ) {
    add('must-return-nt-success');
  }
}

/** "The framework calls X only after calling the driver's Y callback", "is invoked only after Y has returned". */
function calledOnlyAfter({ s, add }: Sentence): void {
  for (const m of s.matchAll(
    /\bonly\s+after\s+(?:(?:calling|it\s+calls|the\s+framework\s+(?:has\s+)?call(?:s|ed))\s+)?/gi,
  )) {
    if (!/\b(?:call|calls|called|invoke|invokes|invoked)\b/i.test(s.slice(0, m.index))) continue;
    const ref = firstApiAfter(s.slice(m.index + m[0].length));
    if (ref) add('called-only-after', ref);
  }
}

/**
 * "To register an EvtX callback function, a driver must call Y", "… places the address in a
 * WDF_X structure before the driver calls Y", "A driver registers an EvtX callback when it calls Y",
 * "… register an EvtX callback function by calling Y or Z".
 */
function registeredBy({ s, add }: Sentence): void {
  if (
    /\bto\s+register\b[^.]*\bcallback/i.test(s) ||
    /\bregisters?\s+(?:an?|its|the|this)\s+\*?\w+\*?\s+(?:event\s+)?callback(?:\s+function)?\s+(?:when|by)\b/i.test(s)
  ) {
    for (const ref of callTargets(s)) add('registered-by', ref);
  }
}

/**
 * "only for system-mode DMA", "Only a driver that uses system-mode DMA should call X", or a page
 * that restricts the method to enablers with a system-mode profile.
 */
function systemModeDmaOnly({ s, add }: Sentence): void {
  if (
    /\bonly\b[^.]*\bsystem-mode\s+DMA\b/i.test(s) ||
    /\bsystem-mode\s+DMA\b[^.]*\bonly\b/i.test(s) ||
    /\b(?:must|can only)\s+be\s+used\s+with\s+a\s+DMA\s+enabler\s+that\s+specifies\s+a\s+system-mode\b/i.test(s)
  ) {
    add('system-mode-dma-only');
  }
}

/**
 * "Do not call X from the following … callback functions:", "must not call X from a request handler,
 * a CompletionRoutine callback function, or an EvtY callback function", "Do not call X from inside EvtY".
 */
function doNotCallFrom({ s, all, i, subject, add }: Sentence): void {
  const dnc =
    /\b(?:do\s+not|must\s+not|should\s+not|cannot|can't|never)\s+(?:be\s+)?call(?:ed)?\b([^.]*?)\bfrom\s+(?:inside\s+|within\s+)?([^.]*)/i.exec(
      s,
    );
  // Only about the page's own API: "Do not call <subject>", "this method must not be called from".
  const aboutSubject = (what: string) =>
    !subject ||
    new RegExp(`\\b${subject}\\b|\\bthis\\s+(?:method|function)\\b|^\\s*$`).test(what) ||
    /\b(?:this|the)\s+(?:method|function)\b/i.test(s.slice(0, dnc!.index));
  if (dnc && aboutSubject(dnc[1])) {
    const where = dnc[2];
    const refs = /\bthe\s+following\b/i.test(where)
      ? listAfter(all, i).flatMap(apiNames)
      : apiNames(where.split(/\bwith\b|\bunless\b|\bbecause\b|\bif\b/i)[0]);
    for (const ref of refs.filter((r) => /^Evt|Routine$|Callback$/.test(r))) add('do-not-call-from', ref);
  }
}

/** "the driver must call WdfRequestUnmarkCancelable before it calls WdfRequestComplete". */
function mustCall({ s, add }: Sentence): void {
  if (/\bto\s+register\b/i.test(s)) return;
  for (const m of s.matchAll(/\bmust\s+(?:first\s+|also\s+)?call\s+/gi)) {
    const ref = firstApiAfter(s.slice(m.index + m[0].length));
    if (ref && /^(?:Wdf|WDF_)/.test(ref)) add('must-call', ref);
  }
}

/** "requires DMA version 3", "must request use of DMA version 3", "uses DMA version 3". */
function requiresDmaV3({ s, add }: Sentence): void {
  if (
    /\b(?:requires?|must\s+(?:request|use)|only\s+(?:with|for)|uses)\b[^.]*\bDMA\s+version\s+3\b/i.test(s) &&
    !/\bearlier than\b/i.test(s)
  ) {
    add('requires-dma-v3');
  }
}

/** "This function is obsolete", "is deprecated", "no longer supported". */
function obsolete({ s, add }: Sentence): void {
  if (/\b(?:is|are|has been|have been)\s+(?:now\s+)?(?:obsolete|deprecated)\b|\bno\s+longer\s+supported\b/i.test(s))
    add('obsolete');
}

/**
 * "can be called at IRQL <= DISPATCH_LEVEL, unless the ExecutionLevel member … is WdfExecutionLevelPassive",
 * or a remark that ExecutionLevel changes the level the callback runs at.
 */
function executionLevelDependent({ s, add }: Sentence): void {
  if (
    /\bExecutionLevel\b|\bWdfExecutionLevelPassive\b|\bexecution\s+level\b/i.test(s) &&
    /\bIRQL\b|_LEVEL\b|\bcalled\s+at\b/i.test(s)
  ) {
    add('execution-level-dependent');
  }
}

/** The matchers, in the order their flags are listed for one sentence. */
const SENTENCE_MATCHERS: ((sentence: Sentence) => void)[] = [
  pageability,
  mustReturnSuccess,
  calledOnlyAfter,
  registeredBy,
  systemModeDmaOnly,
  doNotCallFrom,
  mustCall,
  requiresDmaV3,
  obsolete,
  executionLevelDependent,
];

/** The functions a registration sentence says to call: "must call X", "calls X", "by calling X or Y", "call the X method". */
function callTargets(s: string): string[] {
  const refs: string[] = [];
  for (const m of s.matchAll(CALL_VERB)) {
    const after = s.slice(m.index + m[0].length);
    const first = firstApiAfter(after);
    if (!first) continue;
    refs.push(first);
    // "by calling X or Y"
    const or = new RegExp(`^\\s*(?:the\\s+)?${first}(?:\\s+method)?\\s+or\\s+([A-Za-z_]\\w*)`).exec(after);
    if (or && API.test(or[1])) refs.push(or[1]);
  }
  return [...new Set(refs)];
}
