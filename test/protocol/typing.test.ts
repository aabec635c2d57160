/**
 * Typing at 20 keystrokes a second (one didChange every 50 ms, real timers: the pace is what is under
 * test). After every keystroke a hover and a completion are sent at once, without waiting; each answer
 * must describe the text as it was when its request was sent.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixturesDir, positionOf, TestClient } from './harness';

const lamp = path.join(fixturesDir, 'lamp');
const KEYSTROKE_MS = 50;

interface Probe {
  text: string;
  hover: Promise<{ contents: { value: string }; range?: { start: { line: number; character: number } } } | null>;
  completion: Promise<{ items: { label: string }[] } | null>;
}

describe('protocol: answers stay right while typing at 20 keystrokes a second', () => {
  let client: TestClient;

  before(async () => {
    client = await TestClient.start({ workspaceFolder: lamp, settings: { docs: { online: false } } });
    await client.ready();
  });
  after(async () => client?.stop());

  it('hover and completion follow every keystroke', async () => {
    const file = path.join(lamp, 'queue.c');
    let text = fs.readFileSync(file, 'utf8');
    const uri = await client.open(file, text);
    // Type a new line (and a registration) above the definitions, so the definitions move as we type.
    const anchor = '    queueConfig.EvtIoRead = LampEvtIoRead;\n';
    let offset = text.indexOf(anchor) + anchor.length;
    const typed = '    queueConfig.EvtIoStop = \n';
    const probes: Probe[] = [];
    for (const ch of typed) {
      const before = text.slice(0, offset);
      const line = before.split('\n').length - 1;
      const character = offset - (before.lastIndexOf('\n') + 1);
      text = text.slice(0, offset) + ch + text.slice(offset);
      offset++;
      await client.change(uri, [{ range: { start: { line, character }, end: { line, character } }, text: ch }]);
      const cursor = offset - (ch === '\n' ? 1 : 0);
      const cursorBefore = text.slice(0, cursor);
      probes.push({
        text,
        hover: client.hover(uri, positionOf(text, 'LampEvtIoStop(', 3)),
        completion: client.request('textDocument/completion', {
          textDocument: { uri },
          position: {
            line: cursorBefore.split('\n').length - 1,
            character: cursor - (cursorBefore.lastIndexOf('\n') + 1),
          },
        }),
      });
      await new Promise((resolve) => setTimeout(resolve, KEYSTROKE_MS));
    }

    for (const [i, probe] of probes.entries()) {
      const hover = await probe.hover;
      assert.ok(hover, `hover after keystroke ${i}`);
      assert.ok(
        hover.contents.value.startsWith('**LampEvtIoStop** — *EvtIoStop* callback (`EVT_WDF_IO_QUEUE_IO_STOP`)'),
        `hover ${i}: ${hover.contents.value.slice(0, 60)}`,
      );
      assert.deepEqual(
        hover.range?.start,
        positionOf(probe.text, 'LampEvtIoStop('),
        `hover ${i} range follows the text`,
      );
    }
    // After "queueConfig." the fields are offered; after "= " the EvtIoStop callbacks.
    const dot = typed.indexOf('.');
    const afterDot = await probes[dot].completion;
    assert.ok(
      afterDot?.items.some((item) => item.label === 'EvtIoStop'),
      'fields after the dot',
    );
    const afterEquals = await probes[typed.length - 2].completion;
    assert.equal(afterEquals?.items[0]?.label, 'LampEvtIoStop');
    assert.equal(afterEquals?.items[afterEquals.items.length - 1]?.label, 'new EvtIoStop callback…');
  });
});
