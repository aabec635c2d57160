/**
 * The one place that loads web-tree-sitter and the C/C++ grammars.
 *
 * In the bundle (dist/serverMain.js, dist/cli.js) the wasm files sit beside the bundle (esbuild.mjs
 * copies them); when running from sources (tests via tsx) they are resolved from node_modules.
 * Versions are pinned in server/package.json; see server/parser.info for provenance.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';

export type GrammarId = 'c' | 'cpp';

let initPromise: Promise<void> | undefined;
const languages = new Map<GrammarId, Promise<Language>>();

function locate(fileName: string, packageName: string): string {
  const besideBundle = path.join(__dirname, fileName);
  if (fs.existsSync(besideBundle)) return besideBundle;
  // Running from sources: resolve inside the package that ships the file
  // (web-tree-sitter exports its wasm; the grammar packages export package.json).
  if (packageName === 'web-tree-sitter') return require.resolve(`web-tree-sitter/${fileName}`);
  return path.join(path.dirname(require.resolve(`${packageName}/package.json`)), fileName);
}

/** Initialise the wasm runtime once. */
export function initTreeSitter(): Promise<void> {
  initPromise ??= Parser.init({
    locateFile: (name: string) => locate(name, 'web-tree-sitter'),
  });
  return initPromise;
}

/** Load (once) and return the grammar for C or C++. */
export async function loadLanguage(id: GrammarId): Promise<Language> {
  await initTreeSitter();
  let lang = languages.get(id);
  if (!lang) {
    const file = id === 'c' ? 'tree-sitter-c.wasm' : 'tree-sitter-cpp.wasm';
    // Given as bytes: with a path web-tree-sitter reads the file through a dynamic import(), which a
    // bundle run from V8's code cache on Node 20 cannot make (server/src/launch.ts).
    const wasm = locate(file, id === 'c' ? 'tree-sitter-c' : 'tree-sitter-cpp');
    lang = fs.promises.readFile(wasm).then((bytes) => Language.load(bytes));
    languages.set(id, lang);
  }
  return lang;
}

/** A new parser for the given grammar. Callers own it and must `delete()` it when done. */
export async function createParser(id: GrammarId): Promise<Parser> {
  const language = await loadLanguage(id); // also initialises the runtime, which `new Parser()` needs
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

/** Grammar for a file name: C++ for .cpp/.cc/.cxx/.hpp/.hh/.hxx, C otherwise. */
export function grammarForFile(fileName: string): GrammarId {
  return /\.(cpp|cc|cxx|hpp|hh|hxx|ipp|inl)$/i.test(fileName) ? 'cpp' : 'c';
}

export { Language, Parser };
export type { Node, Tree, Point, Edit } from 'web-tree-sitter';
