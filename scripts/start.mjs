// `npm start`: build and package the .vsix, then show the engine at work on examples/ and ../shared.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const shared = path.resolve(root, '../shared');
const cli = path.join(root, 'dist/cli.js');

function run(title, cmd, args, { allowFail = false } = {}) {
  console.log(
    `\n\x1b[1m▶ ${title}\x1b[0m\n  $ ${[cmd, ...args].map((a) => (a.includes(' ') ? JSON.stringify(a) : a)).join(' ')}`,
  );
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0 && !allowFail) {
    console.error(`✘ ${title} failed (exit ${r.status})`);
    process.exit(1);
  }
}
const kmdf = (title, ...args) => run(title, process.execPath, [cli, ...args], { allowFail: true });

run('Build and package the extension', 'npm', ['run', '--silent', 'package']);
kmdf('The embedded catalog: counts per kind', 'index');
kmdf('A callback role type from the catalog', 'show', 'EVT_WDF_IO_QUEUE_IO_STOP');
kmdf('A method, with its SDV rules and version', 'show', 'WdfDmaTransactionStopSystemTransfer');
if (existsSync(shared)) {
  kmdf(
    'Index ../shared/ddi-docs/current by itself (no catalog)',
    'index',
    '--no-catalog',
    '--docs',
    path.join(shared, 'ddi-docs/current'),
  );
  kmdf(
    'The same entry, with its description read from the docs folder',
    'show',
    '--docs',
    path.join(shared, 'ddi-docs/current/wdfdevice'),
    'EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART',
  );
}
for (const extra of ['scripts/start-analyzer.mjs']) {
  if (existsSync(path.join(root, extra)))
    run('The analyzer on examples/', process.execPath, [path.join(root, extra)], { allowFail: true });
}
console.log(
  `\nPackaged: ${path.join(root, 'dist/kmdf-assist.vsix')} — install with: code --install-extension dist/kmdf-assist.vsix`,
);
