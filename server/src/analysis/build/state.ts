/**
 * The state the model-building phases share: the input, its line index and query captures, the
 * functions found so far with their scopes, and the collections the phases fill in.
 */
import type { Language, Node, Tree } from 'web-tree-sitter';
import type { UndecidedBranch } from '../conditionals';
import { callsPagedCode, type MacroDefinitions } from '../macros';
import type {
  CallModel,
  FunctionModel,
  RegistrationModel,
  ReturnModel,
  RoleDeclModel,
  Span,
  VariableModel,
} from '../model';
import { captureAll, type QueryName } from '../queries';
import { LineIndex, lineIndexOf } from '../../syntax/positions';
import type { OutlineCache } from './outlineCache';
import type { BodyCache, BuildEdit, HeadRanges, ReusedBody } from './bodyCache';
import type { Annotation } from '../../syntax/sal';
import {
  defaultIsRegistrationCallee,
  defaultIsRoleType,
  defaultIsWdfStructType,
  type AnalysisOptions,
} from './options';

/** Input of the builder: the original text, its blanked form and the tree of the blanked form. */
export interface BuildInput {
  uri: string;
  version: number;
  language: 'c' | 'cpp';
  text: string;
  /** The blanked text the tree was parsed from (same length as `text`); used to match braces. */
  blankedText?: string;
  annotations: Annotation[];
  /** Conditional branches the defines did not decide (from blankSource). */
  undecided?: UndecidedBranch[];
  /** The macros the document's code sees (from blankSource). */
  macros?: MacroDefinitions;
  tree: Tree;
  treeLanguage: Language;
  options?: AnalysisOptions;
  /** Outlines of function bodies from the document's previous build, to reuse where a body is unchanged. */
  outlines?: OutlineCache;
  /** What the previous build read inside each body, to reuse where a definition is unchanged (bodyCache.ts). */
  bodies?: BodyCache;
  /** Where the blanked text changed since the previous build (none: the same blanked text). */
  edit?: BuildEdit;
}

/** A local, parameter or file-scope variable, as far as the phases need its type. */
export interface ScopeVar {
  name: string;
  type: string;
  isPointer: boolean;
}

export interface FunctionDraft {
  model: FunctionModel;
  node: Node;
  /** `node`'s offsets, read once: every node property read crosses into wasm. */
  nodeStart: number;
  nodeEnd: number;
  bodyNode?: Node;
  /** Offsets of the body `{ … }` (also for functions recovered from ERROR nodes, which have no body node). */
  bodyRange?: [number, number];
  /** Locals and parameters by name. */
  scope: Map<string, ScopeVar>;
  /** Set when the body's facts are the previous build's (its inside was not captured). */
  reused?: ReusedBody;
  /** Type names of the declarations read inside the body that could name a role type. */
  declaredTypes?: string[];
  /** Where the head's annotations were looked for (functionHeads.ts), for a later build that moves it. */
  head?: HeadRanges;
}

/** A call found as a misparsed declaration, added to its function with the real calls. */
export interface PendingCall {
  owner: FunctionDraft;
  node: Node;
  calleeNode: Node | null;
  argNodes: Node[];
}

export class BuildState {
  readonly text: string;
  readonly lines: LineIndex;
  readonly root: Node;
  readonly captured: Record<QueryName, Node[]>;
  readonly annotations: Annotation[];
  readonly isRoleType: (name: string) => boolean;
  readonly isWdfStruct: (name: string) => boolean;
  readonly isRegistrationCallee: (callee: string) => boolean;

  /** Definitions and prototypes, in text order once the declarations phase has run. */
  readonly functions: FunctionDraft[] = [];
  /** The definitions alone, in text order (set by the function-head phase). */
  definitions: FunctionDraft[] = [];
  readonly roleDecls: RoleDeclModel[] = [];
  readonly variables: VariableModel[] = [];
  readonly registrations: RegistrationModel[] = [];
  readonly fileScope = new Map<string, ScopeVar>();
  readonly pendingCalls: PendingCall[] = [];
  /** Names defined, declared or role-declared in this file. */
  readonly knownFunctions = new Set<string>();
  /** Registrations of reused bodies (already checked for their hand-over). */
  readonly reusedRegistrations = new Set<RegistrationModel>();
  /** The tree node of each call and return, for the branch outline. */
  readonly siteNodes = new Map<CallModel | ReturnModel, Node>();

  /** Bodies of the previous build found unchanged, by the start of their definition; their insides are not captured. */
  readonly reusable: ReadonlyMap<number, ReusedBody>;

  constructor(
    readonly input: BuildInput,
    reuse = true,
  ) {
    this.text = input.text;
    this.lines = lineIndexOf(input.text);
    this.root = input.tree.rootNode;
    this.reusable =
      reuse && input.bodies
        ? input.bodies.candidates(input.edit, input.text, input.blankedText ?? input.text, this.lines, this.root)
        : new Map();
    const excluded = [...this.reusable.values()]
      .map((r): [number, number] => [r.bodyStart, r.bodyEnd])
      .sort((a, b) => a[0] - b[0]);
    this.captured = captureAll(input.treeLanguage, this.root, excluded);
    this.annotations = input.annotations;
    this.isRoleType = input.options?.isRoleType ?? defaultIsRoleType;
    this.isWdfStruct = input.options?.isWdfStructType ?? defaultIsWdfStructType;
    this.isRegistrationCallee = input.options?.isRegistrationCallee ?? defaultIsRegistrationCallee;
  }

  spanOf(node: Node): Span {
    return this.lines.span(node.startIndex, node.endIndex);
  }

  textOf(node: Node): string {
    return this.text.slice(node.startIndex, node.endIndex);
  }

  /** The captured nodes of a query that start in [from, to) (captures are in document order). */
  capturedBetween(name: QueryName, from: number, to: number): Node[] {
    const all = this.captured[name];
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (all[mid].startIndex < from) lo = mid + 1;
      else hi = mid;
    }
    let end = lo;
    while (end < all.length && all[end].startIndex < to) end++;
    return all.slice(lo, end);
  }

  /** Whether the annotations are in start order (the prepass emits them so); else searches fall back to a scan. */
  private annotationsSorted?: boolean;

  /** The annotations that start in [from, to), in their order (a binary search: SAL-heavy headers have thousands). */
  annotationsBetween(from: number, to: number): Annotation[] {
    const all = this.annotations;
    this.annotationsSorted ??= all.every((a, i) => i === 0 || all[i - 1].start <= a.start);
    if (!this.annotationsSorted) return all.filter((a) => a.start >= from && a.start < to);
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (all[mid].start < from) lo = mid + 1;
      else hi = mid;
    }
    let end = lo;
    while (end < all.length && all[end].start < to) end++;
    return all.slice(lo, end);
  }

  /** The innermost function definition whose body contains an offset. */
  ownerOf(offset: number): FunctionDraft | undefined {
    let best: FunctionDraft | undefined;
    for (const f of this.definitions) {
      if (!f.bodyRange) continue;
      if (f.nodeStart > offset) break;
      if (f.bodyRange[0] <= offset && offset < f.bodyRange[1] && (!best || f.bodyRange[0] >= best.bodyRange![0]))
        best = f;
    }
    return best;
  }

  /** Whether a call runs `PAGED_CODE()`: the macro itself, or a macro of the driver's that expands to it. */
  isPagedCodeCall(callee: string | undefined): boolean {
    if (callee === 'PAGED_CODE' || callee === 'PAGED_CODE_LOCKED') return true;
    return !!callee && !!this.input.macros?.size && callsPagedCode(callee, this.input.macros);
  }

  lookupVar(name: string, owner: FunctionDraft | undefined): ScopeVar | undefined {
    return owner?.scope.get(name) ?? this.fileScope.get(name);
  }

  /** The `{ … }` node of a recovered definition, when the grammar read exactly that block without errors. */
  cleanRecoveredBody(range: [number, number]): Node | undefined {
    const node = this.root.descendantForIndex(range[0], range[1] - 1);
    if (
      !node ||
      node.type !== 'compound_statement' ||
      node.startIndex !== range[0] ||
      node.endIndex !== range[1] ||
      node.hasError
    )
      return undefined;
    return node;
  }
}
