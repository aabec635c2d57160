/**
 * The throughput floor for `npm run bench`: read and parse every C/C++ file under a folder with bare
 * web-tree-sitter (no blanking, no model, no rules), deleting each tree at once. Run as its own
 * process so that its wall time and peak RSS compare with a `kmdf lint` process on the same files.
 * Prints `FLOOR {"files":…,"bytes":…,"parseMs":…}` on stderr.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';

const SOURCE = /\.(c|h|cc|cpp|cxx|hh|hpp|hxx|inl|ipp)$/i;
const CPP = /\.(cpp|cc|cxx|hpp|hh|hxx|ipp|inl)$/i;
const SKIP = new Set(['node_modules', '.git', '.svn', '.hg', '.vs', '.vscode-test']);

function list(dir: string, out: string[]): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP.has(entry.name)) list(full, out);
    } else if (entry.isFile() && SOURCE.test(entry.name)) out.push(full);
  }
}

async function main(): Promise<void> {
  await Parser.init();
  const grammar = (pkg: string) => path.join(path.dirname(require.resolve(`${pkg}/package.json`)), `${pkg}.wasm`);
  const c = new Parser();
  c.setLanguage(await Language.load(grammar('tree-sitter-c')));
  const cpp = new Parser();
  cpp.setLanguage(await Language.load(grammar('tree-sitter-cpp')));
  const files: string[] = [];
  for (const dir of process.argv.slice(2)) list(path.resolve(dir), files);
  let bytes = 0;
  let parsed = 0;
  const started = performance.now();
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    if (text.includes('\u0000') || text.length > 2 * 1024 * 1024) continue;
    bytes += text.length;
    parsed++;
    (CPP.test(file) ? cpp : c).parse(text)?.delete();
  }
  const parseMs = performance.now() - started;
  process.stderr.write(`FLOOR ${JSON.stringify({ files: parsed, bytes, parseMs: Math.round(parseMs) })}\n`);
}

void main();
