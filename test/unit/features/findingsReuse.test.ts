/**
 * Findings reuse (server/src/rules/findingsReuse.ts): the findings of a function's unchanged text are
 * taken from the check before only where nothing they depend on changed. Each step edits one open
 * document of a two-file project and compares the diagnostics of both files with a fresh server's
 * of the same texts: an edit in a helper that changes its caller's findings, a registration added,
 * an edit in the other file, and indentation edits, where the other functions' findings are reused
 * (a token edit in a body too, for the rules that read only their own function).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { pathToFileURL } from 'node:url';
import { defaultSettings } from '../../../shared/settings';
import { positionAt } from '../../../server/src/session/lsp';
import { diagnosticsServer } from '../../support/diagnosticsServer';
import { repoRoot } from '../../support/paths';

const folder = path.join(repoRoot, 'test/fixtures/reuse');
const files = ['queue.c', 'helper.c'].map((f) => path.join(folder, f));
const uris = files.map((f) => pathToFileURL(f).href);

/**
 * A server with both files open at these texts; `scanned`: the folder is scanned first (as a
 * workspace folder is), so a file opened with its text on disk takes the scan's model.
 */
async function serverWith(texts: string[], scanned = false) {
  const server = diagnosticsServer(folder);
  if (scanned) await server.documents.scan([folder]);
  texts.forEach((t, i) => server.documents.didOpen(uris[i], t, 1, 'c'));
  return server;
}

/** The findings of every file as the server's editor check gives them. */
async function findingsOf(server: ReturnType<typeof diagnosticsServer>) {
  const out = [];
  for (const uri of uris) await server.documents.current(uri);
  for (const uri of uris) out.push(await server.runRules([uri], defaultSettings));
  return out;
}

describe('findings reused from the check before', function () {
  this.timeout(60_000);

  it('equal a fresh check after each edit, and are reused where only indentation changed', async () => {
    const texts = files.map((f) => fs.readFileSync(f, 'utf8'));
    const server = await serverWith(texts);
    const versions = [1, 1];
    const reuse = server.runRules.findingsReuse!;
    const step = async (file: number, from: string, to: string, note: string) => {
      const text = texts[file];
      const at = text.indexOf(from);
      assert.ok(at >= 0, `${note}: ${JSON.stringify(from)} not found`);
      texts[file] = text.slice(0, at) + to + text.slice(at + from.length);
      const range = { start: positionAt(text, at), end: positionAt(text, at + from.length) };
      server.documents.didChange(uris[file], [{ range, text: to }], ++versions[file]);
      const reusedBefore = reuse.reused;
      const got = await findingsOf(server);
      const fresh = await serverWith(texts);
      const expected = await findingsOf(fresh);
      fresh.documents.didClose(uris[0]);
      fresh.documents.didClose(uris[1]);
      assert.deepEqual(got, expected, note);
      return { findings: got, reused: reuse.reused - reusedBefore };
    };
    const messages = (findings: unknown) =>
      ((findings as { ruleId: string; function?: string }[][])[0] ?? []).map((f) => `${f.ruleId} ${f.function}`);

    await findingsOf(server);
    // Indentation only: every other function's findings are taken from the check before.
    const indented = await step(
      0,
      '    ReuFinish(Request);\n}\n\nVOID\nReuEvtIoWrite',
      '     ReuFinish(Request);\n}\n\nVOID\nReuEvtIoWrite',
      'indentation',
    );
    assert.ok(indented.reused > 0, 'nothing reused after an indentation edit');
    assert.ok(!messages(indented.findings).includes('KMDF3018 ReuEvtIoRead'));
    // A token edit inside one body: the rules that read only their function keep the others' findings (moved).
    const token = await step(
      0,
      '    WDFQUEUE queue;\n',
      '    WDFQUEUE queue;\n    ULONG unused;\n',
      'token edit in a body',
    );
    assert.ok(token.reused > 0, 'nothing reused after a token edit');
    assert.ok(messages(token.findings).includes('KMDF3017 ReuCompleteTwice'), messages(token.findings).join(', '));
    // The helper stops completing: its unchanged callers now leave their requests unfinished.
    const helper = await step(
      0,
      'WdfRequestComplete(Request, STATUS_SUCCESS);\n}\n\nVOID\nReuEvtIoRead',
      'UNREFERENCED_PARAMETER(Request);\n}\n\nVOID\nReuEvtIoRead',
      'helper edited',
    );
    assert.ok(messages(helper.findings).includes('KMDF3018 ReuEvtIoRead'), messages(helper.findings).join(', '));
    // A registration added in another function makes the write handler one.
    await step(
      0,
      '    config.EvtIoRead = ReuEvtIoRead;\n',
      '    config.EvtIoRead = ReuEvtIoRead;\n    config.EvtIoWrite = ReuEvtIoWrite;\n',
      'registration added',
    );
    await step(0, '     ReuFinish(Request);', '    ReuFinish(Request);', 'indentation back');
    // The handlers call the other file's helper, then that helper changes.
    await step(
      0,
      'ReuFinish(Request);\n}\n\nVOID\nReuEvtIoWrite',
      'ReuFinishElsewhere(Request);\n}\n\nVOID\nReuEvtIoWrite',
      'calls the other file',
    );
    const other = await step(
      1,
      'WdfRequestComplete(Request, STATUS_SUCCESS);',
      'UNREFERENCED_PARAMETER(Request);',
      'other file edited',
    );
    assert.ok(messages(other.findings).includes('KMDF3018 ReuEvtIoRead'), messages(other.findings).join(', '));
    const back = await step(
      1,
      'UNREFERENCED_PARAMETER(Request);',
      'WdfRequestComplete(Request, STATUS_SUCCESS);',
      'other file back',
    );
    assert.ok(!messages(back.findings).includes('KMDF3018 ReuEvtIoRead'), messages(back.findings).join(', '));
    server.documents.didClose(uris[0]);
    server.documents.didClose(uris[1]);
  });

  it('equal a fresh check after random sequences of edits that reach other functions', async function () {
    this.timeout(180_000);
    /** [file, text, its replacement]: each edit puts one in or takes it back out. */
    const toggles: [number, string, string][] = [
      // The helper stops completing (its callers' findings change).
      [
        0,
        '    WdfRequestComplete(Request, STATUS_SUCCESS);\n}\n\nVOID\nReuEvtIoRead',
        '    UNREFERENCED_PARAMETER(Request);\n}\n\nVOID\nReuEvtIoRead',
      ],
      // A registration in another body (a role for the write handler).
      [
        0,
        '    config.EvtIoRead = ReuEvtIoRead;\n',
        '    config.EvtIoRead = ReuEvtIoRead;\n    config.EvtIoWrite = ReuEvtIoWrite;\n',
      ],
      // The write handler calls the other file's helper instead.
      [0, '    ReuFinish(Request);\n}\n\nNTSTATUS', '    ReuFinishElsewhere(Request);\n}\n\nNTSTATUS'],
      // A token edit in a body that no rule reads for another function.
      [0, '    WDFQUEUE queue;\n', '    WDFQUEUE queue;\n    ULONG unused;\n'],
      // Indentation.
      [0, '    ReuFinish(Request);\n}\n\nVOID\nReuEvtIoWrite', '     ReuFinish(Request);\n}\n\nVOID\nReuEvtIoWrite'],
      // The other file's helper stops completing.
      [1, '    WdfRequestComplete(Request, STATUS_SUCCESS);', '    UNREFERENCED_PARAMETER(Request);'],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat({ max: toggles.length - 1 }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        async (picks, scanned) => {
          const texts = files.map((f) => fs.readFileSync(f, 'utf8'));
          const server = await serverWith(texts, scanned);
          const versions = [1, 1];
          await findingsOf(server);
          assert.equal(server.session.fileAnalyzer.reusedDiskModels ?? 0, scanned ? 2 : 0);
          // The check on open keeps both documents' findings for their first edits, whichever model they opened with.
          assert.equal(server.runRules.findingsReuse!.size, 2);
          for (const pick of picks) {
            const [file, a, b] = toggles[pick];
            const text = texts[file];
            const [from, to] = text.includes(a) ? [a, b] : [b, a];
            const at = text.indexOf(from);
            texts[file] = text.slice(0, at) + to + text.slice(at + from.length);
            const range = { start: positionAt(text, at), end: positionAt(text, at + from.length) };
            server.documents.didChange(uris[file], [{ range, text: to }], ++versions[file]);
            const got = await findingsOf(server);
            const fresh = await serverWith(texts);
            assert.deepEqual(
              got,
              await findingsOf(fresh),
              `after ${picks.join(',')}${scanned ? ' (opened from disk)' : ''}`,
            );
            fresh.documents.didClose(uris[0]);
            fresh.documents.didClose(uris[1]);
          }
          server.documents.didClose(uris[0]);
          server.documents.didClose(uris[1]);
        },
      ),
      { seed: 20261202, numRuns: 40, endOnFailure: true },
    );
  });
});
