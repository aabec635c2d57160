/** `kmdf.*` settings take effect without a reload. */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  inlayLabel,
  kmdfDiagnostics,
  kmdfHover,
  openFixture,
  pollFor,
  positionOf,
  setSetting,
  sharedDir,
  waitForServer,
} from './helpers';

async function irqlHints(document: vscode.TextDocument): Promise<string[]> {
  const range = new vscode.Range(new vscode.Position(0, 0), document.positionAt(document.getText().length));
  const hints =
    (await vscode.commands.executeCommand<vscode.InlayHint[]>(
      'vscode.executeInlayHintProvider',
      document.uri,
      range,
    )) ?? [];
  return hints.map((hint) => `${hint.position.line}:${hint.position.character} ${inlayLabel(hint).trim()}`);
}

describe('settings', function () {
  before(waitForServer);

  it('kmdf.inlayHints.irql turns the IRQL inlay hints off and on', async function () {
    const { document } = await openFixture('queue.c');
    const close = positionOf(document, '    _In_ ULONG ActionFlags\n    )', 32);
    const expected = [`${close.line}:${close.character} IRQL ≤ DISPATCH_LEVEL`];
    assert.deepEqual(
      await pollFor(
        'the IRQL hint',
        () => irqlHints(document),
        (h) => h.length > 0,
      ),
      expected,
    );
    const restore = await setSetting('inlayHints.irql', false);
    try {
      await pollFor(
        'no IRQL hints',
        () => irqlHints(document),
        (h) => h.length === 0,
      );
    } finally {
      await restore();
    }
    assert.deepEqual(
      await pollFor(
        'the IRQL hint again',
        () => irqlHints(document),
        (h) => h.length > 0,
      ),
      expected,
    );
  });

  it('kmdf.diagnostics.enable clears and brings back the contract diagnostics', async function () {
    const { document } = await openFixture('power.c');
    await pollFor(
      'KMDF3001 on power.c',
      () => kmdfDiagnostics(document.uri),
      (d) => d.length > 0,
    );
    const restore = await setSetting('diagnostics.enable', false);
    try {
      await pollFor(
        'power.c diagnostics to clear',
        () => kmdfDiagnostics(document.uri),
        (d) => d.length === 0,
      );
    } finally {
      await restore();
    }
    await pollFor(
      'KMDF3001 to come back',
      () => kmdfDiagnostics(document.uri),
      (d) => d.length > 0,
    );
  });

  it('kmdf.diagnostics.rules can switch one rule off', async function () {
    const { document } = await openFixture('power.c');
    await pollFor(
      'KMDF3001 on power.c',
      () => kmdfDiagnostics(document.uri),
      (d) => d.length > 0,
    );
    const restore = await setSetting('diagnostics.rules', { KMDF3001: 'off' });
    try {
      await pollFor(
        'KMDF3001 to be switched off',
        () => kmdfDiagnostics(document.uri),
        (d) => d.length === 0,
      );
    } finally {
      await restore();
    }
    await pollFor(
      'KMDF3001 to come back',
      () => kmdfDiagnostics(document.uri),
      (d) => d.length > 0,
    );
  });

  it('kmdf.docs.path adds the local reference page text to hovers', async function () {
    const { document } = await openFixture('queue.h');
    const at = positionOf(document, 'EVT_WDF_IO_QUEUE_IO_STOP', 4);
    const factsOnly = await kmdfHover(document.uri, at);
    assert.ok(!factsOnly.includes('**Parameters**'), 'offline without a docs path, the hover has no page text');
    const restore = await setSetting('docs.path', path.join(sharedDir(), 'ddi-docs', 'current'));
    try {
      const withDocs = await kmdfHover(document.uri, at, (m) => m.includes('**Parameters**'));
      assert.ok(withDocs.startsWith(factsOnly.split('\n\n')[0]), 'the typedef still comes first');
      assert.match(withDocs, /- `ActionFlags` — /);
    } finally {
      await restore();
    }
    await kmdfHover(document.uri, at, (m) => !m.includes('**Parameters**'));
  });
});
