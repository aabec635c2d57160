/**
 * Issue 11, item 4, each layer on its own: a running handler is answered RequestCancelled once the
 * client cancels (util/requestScope.ts, on a real connection in process), and a request cancelled while
 * still queued is answered without running (util/transport.ts).
 */
import { strict as assert } from 'node:assert';
import { PassThrough } from 'node:stream';
import {
  CancellationTokenSource,
  createProtocolConnection,
  StreamMessageReader as ClientReader,
  StreamMessageWriter as ClientWriter,
} from 'vscode-languageserver-protocol/node';
import {
  createConnection,
  ProposedFeatures,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver/node';
import { withCancellation } from '../../../server/src/util/requestScope';
import { InboundMessages } from '../../../server/src/util/transport';

describe('robustness: cancellation layers', () => {
  it('a handler still running when the client cancels is answered RequestCancelled, not with its late result', async () => {
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    const server = withCancellation(
      createConnection(ProposedFeatures.all, new StreamMessageReader(toServer), new StreamMessageWriter(toClient)),
    );
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let finish!: () => void;
    server.onHover(async () => {
      started();
      await new Promise<void>((resolve) => (finish = resolve));
      return { contents: 'late' };
    });
    server.listen();
    const client = createProtocolConnection(new ClientReader(toClient), new ClientWriter(toServer));
    client.listen();
    try {
      const source = new CancellationTokenSource();
      const hover = client.sendRequest(
        'textDocument/hover',
        { textDocument: { uri: 'file:///a.c' }, position: { line: 0, character: 0 } },
        source.token,
      );
      await running;
      source.cancel();
      const outcome = await Promise.race([
        hover.then(
          (value) => ({ value }),
          (error: { code?: number }) => ({ code: error.code }),
        ),
        new Promise<{ code: string }>((resolve) => setTimeout(() => resolve({ code: 'no answer yet' }), 2000)),
      ]);
      finish();
      assert.deepEqual(outcome, { code: -32800 });
    } finally {
      client.dispose();
      server.dispose();
    }
  });

  it('a request cancelled while queued is answered RequestCancelled and leaves the queue count', () => {
    const inbound = new InboundMessages();
    const request = { jsonrpc: '2.0', id: 12, method: 'textDocument/hover', params: {} };
    inbound.arrived(request);
    assert.equal(inbound.requestsWaiting(), 1);
    const response = inbound.connectionOptions().connectionStrategy!.cancelUndispatched!(request, () => undefined);
    assert.deepEqual(response, {
      jsonrpc: '2.0',
      id: 12,
      error: { code: -32800, message: 'The request was cancelled.' },
    });
    assert.equal(inbound.requestsWaiting(), 0);
  });
});
