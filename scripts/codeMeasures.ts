/**
 * `npx tsx scripts/codeMeasures.ts [--top N] [--over LINES] [--graph] [DIR]`: the code-health measures of
 * issue 13 over server/src (or DIR).
 *
 * Prints the longest functions (every function, method, arrow function and accessor, counted from its
 * first to its last line, closures inside it included), longest first, as `lines  file:line  name`.
 * `--over LINES` lists every function longer than that instead of the top N (default 15).
 * `--graph` also prints the folder import graph (the edges between server/src folders, with how many
 * file imports each carries) and the file-level import cycles, from the layering test's own reader.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { folderOf, importCycles, importGraph } from '../test/unit/layering/layers';

export interface FunctionLength {
  file: string;
  line: number;
  name: string;
  lines: number;
}

/** Every function-like node of one source text with its length in lines. */
export function functionLengths(file: string, text: string): FunctionLength[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: FunctionLength[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({ file, line: first + 1, name: nameOf(node), lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** `Class.method`, `object.property`, the variable an arrow function is bound to, or `(anonymous)`. */
function nameOf(node: ts.Node): string {
  const own = (n: ts.Node): string | undefined => {
    const name = (n as { name?: ts.Node }).name;
    return name && (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isPrivateIdentifier(name))
      ? name.text
      : undefined;
  };
  if (ts.isConstructorDeclaration(node)) return `${containerName(node) ?? '(class)'}.constructor`;
  let name = own(node);
  let holder: ts.Node = node;
  if (!name && (ts.isArrowFunction(node) || ts.isFunctionExpression(node))) {
    const parent = node.parent;
    if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
      name = own(parent);
      holder = parent;
    }
  }
  if (!name) return '(anonymous)';
  const container =
    ts.isFunctionDeclaration(holder) || ts.isVariableDeclaration(holder) ? undefined : containerName(holder);
  return container ? `${container}.${name}` : name;
}

/** The class, or the variable an object literal is bound to, that holds a member. */
function containerName(member: ts.Node): string | undefined {
  const parent = member.parent;
  if (ts.isClassLike(parent)) return parent.name?.text ?? '(class)';
  if (ts.isObjectLiteralExpression(parent)) {
    const holder = parent.parent;
    if (ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name)) return holder.name.text;
    if (ts.isReturnStatement(holder) || ts.isArrowFunction(holder)) {
      const fn = ts.findAncestor(holder.parent, (n) => ts.isFunctionLike(n));
      const fnName = fn && (fn as { name?: ts.Node }).name;
      if (fnName && ts.isIdentifier(fnName)) return fnName.text;
    }
  }
  return undefined;
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out.sort();
}

function main(argv: string[]): void {
  let top = 15;
  let over: number | undefined;
  let graph = false;
  let dir = path.resolve(__dirname, '../server/src');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--top') top = Number(argv[++i]);
    else if (arg === '--over') over = Number(argv[++i]);
    else if (arg === '--graph') graph = true;
    else dir = path.resolve(arg);
  }
  const all = tsFiles(dir)
    .flatMap((file) => functionLengths(path.relative(dir, file), fs.readFileSync(file, 'utf8')))
    .sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || a.line - b.line);
  const shown = over === undefined ? all.slice(0, top) : all.filter((f) => f.lines > over);
  for (const f of shown) process.stdout.write(`${String(f.lines).padStart(4)}  ${f.file}:${f.line}  ${f.name}\n`);
  if (!graph) return;
  const edges = importGraph(dir);
  const folders = new Map<string, number>();
  for (const { from, to } of edges) {
    const a = folderOf(from);
    const b = folderOf(to);
    if (a !== b) folders.set(`${a} → ${b}`, (folders.get(`${a} → ${b}`) ?? 0) + 1);
  }
  process.stdout.write(`\nfolder imports (${folders.size} edges, file imports each):\n`);
  for (const [edge, n] of [...folders].sort()) process.stdout.write(`  ${edge}  ${n}\n`);
  const cycles = importCycles(edges);
  process.stdout.write(`file import cycles: ${cycles.length ? cycles.map((c) => c.join(' → ')).join('; ') : 'none'}\n`);
}

if (require.main === module) main(process.argv.slice(2));
