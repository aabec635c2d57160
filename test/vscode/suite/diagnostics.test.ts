/** Contract diagnostics in `vscode.languages.getDiagnostics`, published by the server for open files. */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { diagnosticCode, kmdfDiagnostics, openFixture, pollFor, positionOf, waitForServer } from './helpers';

describe('diagnostics', function () {
  before(waitForServer);

  it('reports KMDF3001 on an EvtIoStop callback that leaves its request alone', async function () {
    const { document } = await openFixture('power.c');
    const [diagnostic] = await pollFor('KMDF3001 on power.c', () => kmdfDiagnostics(document.uri), (d) => d.some((x) => diagnosticCode(x) === 'KMDF3001'));
    assert.equal(diagnosticCode(diagnostic), 'KMDF3001');
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    const name = positionOf(document, 'BulbEvtPowerQueueIoStop(\n');
    assert.deepEqual(
      [diagnostic.range.start.line, diagnostic.range.start.character, diagnostic.range.end.line, diagnostic.range.end.character],
      [name.line, name.character, name.line, name.character + 'BulbEvtPowerQueueIoStop'.length],
    );
    assert.match(diagnostic.message, /^EvtIoStop callback BulbEvtPowerQueueIoStop never completes, requeues, acknowledges/);
    assert.deepEqual(kmdfDiagnostics(document.uri).map(diagnosticCode), ['KMDF3001']);
  });

  it('reports nothing on callbacks that keep their contracts', async function () {
    const queue = (await openFixture('queue.c')).document;
    const read = (await openFixture('read.c')).document;
    // Checks of the other open files are published after power.c's; wait for power.c's to be sure checking runs.
    const power = (await openFixture('power.c')).document;
    await pollFor('KMDF3001 on power.c', () => kmdfDiagnostics(power.uri), (d) => d.length > 0);
    assert.deepEqual(kmdfDiagnostics(queue.uri).map((d) => `${diagnosticCode(d)} ${d.message}`), []);
    assert.deepEqual(kmdfDiagnostics(read.uri).map((d) => `${diagnosticCode(d)} ${d.message}`), []);
  });
});
