/**
 * The client's reading of a connection error (client/src/connectionErrors.ts), on a real child
 * process with an IPC channel, as vscode-languageclient starts the server.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { channelClosed } from '../../../client/src/connectionErrors';

describe('client: connection errors of a crashed server', () => {
  it('a running server keeps its channel; once killed, its channel reads as closed before the close event', async () => {
    const server = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      stdio: ['pipe', 'pipe', 'pipe', 'ipc'],
    });
    try {
      await new Promise((resolve) => server.once('spawn', resolve));
      assert.equal(channelClosed(server), false);
      const closed = once(server, 'close');
      server.kill('SIGKILL');
      await once(server, 'disconnect');
      // The moment two failed sends used to stop the client: disconnected, no 'close' yet handled.
      assert.equal(channelClosed(server), true);
      await closed;
      assert.equal(channelClosed(server), true);
    } finally {
      server.kill('SIGKILL');
    }
  });

  it('leaves the decision to the default handler when there is no server process', () => {
    assert.equal(channelClosed(undefined), false);
  });

  it('reads a process that exited or died of a signal as closed, even while still marked connected', () => {
    assert.equal(channelClosed({ connected: true, exitCode: 1, signalCode: null }), true);
    assert.equal(channelClosed({ connected: true, exitCode: null, signalCode: 'SIGKILL' }), true);
    assert.equal(channelClosed({ connected: true, exitCode: null, signalCode: null }), false);
  });
});
