/**
 * What the model build reads inside each function body, kept from one build of a document to the
 * next (issue 10 §2, latency): after an edit, a definition whose text did not change is not read
 * from the tree again. Its body is left out of the query captures, and its calls, returns,
 * assignments, `PAGED_CODE()` facts, branch outline, statement tree, local WDF structures,
 * registrations and `kmdf-ignore` comments are the previous build's, moved to where the body is
 * now. Heads (name, parameters, annotations, paged section) are read afresh every time.
 *
 * A body's facts are a function of the definition's own text (head and body: the parameters are in
 * scope inside it), its subtree, and of three things outside it, which make the document's context:
 * the names of the functions the file knows (a name passed to a call is a callback when it is one),
 * the file-scope variables (a local structure type, a variable is no callback) and the macros the
 * document sees. A build whose context differs from the previous one's reuses nothing. The rest is
 * checked per definition before it is reused: the same text and blanked text, a function
 * definition in the new tree exactly there without parse errors, under the same kind of parent,
 * starting at the same column (positions move by whole lines only), its name defined once in the
 * file (registrations are matched to their function by name), no definition nested in it, and no
 * declaration in it whose type is a role type for the current index (those join the file's names).
 */
import type { Node } from 'web-tree-sitter';
import type {
  AssignmentModel,
  CallModel,
  CommentSuppression,
  RegistrationModel,
  ReturnModel,
  Span,
  VariableModel,
} from '../model';
import type { MacroDefinitions } from '../macros';
import type { FunctionFlow } from '../flow';
import type { LineIndex } from '../../syntax/positions';

/** What the build read inside one body (document offsets of the build that read it). */
export interface BodyFacts {
  calls: CallModel[];
  returns: ReturnModel[];
  assignments: AssignmentModel[];
  pagedCode: Span[];
  /** Whether `firstConditional` was set (it is left unset where PAGED_CODE() is not called). */
  hasFirstConditional: boolean;
  firstConditional?: Span | null;
  pagedCodeFirst: boolean;
  hasGoto?: boolean;
  flow?: FunctionFlow;
  variables: VariableModel[];
  registrations: RegistrationModel[];
  /** `kmdf-ignore` comments inside the body, with their start offsets. */
  suppressions: { offset: number; suppression: CommentSuppression }[];
  /** Type names of the declarations inside the body that could name a role type. */
  declaredTypes: string[];
}

interface Entry {
  text: string;
  blanked: string;
  fnStart: number;
  bodyStart: number;
  bodyEnd: number;
  line: number;
  column: number;
  parentType: string;
  facts: BodyFacts;
}

/** A body of the previous build found unchanged in the new tree, moved by `delta` offsets and `lines` lines. */
export interface ReusedBody {
  entry: Entry;
  fnStart: number;
  bodyStart: number;
  bodyEnd: number;
  delta: number;
  lines: number;
}

/** The edit between the previous build's blanked text and this one's (offsets; see document.ts). */
export interface BuildEdit {
  start: number;
  oldEnd: number;
  newEnd: number;
}

export class BodyCache {
  private entries: Entry[] = [];
  private context?: string;
  /** Bodies the last build took from the one before, and bodies it read from the tree. */
  reused = 0;
  read = 0;

  /**
   * The bodies of the previous build that the edit did not touch and that the new tree and text
   * hold unchanged, by the start offset of their definition now (none without an edit: a first build).
   */
  candidates(
    edit: BuildEdit | undefined,
    text: string,
    blanked: string,
    lines: LineIndex,
    root: Node,
  ): Map<number, ReusedBody> {
    const out = new Map<number, ReusedBody>();
    if (!edit) return out;
    const delta = edit.newEnd - edit.oldEnd;
    for (const entry of this.entries) {
      let shift: number;
      if (entry.bodyEnd < edit.start) shift = 0;
      else if (entry.fnStart > edit.oldEnd) shift = delta;
      else continue;
      const fnStart = entry.fnStart + shift;
      const bodyStart = entry.bodyStart + shift;
      const bodyEnd = entry.bodyEnd + shift;
      if (text.slice(fnStart, bodyEnd) !== entry.text || blanked.slice(fnStart, bodyEnd) !== entry.blanked) continue;
      const at = lines.positionAt(fnStart);
      if (at.character !== entry.column) continue;
      const body = root.descendantForIndex(bodyStart, bodyEnd - 1);
      if (!body || body.type !== 'compound_statement' || body.startIndex !== bodyStart || body.endIndex !== bodyEnd)
        continue;
      const fn = body.parent;
      if (!fn || fn.type !== 'function_definition' || fn.startIndex !== fnStart || fn.endIndex !== bodyEnd) continue;
      if (fn.hasError || (fn.parent?.type ?? '') !== entry.parentType) continue;
      out.set(fnStart, { entry, fnStart, bodyStart, bodyEnd, delta: shift, lines: at.line - entry.line });
    }
    return out;
  }

  /** Whether bodies kept under `context` may be reused in a build of this context. */
  sameContext(context: string): boolean {
    return this.context === context;
  }

  /** Keep the bodies of a finished build (its own objects: a model is not changed once built) for the next. */
  keep(context: string, kept: { fnNode: Node; text: string; blanked: string; lines: LineIndex; facts: BodyFacts }[]) {
    this.context = context;
    this.entries = kept.map(({ fnNode, text, blanked, lines, facts }) => {
      const fnStart = fnNode.startIndex;
      const bodyEnd = fnNode.endIndex;
      const at = lines.positionAt(fnStart);
      return {
        text: text.slice(fnStart, bodyEnd),
        blanked: blanked.slice(fnStart, bodyEnd),
        fnStart,
        bodyStart: fnNode.childForFieldName('body')!.startIndex,
        bodyEnd,
        line: at.line,
        column: at.character,
        parentType: fnNode.parent?.type ?? '',
        facts,
      };
    });
  }
}

/**
 * The document's context as a comparable string: the names the file knows, its file-scope variables
 * and the macros it sees (without where a `#define` stands: only what it says).
 */
export function contextKey(
  knownFunctions: ReadonlySet<string>,
  fileScope: ReadonlyMap<string, { type: string; isPointer: boolean }>,
  macros: MacroDefinitions | undefined,
): string {
  let key = [...knownFunctions].sort().join(',') + '\u0000';
  for (const [name, v] of fileScope) key += `${name}:${v.type}:${v.isPointer ? 1 : 0};`;
  key += '\u0000';
  for (const m of macros?.values() ?? []) key += `${m.name}(${m.params?.join(',') ?? '-'})${m.body}\u0001`;
  return key;
}

/** Names of the fields holding document offsets (`arm` is an index, `argIndex` a count). */
const OFFSET_FIELDS = new Set(['startOffset', 'endOffset', 'start', 'end', 'statement', 'call', 'offset']);
/** Fields holding lists of offsets (`optional`: [start, end] pairs). */
const OFFSET_LISTS = new Set(['optional', 'discarded']);

/** A deep copy of kept facts, every offset moved by `delta` and every position by `lines` lines. */
export function movedFacts(facts: BodyFacts, delta: number, lines: number): BodyFacts {
  return moved(facts, delta, lines, false) as BodyFacts;
}

function moved(value: unknown, delta: number, lines: number, offsets: boolean): unknown {
  if (typeof value === 'number') return offsets ? value + delta : value;
  if (Array.isArray(value)) return value.map((v) => moved(v, delta, lines, offsets));
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (typeof v === 'object' && v !== null && (key === 'start' || key === 'end') && 'line' in v) {
      const p = v as { line: number; character: number };
      copy[key] = { line: p.line + lines, character: p.character };
    } else if (key === 'suppression') {
      const s = v as CommentSuppression;
      copy[key] = { ...s, line: s.line + lines, rules: [...s.rules] };
    } else copy[key] = moved(v, delta, lines, OFFSET_FIELDS.has(key) || OFFSET_LISTS.has(key));
  }
  return copy;
}
