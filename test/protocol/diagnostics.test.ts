/**
 * Diagnostics through the bundled server: rule findings on open documents, re-published after
 * edits, with the rule id, its page, and quick fixes offered as code actions.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { distDir, fixturesDir, positionOf, TestClient } from './harness';

const lamp = path.join(fixturesDir, 'lamp');

describe('protocol: diagnostics', () => {
  let client: TestClient;
  before(async () => {
    client = await TestClient.start({
      workspaceFolder: lamp,
      settings: { docs: { online: false } },
      env: { KMDF_ASSIST_LOG: 'debug' },
    });
    await client.ready();
  });
  after(async () => client?.stop());

  const codes = (uri: string) => (client.diagnostics.get(uri)?.diagnostics ?? []).map((d) => d.code);

  it('publishes findings, follows edits, and offers the fixes they carry', async () => {
    const file = path.join(lamp, 'queue.c');
    const text = fs.readFileSync(file, 'utf8');
    const uri = await client.open(file, text);
    await client.waitFor(() => codes(uri).length === 2, 10000, 'diagnostics for queue.c');
    const [undeclared, keep] = client.diagnostics.get(uri)!.diagnostics;
    assert.equal(undeclared.code, 'KMDF1001');
    assert.deepEqual(undeclared.range.start, positionOf(text, 'LampEvtIoRead;'));
    assert.equal(undeclared.source, 'kmdf');
    // The rule page shipped beside the bundle (dist/ → docs/rules), so the link opens offline in any editor.
    assert.equal(
      undeclared.codeDescription?.href,
      pathToFileURL(path.join(path.dirname(distDir), 'docs/rules/KMDF1001.md')).href,
    );
    assert.equal(keep.code, 'KMDF3005');

    // The fix a finding carries comes back as a code action.
    const actions = await client.request<
      { title: string; isPreferred?: boolean; edit?: { changes: Record<string, { newText: string }[]> } }[]
    >('textDocument/codeAction', {
      textDocument: { uri },
      range: keep.range,
      context: { diagnostics: [keep] },
    });
    const requeue = actions.find((a) => a.title === 'Requeue the request instead (Requeue = TRUE)');
    assert.ok(requeue, actions.map((a) => a.title).join(', '));
    assert.deepEqual(Object.keys(requeue.edit?.changes ?? {}), [uri]);

    // Declaring the callback removes KMDF1001 after the edit.
    const at = positionOf(text, 'NTSTATUS\nLampQueueInitialize(');
    await client.change(uri, [{ range: { start: at, end: at }, text: 'EVT_WDF_IO_QUEUE_IO_READ LampEvtIoRead;\n\n' }]);
    await client.waitFor(() => codes(uri).join() === 'KMDF3005', 10000, 'KMDF1001 to go away');

    // Switching diagnostics off clears them.
    await client.changeSettings({ docs: { online: false }, diagnostics: { enable: false } });
    await client.waitFor(() => codes(uri).length === 0, 10000, 'diagnostics cleared');
  });

  it('logs at debug level from the start when KMDF_ASSIST_LOG=debug', () => {
    assert.ok(
      client.logs.some((l) => l.type === 4 && /\[debug\]/.test(l.message)),
      client.logs.map((l) => l.message).join('\n'),
    );
    assert.ok(client.logs.some((l) => /KMDF Assist server starting/.test(l.message)));
  });
});
