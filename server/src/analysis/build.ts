/**
 * Builds the DocumentModel from a tree-sitter tree of the blanked text. Pure: no parsing here,
 * so the same builder serves fresh parses and incremental re-parses.
 */
import type { MacroTable, UndecidedBranch } from './conditionals';
import type { Language, Node, Tree } from 'web-tree-sitter';
import { irqlFromAnnotations } from '../knowledge/irql';
import type {
  AssignmentModel,
  CallModel,
  DocumentModel,
  FunctionModel,
  PagedSectionModel,
  ParamModel,
  RegistrationModel,
  ReturnModel,
  RoleDeclModel,
  Span,
  VariableModel,
} from './model';
import { outlineBody, textHasGoto } from './branches';
import { LineIndex } from './positions';
import {
  captureAll,
  countErrors,
  declaratorsOf,
  normalizeSpace,
  specifiersOf,
  stripAddressAndCasts,
  unwrapDeclarator,
} from './queries';
import type { Annotation } from './sal';
import { commentSuppressions, pragmaSuppressions } from './suppressions';

/** Options shared by everything that builds models. */
export interface AnalysisOptions {
  /** Whether a type name is a callback role type (`EVT_WDF_IO_QUEUE_IO_STOP`, `DRIVER_INITIALIZE`). */
  isRoleType?: (name: string) => boolean;
  /** Whether a type name is a WDF structure worth recording as a variable (`WDF_IO_QUEUE_CONFIG`). */
  isWdfStructType?: (name: string) => boolean;
  /** Whether a call may register a callback passed as an argument (`WDF_DRIVER_CONFIG_INIT`, `WdfTimerCreate`). */
  isRegistrationCallee?: (callee: string) => boolean;
  /** Macros known before the file (the project's defines): they decide `#if` branches. */
  defines?: MacroTable;
}

const ROLE_TYPE =
  /^(EVT_[A-Z0-9_]+|DRIVER_[A-Z0-9_]+|IO_COMPLETION_ROUTINE|IO_WORKITEM_ROUTINE(_EX)?|IO_TIMER_ROUTINE|IO_DPC_ROUTINE|KDEFERRED_ROUTINE|KSERVICE_ROUTINE|KSTART_ROUTINE|KSYNCHRONIZE_ROUTINE|KMESSAGE_SERVICE_ROUTINE|WORKER_THREAD_ROUTINE|IO_CSQ_[A-Z_]+|POWER_SETTING_CALLBACK|KBUGCHECK_[A-Z_]*CALLBACK_ROUTINE|FN_[A-Z0-9_]+)$/;
/** DRIVER_* names that are structures, not role types. */
const NOT_ROLE_TYPES = new Set(['DRIVER_OBJECT', 'DRIVER_EXTENSION']);

/** Default role-type test: upper-case EVT_…, DRIVER_…, and the WDM routine types. */
export function defaultIsRoleType(name: string): boolean {
  return ROLE_TYPE.test(name) && !NOT_ROLE_TYPES.has(name);
}

/** Default WDF-structure test: `WDF_X_CONFIG`, `PWDF_X`, `WDFCX_…` (upper case, with an underscore after WDF). */
export function defaultIsWdfStructType(name: string): boolean {
  return /^P?(WDF|WDFCX|UCX|UDECX|ACX)_[A-Z0-9_]+$/.test(name);
}

/** Default registration callees: WDF methods and macros (`Wdf…`, `WDF_…`). */
export function defaultIsRegistrationCallee(callee: string): boolean {
  return /^(Wdf[A-Z]|WDF_)/.test(callee);
}

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
  tree: Tree;
  treeLanguage: Language;
  options?: AnalysisOptions;
}

interface ScopeVar {
  name: string;
  type: string;
  isPointer: boolean;
}

interface FunctionDraft {
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
}

/** Build the model of one document. */
export function buildModel(input: BuildInput): DocumentModel {
  const { text, tree, treeLanguage: lang } = input;
  const isRoleType = input.options?.isRoleType ?? defaultIsRoleType;
  const isWdfStruct = input.options?.isWdfStructType ?? defaultIsWdfStructType;
  const isRegistrationCallee = input.options?.isRegistrationCallee ?? defaultIsRegistrationCallee;
  const lines = new LineIndex(text);
  const spanOf = (node: Node): Span => lines.span(node.startIndex, node.endIndex);
  const textOf = (node: Node): string => text.slice(node.startIndex, node.endIndex);
  const root = tree.rootNode;
  const captured = captureAll(lang, root);
  const annotations = input.annotations;

  const functions: FunctionDraft[] = [];
  const roleDecls: RoleDeclModel[] = [];
  const variables: VariableModel[] = [];
  const fileScope = new Map<string, ScopeVar>();
  /** Calls found as misparsed declarations, added to their function with the real calls. */
  const pendingCalls: { owner: FunctionDraft; node: Node; calleeNode: Node | null; argNodes: Node[] }[] = [];
  const knownFunctions = new Set<string>();
  /** The tree node of each call and return, for the branch outline. */
  const siteNodes = new Map<CallModel | ReturnModel, Node>();

  // --- Function definitions.
  for (const node of captured.functions) {
    const declarator = unwrapDeclarator(node.childForFieldName('declarator'));
    if (!declarator.functionDeclarator || !declarator.nameNode) continue;
    const body = node.childForFieldName('body') ?? undefined;
    const draft = makeFunction(node, declarator.functionDeclarator, declarator.nameNode, declarator.pointerDepth, body);
    functions.push(draft);
    knownFunctions.add(draft.model.name);
  }
  // Definitions the grammar could not read (`T name(params) {` inside an ERROR node).
  for (const draft of recoverDefinitions(root, input.blankedText ?? text, functions)) {
    functions.push(draft);
    knownFunctions.add(draft.model.name);
  }
  functions.sort((a, b) => a.nodeStart - b.nodeStart);
  const definitions = functions.slice();

  /** The innermost function definition whose body contains an offset. */
  const ownerOf = (offset: number): FunctionDraft | undefined => {
    let best: FunctionDraft | undefined;
    for (const f of definitions) {
      if (!f.bodyRange) continue;
      if (f.nodeStart > offset) break;
      if (f.bodyRange[0] <= offset && offset < f.bodyRange[1] && (!best || f.bodyRange[0] >= best.bodyRange![0]))
        best = f;
    }
    return best;
  };

  // --- Declarations: prototypes, role types, variables.
  for (const node of captured.declarations) {
    const typeNode = node.childForFieldName('type');
    if (!typeNode) continue;
    const typeName = normalizeSpace(textOf(typeNode));
    const declarators = declaratorsOf(node);
    if (!declarators.length) continue;
    const owner = ownerOf(node.startIndex);

    // Role-type declaration: `EVT_X A, B;` — only plain names.
    if (
      typeNode.type === 'type_identifier' &&
      isRoleType(typeName) &&
      declarators.every((d) => d.type === 'identifier')
    ) {
      const decl: RoleDeclModel = {
        roleType: typeName,
        span: spanOf(node),
        roleTypeSpan: spanOf(typeNode),
        names: declarators.map((d) => ({ name: textOf(d), span: spanOf(d) })),
      };
      roleDecls.push(decl);
      for (const n of decl.names) knownFunctions.add(n.name);
      continue;
    }

    const qualifiers = specifiersOf(node).filter((s) => s === 'const' || s === 'volatile');
    for (const d of declarators) {
      const info = unwrapDeclarator(d);
      if (!info.nameNode) continue;
      if (info.functionDeclarator && !info.isFunctionPointer) {
        if (owner) {
          // Inside a body this is nearly always a macro glued to a call (`ASSERT_X(q) Foo(q);`),
          // not a block-scope prototype: keep both as calls.
          if (typeNode.type === 'macro_type_specifier')
            pendingCalls.push({
              owner,
              node: typeNode,
              calleeNode: typeNode.childForFieldName('name'),
              argNodes: typeNode.namedChildren.filter((c) => c.type !== 'identifier' && c.type !== 'comment'),
            });
          const paramsNode = info.functionDeclarator.childForFieldName('parameters');
          pendingCalls.push({
            owner,
            node: info.functionDeclarator,
            calleeNode: info.nameNode,
            argNodes: paramsNode ? paramsNode.namedChildren.filter((c) => c.type !== 'comment') : [],
          });
          continue;
        }
        // A prototype. Only the first declarator's annotations lead the declaration.
        const draft = makeFunction(node, info.functionDeclarator, info.nameNode, info.pointerDepth, undefined);
        functions.push(draft);
        knownFunctions.add(draft.model.name);
        continue;
      }
      const name = textOf(info.nameNode);
      const isPointer = info.pointerDepth > 0 || /^P(WDF|WDFCX|UCX|UDECX|ACX)_/.test(typeName);
      const scopeVar: ScopeVar = { name, type: [...qualifiers, typeName].join(' '), isPointer };
      if (owner) owner.scope.set(name, scopeVar);
      else fileScope.set(name, scopeVar);
      if (isWdfStruct(typeName)) {
        variables.push({ name, type: typeName, span: spanOf(d), inFunction: owner?.model.name, isPointer });
      }
    }
  }
  functions.sort((a, b) => a.nodeStart - b.nodeStart || a.model.nameSpan.startOffset - b.model.nameSpan.startOffset);

  const lookupVar = (name: string, owner: FunctionDraft | undefined): ScopeVar | undefined =>
    owner?.scope.get(name) ?? fileScope.get(name);

  /** A name that may be a function: known in this file, or capitalised and not a variable, constant or Wdf name. */
  const looksLikeFunction = (name: string, owner: FunctionDraft | undefined): boolean => {
    if (lookupVar(name, owner)) return false;
    if (knownFunctions.has(name)) return true;
    if (!/^[A-Z_]/.test(name) || !/[a-z]/.test(name)) return false;
    if (/^(Wdf|Wdm)[A-Z]/.test(name)) return false;
    return !NON_FUNCTION_CONSTANTS.has(name);
  };

  const structTypeOf = (objectNode: Node, owner: FunctionDraft | undefined): string | undefined => {
    if (objectNode.type !== 'identifier') return undefined;
    const v = lookupVar(textOf(objectNode), owner);
    return v ? structTypeName(v.type) : undefined;
  };

  const registrations: RegistrationModel[] = [];

  // --- Calls (and argument registrations).
  for (const callNode of captured.calls) {
    const owner = ownerOf(callNode.startIndex);
    const calleeNode = callNode.childForFieldName('function');
    const argsNode = callNode.childForFieldName('arguments');
    if (!calleeNode || !argsNode) continue;
    const callee = normalizeSpace(textOf(calleeNode)).replace(/\s*(->|\.)\s*/g, '$1');
    const argNodes = argsNode.namedChildren.filter((c) => c.type !== 'comment');
    const call: CallModel = {
      callee,
      span: spanOf(callNode),
      calleeSpan: spanOf(calleeNode),
      args: argNodes.map((a) => ({ text: normalizeSpace(textOf(a)), span: spanOf(a) })),
    };
    if (owner) {
      owner.model.calls.push(call);
      siteNodes.set(call, callNode);
      if (callee === 'PAGED_CODE' || callee === 'PAGED_CODE_LOCKED') owner.model.pagedCode.push(call.span);
    }
    if (!isRegistrationCallee(callee)) continue;
    argNodes.forEach((arg, argIndex) => {
      const target = stripAddressAndCasts(arg);
      if (target.type !== 'identifier') return;
      const name = textOf(target);
      if (!looksLikeFunction(name, owner)) return;
      registrations.push({
        kind: 'argument',
        functionName: name,
        span: spanOf(callNode),
        valueSpan: spanOf(target),
        inFunction: owner?.model.name,
        callee,
        argIndex,
      });
    });
  }

  for (const pending of pendingCalls) {
    if (!pending.calleeNode) continue;
    const call: CallModel = {
      callee: textOf(pending.calleeNode),
      span: spanOf(pending.node),
      calleeSpan: spanOf(pending.calleeNode),
      args: pending.argNodes.map((a) => ({ text: normalizeSpace(textOf(a)), span: spanOf(a) })),
    };
    pending.owner.model.calls.push(call);
    siteNodes.set(call, pending.node);
  }
  for (const f of definitions)
    f.model.calls.sort((a, b) => a.span.startOffset - b.span.startOffset || a.span.endOffset - b.span.endOffset);

  // --- Assignments (and field registrations).
  for (const node of captured.assignments) {
    const owner = ownerOf(node.startIndex);
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    const operator = node.childForFieldName('operator');
    if (!left || !right || (operator && operator.type !== '=')) continue;
    const member = memberOf(left);
    const assignment: AssignmentModel = {
      target: compact(textOf(left)),
      field: member ? textOf(member.field) : undefined,
      object: member ? compact(textOf(member.object)) : undefined,
      value: normalizeSpace(textOf(right)),
      span: spanOf(node),
      valueSpan: spanOf(right),
    };
    if (owner) owner.model.assignments.push(assignment);
    if (!member) continue;
    const target = stripAddressAndCasts(right);
    if (target.type !== 'identifier') continue;
    const name = textOf(target);
    const field = textOf(member.field);
    if (!looksLikeFunction(name, owner)) continue;
    registrations.push({
      kind: 'field',
      functionName: name,
      span: spanOf(node),
      valueSpan: spanOf(target),
      inFunction: owner?.model.name,
      object: compact(textOf(member.object)),
      field,
      fieldSpan: spanOf(member.field),
      structType: structTypeOf(member.object, owner),
    });
  }

  // --- Designated initialisers `{ .EvtIoRead = X }` (the structure type comes from the declaration).
  for (const pair of captured.designatedFields) {
    const fieldNode = pair.childForFieldName('designator')?.namedChildren.find((c) => c.type === 'field_identifier');
    const value = pair.childForFieldName('value');
    if (!fieldNode || !value) continue;
    const target = stripAddressAndCasts(value);
    if (target.type !== 'identifier') continue;
    const owner = ownerOf(pair.startIndex);
    const name = textOf(target);
    if (!looksLikeFunction(name, owner)) continue;
    const decl = enclosingDeclaration(pair);
    const declType = decl?.childForFieldName('type');
    registrations.push({
      kind: 'field',
      functionName: name,
      span: spanOf(pair),
      valueSpan: spanOf(target),
      inFunction: owner?.model.name,
      field: textOf(fieldNode),
      fieldSpan: spanOf(fieldNode),
      structType: declType ? structTypeName(normalizeSpace(textOf(declType))) : undefined,
    });
  }
  registrations.sort(
    (a, b) => a.span.startOffset - b.span.startOffset || a.valueSpan.startOffset - b.valueSpan.startOffset,
  );

  // --- Returns.
  for (const node of captured.returns) {
    const owner = ownerOf(node.startIndex);
    if (!owner) continue;
    const value = node.namedChildren.find((c) => c.type !== 'comment');
    const ret: ReturnModel = { value: value ? normalizeSpace(textOf(value)) : undefined, span: spanOf(node) };
    owner.model.returns.push(ret);
    siteNodes.set(ret, node);
  }

  // --- Branch outline (and goto).
  for (const f of definitions) {
    if (!f.bodyRange) continue;
    const body = f.bodyNode ?? cleanRecoveredBody(f.bodyRange);
    if (!body) {
      // A recovered body the grammar did not read as one clean block: no outline rather than a wrong one.
      f.model.hasGoto = textHasGoto(text.slice(f.bodyRange[0], f.bodyRange[1]));
      continue;
    }
    const sites: (CallModel | ReturnModel)[] = [...f.model.calls, ...f.model.returns];
    const outline = outlineBody(
      body,
      sites.map((s) => siteNodes.get(s)!),
    );
    f.model.hasGoto = outline.hasGoto;
    if (outline.arms) sites.forEach((s, i) => (s.branches = outline.arms![i]));
  }

  // --- PAGED_CODE first?
  for (const f of definitions) {
    // Only KMDF2004 reads it, and only where PAGED_CODE() is called: skip the walk everywhere else.
    const body = f.model.pagedCode.length
      ? (f.bodyNode ?? (f.bodyRange ? cleanRecoveredBody(f.bodyRange) : undefined))
      : undefined;
    if (body) {
      const first = firstConditionalOf(body, input.language === 'cpp');
      f.model.firstConditional = first ? spanOf(first) : null;
    }
    if (f.bodyNode) f.model.pagedCodeFirst = pagedCodeIsFirst(f.bodyNode);
    else if (f.bodyRange)
      f.model.pagedCodeFirst =
        f.model.calls[0]?.callee === 'PAGED_CODE' &&
        !f.model.assignments.some((a) => a.span.startOffset < f.model.calls[0].span.startOffset);
  }

  // --- Paged sections.
  const pagedSections = findPagedSections(text, lines);
  for (const f of functions) {
    const section = pagedSectionOf(f.model, pagedSections);
    if (section) f.model.pagedSection = section;
  }

  return {
    uri: input.uri,
    version: input.version,
    language: input.language,
    functions: functions.map((f) => f.model),
    roleDecls,
    registrations,
    pagedSections,
    variables,
    annotations,
    suppressions: commentSuppressions(captured.comments, textOf, lines),
    warningSuppressions: pragmaSuppressions(text, lines),
    errorCount: countErrors(root),
    undecidedBranches: input.undecided ?? [],
  };

  // ------------------------------------------------------------------------------------------

  /** The `{ … }` node of a recovered definition, when the grammar read exactly that block without errors. */
  function cleanRecoveredBody(range: [number, number]): Node | undefined {
    const node = root.descendantForIndex(range[0], range[1] - 1);
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

  /** Function definitions inside ERROR nodes: a function declarator followed by `{`, body found by matching braces. */
  function recoverDefinitions(rootNode: Node, blankedText: string, found: FunctionDraft[]): FunctionDraft[] {
    const out: FunctionDraft[] = [];
    const covered = (offset: number) => found.some((f) => f.nodeStart <= offset && offset < f.nodeEnd && f.bodyRange);
    const stack: Node[] = [rootNode];
    while (stack.length) {
      const node = stack.pop()!;
      if (!node.hasError && !node.isError) continue;
      if (node.isError) {
        const children = node.children;
        children.forEach((child, k) => {
          if (child.type !== 'function_declarator') return;
          const info = unwrapDeclarator(child);
          if (!info.nameNode || info.nameNode.type !== 'identifier' || covered(child.startIndex)) return;
          let open = child.endIndex;
          while (open < blankedText.length && /\s/.test(blankedText[open])) open++;
          if (blankedText[open] !== '{') return;
          const close = matchBrace(blankedText, open);
          if (close < 0) return;
          const typeNode = k > 0 && /type|identifier/.test(children[k - 1].type) ? children[k - 1] : undefined;
          const draft = makeFunction(node, child, info.nameNode, info.pointerDepth, undefined, {
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

  function makeFunction(
    node: Node,
    fnDeclarator: Node,
    nameNode: Node,
    pointerDepth: number,
    body: Node | undefined,
    recovered?: { typeNode?: Node; start: number; bodyRange: [number, number] },
  ): FunctionDraft {
    const name = textOf(nameNode);
    const typeNode = recovered ? recovered.typeNode : node.childForFieldName('type');
    const qualifiers = recovered ? [] : specifiersOf(node);
    const returnType = normalizeSpace(
      [...qualifiers.filter((q) => q === 'const' || q === 'volatile'), typeNode ? textOf(typeNode) : 'int'].join(' ') +
        (pointerDepth ? ' ' + '*'.repeat(pointerDepth) : ''),
    );
    const paramsNode = fnDeclarator.childForFieldName('parameters');
    const leadStart = recovered ? leadingStartInText(recovered.start) : leadingStart(node);
    const paramsStart = paramsNode?.startIndex ?? nameNode.endIndex;
    const own = annotations.filter((a) => a.start >= leadStart && a.start < paramsStart);
    const params: ParamModel[] = [];
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
        const param = makeParam(p, boundary);
        boundary = p.endIndex;
        if (!param) continue;
        params.push(param);
        if (param.name)
          scope.set(param.name, {
            name: param.name,
            type: param.type,
            isPointer: /\*$/.test(param.type) || /^P[A-Z]/.test(param.type),
          });
      }
    }
    const bodyRange: [number, number] | undefined = recovered
      ? recovered.bodyRange
      : body
        ? [body.startIndex, body.endIndex]
        : undefined;
    const end = bodyRange ? bodyRange[1] : node.endIndex;
    const nodeStart = recovered ? recovered.start : node.startIndex;
    const fnClass = own.find((a) => a.name === '_Function_class_' || a.name === '__drv_functionClass');
    const model: FunctionModel = {
      name,
      nameSpan: spanOf(nameNode),
      span: lines.span(own.length ? Math.min(own[0].start, nodeStart) : nodeStart, end),
      body: bodyRange ? lines.span(bodyRange[0], bodyRange[1]) : undefined,
      isDefinition: !!bodyRange,
      isStatic: qualifiers.includes('static'),
      returnType,
      params,
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
    return { model, node, nodeStart: node.startIndex, nodeEnd: node.endIndex, bodyNode: body, bodyRange, scope };
  }

  function makeParam(p: Node, boundary: number): ParamModel | undefined {
    if (p.type === 'variadic_parameter_declaration' || textOf(p).trim() === '...') {
      return { name: '...', type: '...', annotations: [], span: spanOf(p) };
    }
    const typeNode = p.childForFieldName('type');
    const info = unwrapDeclarator(p.childForFieldName('declarator'));
    const quals = specifiersOf(p).filter((s) => s === 'const' || s === 'volatile');
    const base = [...quals, typeNode ? normalizeSpace(textOf(typeNode)) : ''].join(' ').trim();
    if (!info.nameNode && /^(void|VOID)$/.test(base) && info.pointerDepth === 0) return undefined;
    const type = base + (info.pointerDepth ? ' ' + '*'.repeat(info.pointerDepth) : '') + (info.isArray ? '[]' : '');
    return {
      name: info.nameNode ? textOf(info.nameNode) : '',
      type,
      annotations: annotations.filter((a) => a.start >= boundary && a.start < p.endIndex),
      span: spanOf(p),
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
  function leadingStartInText(start: number): number {
    const source = input.blankedText ?? text;
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
}

/** Mixed-case names passed to Wdf calls that are constants, not functions. */
const NON_FUNCTION_CONSTANTS = new Set([
  'NonPagedPool',
  'NonPagedPoolNx',
  'PagedPool',
  'KernelMode',
  'UserMode',
  'Executive',
  'NotificationEvent',
  'SynchronizationEvent',
  'NotificationTimer',
  'SynchronizationTimer',
  'DevicePowerState',
  'SystemPowerState',
  'PowerDeviceD0',
  'PowerDeviceD3',
  'PowerSystemWorking',
  'DelayedWorkQueue',
  'CriticalWorkQueue',
  'HighPriority',
  'LowPriority',
  'MediumPriority',
  'HighImportance',
  'LowImportance',
  'MediumImportance',
  'Latched',
  'LevelSensitive',
  'MmCached',
  'MmNonCached',
  'MmWriteCombined',
  'IoReadAccess',
  'IoWriteAccess',
  'IoModifyAccess',
]);

/** `x.Field`, `p->Field`, `p->Array[i]` → the member and its object. */
function memberOf(left: Node): { object: Node; field: Node } | undefined {
  let node = left;
  if (node.type === 'subscript_expression') {
    const arg = node.childForFieldName('argument');
    if (!arg) return undefined;
    node = arg;
  }
  if (node.type !== 'field_expression') return undefined;
  const object = node.childForFieldName('argument');
  const field = node.childForFieldName('field');
  return object && field ? { object, field } : undefined;
}

/** `a . b -> c` → `a.b->c`. */
function compact(text: string): string {
  return normalizeSpace(text).replace(/\s*(->|\.)\s*/g, '$1');
}

/** Structure type of a variable type: `PWDF_X` → `WDF_X`, `const WDF_X *` → `WDF_X`, `struct _WDF_X` → `WDF_X`. */
export function structTypeName(type: string): string {
  const base = type
    .replace(/\b(const|volatile|struct)\b/g, '')
    .replace(/\*/g, '')
    .trim();
  const pointerTypedef = /^P((?:WDF|WDFCX|UCX|UDECX|ACX)_[A-Z0-9_]+)$/.exec(base);
  if (pointerTypedef) return pointerTypedef[1];
  const tag = /^_((?:WDF|WDFCX|UCX|UDECX|ACX)_[A-Z0-9_]+)$/.exec(base);
  return tag ? tag[1] : base;
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

function enclosingDeclaration(node: Node): Node | undefined {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'declaration') return p;
  return undefined;
}

/**
 * Whether `PAGED_CODE()` is the first statement of a body. Declarations before it are allowed
 * when they call nothing (C89 drivers declare locals first).
 */
function pagedCodeIsFirst(body: Node | undefined): boolean {
  if (!body) return false;
  for (const statement of body.namedChildren) {
    if (statement.type === 'comment') continue;
    if (statement.type === 'declaration') {
      if (statement.descendantsOfType('call_expression').length === 0) continue;
      return false;
    }
    if (statement.type === 'expression_statement') {
      const expr = statement.namedChildren.find((c) => c.type !== 'comment');
      if (expr?.type === 'call_expression') {
        const callee = expr.childForFieldName('function')?.text;
        return callee === 'PAGED_CODE' || callee === 'PAGED_CODE_LOCKED';
      }
    }
    return false;
  }
  return false;
}

const CONDITIONAL_STATEMENTS = [
  'if_statement',
  'switch_statement',
  'while_statement',
  'do_statement',
  'for_statement',
  'for_range_loop',
  'goto_statement',
  'return_statement',
  'try_statement',
  'seh_try_statement',
];

/** The first conditional or jump statement of a body, in text order, skipping those inside C++ lambdas. */
function firstConditionalOf(body: Node, cpp: boolean): Node | undefined {
  // descendantsOfType lists nodes in tree order, which is text order.
  for (const node of body.descendantsOfType(CONDITIONAL_STATEMENTS)) {
    if (!node) continue;
    if (!cpp || !insideLambda(node, body)) return node;
  }
  return undefined;
}

function insideLambda(node: Node, body: Node): boolean {
  for (let p = node.parent; p && p.startIndex >= body.startIndex && p.id !== body.id; p = p.parent)
    if (p.type === 'lambda_expression') return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Pragmas

const PRAGMA = /^[ \t]*#[ \t]*pragma[ \t]+(alloc_text|code_seg)[ \t]*\(([^)\n]*)\)/gm;

/** `#pragma alloc_text(PAGE, A, B)` and `#pragma code_seg("PAGE")` … regions, in order. */
export function findPagedSections(text: string, lines: LineIndex): PagedSectionModel[] {
  const out: PagedSectionModel[] = [];
  const codeSegs: { section: string; start: number; end: number }[] = [];
  const segStack: string[] = [];
  let current = '';
  for (const m of text.matchAll(PRAGMA)) {
    const start = m.index + m[0].search(/#/);
    const end = m.index + m[0].length;
    if (m[1] === 'alloc_text') {
      const parts = m[2].split(',').map((s) => s.trim().replace(/^"|"$/g, ''));
      const section = parts[0] ?? '';
      out.push({
        kind: 'alloc_text',
        section,
        span: lines.span(start, end),
        functions: parts.slice(1).filter((s) => /^[A-Za-z_]\w*$/.test(s)),
      });
    } else {
      // code_seg("X"), code_seg(), code_seg(push, "X"), code_seg(pop)
      const args = m[2].trim();
      const quoted = /"([^"]*)"/.exec(args)?.[1];
      if (/^push\b/.test(args)) {
        segStack.push(current);
        if (quoted !== undefined) current = quoted;
      } else if (/^pop\b/.test(args)) {
        current = segStack.pop() ?? '';
      } else {
        current = quoted ?? '';
      }
      codeSegs.push({ section: current, start, end });
    }
  }
  codeSegs.forEach((seg, i) => {
    const regionEnd = i + 1 < codeSegs.length ? codeSegs[i + 1].start : text.length;
    if (!seg.section) return;
    out.push({
      kind: 'code_seg',
      section: seg.section,
      span: lines.span(seg.start, seg.end),
      region: lines.span(seg.end, regionEnd),
    });
  });
  out.sort((a, b) => a.span.startOffset - b.span.startOffset);
  return out;
}

/** Paged sections are those whose name starts with PAGE (INIT code is discarded, not paged). */
function isPagedName(section: string): boolean {
  return /^PAGE/i.test(section);
}

function pagedSectionOf(fn: FunctionModel, sections: PagedSectionModel[]): FunctionModel['pagedSection'] {
  for (const s of sections) {
    if (s.kind === 'alloc_text' && isPagedName(s.section) && s.functions?.includes(fn.name)) {
      return { kind: 'alloc_text', span: s.span, section: s.section };
    }
  }
  for (const s of sections) {
    if (
      s.kind === 'code_seg' &&
      isPagedName(s.section) &&
      s.region &&
      s.region.startOffset <= fn.nameSpan.startOffset &&
      fn.nameSpan.startOffset < s.region.endOffset
    ) {
      return { kind: 'code_seg', span: s.span, section: s.section };
    }
  }
  return undefined;
}
