/**
 * Phase 1, function heads: every definition (including those the grammar left inside ERROR
 * nodes), with its return type, parameters, leading annotations and IRQL. Prototypes found by the
 * declarations phase are made here too (`makeFunction`). After an edit, a definition whose body
 * the previous build read unchanged (bodyCache.ts) keeps its head too: the previous model's head,
 * moved to where it is (`reusedHead`), with the annotations read afresh (they lie partly outside the
 * definition, between it and the item before).
 */
import type { Node } from 'web-tree-sitter';
import { irqlFromAnnotations } from '../../knowledge/irql';
import type { FunctionModel, ParamModel } from '../model';
import type { Annotation } from '../../syntax/sal';
import { normalizeSpace, specifiersOf, unwrapDeclarator } from '../queries';
import { moveSpan, type ReusedBody } from './bodyCache';
import type { BuildState, FunctionDraft, ScopeVar } from './state';

/** Read the function definitions into `state.functions` and `state.definitions`, in text order. */
export function readDefinitions(state: BuildState): void {
  for (const node of state.captured.functions) {
    // A definition the previous build read unchanged (state.ts): its head is moved, its body's facts taken.
    const reused = state.reusable.get(node.startIndex);
    if (reused) {
      const draft = reusedHead(state, node, reused);
      state.functions.push(draft);
      state.knownFunctions.add(draft.model.name);
      continue;
    }
    const declarator = unwrapDeclarator(node.childForFieldName('declarator'));
    if (!declarator.functionDeclarator || !declarator.nameNode) continue;
    const body = node.childForFieldName('body') ?? undefined;
    const draft = makeFunction(
      state,
      node,
      declarator.functionDeclarator,
      declarator.nameNode,
      declarator.pointerDepth,
      body,
    );
    state.functions.push(draft);
    state.knownFunctions.add(draft.model.name);
  }
  // Definitions the grammar could not read (`T name(params) {` inside an ERROR node).
  for (const draft of recoverDefinitions(state, state.input.blankedText ?? state.text)) {
    state.functions.push(draft);
    state.knownFunctions.add(draft.model.name);
  }
  state.functions.sort((a, b) => a.nodeStart - b.nodeStart);
  state.definitions = state.functions.slice();
}

/** Function definitions inside ERROR nodes: a function declarator followed by `{`, body found by matching braces. */
function recoverDefinitions(state: BuildState, blankedText: string): FunctionDraft[] {
  const found = state.functions;
  const out: FunctionDraft[] = [];
  const covered = (offset: number) => found.some((f) => f.nodeStart <= offset && offset < f.nodeEnd && f.bodyRange);
  const stack: Node[] = [state.root];
  while (stack.length) {
    const node = stack.pop()!;
    if (!node.hasError && !node.isError) continue;
    if (node.isError) {
      const children = node.children;
      children.forEach((child, k) => {
        if (child.type !== 'function_declarator') return;
        const info = unwrapDeclarator(child);
        if (!info.nameNode || info.nameNode.type !== 'identifier' || covered(child.startIndex)) return;
        if (inInitializerList(blankedText, child.startIndex)) return;
        let open = child.endIndex;
        while (open < blankedText.length && /\s/.test(blankedText[open])) open++;
        if (blankedText[open] !== '{') return;
        const close = matchBrace(blankedText, open);
        if (close < 0) return;
        const typeNode = k > 0 && /type|identifier/.test(children[k - 1].type) ? children[k - 1] : undefined;
        const draft = makeFunction(state, node, child, info.nameNode, info.pointerDepth, undefined, {
          typeNode,
          start: typeNode?.startIndex ?? child.startIndex,
          bodyRange: [open, close + 1],
        });
        out.push(draft);
      });
    }
    for (const child of node.children) stack.push(child);
  }
  return out;
}

/**
 * Whether a `name(args)` stands in a C++ constructor's initialiser list (`: m_Queue(Queue), m_Count(0) {`),
 * which a header read as C leaves in an ERROR node: after a `,` or a single `:`, it is a member
 * initialiser, not a function.
 */
function inInitializerList(text: string, start: number): boolean {
  let i = start - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  return text[i] === ',' || (text[i] === ':' && text[i - 1] !== ':');
}

/** The draft of a definition or prototype: its head read from the declarator, no calls yet. */
export function makeFunction(
  state: BuildState,
  node: Node,
  fnDeclarator: Node,
  nameNode: Node,
  pointerDepth: number,
  body: Node | undefined,
  recovered?: { typeNode?: Node; start: number; bodyRange: [number, number] },
): FunctionDraft {
  const name = state.textOf(nameNode);
  const typeNode = recovered ? recovered.typeNode : node.childForFieldName('type');
  const qualifiers = recovered ? [] : specifiersOf(node);
  const returnType = normalizeSpace(
    [...qualifiers.filter((q) => q === 'const' || q === 'volatile'), typeNode ? state.textOf(typeNode) : 'int'].join(
      ' ',
    ) + (pointerDepth ? ' ' + '*'.repeat(pointerDepth) : ''),
  );
  const paramsNode = fnDeclarator.childForFieldName('parameters');
  const leadStart = recovered ? leadingStartInText(state, recovered.start) : leadingStart(node);
  const paramsStart = paramsNode?.startIndex ?? nameNode.endIndex;
  const own = state.annotationsBetween(leadStart, paramsStart);
  const params: ParamModel[] = [];
  const paramRanges: number[] = [];
  const scope = new Map<string, ScopeVar>();
  if (paramsNode) {
    let boundary = paramsNode.startIndex + 1;
    for (const p of paramsNode.namedChildren) {
      if (
        p.type !== 'parameter_declaration' &&
        p.type !== 'optional_parameter_declaration' &&
        p.type !== 'variadic_parameter_declaration'
      ) {
        continue;
      }
      const param = makeParam(state, p, boundary);
      const end = p.endIndex;
      if (param) {
        params.push(param);
        // Where its annotations were looked for (none for `...`), for a later build that moves this head.
        if (param.type === '...') paramRanges.push(-1, -1);
        else paramRanges.push(boundary, end);
        if (param.name) scope.set(param.name, paramScopeVar(param));
      }
      boundary = end;
    }
  }
  const bodyRange: [number, number] | undefined = recovered
    ? recovered.bodyRange
    : body
      ? [body.startIndex, body.endIndex]
      : undefined;
  const end = bodyRange ? bodyRange[1] : node.endIndex;
  const nodeStart = recovered ? recovered.start : node.startIndex;
  const model = headModel(
    {
      name,
      nameSpan: state.spanOf(nameNode),
      span: state.lines.span(own.length ? Math.min(own[0].start, nodeStart) : nodeStart, end),
      body: bodyRange ? state.lines.span(bodyRange[0], bodyRange[1]) : undefined,
      isDefinition: !!bodyRange,
      isStatic: qualifiers.includes('static'),
      returnType,
      params,
    },
    own,
  );
  return {
    model,
    node,
    nodeStart: node.startIndex,
    nodeEnd: node.endIndex,
    bodyNode: body,
    bodyRange,
    scope,
    head: { paramsStart, paramRanges },
  };
}

/** A definition's or declaration's model before its body is read: its head, and what its own annotations say. */
function headModel(
  head: Pick<
    FunctionModel,
    'name' | 'nameSpan' | 'span' | 'body' | 'isDefinition' | 'isStatic' | 'returnType' | 'params'
  >,
  own: Annotation[],
): FunctionModel {
  const fnClass = own.find((a) => a.name === '_Function_class_' || a.name === '__drv_functionClass');
  return {
    name: head.name,
    nameSpan: head.nameSpan,
    span: head.span,
    body: head.body,
    isDefinition: head.isDefinition,
    isStatic: head.isStatic,
    returnType: head.returnType,
    params: head.params,
    annotations: own,
    useDeclAnnotations: own.some((a) => a.name === '_Use_decl_annotations_'),
    irql: irqlFromAnnotations(own),
    functionClass: fnClass?.args?.trim(),
    calls: [],
    returns: [],
    assignments: [],
    pagedCode: [],
    pagedCodeFirst: false,
  };
}

function paramScopeVar(param: ParamModel): ScopeVar {
  return { name: param.name, type: param.type, isPointer: /\*$/.test(param.type) || /^P[A-Z]/.test(param.type) };
}

/**
 * The draft of a definition whose text and subtree are the previous build's (bodyCache.ts): the
 * previous model's head moved by the body's offset and line delta, no node of the head read again.
 * Annotations are taken from this build's (the leading ones may have changed before the definition).
 */
function reusedHead(state: BuildState, node: Node, reused: ReusedBody): FunctionDraft {
  const { delta, lines, fnStart, bodyStart, bodyEnd } = reused;
  const kept = reused.entry.head;
  const m = kept.model;
  const paramsStart = kept.paramsStart + delta;
  const own = state.annotationsBetween(leadingStart(node), paramsStart);
  const paramRanges = kept.paramRanges.map((o) => (o < 0 ? o : o + delta));
  const scope = new Map<string, ScopeVar>();
  const params = m.params.map((p, i): ParamModel => {
    const from = paramRanges[2 * i];
    const annotations: Annotation[] = from < 0 ? [] : state.annotationsBetween(from, paramRanges[2 * i + 1]);
    const param = { name: p.name, type: p.type, annotations, span: moveSpan(p.span, delta, lines) };
    if (param.name) scope.set(param.name, paramScopeVar(param));
    return param;
  });
  const model = headModel(
    {
      name: m.name,
      nameSpan: moveSpan(m.nameSpan, delta, lines),
      span: state.lines.span(own.length ? Math.min(own[0].start, fnStart) : fnStart, bodyEnd),
      body: moveSpan(m.body!, delta, lines),
      isDefinition: true,
      isStatic: m.isStatic,
      returnType: m.returnType,
      params,
    },
    own,
  );
  return {
    model,
    node,
    nodeStart: fnStart,
    nodeEnd: bodyEnd,
    bodyRange: [bodyStart, bodyEnd],
    scope,
    reused,
    head: { paramsStart, paramRanges },
  };
}

function makeParam(state: BuildState, p: Node, boundary: number): ParamModel | undefined {
  if (p.type === 'variadic_parameter_declaration' || state.textOf(p).trim() === '...') {
    return { name: '...', type: '...', annotations: [], span: state.spanOf(p) };
  }
  const typeNode = p.childForFieldName('type');
  const info = unwrapDeclarator(p.childForFieldName('declarator'));
  const quals = specifiersOf(p).filter((s) => s === 'const' || s === 'volatile');
  const base = [...quals, typeNode ? normalizeSpace(state.textOf(typeNode)) : ''].join(' ').trim();
  if (!info.nameNode && /^(void|VOID)$/.test(base) && info.pointerDepth === 0) return undefined;
  const type = base + (info.pointerDepth ? ' ' + '*'.repeat(info.pointerDepth) : '') + (info.isArray ? '[]' : '');
  return {
    name: info.nameNode ? state.textOf(info.nameNode) : '',
    type,
    annotations: state.annotationsBetween(boundary, p.endIndex),
    span: state.spanOf(p),
  };
}

/** Where the text that belongs to a top-level item starts: after the previous item (its annotations sit in between). */
function leadingStart(node: Node): number {
  let prev = node.previousSibling;
  while (prev && prev.type === 'comment') prev = prev.previousSibling;
  if (prev) return prev.endIndex;
  return node.parent ? firstContentOffset(node.parent) : 0;
}

/** For recovered functions: annotations start after the previous `;`, `}` or preprocessor line. */
function leadingStartInText(state: BuildState, start: number): number {
  const source = state.input.blankedText ?? state.text;
  let i = start - 1;
  while (i >= 0) {
    const c = source[i];
    if (c === ';' || c === '}' || c === '{') return i + 1;
    if (c === '\n') {
      const lineStart = source.lastIndexOf('\n', i - 1) + 1;
      if (/^\s*#/.test(source.slice(lineStart, i))) return i + 1;
    }
    i--;
  }
  return 0;
}

function firstContentOffset(parent: Node): number {
  // Inside `{ … }` or a declaration list, content starts after the brace.
  // The root node starts at the first token, after leading whitespace (where annotations were).
  if (!parent.parent) return 0;
  const first = parent.child(0);
  if (first && (first.type === '{' || first.type === '(')) return first.endIndex;
  return parent.startIndex;
}

/**
 * Index of the `}` matching the `{` at `open` (comments and literals skipped), or -1. Only the
 * first branch of each `#if … #else … #endif` counts, as in the prepass.
 */
function matchBrace(text: string, open: number): number {
  let depth = 0;
  /** Per open conditional: whether we are past its first branch. */
  const conditionals: boolean[] = [];
  const skipping = () => conditionals.includes(true);
  let lineStart = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      lineStart = true;
      continue;
    }
    if (lineStart && (c === ' ' || c === '\t' || c === '\r')) continue;
    if (lineStart && c === '#') {
      const end = text.indexOf('\n', i);
      const directive = text.slice(i, end < 0 ? text.length : end);
      if (/^#\s*if/.test(directive)) conditionals.push(false);
      else if (/^#\s*(else|elif)\b/.test(directive)) {
        if (conditionals.length) conditionals[conditionals.length - 1] = true;
      } else if (/^#\s*endif\b/.test(directive)) conditionals.pop();
      i = (end < 0 ? text.length : end) - 1;
      continue;
    }
    lineStart = false;
    if (c === '/' && text[i + 1] === '/') {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) return -1;
      i = close + 1;
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      while (i < text.length && text[i] !== c && text[i] !== '\n') {
        if (text[i] === '\\') i++;
        i++;
      }
      continue;
    }
    if (skipping()) continue;
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}
