/**
 * Issue 11, item 12: the client restarts a crashed server a bounded number of times, then says so
 * with a button to show the output. The server process is killed as a crash would end it.
 */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { EXTENSION_ID, openFixture, pollFor, SERVER_TIMEOUT_MS, waitForServer } from './helpers';

/** What the extension's `activate` returns (client/src/extension.ts, KmdfAssistApi). */
interface KmdfAssistApi {
  readonly server: {
    readonly state: 'starting' | 'running' | 'stopped';
    readonly processId: number | undefined;
    readonly stoppedNotice: { message: string; actions: string[] } | undefined;
  };
}

/** Crashes vscode-languageclient's default handler restarts after (client/src/server.ts, MAX_RESTARTS). */
const RESTARTS = 4;

/**
 * Requests that keep coming while the client learns of a crash (hovers every few milliseconds for
 * half a second): their writes to the dead server fail, and two failed writes before the close
 * once made vscode-languageclient's default handler shut the client down instead of restarting it.
 */
async function requestsDuringCrash(document: vscode.TextDocument): Promise<void> {
  const until = Date.now() + 500;
  for (let line = 0; Date.now() < until; line = (line + 1) % 20) {
    void vscode.commands.executeCommand('vscode.executeHoverProvider', document.uri, new vscode.Position(line, 4));
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
}

async function serverAnswers(): Promise<vscode.TextDocument> {
  const { document } = await openFixture('queue.c');
  await pollFor(
    'the language server (document symbols of queue.c)',
    async () =>
      (
        (await vscode.commands.executeCommand<vscode.DocumentSymbol[]>(
          'vscode.executeDocumentSymbolProvider',
          document.uri,
        )) ?? []
      ).map((s) => s.name),
    (names) => names.includes('BulbEvtIoStop'),
    SERVER_TIMEOUT_MS,
  );
  return document;
}

describe('server restarts', function () {
  this.timeout(10 * SERVER_TIMEOUT_MS);

  it(`restarts a killed server ${RESTARTS} times (requests in flight at each crash), then stops and says so with Show Output`, async () => {
    await waitForServer();
    const api = vscode.extensions.getExtension<KmdfAssistApi>(EXTENSION_ID)!.exports;
    const killed: number[] = [];
    for (let crash = 1; crash <= RESTARTS + 1; crash++) {
      const pid = await pollFor(
        `a server process other than ${killed.join(', ') || 'none'}`,
        () => api.server.processId,
        (id) => id !== undefined && !killed.includes(id),
        SERVER_TIMEOUT_MS,
      );
      const document = await serverAnswers();
      process.kill(pid!, 'SIGKILL');
      killed.push(pid!);
      await requestsDuringCrash(document);
    }
    await pollFor(
      'the client to give up',
      () => api.server.state,
      (state) => state === 'stopped',
      SERVER_TIMEOUT_MS,
    );
    const notice = api.server.stoppedNotice;
    assert.deepEqual(notice?.actions, ['Restart Server', 'Show Output']);
    assert.match(notice?.message ?? '', /crashed 5 times in the last 3 minutes\. The server will not be restarted\./);
    assert.equal(killed.length, RESTARTS + 1);
  });

  after(async () => {
    // The groups after this one need a server again.
    await vscode.commands.executeCommand('kmdf.restartServer');
    await serverAnswers();
  });
});
