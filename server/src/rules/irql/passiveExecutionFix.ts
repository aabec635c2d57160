/**
 * The quick fix shared by KMDF2001 and KMDF2002 when a callback may run at DISPATCH_LEVEL only because
 * its object does not ask for passive execution: set `ExecutionLevel = WdfExecutionLevelPassive` on
 * the attributes handed to the create call. Offered only where that edit is plain: the attributes
 * variable is initialised with WDF_OBJECT_ATTRIBUTES_INIT… in the function that creates the object.
 */
import { LineIndex } from '../../syntax/positions';
import type { RuleContext, QuickFix } from '../types';
import { eolOf, irqlFacts } from '../util';

/** What each create method makes, for the fix title. */
const OBJECT_OF: Record<string, string> = {
  WdfIoQueueCreate: 'queue',
  WdfDeviceCreate: 'device',
  WdfDriverCreate: 'driver',
  WdfTimerCreate: 'timer',
  WdfWorkItemCreate: 'work item',
  WdfObjectCreate: 'object',
  WdfDeviceInitSetFileObjectConfig: 'file object',
};

/** The fix for a callback (by name), or undefined when there is no plain edit to offer. */
export function passiveExecutionFix(ctx: RuleContext, callback: string): QuickFix | undefined {
  const registrations = ctx.workspace.registrations(callback);
  // Registered on several objects: one edit would not lower them all.
  if (registrations.length !== 1) return undefined;
  const { uri, registration } = registrations[0];
  const resolved = irqlFacts(ctx).executionLevelOf(registration);
  const creation = resolved?.creation;
  if (!creation?.attributes || !creation.attributesInit || creation.level === 'passive') return undefined;
  const text = uri === ctx.document.uri ? ctx.text : irqlFacts(ctx).textOf(uri);
  if (text === undefined) return undefined;
  const li = new LineIndex(text);
  const eol = eolOf(text);
  const title = `Set ExecutionLevel = WdfExecutionLevelPassive on the attributes of the ${OBJECT_OF[creation.creator.callee] ?? 'object'} (${creation.attributes})`;
  if (creation.executionLevel) {
    const span = creation.executionLevel.valueSpan;
    return { title, edits: [{ uri, span, newText: 'WdfExecutionLevelPassive' }] };
  }
  const init = creation.attributesInit;
  const initLine = li.positionAt(init.span.startOffset).line;
  const lineStart = li.lineStart(initLine);
  const indent = /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
  const nextLine = li.lineStart(initLine + 1);
  // The INIT call must end its line (`WDF_OBJECT_ATTRIBUTES_INIT(&a);`): otherwise the edit is not plain.
  const rest = text.slice(init.span.endOffset, nextLine > init.span.endOffset ? nextLine : text.length);
  if (!/^\s*;[ \t]*(?:\/\/.*)?\r?\n$/.test(rest)) return undefined;
  return {
    title,
    edits: [
      {
        uri,
        span: li.span(nextLine, nextLine),
        newText: `${indent}${creation.attributes}.ExecutionLevel = WdfExecutionLevelPassive;${eol}`,
      },
    ],
  };
}

/** `{ fixes: [fix] }` to spread into a report, or nothing. */
export function fixesFor(fix: QuickFix | undefined): { fixes?: QuickFix[] } {
  return fix ? { fixes: [fix] } : {};
}
