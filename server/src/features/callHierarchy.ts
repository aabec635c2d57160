/**
 * Call hierarchy over the driver's own functions, within its project. A registration counts as a
 * call: the framework calls what the driver registers, so DriverEntry → EvtDriverDeviceAdd → the
 * queue's callbacks reads as a chain. Each item's detail gives the role and the IRQL the function is
 * reached at (from its role type, its own annotation, or the callbacks that reach it and through whom).
 */
import {
  SymbolKind,
  type CallHierarchyIncomingCall,
  type CallHierarchyIncomingCallsParams,
  type CallHierarchyItem,
  type CallHierarchyOutgoingCall,
  type CallHierarchyOutgoingCallsParams,
  type CallHierarchyPrepareParams,
  type Connection,
  type Range,
} from 'vscode-languageserver';
import type { Span } from '../analysis/model';
import { IrqlFacts, describeLevel } from '../rules/facts/irql';
import { callbackBaseName } from '../stubs/naming';
import { toRange } from '../session/lsp';
import type { FeatureContext } from '../session/context';
import type { ProjectView } from '../session/projectView';
import { isOwnedName, nameAt } from './workspaceNames';

/** What an item carries so incoming/outgoing can find it again. */
interface ItemData {
  name: string;
}

export class CallHierarchyFeature {
  constructor(private readonly ctx: FeatureContext) {}

  register(connection: Connection): void {
    connection.languages.callHierarchy.onPrepare((params) => this.prepare(params));
    connection.languages.callHierarchy.onIncomingCalls((params) => this.incoming(params));
    connection.languages.callHierarchy.onOutgoingCalls((params) => this.outgoing(params));
  }

  async prepare(params: CallHierarchyPrepareParams): Promise<CallHierarchyItem[] | null> {
    const at = await nameAt(this.ctx, params.textDocument.uri, params.position);
    if (!at?.owned) return null;
    const item = new Items(this.ctx, at.project).item(at.name);
    return item ? [item] : null;
  }

  incoming(params: CallHierarchyIncomingCallsParams): CallHierarchyIncomingCall[] {
    const name = nameOf(params.item);
    const project = this.ctx.project.forDocument(params.item.uri);
    const ws = project.workspace;
    const items = new Items(this.ctx, project);
    const groups = new Map<string, CallHierarchyIncomingCall>();
    const add = (caller: string | undefined, span: Span) => {
      if (!caller || !ws.isDefined(caller)) return;
      let group = groups.get(caller);
      if (!group) {
        const from = items.item(caller);
        if (!from) return;
        groups.set(caller, (group = { from, fromRanges: [] }));
      }
      group.fromRanges.push(toRange(span));
    };
    for (const site of ws.callers(name)) add(site.caller, site.call.calleeSpan);
    for (const { registration } of ws.registrations(name)) add(registration.inFunction, registration.valueSpan);
    return [...groups.values()].map((g) => ({ ...g, fromRanges: sortRanges(g.fromRanges) }));
  }

  outgoing(params: CallHierarchyOutgoingCallsParams): CallHierarchyOutgoingCall[] {
    const name = nameOf(params.item);
    const project = this.ctx.project.forDocument(params.item.uri);
    const ws = project.workspace;
    const items = new Items(this.ctx, project);
    const groups = new Map<string, CallHierarchyOutgoingCall>();
    const add = (callee: string, span: Span) => {
      if (callee === name || !isOwnedName(project, callee) || !ws.isDefined(callee)) return;
      let group = groups.get(callee);
      if (!group) {
        const to = items.item(callee);
        if (!to) return;
        groups.set(callee, (group = { to, fromRanges: [] }));
      }
      group.fromRanges.push(toRange(span));
    };
    // fromRanges are in the item's own file: read the definition there.
    const definition = ws.definitions(name).find((d) => d.uri === params.item.uri) ?? ws.definitions(name)[0];
    if (!definition) return [];
    const model = ws.get(definition.uri);
    const sites: { callee: string; span: Span }[] = [
      ...definition.fn.calls.map((c) => ({ callee: c.callee, span: c.calleeSpan })),
      ...(model?.registrations ?? [])
        .filter((r) => r.inFunction === name)
        .map((r) => ({ callee: r.functionName, span: r.valueSpan })),
    ].sort((a, b) => a.span.startOffset - b.span.startOffset);
    for (const site of sites) add(site.callee, site.span);
    return [...groups.values()];
  }
}

/** Builds items for one project, with one run of IRQL facts for all of them. */
class Items {
  private facts?: IrqlFacts;

  constructor(
    private readonly ctx: FeatureContext,
    private readonly project: ProjectView,
  ) {}

  /** The item of a function: its definition (else its first prototype). */
  item(name: string): CallHierarchyItem | undefined {
    const located = this.project.functionsNamed(name)[0];
    if (!located) return undefined;
    const data: ItemData = { name };
    return {
      name,
      kind: SymbolKind.Function,
      detail: this.detail(name),
      uri: located.uri,
      range: toRange(located.fn.span),
      selectionRange: toRange(located.fn.nameSpan),
      data,
    };
  }

  /**
   * "EvtIoStop · IRQL ≤ DISPATCH_LEVEL" for a callback, "IRQL ≤ DISPATCH_LEVEL from LampEvtIoRead" for a
   * helper (every distinct level, highest first), "IRQL = PASSIVE_LEVEL (annotated)" for a function whose
   * own annotation says, "DriverEntry · IRQL = PASSIVE_LEVEL"; undefined when nothing reaches it.
   */
  detail(name: string): string | undefined {
    this.facts ??= new IrqlFacts(this.project.workspace, this.ctx.index());
    const role = this.project.roleOf(name);
    // The system calls DriverEntry at PASSIVE_LEVEL (as the driver map says); DRIVER_INITIALIZE is no WDF role type.
    if (!role && name === 'DriverEntry') return 'DriverEntry · IRQL = PASSIVE_LEVEL';
    const parts: string[] = role ? [callbackBaseName(role.entry)] : [];
    const own = this.facts.ownLevel(name);
    if (own) {
      parts.push(`IRQL ${own.certainty === 'certain' ? '=' : '≤'} ${own.level} (annotated)`);
    } else {
      const levels = this.facts.levelsReaching(name);
      if (levels.length)
        parts.push(
          `IRQL ${levels.map((r) => `${describeLevel(r)}${r.root !== name ? ` from ${r.root}` : ''}`).join(', ')}`,
        );
    }
    return parts.length ? parts.join(' · ') : undefined;
  }
}

function nameOf(item: CallHierarchyItem): string {
  const data = item.data as Partial<ItemData> | undefined;
  return typeof data?.name === 'string' ? data.name : item.name;
}

function sortRanges(ranges: Range[]): Range[] {
  return ranges.sort((a, b) => a.start.line - b.start.line || a.start.character - b.start.character);
}
