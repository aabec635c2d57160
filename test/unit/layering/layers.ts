// The import graph of server/src and the layer rule the README's layout table states.
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

/**
 * server/src folders, lowest first. A file may import from its own folder and from folders listed
 * before its own; never from a later one. `entry` is the files directly under server/src (main.ts,
 * server.ts: the server's composition), which the CLI's `serve` command starts.
 */
export const LAYERS = [
  'util',
  'syntax',
  'knowledge',
  'analysis',
  'project',
  'stubs',
  'rules',
  'docsText',
  'session',
  'features',
  'entry',
  'cli',
] as const;

export interface ImportEdge {
  from: string;
  to: string;
}

/** Every relative import between .ts files under `root`, as paths relative to `root`. */
export function importGraph(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of tsFiles(root)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const target = resolveTs(path.resolve(path.dirname(file), ref.fileName));
      if (!target || !target.startsWith(root + path.sep)) continue;
      edges.push({ from: path.relative(root, file), to: path.relative(root, target) });
    }
  }
  return edges;
}

/** The server/src folder a file belongs to, or `entry` for files directly under it. */
export function folderOf(relative: string): string {
  const parts = relative.split(/[\\/]/);
  return parts.length === 1 ? 'entry' : parts[0];
}

/** Imports that go up the layer list (or into an unknown folder), as "from → to" lines. */
export function layerViolations(edges: ImportEdge[]): string[] {
  const rank = (folder: string): number => (LAYERS as readonly string[]).indexOf(folder);
  const out: string[] = [];
  for (const { from, to } of edges) {
    const a = folderOf(from);
    const b = folderOf(to);
    if (a === b) continue;
    if (rank(a) < 0) out.push(`${from}: folder "${a}" is not in the layer table`);
    else if (rank(b) < 0 || rank(b) > rank(a)) out.push(`${from} → ${to}`);
  }
  return [...new Set(out)].sort();
}

/** File-level import cycles (strongly connected components of more than one file, or a self-import). */
export function importCycles(edges: ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) {
    if (!next.has(from)) next.set(from, []);
    next.get(from)!.push(to);
  }
  // Tarjan's algorithm, iterative so deep graphs cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  for (const start of next.keys()) {
    if (index.has(start)) continue;
    const work: Array<{ node: string; child: number }> = [{ node: start, child: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const frame = work[work.length - 1];
      const children = next.get(frame.node) ?? [];
      if (frame.child < children.length) {
        const child = children[frame.child++];
        if (!index.has(child)) {
          index.set(child, counter);
          low.set(child, counter++);
          stack.push(child);
          onStack.add(child);
          work.push({ node: child, child: 0 });
        } else if (onStack.has(child)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(child)!));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfImport = (next.get(frame.node) ?? []).includes(frame.node);
        if (component.length > 1 || selfImport) cycles.push(component.sort());
      }
    }
  }
  return cycles;
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.ts')) out.push(full);
  }
  return out.sort();
}

function resolveTs(base: string): string | undefined {
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')])
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  return undefined;
}
