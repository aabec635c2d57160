/**
 * Phase 4, registrations: a function name passed to a registration call (argument
 * registrations, read during phase 3), assigned to a structure field (`config.EvtIoRead = X`,
 * with the assignments themselves), or given in a designated initialiser (`{ .EvtIoRead = X }`).
 */
import type { Node } from 'web-tree-sitter';
import type { AssignmentModel, RegistrationModel } from '../model';
import { normalizeSpace, stripAddressAndCasts } from '../queries';
import type { BuildState, FunctionDraft } from './state';

/** Callbacks among the arguments of a registration call (`WdfTimerCreate(&config, …)`). */
export function readArgumentRegistrations(
  state: BuildState,
  callNode: Node,
  callee: string,
  argNodes: Node[],
  owner: FunctionDraft | undefined,
): void {
  argNodes.forEach((arg, argIndex) => {
    const target = stripAddressAndCasts(arg);
    if (target.type !== 'identifier') return;
    const name = state.textOf(target);
    if (!looksLikeFunction(state, name, owner)) return;
    state.registrations.push({
      kind: 'argument',
      functionName: name,
      span: state.spanOf(callNode),
      valueSpan: state.spanOf(target),
      inFunction: owner?.model.name,
      callee,
      argIndex,
    });
  });
}

/** Assignments into their functions, and the field registrations among them; then designated initialisers. */
export function readFieldRegistrations(state: BuildState): void {
  for (const node of state.captured.assignments) {
    const owner = state.ownerOf(node.startIndex);
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    const operator = node.childForFieldName('operator');
    if (!left || !right || (operator && operator.type !== '=')) continue;
    const member = memberOf(left);
    const assignment: AssignmentModel = {
      target: compact(state.textOf(left)),
      field: member ? state.textOf(member.field) : undefined,
      object: member ? compact(state.textOf(member.object)) : undefined,
      value: normalizeSpace(state.textOf(right)),
      span: state.spanOf(node),
      valueSpan: state.spanOf(right),
    };
    if (owner) owner.model.assignments.push(assignment);
    if (!member) continue;
    const target = stripAddressAndCasts(right);
    if (target.type !== 'identifier') continue;
    const name = state.textOf(target);
    const field = state.textOf(member.field);
    if (!looksLikeFunction(state, name, owner)) continue;
    state.registrations.push({
      kind: 'field',
      functionName: name,
      span: state.spanOf(node),
      valueSpan: state.spanOf(target),
      inFunction: owner?.model.name,
      object: compact(state.textOf(member.object)),
      field,
      fieldSpan: state.spanOf(member.field),
      structType: structTypeOf(state, member.object, owner),
    });
  }

  // Designated initialisers `{ .EvtIoRead = X }` (the structure type comes from the declaration).
  for (const pair of state.captured.designatedFields) {
    const fieldNode = pair.childForFieldName('designator')?.namedChildren.find((c) => c.type === 'field_identifier');
    const value = pair.childForFieldName('value');
    if (!fieldNode || !value) continue;
    const target = stripAddressAndCasts(value);
    if (target.type !== 'identifier') continue;
    const owner = state.ownerOf(pair.startIndex);
    const name = state.textOf(target);
    if (!looksLikeFunction(state, name, owner)) continue;
    const decl = enclosingDeclaration(pair);
    const declType = decl?.childForFieldName('type');
    state.registrations.push({
      kind: 'field',
      functionName: name,
      span: state.spanOf(pair),
      valueSpan: state.spanOf(target),
      inFunction: owner?.model.name,
      field: state.textOf(fieldNode),
      fieldSpan: state.spanOf(fieldNode),
      structType: declType ? structTypeName(normalizeSpace(state.textOf(declType))) : undefined,
    });
  }
  state.registrations.sort(
    (a, b) => a.span.startOffset - b.span.startOffset || a.valueSpan.startOffset - b.valueSpan.startOffset,
  );
  const uses = new Map<string, Use[] | null>();
  for (const r of state.registrations)
    if (r.kind === 'field' && !state.reusedRegistrations.has(r)) checkHandOver(state, r, uses);
  // Out-argument assignments (phase 3) joined the written ones: back to text order.
  for (const f of state.definitions)
    if (!f.reused) f.model.assignments.sort((a, b) => a.span.startOffset - b.span.startOffset);
}

/** A use of a local structure's name in its function: a call's argument, an assigned value, a returned one. */
interface Use {
  start: number;
  end: number;
  span: RegistrationModel['span'];
}

/**
 * Whether the local structure a field registration fills reaches a call after the assignment.
 * Init and setter helpers (`WDF_IO_QUEUE_CONFIG_INIT`, `WDF_OBJECT_ATTRIBUTES_SET_CONTEXT_TYPE`) do
 * not hand it over; any other call does (a create or init method, or a helper of the driver's), and
 * so does any other use of its name (copied, its address stored, returned): then we cannot tell.
 * The uses of each structure are found once per build (`known`, by function and name; null: not a
 * local structure): one function often fills many fields of one structure.
 */
function checkHandOver(state: BuildState, r: RegistrationModel, known: Map<string, Use[] | null>): void {
  const object = r.object;
  if (!r.inFunction || !object || !/^[A-Za-z_]\w*$/.test(object)) return;
  const key = `${r.inFunction}\u0000${object}`;
  let uses = known.get(key);
  if (uses === undefined) {
    const owner = state.definitions.find((f) => f.model.name === r.inFunction);
    const local = owner?.scope.get(object);
    uses =
      owner && local && !local.isPointer && state.isWdfStruct(structTypeName(local.type))
        ? usesOf(owner, object)
        : null;
    known.set(key, uses);
  }
  // Not a local structure of its function.
  if (!uses) return;
  if (!uses.length) {
    r.notHandedOver = 'never';
    return;
  }
  if (uses.some((u) => u.end > r.span.startOffset)) return;
  r.notHandedOver = 'after-hand-over';
  // The last use (the first of those starting last).
  let last = uses[0];
  for (const u of uses) if (u.start > last.start) last = u;
  r.handedOverAt = last.span;
}

function usesOf(owner: FunctionDraft, object: string): Use[] {
  const mentions = new RegExp(`(^|[^\\w.>])${object}\\b`);
  const uses: Use[] = [];
  for (const call of owner.model.calls) {
    if (/^WDF_[A-Z0-9_]+$/.test(call.callee)) continue;
    if (call.args.some((a) => mentions.test(a.text)))
      uses.push({ start: call.span.startOffset, end: call.span.endOffset, span: call.span });
  }
  for (const a of owner.model.assignments)
    if (!a.outArgumentOf && mentions.test(a.value))
      uses.push({ start: a.span.startOffset, end: a.span.endOffset, span: a.span });
  for (const ret of owner.model.returns)
    if (ret.value && mentions.test(ret.value))
      uses.push({ start: ret.span.startOffset, end: ret.span.endOffset, span: ret.span });
  return uses;
}

/** A name that may be a function: known in this file, or capitalised and not a variable, constant or Wdf name. */
function looksLikeFunction(state: BuildState, name: string, owner: FunctionDraft | undefined): boolean {
  if (state.lookupVar(name, owner)) return false;
  if (state.knownFunctions.has(name)) return true;
  if (!/^[A-Z_]/.test(name) || !/[a-z]/.test(name)) return false;
  if (/^(Wdf|Wdm)[A-Z]/.test(name)) return false;
  return !NON_FUNCTION_CONSTANTS.has(name);
}

function structTypeOf(state: BuildState, objectNode: Node, owner: FunctionDraft | undefined): string | undefined {
  if (objectNode.type !== 'identifier') return undefined;
  const v = state.lookupVar(state.textOf(objectNode), owner);
  return v ? structTypeName(v.type) : undefined;
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
  // WDF_USB_BMREQUEST_DIRECTION/_TYPE/_RECIPIENT, passed to the WDF_USB_CONTROL_SETUP_PACKET_INIT… macros.
  'BmRequestHostToDevice',
  'BmRequestDeviceToHost',
  'BmRequestStandard',
  'BmRequestClass',
  'BmRequestVendor',
  'BmRequestToDevice',
  'BmRequestToInterface',
  'BmRequestToEndpoint',
  'BmRequestToOther',
  // DMA_WIDTH and DMA_SPEED, passed to WDF_DMA_SYSTEM_PROFILE_CONFIG_INIT and set in DEVICE_DESCRIPTION.
  'Width8Bits',
  'Width16Bits',
  'Width32Bits',
  'Width64Bits',
  'WidthNoWrap',
  'Compatible',
  'TypeA',
  'TypeB',
  'TypeC',
  'TypeF',
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

function enclosingDeclaration(node: Node): Node | undefined {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'declaration') return p;
  return undefined;
}
