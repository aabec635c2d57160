/**
 * The quick fix shared by KMDF2001 and KMDF2002 when a callback may run at DISPATCH_LEVEL only because
 * its object does not ask for passive execution: set `ExecutionLevel = WdfExecutionLevelPassive` on
 * the attributes handed to the create call. Offered only where that edit is plain: the attributes
 * variable is initialised with WDF_OBJECT_ATTRIBUTES_INIT… in the function that creates the object.
 */
import { variableOf } from '../../analysis/executionLevel';
import { LineIndex } from '../../syntax/positions';
import type { RuleContext, QuickFix } from '../types';
import { eolOf } from './lineEdits';
import { irqlFacts } from '../facts/irqlContext';
import { lookupTable } from '../../util/lookupTable';

/** What each create method makes, for the fix title. */
const OBJECT_OF: Readonly<Record<string, string>> = lookupTable({
  WdfIoQueueCreate: 'queue',
  WdfDeviceCreate: 'device',
  WdfDriverCreate: 'driver',
  WdfTimerCreate: 'timer',
  WdfWorkItemCreate: 'work item',
  WdfObjectCreate: 'object',
  WdfDeviceInitSetFileObjectConfig: 'file object',
});

/** Create calls that take attributes (the object made with them gets their ExecutionLevel). */
const CREATES_WITH_ATTRIBUTES = new Set(Object.keys(OBJECT_OF));

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
  const creator = creation.creator;
  const assignment = `${creation.attributes}.ExecutionLevel = WdfExecutionLevelPassive;`;
  // The same attributes handed to another create call in between (the device, then the queue): setting
  // the level right after the INIT would change that object too, so the line goes before this create call.
  const sharedBefore = creation.fn.calls.some(
    (c) =>
      c !== creator &&
      c.span.startOffset > init.span.startOffset &&
      c.span.startOffset < creator.span.startOffset &&
      CREATES_WITH_ATTRIBUTES.has(c.callee) &&
      c.args.some((a) => variableOf(a.text) === creation.attributes),
  );
  if (sharedBefore) {
    const line = li.positionAt(creator.span.startOffset).line;
    const lineStart = li.lineStart(line);
    const lead = text.slice(lineStart, creator.span.startOffset);
    // Only where the create call starts its statement on that line (`status = WdfIoQueueCreate(`).
    if (!/^[ \t]*(?:[A-Za-z_]\w*\s*=\s*|return\s+|if\s*\(\s*!\s*NT_SUCCESS\s*\(\s*[A-Za-z_]\w*\s*=\s*)?$/.test(lead))
      return undefined;
    const indent = /^[ \t]*/.exec(lead)?.[0] ?? '';
    return { title, edits: [{ uri, span: li.span(lineStart, lineStart), newText: `${indent}${assignment}${eol}` }] };
  }
  // After the INIT statement (which may span lines): it must end its last line.
  const endLine = li.positionAt(init.span.endOffset).line;
  const nextLine = li.lineStart(endLine + 1);
  if (nextLine <= init.span.endOffset) return undefined;
  const rest = text.slice(init.span.endOffset, nextLine);
  if (!/^\s*;[ \t]*(?:\/\/.*)?\r?\n$/.test(rest)) return undefined;
  const initLineStart = li.lineStart(li.positionAt(init.span.startOffset).line);
  const indent = /^[ \t]*/.exec(text.slice(initLineStart))?.[0] ?? '';
  return { title, edits: [{ uri, span: li.span(nextLine, nextLine), newText: `${indent}${assignment}${eol}` }] };
}

/** `{ fixes: [fix] }` to spread into a report, or nothing. */
export function fixesFor(fix: QuickFix | undefined): { fixes?: QuickFix[] } {
  return fix ? { fixes: [fix] } : {};
}
