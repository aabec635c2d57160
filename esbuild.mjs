// Builds the three bundles the extension ships: the VS Code client, the language server
// and the kmdf command-line tool. Type-checking is separate (`npm run typecheck`).
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const outdir = path.resolve('dist');

/** web-tree-sitter's ESM build reads import.meta, which esbuild empties in CJS output;
 *  aliasing to the package's own CJS build avoids `createRequire(undefined)` at start-up. */
const webTreeSitterCjs = require.resolve('web-tree-sitter');

/** jsonc-parser's default (UMD) build loads its parts with a `require` esbuild cannot follow; its ESM build bundles. */
const jsoncParserEsm = path.join(path.dirname(require.resolve('jsonc-parser/package.json')), 'lib/esm/main.js');

/** Wasm files are loaded at run time from beside the bundles (server/src/syntax/treeSitter.ts). */
function copyAssets() {
  mkdirSync(outdir, { recursive: true });
  const assets = [
    require.resolve('web-tree-sitter/web-tree-sitter.wasm'),
    path.join(path.dirname(require.resolve('tree-sitter-c/package.json')), 'tree-sitter-c.wasm'),
    path.join(path.dirname(require.resolve('tree-sitter-cpp/package.json')), 'tree-sitter-cpp.wasm'),
    path.resolve('server/catalog/wdf-catalog.json'),
  ];
  for (const file of assets) copyFileSync(file, path.join(outdir, path.basename(file)));
}

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  alias: { 'web-tree-sitter': webTreeSitterCjs, 'jsonc-parser': jsoncParserEsm },
};

const problemMatcherPlugin = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

/**
 * V8 holds a script's source as long as its functions may still be compiled, in one byte a character
 * when every character is Latin-1 and in two otherwise: one `→` in a comment doubles the server's and
 * the CLI's 2.7 MB bundle in every thread's heap. esbuild's default ASCII charset escapes strings but
 * leaves comments and regular expression literals as written; this escapes what is left (`\uXXXX`
 * means the same character in a regular expression and is text in a comment).
 */
const asciiOutputPlugin = {
  name: 'ascii-output',
  setup(build) {
    build.onEnd((result) => {
      if (result.errors.length) return;
      for (const name of Object.keys(build.initialOptions.entryPoints)) {
        const file = path.join(outdir, `${name}.js`);
        const text = readFileSync(file, 'utf8');
        // eslint-disable-next-line no-control-regex
        const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
        if (ascii !== text) writeFileSync(file, ascii);
      }
    });
  },
};

const plugins = watch ? [problemMatcherPlugin] : [];
const contexts = await Promise.all([
  esbuild.context({
    ...common,
    plugins,
    entryPoints: { extension: 'client/src/extension.ts' },
    outdir,
    external: ['vscode'],
  }),
  esbuild.context({
    ...common,
    plugins: [...plugins, asciiOutputPlugin],
    entryPoints: {
      // dist/server.js starts dist/serverMain.js, through V8's code cache when the client gives a folder for it.
      server: 'server/src/launch.ts',
      serverMain: 'server/src/main.ts',
      cli: 'server/src/cli/main.ts',
      // Analysis worker threads: the server's workspace scan (server/src/session/analysisWorkers.ts).
      analysisWorker: 'server/src/session/analysisWorker.ts',
      // Lint worker threads: `kmdf lint --jobs N` checks shares of the projects on them (server/src/session/parallelLint.ts).
      lintWorker: 'server/src/session/lintWorker.ts',
    },
    outdir,
  }),
]);

copyAssets();
if (watch) {
  await Promise.all(contexts.map((ctx) => ctx.watch()));
} else {
  for (const ctx of contexts) {
    await ctx.rebuild();
    await ctx.dispose();
  }
}
