/**
 * Phase 2, declarations: prototypes, role-type declarations (`EVT_WDF_IO_QUEUE_IO_READ EvtRead;`),
 * and variables with their types, into the scope of their function or the file. Inside a body a
 * declaration that looks like a prototype is a macro glued to a call, kept as calls for phase 3.
 */
import type { RoleDeclModel, TypedefModel } from '../model';
import { declaratorsOf, normalizeSpace, specifiersOf, unwrapDeclarator } from '../queries';
import { makeFunction } from './functionHeads';
import type { BuildState, ScopeVar } from './state';

export function readDeclarations(state: BuildState): void {
  for (const node of state.captured.declarations) {
    const typeNode = node.childForFieldName('type');
    if (!typeNode) continue;
    const typeName = normalizeSpace(state.textOf(typeNode));
    const declarators = declaratorsOf(node);
    if (!declarators.length) continue;
    const owner = state.ownerOf(node.startIndex);
    // What a body declares that a newer index could call a role type (bodyCache.ts).
    if (owner && typeNode.type === 'type_identifier') (owner.declaredTypes ??= []).push(typeName);

    // Role-type declaration: `EVT_X A, B;` — only plain names.
    if (
      typeNode.type === 'type_identifier' &&
      state.isRoleType(typeName) &&
      declarators.every((d) => d.type === 'identifier')
    ) {
      const decl: RoleDeclModel = {
        roleType: typeName,
        span: state.spanOf(node),
        roleTypeSpan: state.spanOf(typeNode),
        names: declarators.map((d) => ({ name: state.textOf(d), span: state.spanOf(d) })),
      };
      state.roleDecls.push(decl);
      for (const n of decl.names) state.knownFunctions.add(n.name);
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
            state.pendingCalls.push({
              owner,
              node: typeNode,
              calleeNode: typeNode.childForFieldName('name'),
              argNodes: typeNode.namedChildren.filter((c) => c.type !== 'identifier' && c.type !== 'comment'),
            });
          const paramsNode = info.functionDeclarator.childForFieldName('parameters');
          state.pendingCalls.push({
            owner,
            node: info.functionDeclarator,
            calleeNode: info.nameNode,
            argNodes: paramsNode ? paramsNode.namedChildren.filter((c) => c.type !== 'comment') : [],
          });
          continue;
        }
        // A prototype. Only the first declarator's annotations lead the declaration.
        const draft = makeFunction(state, node, info.functionDeclarator, info.nameNode, info.pointerDepth, undefined);
        state.functions.push(draft);
        state.knownFunctions.add(draft.model.name);
        continue;
      }
      const name = state.textOf(info.nameNode);
      const isPointer = info.pointerDepth > 0 || /^P(WDF|WDFCX|UCX|UDECX|ACX)_/.test(typeName);
      const scopeVar: ScopeVar = { name, type: [...qualifiers, typeName].join(' '), isPointer };
      if (owner) owner.scope.set(name, scopeVar);
      else state.fileScope.set(name, scopeVar);
      if (state.isWdfStruct(typeName)) {
        state.variables.push({ name, type: typeName, span: state.spanOf(d), inFunction: owner?.model.name, isPointer });
      }
    }
  }
  // Member functions declared in a class body are prototypes too (their definitions are often `Class::Name`).
  for (const node of state.captured.memberFunctions) {
    const info = unwrapDeclarator(node.childForFieldName('declarator'));
    if (!info.functionDeclarator || !info.nameNode || state.ownerOf(node.startIndex)) continue;
    const draft = makeFunction(state, node, info.functionDeclarator, info.nameNode, info.pointerDepth, undefined);
    state.functions.push(draft);
    state.knownFunctions.add(draft.model.name);
  }
  state.functions.sort(
    (a, b) => a.nodeStart - b.nodeStart || a.model.nameSpan.startOffset - b.model.nameSpan.startOffset,
  );
}

const SCALAR_TYPE_NODES = new Set(['primitive_type', 'type_identifier', 'sized_type_specifier']);

/** Typedefs of scalar and pointer types: `typedef PVOID FEN_COOKIE;` (structures and function types are left out). */
export function readTypedefs(state: BuildState): TypedefModel[] {
  const out: TypedefModel[] = [];
  if (!state.text.includes('typedef')) return out;
  for (const node of state.captured.typedefs) {
    const typeNode = node.childForFieldName('type');
    if (!typeNode || !SCALAR_TYPE_NODES.has(typeNode.type)) continue;
    const base = normalizeSpace(state.textOf(typeNode));
    for (const d of node.childrenForFieldName('declarator')) {
      const info = unwrapDeclarator(d);
      if (!info.nameNode || info.functionDeclarator || info.isFunctionPointer || info.isArray) continue;
      out.push({
        name: state.textOf(info.nameNode),
        type: base + (info.pointerDepth ? ' ' + '*'.repeat(info.pointerDepth) : ''),
        span: state.spanOf(node),
      });
    }
  }
  return out;
}
