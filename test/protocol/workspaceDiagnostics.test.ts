/**
 * Workspace-wide diagnostics through the bundled server (issue 9 §1), on a copy of the Harbor
 * fixture: two drivers, Beacon and Tide, each with its own .vcxproj. Nothing is opened, yet the
 * findings of every file arrive (pushed, or pulled with workspace/diagnostic), with work-done progress;
 * files changed or deleted on disk are checked again; an open document's editor text wins over the
 * disk, and closing it brings the disk's findings back instead of clearing them.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { minimatch } from 'minimatch';
import { CancellationTokenSource } from 'vscode-languageserver-protocol/node';
import { copyFixture, positionOf, TestClient } from './harness';

interface Report {
  kind: string;
  uri: string;
  resultId?: string;
  version: number | null;
  items: { code?: string | number }[];
}

describe('protocol: workspace diagnostics', function () {
  this.timeout(60_000);

  let folder: string;
  let client: TestClient;
  const file = (relative: string) => path.join(folder, relative);
  const codes = (relative: string) =>
    (client.diagnostics.get(client.uriOf(file(relative)))?.diagnostics ?? []).map((d) => d.code);
  const waitCodes = (relative: string, want: string[], what: string) =>
    client.waitFor(() => codes(relative).join() === want.join(), 20_000, `${what}: ${relative} → ${want.join()}`);

  afterEach(async () => {
    await client?.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  describe('pushed (a client without pull diagnostics)', () => {
    beforeEach(async () => {
      folder = copyFixture('harbor');
      client = await TestClient.start({
        workspaceFolder: folder,
        settings: { docs: { online: false } },
        capabilities: {
          window: { workDoneProgress: true },
          workspace: { didChangeWatchedFiles: { dynamicRegistration: true } },
        },
      });
      await client.ready();
    });

    it('reports the findings of files nobody opened, with progress that counts drivers and files', async () => {
      await waitCodes('tide/device.c', ['KMDF1005', 'KMDF3006'], 'the first run');
      await waitCodes('beacon/queue.c', ['KMDF2007'], 'the first run');
      const device = client.diagnostics.get(client.uriOf(file('tide/device.c')))!;
      assert.equal(device.version, undefined);
      assert.deepEqual(device.diagnostics[0].range.start, { line: 11, character: 0 });
      await client.waitFor(
        () => [...client.progress.values()].some((p) => p.some((v) => v.kind === 'end')),
        20_000,
        'the progress to end',
      );
      const [run] = [...client.progress.values()];
      assert.deepEqual(run[0], {
        kind: 'begin',
        title: 'KMDF',
        message: 'analysing 2 drivers, 0/5 files',
        percentage: 0,
        cancellable: true,
      });
      assert.deepEqual(run[run.length - 1], { kind: 'end' });
      // Nothing else has findings: each publish was about one of the two files.
      assert.deepEqual(
        [...new Set(client.published.map((p) => path.relative(folder, new URL(p.uri).pathname)))].sort(),
        ['beacon/queue.c', 'tide/device.c'],
      );
    });

    it('counts files in no driver project as loose files, never as a driver project, and still reports them', async () => {
      await client.stop();
      // A C file beside the two drivers' folders: no project lists it, no folder above it has a project file.
      fs.writeFileSync(
        file('scratch.c'),
        [
          'EVT_WDF_DEVICE_D0_ENTRY ScratchEvtD0Entry;',
          '',
          '_Use_decl_annotations_',
          'NTSTATUS',
          'ScratchEvtD0Entry(WDFDEVICE Device, WDF_POWER_DEVICE_STATE PreviousState)',
          '{',
          '    UNREFERENCED_PARAMETER(Device);',
          '    UNREFERENCED_PARAMETER(PreviousState);',
          '    return FALSE;',
          '}',
          '',
        ].join('\n'),
      );
      client = await TestClient.start({
        workspaceFolder: folder,
        settings: { docs: { online: false } },
        capabilities: { window: { workDoneProgress: true } },
      });
      await client.ready();
      await waitCodes('tide/device.c', ['KMDF1005', 'KMDF3006'], 'the first run');
      await waitCodes('scratch.c', ['KMDF4003'], 'the first run (the loose file is checked)');
      await client.waitFor(
        () => [...client.progress.values()].some((p) => p.some((v) => v.kind === 'end')),
        20_000,
        'the progress to end',
      );
      const [run] = [...client.progress.values()];
      assert.equal(run[0].kind === 'begin' && run[0].message, 'analysing 2 drivers and 1 loose file, 0/6 files');
      const result = await client.request<{ projects: number; files: number; looseFiles: number }>(
        'kmdf/analyseWorkspace',
        null,
      );
      assert.deepEqual([result.projects, result.files, result.looseFiles], [2, 6, 1]);
    });

    it('watches the sources, headers and project files, and a .kmdf.json written on disk applies to files nobody opened', async () => {
      await waitCodes('tide/device.c', ['KMDF1005', 'KMDF3006'], 'the first run');
      const watchers = client.registrations
        .filter((r) => r.method === 'workspace/didChangeWatchedFiles')
        .flatMap((r) =>
          (r.registerOptions as { watchers: { globPattern: string }[] }).watchers.map((w) => w.globPattern),
        );
      const matches = (name: string) => watchers.some((glob) => minimatch(`tide/${name}`, glob, { dot: true }));
      const names = ['queue.c', 'driver.cpp', 'driver.h', 'tide.vcxproj', '.kmdf.json', 'sources'];
      assert.deepEqual(
        names.filter((n) => !matches(n)),
        [],
        `watched: ${watchers.join(' ')}`,
      );
      fs.writeFileSync(file('tide/.kmdf.json'), JSON.stringify({ rules: { KMDF3006: 'off' } }));
      await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
        changes: [{ uri: client.uriOf(file('tide/.kmdf.json')), type: 1 }],
      });
      await waitCodes('tide/device.c', ['KMDF1005'], 'after the .kmdf.json turned KMDF3006 off');
    });

    it('checks a file changed on disk again, and clears a deleted one', async () => {
      await waitCodes('tide/device.c', ['KMDF1005', 'KMDF3006'], 'the first run');
      await waitCodes('beacon/queue.c', ['KMDF2007'], 'the first run');
      const device = fs.readFileSync(file('tide/device.c'), 'utf8');
      fs.writeFileSync(
        file('tide/device.c'),
        device.replace('NTSTATUS\nDriverEntry(', 'DRIVER_INITIALIZE DriverEntry;\n\nNTSTATUS\nDriverEntry('),
      );
      fs.rmSync(file('beacon/queue.c'));
      await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
        changes: [
          { uri: client.uriOf(file('tide/device.c')), type: 2 },
          { uri: client.uriOf(file('beacon/queue.c')), type: 3 },
        ],
      });
      await waitCodes('tide/device.c', ['KMDF3006'], 'after the change on disk');
      await waitCodes('beacon/queue.c', [], 'after the deletion');
    });

    it("an open document's text wins over the disk, for itself and the closed files of its driver; closing it brings the disk back", async () => {
      await waitCodes('beacon/queue.c', ['KMDF2007'], 'the first run');
      // Beacon's device-add no longer resets the counters: the helper is reached from the timer alone.
      const driver = fs.readFileSync(file('beacon/driver.c'), 'utf8');
      const uri = await client.open(file('beacon/driver.c'), driver);
      const at = positionOf(driver, '    ResetCounters(context);\n');
      await client.change(uri, [{ range: { start: at, end: { line: at.line + 1, character: 0 } }, text: '' }]);
      await waitCodes('beacon/queue.c', [], 'after the edit of driver.c');
      await client.close(uri);
      await waitCodes('beacon/queue.c', ['KMDF2007'], 'after closing driver.c unsaved');
      assert.deepEqual(codes('beacon/driver.c'), []);
    });

    it('a closed document keeps its findings: they come from the disk, without being cleared first', async () => {
      await waitCodes('tide/device.c', ['KMDF1005', 'KMDF3006'], 'the first run');
      const device = fs.readFileSync(file('tide/device.c'), 'utf8');
      const uri = await client.open(file('tide/device.c'), device);
      const at = positionOf(device, 'NTSTATUS\nDriverEntry(');
      const version = await client.change(uri, [
        { range: { start: at, end: at }, text: 'DRIVER_INITIALIZE DriverEntry;\n\n' },
      ]);
      await client.waitFor(
        () => client.diagnostics.get(uri)?.version === version && codes('tide/device.c').join() === 'KMDF3006',
        20_000,
        'the editor text checked',
      );
      const before = client.published.length;
      await client.close(uri);
      await waitCodes('tide/device.c', ['KMDF1005', 'KMDF3006'], 'the disk text after closing');
      assert.deepEqual(
        client.published.slice(before).map((p) => p.diagnostics.map((d) => d.code)),
        [['KMDF1005', 'KMDF3006']],
      );
    });

    it('KMDF: Analyse Workspace runs everything again and says what it found', async () => {
      await waitCodes('tide/device.c', ['KMDF1005', 'KMDF3006'], 'the first run');
      const result = await client.request('kmdf/analyseWorkspace', null);
      assert.deepEqual(result, {
        enabled: true,
        projects: 2,
        files: 5,
        looseFiles: 0,
        findings: { error: 0, warning: 1, info: 1, hint: 1 },
        cancelled: false,
      });
    });

    it('stops when the user cancels its progress, and says it was cancelled', async () => {
      await waitCodes('tide/device.c', ['KMDF1005', 'KMDF3006'], 'the first run');
      // The client cancels the progress as soon as the server creates it (the user's click on its ✕).
      client.connection.onRequest('window/workDoneProgress/create', (p: { token: string | number }) => {
        client.progress.set(String(p.token), []);
        setImmediate(
          () => void client.connection.sendNotification('window/workDoneProgress/cancel', { token: p.token }),
        );
        return null;
      });
      const result = await client.request<{ cancelled: boolean; files: number }>('kmdf/analyseWorkspace', null);
      assert.equal(result.cancelled, true);
      assert.equal(result.files, 5);
      // The findings of the files already checked stay.
      assert.deepEqual(codes('tide/device.c'), ['KMDF1005', 'KMDF3006']);
    });
  });

  describe('a project file changed on disk', () => {
    let project: string;
    /** Tide's project defining TIDE_DECLARES_ENTRY, under which device.c declares DriverEntry (KMDF1005 without). */
    const projectWith = (value: string) =>
      project.replace(
        '</Project>',
        `  <ItemDefinitionGroup>\n    <ClCompile>\n      <PreprocessorDefinitions>TIDE_DECLARES_ENTRY=${value};%(PreprocessorDefinitions)</PreprocessorDefinitions>\n    </ClCompile>\n  </ItemDefinitionGroup>\n</Project>`,
      );
    const setDefine = async (value: string) => {
      fs.writeFileSync(file('tide/tide.vcxproj'), projectWith(value));
      await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
        changes: [{ uri: client.uriOf(file('tide/tide.vcxproj')), type: 2 }],
      });
    };

    beforeEach(async () => {
      folder = copyFixture('harbor');
      project = fs.readFileSync(file('tide/tide.vcxproj'), 'utf8');
      fs.writeFileSync(file('tide/tide.vcxproj'), projectWith('1'));
      const device = fs.readFileSync(file('tide/device.c'), 'utf8');
      fs.writeFileSync(
        file('tide/device.c'),
        device.replace(
          'NTSTATUS\nDriverEntry(',
          '#if TIDE_DECLARES_ENTRY\nDRIVER_INITIALIZE DriverEntry;\n#endif\n\nNTSTATUS\nDriverEntry(',
        ),
      );
      client = await TestClient.start({
        workspaceFolder: folder,
        settings: { docs: { online: false } },
        capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } },
      });
      await client.ready();
    });

    it('analyses a file nobody opened again with the new defines', async () => {
      await waitCodes('tide/device.c', ['KMDF3006'], 'the first run (declared under TIDE_DECLARES_ENTRY=1)');
      await setDefine('0');
      await waitCodes('tide/device.c', ['KMDF1005', 'KMDF3006'], 'after TIDE_DECLARES_ENTRY=0');
      await setDefine('1');
      await waitCodes('tide/device.c', ['KMDF3006'], 'after TIDE_DECLARES_ENTRY=1 again');
    });

    it('analyses an open document again with the new defines, for the version it has', async () => {
      const uri = await client.open(file('tide/device.c'));
      await client.waitFor(
        () => client.diagnostics.get(uri)?.version === 1 && codes('tide/device.c').join() === 'KMDF3006',
        20_000,
        'the open document checked',
      );
      await setDefine('0');
      await client.waitFor(
        () => client.diagnostics.get(uri)?.version === 1 && codes('tide/device.c').join() === 'KMDF1005,KMDF3006',
        20_000,
        'the open document after TIDE_DECLARES_ENTRY=0',
      );
    });
  });

  it('kmdf.diagnostics.scope "openFiles": no finding of a closed file until the scope is "workspace", cleared again after', async () => {
    folder = copyFixture('harbor');
    client = await TestClient.start({
      workspaceFolder: folder,
      settings: { docs: { online: false }, diagnostics: { scope: 'openFiles' } },
    });
    await client.ready();
    const uri = await client.open(file('beacon/queue.c'));
    await client.waitFor(() => codes('beacon/queue.c').join() === 'KMDF2007', 20_000, 'the open file checked');
    assert.deepEqual(await client.request('kmdf/analyseWorkspace', null), {
      enabled: false,
      projects: 0,
      files: 0,
      looseFiles: 0,
      findings: { error: 0, warning: 0, info: 0, hint: 0 },
      cancelled: false,
    });
    assert.deepEqual([...client.diagnostics.keys()], [uri]);
    await client.changeSettings({ docs: { online: false }, diagnostics: { scope: 'workspace' } });
    await waitCodes('tide/device.c', ['KMDF1005', 'KMDF3006'], 'scope workspace');
    await client.changeSettings({ docs: { online: false }, diagnostics: { scope: 'openFiles' } });
    await waitCodes('tide/device.c', [], 'scope openFiles again');
    assert.deepEqual(codes('beacon/queue.c'), ['KMDF2007']);
  });

  describe('pulled (a client with textDocument/diagnostic and workspace/diagnostic)', () => {
    beforeEach(async () => {
      folder = copyFixture('harbor');
      client = await TestClient.start({
        workspaceFolder: folder,
        settings: { docs: { online: false } },
        capabilities: {
          textDocument: { diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } },
          workspace: { diagnostics: { refreshSupport: true } },
          window: { workDoneProgress: true },
        },
      });
      await client.ready();
    });

    /** Every workspace run the server began has ended; how many it began. */
    async function runsSettled(atLeast: number): Promise<number> {
      await client.waitFor(
        () =>
          client.progress.size >= atLeast &&
          [...client.progress.values()].every((p) => p.some((v) => v.kind === 'end')),
        20_000,
        `${atLeast} workspace runs to end`,
      );
      return client.progress.size;
    }

    /** Pull the workspace until every file with findings has been reported; the reports by file. */
    async function pullAll(): Promise<Map<string, Report>> {
      const reports = new Map<string, Report>();
      while (reports.size < 2) {
        const previousResultIds = [...reports.values()].map((r) => ({ uri: r.uri, value: r.resultId! }));
        const { items } = await client.request<{ items: Report[] }>('workspace/diagnostic', { previousResultIds });
        for (const item of items) reports.set(path.relative(folder, new URL(item.uri).pathname), item);
      }
      return reports;
    }

    it('advertises the provider, publishes nothing, and answers the workspace pull with every closed file', async () => {
      assert.deepEqual(client.initializeResult.capabilities.diagnosticProvider, {
        identifier: 'kmdf',
        interFileDependencies: true,
        workspaceDiagnostics: true,
      });
      const reports = await pullAll();
      assert.deepEqual([...reports].map(([name, r]) => [name, r.kind, r.version, r.items.map((d) => d.code)]).sort(), [
        ['beacon/queue.c', 'full', null, ['KMDF2007']],
        ['tide/device.c', 'full', null, ['KMDF1005', 'KMDF3006']],
      ]);
      // Holding every current result: the pull waits for news, and is answered RequestCancelled when the client gives up.
      const source = new CancellationTokenSource();
      const waiting = client.connection.sendRequest(
        'workspace/diagnostic',
        { previousResultIds: [...reports.values()].map((r) => ({ uri: r.uri, value: r.resultId })) },
        source.token,
      );
      const settled = await Promise.race([
        waiting.then(() => 'answered'),
        new Promise((r) => setTimeout(() => r('waiting'), 300)),
      ]);
      assert.equal(settled, 'waiting');
      source.cancel();
      await assert.rejects(waiting, (error: { code?: number }) => error.code === -32800);
      assert.deepEqual(client.published, []);
    });

    it('answers textDocument/diagnostic from the editor text of an open document, and from the workspace checks for a closed one', async () => {
      await pullAll();
      const device = fs.readFileSync(file('tide/device.c'), 'utf8');
      const uri = await client.open(file('tide/device.c'), device);
      const at = positionOf(device, 'NTSTATUS\nDriverEntry(');
      await client.change(uri, [{ range: { start: at, end: at }, text: 'DRIVER_INITIALIZE DriverEntry;\n\n' }]);
      const open = await client.request<Report>('textDocument/diagnostic', { textDocument: { uri } });
      assert.deepEqual([open.kind, open.items.map((d) => d.code)], ['full', ['KMDF3006']]);
      const closed = await client.request<Report>('textDocument/diagnostic', {
        textDocument: { uri: client.uriOf(file('beacon/queue.c')) },
      });
      assert.deepEqual([closed.kind, closed.items.map((d) => d.code)], ['full', ['KMDF2007']]);
    });

    for (const edited of [false, true]) {
      it(`a document closed ${edited ? 'with unsaved edits' : 'unchanged'} is answered from the disk at once, before the next run over its driver`, async () => {
        const reports = await pullAll();
        const device = fs.readFileSync(file('tide/device.c'), 'utf8');
        const uri = await client.open(file('tide/device.c'), device);
        if (edited) {
          const at = positionOf(device, 'NTSTATUS\nDriverEntry(');
          await client.change(uri, [{ range: { start: at, end: at }, text: 'DRIVER_INITIALIZE DriverEntry;\n\n' }]);
        }
        const open = await client.request<Report>('textDocument/diagnostic', { textDocument: { uri } });
        assert.deepEqual(
          open.items.map((d) => d.code),
          edited ? ['KMDF3006'] : ['KMDF1005', 'KMDF3006'],
        );
        // The first run and the one after the open (its model may change findings in the driver's other files).
        const runs = await runsSettled(2);
        await client.close(uri);
        // The client forgets what it held for the document when it closes it (vscode-languageclient does).
        const { items } = await client.request<{ items: Report[] }>('workspace/diagnostic', {
          previousResultIds: [...reports.values()]
            .filter((r) => r.uri !== uri)
            .map((r) => ({ uri: r.uri, value: r.resultId! })),
        });
        assert.equal(client.progress.size, runs, 'answered before any run over the driver began');
        assert.deepEqual(
          items.map((r) => [path.relative(folder, new URL(r.uri).pathname), r.items.map((d) => d.code)]),
          [['tide/device.c', ['KMDF1005', 'KMDF3006']]],
        );
        const pulled = await client.request<Report>('textDocument/diagnostic', { textDocument: { uri } });
        assert.deepEqual(
          pulled.items.map((d) => d.code),
          ['KMDF1005', 'KMDF3006'],
        );
      });
    }
  });
});
