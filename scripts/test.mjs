// `npm test`: the whole suite, stage by stage, stopping at the first failing stage.
// `npm test -- unit protocol` runs only the named stages.
import { spawnSync } from 'node:child_process';

const mocha = (glob, timeout = 20000) => ['npx', 'mocha', '--fail-zero', '--import=tsx', `--timeout=${timeout}`, glob];

/** name → command. Order matters: protocol and editor tests run the bundles that `build` makes. */
const stages = [
  ['typecheck', ['npm', 'run', '--silent', 'typecheck']],
  // Prettier's layout and ESLint's type-aware rules (eslint.config.mjs); a finding fails the suite.
  ['lint', ['npm', 'run', '--silent', 'lint']],
  ['build', ['node', 'esbuild.mjs']],
  ['unit', mocha('test/unit/**/*.test.ts')],
  // Timing checks, kept out of `unit`: 10x the input may not take more than a bounded multiple of the
  // time (best of several runs, CPU time), which fails on quadratic growth, not on a busy machine.
  ['growth', mocha('test/robustness/**/*.test.ts', 300000)],
  ['protocol', mocha('test/protocol/**/*.test.ts', 60000)],
  // Packages the production .vsix (minified bundles, no maps) and checks what it holds.
  ['package', ['npm', 'run', '--silent', 'package']],
  ['vsix', mocha('test/package/**/*.test.ts')],
  // Editors (test/editors/README.md): code-server (VS Code 1.100) prepared once and cached under
  // test/.cache; the VS Code integration suite in its extension host and the workbench driven with
  // Chromium, both on the .vsix from `package`; then Neovim's LSP client against dist/cli.js.
  ['code-server-prepare', ['node', 'scripts/editors/prepare-code-server.mjs']],
  ['code-server', mocha('test/editors/codeServer.*.test.ts', 600000)],
  ['neovim', mocha('test/editors/neovim.test.ts', 200000)],
];

const only = process.argv.slice(2);
const unknown = only.filter((name) => !stages.some(([stage]) => stage === name));
if (unknown.length) {
  console.error(`Unknown stage(s): ${unknown.join(', ')}. Stages: ${stages.map(([s]) => s).join(', ')}`);
  process.exit(2);
}
for (const [name, [cmd, ...args]] of stages) {
  if (only.length && !only.includes(name)) continue;
  console.log(`\n=== ${name}: ${[cmd, ...args].join(' ')}`);
  const started = Date.now();
  const result = spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`\n✘ stage "${name}" failed (exit ${result.status ?? result.signal}) after ${seconds}s`);
    process.exit(1);
  }
  console.log(`✔ ${name} (${seconds}s)`);
}
