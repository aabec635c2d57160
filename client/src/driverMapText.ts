/**
 * What the KMDF Driver Map shows for a node, free of the vscode API so it can be unit tested: the
 * icon, the description, the tooltip, the badge and the context value its menus key on.
 */
import type { DriverMapNode, DriverMapNodeKind } from '../../shared/protocol';

/** Codicon per node kind. */
const ICONS: Record<DriverMapNodeKind, string> = {
  project: 'package',
  looseFiles: 'files',
  target: 'target',
  callback: 'symbol-method',
  device: 'circuit-board',
  queue: 'list-ordered',
  timer: 'watch',
  dpc: 'zap',
  workItem: 'tools',
  interrupt: 'pulse',
  dmaEnabler: 'arrow-swap',
  other: 'symbol-misc',
};

export interface MapItemView {
  label: string;
  description?: string;
  /** Markdown. */
  tooltip: string;
  icon: string;
  /** `kmdf.callback.missing` (the context menu offers to generate it), `kmdf.callback`, or `kmdf.<kind>`. */
  contextValue: string;
  /** Shown at the end of the row; undefined when there is nothing to count. */
  badge?: string;
  expanded: boolean;
}

/** `file.c:12` for a location. */
function shortLocation(location: { uri: string; range: { start: { line: number } } }): string {
  const file = decodeURIComponent(location.uri.slice(location.uri.lastIndexOf('/') + 1));
  return `${file}:${location.range.start.line + 1}`;
}

export function mapItemView(node: DriverMapNode, depth: number): MapItemView {
  const lines: string[] = [`**${node.label}**`];
  if (node.roleType) lines.push(`\`${node.roleType}\`${node.irql ? ` · IRQL ${node.irql}` : ''}`);
  if (node.registeredAt)
    lines.push(`${node.kind === 'callback' ? 'Registered' : 'Configured'} at ${shortLocation(node.registeredAt)}`);
  if (node.definition) lines.push(`Defined at ${shortLocation(node.definition)}`);
  if (node.missing) lines.push('Registered but not defined: right-click to generate it.');
  if (node.findings) lines.push(`${node.findings} finding${node.findings === 1 ? '' : 's'}`);
  return {
    label: node.label,
    ...(node.description ? { description: node.description } : {}),
    tooltip: lines.join('\n\n'),
    icon: node.missing ? 'warning' : ICONS[node.kind],
    contextValue:
      node.kind === 'callback' ? (node.missing ? 'kmdf.callback.missing' : 'kmdf.callback') : `kmdf.${node.kind}`,
    ...(node.findings ? { badge: node.findings > 99 ? '99+' : String(node.findings) } : {}),
    // Projects, DriverEntry and EvtDriverDeviceAdd open; object groups open too (they are short).
    expanded: !!node.children?.length && depth < 4,
  };
}

/** Every callback registered but not defined, with its project, for the command palette's picker. */
export function missingCallbacks(nodes: readonly DriverMapNode[]): DriverMapNode[] {
  return nodes.flatMap((n) => [...(n.missing ? [n] : []), ...missingCallbacks(n.children ?? [])]);
}
