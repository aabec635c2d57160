// Part of `npm start`: the analyzer and the language server on examples/, as a user would meet them.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');
const shared = path.resolve(root, '../shared');
const bold = (s) => `\n\x1b[1m▶ ${s}\x1b[0m`;

function kmdf(title, ...args) {
  console.log(`${bold(title)}\n  $ kmdf ${args.join(' ')}`);
  spawnSync(process.execPath, [path.join(dist, 'cli.js'), ...args], { cwd: root, stdio: 'inherit' });
}

kmdf('Callbacks the analyzer recognises in the example driver', 'callbacks', 'examples/echo-dma');
kmdf(
  'Contract findings over examples/ (the violations-*.c files break one rule each on purpose)',
  'lint',
  '--fail-on',
  'error',
  'examples',
);

// The language server, over stdio, on the example header.
const header = path.join(root, 'examples/echo-dma/echodma.h');
const text = readFileSync(header, 'utf8');
const uri = pathToFileURL(header).href;
const settings = { docs: { online: false, path: existsSync(shared) ? path.join(shared, 'ddi-docs/current') : '' } };
const proc = spawn(process.execPath, [path.join(dist, 'server.js'), '--stdio'], {
  cwd: root,
  stdio: ['pipe', 'pipe', 'inherit'],
});
const connection = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
connection.onRequest('workspace/configuration', (params) => params.items.map(() => settings));
connection.onNotification(() => {});
connection.listen();
try {
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(root).href,
    capabilities: { workspace: { configuration: true } },
    workspaceFolders: [{ uri: pathToFileURL(path.join(root, 'examples')).href, name: 'examples' }],
  });
  await connection.sendNotification('initialized', {});
  await connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'c', version: 1, text },
  });
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.startsWith('EVT_WDF_IO_QUEUE_IO_STOP'));
  const hover = await connection.sendRequest('textDocument/hover', {
    textDocument: { uri },
    position: { line, character: 5 },
  });
  console.log(`${bold(`Hover over EVT_WDF_IO_QUEUE_IO_STOP (echodma.h:${line + 1})`)}\n`);
  console.log(hover?.contents?.value ?? '(no hover)');
  const stub = await connection.sendRequest('kmdf/generateStub', { roleType: 'EVT_WDF_DEVICE_FILE_CREATE', uri });
  console.log(`${bold("Generated stub for EVT_WDF_DEVICE_FILE_CREATE (name from the driver's prefix)")}\n`);
  console.log([stub.declaration, '', stub.allocText, stub.definition].filter((s) => s !== undefined).join('\n'));
  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit');
} catch (error) {
  console.error(`language server demo failed: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
} finally {
  connection.dispose();
  proc.kill();
}
