/** Contract diagnostics in `vscode.languages.getDiagnostics`, published by the server for open files. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import {
  diagnosticCode,
  EXTENSION_ID,
  kmdfDiagnostics,
  openFixture,
  pollFor,
  positionOf,
  waitForServer,
} from './helpers';

describe('diagnostics', function () {
  before(waitForServer);

  it('reports KMDF3001 on an EvtIoStop callback that leaves its request alone', async function () {
    const { document } = await openFixture('power.c');
    const [diagnostic] = await pollFor(
      'KMDF3001 on power.c',
      () => kmdfDiagnostics(document.uri),
      (d) => d.some((x) => diagnosticCode(x) === 'KMDF3001'),
    );
    assert.equal(diagnosticCode(diagnostic), 'KMDF3001');
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    const name = positionOf(document, 'BulbEvtPowerQueueIoStop(\n');
    assert.deepEqual(
      [
        diagnostic.range.start.line,
        diagnostic.range.start.character,
        diagnostic.range.end.line,
        diagnostic.range.end.character,
      ],
      [name.line, name.character, name.line, name.character + 'BulbEvtPowerQueueIoStop'.length],
    );
    assert.match(
      diagnostic.message,
      /^EvtIoStop callback BulbEvtPowerQueueIoStop never completes, requeues, acknowledges/,
    );
    // The rule link is the rule's page installed with the extension: a file, so it opens offline (issue 9 §5).
    const target = (diagnostic.code as { value: string; target?: vscode.Uri }).target;
    const installed = vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri;
    assert.equal(target?.scheme, 'file', String(target));
    assert.equal(target.fsPath, vscode.Uri.joinPath(installed, 'docs', 'rules', 'KMDF3001.md').fsPath);
    assert.match(fs.readFileSync(target.fsPath, 'utf8'), /^# KMDF3001/);
    assert.deepEqual(kmdfDiagnostics(document.uri).map(diagnosticCode), ['KMDF3001']);
  });

  it('reports only the seeded problem in queue.c (KMDF1001 on the undeclared BulbEvtIoRead) and nothing in read.c', async function () {
    const queue = (await openFixture('queue.c')).document;
    const read = (await openFixture('read.c')).document;
    const found = await pollFor(
      'KMDF1001 on queue.c',
      () => kmdfDiagnostics(queue.uri),
      (d) => d.length > 0,
    );
    const at = positionOf(queue, '= BulbEvtIoRead;', 2);
    assert.deepEqual(
      found.map((d) => [diagnosticCode(d), d.range.start.line, d.range.start.character, d.range.end.character]),
      [['KMDF1001', at.line, at.character, at.character + 'BulbEvtIoRead'.length]],
    );
    assert.match(
      found[0].message,
      /^BulbEvtIoRead is registered as EVT_WDF_IO_QUEUE_IO_READ \(queueConfig\.EvtIoRead\) but is not declared with that role type/,
    );
    // read.c is checked in the same pass as the other open files; power.c's finding shows that pass has run.
    const power = (await openFixture('power.c')).document;
    await pollFor(
      'KMDF3001 on power.c',
      () => kmdfDiagnostics(power.uri),
      (d) => d.length > 0,
    );
    assert.deepEqual(
      kmdfDiagnostics(read.uri).map((d) => `${diagnosticCode(d)} ${d.message}`),
      [],
    );
  });
});
