/**
 * A document closed goes back to its text on disk: when it was closed unchanged, the editor's last
 * analysis is that text's and is kept (no second parse); with unsaved edits, the disk's text is
 * analysed again.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DocumentModel } from '../../../server/src/analysis/model';
import { lampContext, lampDir } from './lampContext';

/** Close a document and wait for the model of its disk text to be in the workspace. */
async function closeAndReload(ctx: Awaited<ReturnType<typeof lampContext>>, uri: string): Promise<DocumentModel> {
  const reloaded = new Promise<void>((resolve) => ctx.documents.onDiskModel((u) => u === uri && resolve()));
  ctx.documents.didClose(uri);
  await reloaded;
  return ctx.session.workspace.get(uri)!;
}

describe('DriverDocuments: a closed document', function () {
  this.timeout(20_000); // each test scans the Lamp driver
  it('keeps the model of the last analysis when the disk holds the same text', async () => {
    const ctx = await lampContext();
    const { uri } = ctx.open('queue.c');
    const open = (await ctx.documents.current(uri))!.model;
    const closed = await closeAndReload(ctx, uri);
    assert.equal(closed, open);
  });

  it('analyses the disk text again after unsaved edits', async () => {
    const ctx = await lampContext();
    const disk = fs.readFileSync(path.join(lampDir, 'queue.c'), 'utf8');
    const { uri } = ctx.open('queue.c', `${disk}\nVOID LampUnsavedHelper(VOID) {}\n`);
    const open = (await ctx.documents.current(uri))!.model;
    assert.ok(open.functions.some((f) => f.name === 'LampUnsavedHelper'));
    const closed = await closeAndReload(ctx, uri);
    assert.notEqual(closed, open);
    assert.deepEqual(
      closed.functions.map((f) => f.name),
      open.functions.map((f) => f.name).filter((name) => name !== 'LampUnsavedHelper'),
    );
  });
});
