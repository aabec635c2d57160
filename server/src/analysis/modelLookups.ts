/**
 * Small lookups over a model or a text that several features need.
 */
import type { DocumentModel, FunctionModel, Position, RegistrationModel } from './model';
import { positionBefore } from '../syntax/positions';

/** The function (definition or prototype) whose whole span contains an offset; the innermost/latest-starting one wins. */
export function findFunctionAt(model: DocumentModel, offset: number): FunctionModel | undefined {
  let best: FunctionModel | undefined;
  for (const fn of model.functions) {
    if (
      fn.span.startOffset <= offset &&
      offset <= fn.span.endOffset &&
      (!best || fn.span.startOffset >= best.span.startOffset)
    )
      best = fn;
  }
  return best;
}

/** The function definition whose body contains a position or offset. */
export function enclosingFunction(model: DocumentModel, at: Position | number): FunctionModel | undefined {
  let best: FunctionModel | undefined;
  for (const fn of model.functions) {
    const body = fn.body;
    if (!body) continue;
    const inside =
      typeof at === 'number'
        ? body.startOffset <= at && at <= body.endOffset
        : !positionBefore(at, body.start) && !positionBefore(body.end, at);
    if (inside && (!best || body.startOffset >= best.body!.startOffset)) best = fn;
  }
  return best;
}

/** An identifier in a text, and the object it is a member of (`cfg.EvtIoRead`, `p->Config.EvtX`). */
export interface IdentifierAt {
  name: string;
  start: number;
  end: number;
  /** The object expression before `.`/`->`, compacted (`cfg`, `p->Config`), when the identifier is a member. */
  object?: string;
  /** The last identifier of `object` (`Config` for `p->Config`). */
  objectName?: string;
  operator?: '.' | '->';
}

const WORD = /[A-Za-z0-9_]/;

/**
 * The identifier at (or just before) an offset, as when the cursor sits after the last letter.
 * Undefined on whitespace, punctuation and numbers.
 */
export function identifierAt(text: string, offset: number): IdentifierAt | undefined {
  let start = Math.max(0, Math.min(offset, text.length));
  if (!(start < text.length && WORD.test(text[start])) && !(start > 0 && WORD.test(text[start - 1]))) return undefined;
  while (start > 0 && WORD.test(text[start - 1])) start--;
  let end = start;
  while (end < text.length && WORD.test(text[end])) end++;
  const name = text.slice(start, end);
  if (!name || /^[0-9]/.test(name)) return undefined;
  const result: IdentifierAt = { name, start, end };
  const member = memberChainBefore(text, start);
  if (member) Object.assign(result, member);
  return result;
}

/** `a->b.` before `start` → { object: "a->b", objectName: "b", operator: "." }. */
function memberChainBefore(
  text: string,
  start: number,
): Pick<IdentifierAt, 'object' | 'objectName' | 'operator'> | undefined {
  const before = text.slice(Math.max(0, start - 300), start);
  const m = /((?:[A-Za-z_]\w*\s*(?:\.|->)\s*)*[A-Za-z_]\w*)\s*(\.|->)\s*$/.exec(before);
  if (!m) return undefined;
  const object = m[1].replace(/\s+/g, '');
  const objectName = /([A-Za-z_]\w*)$/.exec(object)![1];
  return { object, objectName, operator: m[2] as '.' | '->' };
}

/**
 * Registrations the framework actually receives: a field written into a local structure that no call
 * takes afterwards registers nothing (KMDF3022 reports those), so rules reasoning from a callback's
 * role must not count it.
 */
export function reachesFramework(registration: RegistrationModel): boolean {
  return registration.notHandedOver === undefined;
}

/** The document's registrations that reach the framework. */
export function realRegistrations(model: DocumentModel): RegistrationModel[] {
  return model.registrations.filter(reachesFramework);
}
