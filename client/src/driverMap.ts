/**
 * The "KMDF Driver Map" tree view (Explorer): the server's DriverMapRequest per driver project. A click
 * opens the definition (or the registration of a missing callback); the context menu of a missing one
 * generates it. The map refreshes when the server's diagnostics change (they follow each analysis),
 * when the server restarts, and on the view's refresh button.
 */
import * as vscode from 'vscode';
import { DriverMapRequest, type DriverMapNode, type MapLocation } from '../../shared/protocol';
import { COMMAND_IDS, CONTEXT_KEYS } from './commandIds';
import { generate } from './commands/generateCallbackStub';
import { mapItemView, missingCallbacks } from './driverMapText';
import { reportCommandError, type KmdfServer } from './server';
import { completeStep } from './walkthroughProgress';

/** Findings badges are file decorations on these URIs (one per node). */
const SCHEME = 'kmdf-map';
const REFRESH_DELAY_MS = 500;

interface Element {
  node: DriverMapNode;
  depth: number;
  id: string;
}

class DriverMapProvider implements vscode.TreeDataProvider<Element>, vscode.FileDecorationProvider {
  private readonly changed = new vscode.EventEmitter<Element | undefined>();
  private readonly decorationsChanged = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly onDidChangeFileDecorations = this.decorationsChanged.event;
  private badges = new Map<string, string>();
  roots: DriverMapNode[] = [];

  constructor(private readonly server: KmdfServer) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(element?: Element): Promise<Element[]> {
    if (element) return this.elements(element.node.children ?? [], element.depth + 1, element.id);
    if (this.server.state !== 'running') return [];
    try {
      this.roots = await this.server.request<DriverMapNode[]>(DriverMapRequest.method, {});
    } catch (error) {
      this.server.output.warn(`Driver map: ${error instanceof Error ? error.message : String(error)}`);
      this.roots = [];
    }
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.hasDriverProject, this.roots.length > 0);
    if (this.roots.length) completeStep(this.server.extensionId, 'kmdf.openDriver');
    this.badges = new Map();
    const out = this.elements(this.roots, 0, '');
    this.decorationsChanged.fire(undefined);
    return out;
  }

  private elements(nodes: DriverMapNode[], depth: number, parent: string): Element[] {
    return nodes.map((node, i) => ({ node, depth, id: `${parent}/${i}:${node.label}` }));
  }

  getTreeItem(element: Element): vscode.TreeItem {
    const view = mapItemView(element.node, element.depth);
    const item = new vscode.TreeItem(
      view.label,
      element.node.children?.length
        ? view.expanded
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed
        : vscode.TreeItemCollapsibleState.None,
    );
    item.id = element.id;
    item.description = view.description;
    item.tooltip = new vscode.MarkdownString(view.tooltip);
    item.iconPath = new vscode.ThemeIcon(view.icon);
    item.contextValue = view.contextValue;
    if (view.badge) {
      const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${encodeURIComponent(element.id)}` });
      this.badges.set(uri.toString(), view.badge);
      item.resourceUri = uri;
    }
    const target = element.node.definition ?? element.node.registeredAt;
    if (target) item.command = { title: 'Go to Definition', command: 'vscode.open', arguments: openArgs(target) };
    return item;
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== SCHEME) return undefined;
    const badge = this.badges.get(uri.toString());
    return badge
      ? new vscode.FileDecoration(badge, `${badge} findings`, new vscode.ThemeColor('list.warningForeground'))
      : undefined;
  }
}

function openArgs(location: MapLocation): unknown[] {
  const { start, end } = location.range;
  return [
    vscode.Uri.parse(location.uri),
    {
      selection: new vscode.Range(start.line, start.character, end.line, end.character),
    } satisfies vscode.TextDocumentShowOptions,
  ];
}

/** Generate a registered-but-undefined callback: from the map's context menu, or picked from the palette. */
async function generateMissing(server: KmdfServer, provider: DriverMapProvider, element?: Element): Promise<void> {
  let node = element?.node;
  if (!node) {
    const missing = missingCallbacks(
      provider.roots.length ? provider.roots : await server.request(DriverMapRequest.method, {}),
    );
    if (!missing.length) {
      void vscode.window.showInformationMessage('KMDF Assist: every registered callback is defined.');
      return;
    }
    const picked = await vscode.window.showQuickPick(
      missing.map((n) => ({ label: n.label, description: n.description, node: n })),
      { title: 'Generate Missing Callback' },
    );
    node = picked?.node;
  }
  if (!node?.roleType || !node.functionName || !node.registeredAt) return;
  await generate(server, { roleType: node.roleType, functionName: node.functionName, uri: node.registeredAt.uri });
}

export function activate(context: vscode.ExtensionContext, server: KmdfServer): void {
  const provider = new DriverMapProvider(server);
  const view = vscode.window.createTreeView('kmdf.driverMap', { treeDataProvider: provider, showCollapseAll: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const later = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => provider.refresh(), REFRESH_DELAY_MS);
  };
  context.subscriptions.push(
    view,
    vscode.window.registerFileDecorationProvider(provider),
    server.onDidChangeState(() => provider.refresh()),
    vscode.languages.onDidChangeDiagnostics((event) => {
      if (view.visible && event.uris.some((u) => /\.(c|cc|cpp|cxx|h|hh|hpp|hxx)$/i.test(u.path))) later();
    }),
    view.onDidChangeVisibility((e) => e.visible && provider.refresh()),
    vscode.commands.registerCommand(COMMAND_IDS.refreshDriverMap, () => provider.refresh()),
    vscode.commands.registerCommand(COMMAND_IDS.generateMissingCallback, async (element?: Element) => {
      try {
        await generateMissing(server, provider, element);
      } catch (error) {
        await reportCommandError(server, 'Generate Missing Callback failed', error);
      }
    }),
    { dispose: () => timer && clearTimeout(timer) },
  );
}
