import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  analyzeText,
  callbackPrefixOf,
  scanPaths,
  WorkspaceModel,
  type RegistrationLookup,
} from '../../../server/src/analysis';
import { spawnSync } from 'node:child_process';
import { readSourceText } from '../../../server/src/analysis/folderScan';
import { fixture, FIXTURES } from './markers';

/** A small stand-in for the knowledge index: the fields and arguments the echo fixture uses. */
const lookup: RegistrationLookup = {
  callbackForField(structType, field) {
    const table: Record<string, string> = {
      'WDF_IO_QUEUE_CONFIG.EvtIoRead': 'EVT_WDF_IO_QUEUE_IO_READ',
      'WDF_IO_QUEUE_CONFIG.EvtIoWrite': 'EVT_WDF_IO_QUEUE_IO_WRITE',
      'WDF_IO_QUEUE_CONFIG.EvtIoStop': 'EVT_WDF_IO_QUEUE_IO_STOP',
      'WDF_OBJECT_ATTRIBUTES.EvtCleanupCallback': 'EVT_WDF_OBJECT_CONTEXT_CLEANUP',
    };
    return table[`${structType}.${field}`];
  },
  callbackForArgument(callee, argIndex) {
    if (callee === 'WDF_DRIVER_CONFIG_INIT' && argIndex === 1) return 'EVT_WDF_DRIVER_DEVICE_ADD';
    if (callee === 'WDF_TIMER_CONFIG_INIT_PERIODIC' && argIndex === 1) return 'EVT_WDF_TIMER';
    return undefined;
  },
};

async function echoWorkspace(withLookup = true): Promise<WorkspaceModel> {
  const ws = new WorkspaceModel(withLookup ? lookup : {});
  for (const name of ['echo/echo.h', 'echo/driver.c', 'echo/queue.c']) {
    const f = fixture(name);
    ws.update(await analyzeText(f.uri, f.text));
  }
  return ws;
}

describe('WorkspaceModel', () => {
  it('finds definitions, prototypes and role declarations across files', async () => {
    const ws = await echoWorkspace();
    assert.deepEqual(
      ws.definitions('EchoQueueInitialize').map((f) => f.uri),
      ['file:///fixtures/echo/queue.c'],
    );
    assert.deepEqual(
      ws.prototypes('EchoQueueInitialize').map((f) => f.uri),
      ['file:///fixtures/echo/echo.h'],
    );
    assert.deepEqual(
      ws.functionsNamed('EchoQueueInitialize').map((f) => f.fn.isDefinition),
      [true, false],
    );
    assert.deepEqual(
      ws.roleDeclarations('EchoEvtIoStop').map((d) => [d.uri, d.decl.roleType, d.nameSpan.start.line]),
      [['file:///fixtures/echo/echo.h', 'EVT_WDF_IO_QUEUE_IO_STOP', 37]],
    );
    assert.equal(ws.isDefined('EchoEvtIoStop'), true);
    assert.equal(ws.isDefined('EchoEvtUnknown'), false);
  });

  it('resolves roles: a declaration wins, registrations give every role of a function registered twice', async () => {
    const ws = await echoWorkspace();
    const stop = ws.roleOf('EchoEvtIoStop');
    assert.deepEqual(
      [stop?.roleType, stop?.via, stop?.uri],
      ['EVT_WDF_IO_QUEUE_IO_STOP', 'declaration', 'file:///fixtures/echo/echo.h'],
    );
    assert.deepEqual(
      ws.rolesOf('EchoEvtIoReadWrite').map((r) => `${r.via}:${r.roleType}`),
      [
        'declaration:EVT_WDF_IO_QUEUE_IO_READ',
        'registration:EVT_WDF_IO_QUEUE_IO_READ',
        'registration:EVT_WDF_IO_QUEUE_IO_WRITE',
      ],
    );
    assert.deepEqual(ws.functionsWithRole('EVT_WDF_IO_QUEUE_IO_WRITE'), ['EchoEvtIoReadWrite']);
    assert.deepEqual(ws.functionsWithRole('EVT_WDF_TIMER'), ['EchoEvtTimerFunc']);
    assert.deepEqual(
      ws.registrations('EchoEvtDeviceAdd').map((r) => [r.uri, r.registration.callee, r.registration.argIndex]),
      [['file:///fixtures/echo/driver.c', 'WDF_DRIVER_CONFIG_INIT', 1]],
    );
  });

  it('without a lookup, only declarations and _Function_class_ give roles; a removed file takes its facts with it', async () => {
    const ws = await echoWorkspace(false);
    assert.deepEqual(
      ws.rolesOf('EchoEvtIoReadWrite').map((r) => r.via),
      ['declaration'],
    );
    ws.remove('file:///fixtures/echo/echo.h');
    assert.equal(ws.roleOf('EchoEvtIoStop'), undefined);
    assert.deepEqual(ws.prototypes('EchoQueueInitialize'), []);
    ws.setLookup(lookup);
    assert.deepEqual(ws.roleOf('EchoEvtIoStop')?.via, 'registration');
    assert.equal(ws.size, 2);
  });

  it('answers asked before a change are not kept past it (roles, functions by name, derived facts)', async () => {
    const ws = await echoWorkspace(false);
    const header = ws.get('file:///fixtures/echo/echo.h')!;
    let computed = 0;
    const count = () =>
      ws.derived('test.definitions', () => (computed++, ws.functionsNamed('EchoQueueInitialize').length));
    assert.equal(ws.roleOf('EchoEvtIoStop')?.via, 'declaration');
    assert.equal(count(), 2);
    assert.equal(count(), 2);
    assert.equal(computed, 1);
    ws.remove(header.uri);
    assert.equal(ws.roleOf('EchoEvtIoStop'), undefined);
    assert.equal(count(), 1);
    assert.equal(computed, 2);
    ws.update(header);
    assert.equal(ws.roleOf('EchoEvtIoStop')?.via, 'declaration');
    assert.equal(count(), 2);
    ws.setLookup(lookup);
    assert.equal(count(), 2);
    assert.equal(computed, 4);
    assert.deepEqual(
      ws.rolesOf('EchoEvtIoReadWrite').map((r) => r.via),
      ['declaration', 'registration', 'registration'],
    );
  });

  it('builds the call graph by name', async () => {
    const ws = await echoWorkspace();
    assert.deepEqual(ws.callees('EchoEvtTimerFunc'), [
      'WdfTimerGetParentObject',
      'EchoGetQueueContext',
      'EchoCompletePending',
    ]);
    assert.deepEqual(
      ws.callers('EchoCompletePending').map((c) => `${c.uri.split('/').pop()}:${c.caller}:${c.call.span.start.line}`),
      ['queue.c:EchoEvtTimerFunc:131'],
    );
    assert.deepEqual(
      ws.callers('EchoQueueInitialize').map((c) => c.caller),
      ['EchoEvtDeviceAdd'],
    );
  });

  it('answers from its own models when the same models are in other workspaces (as kmdf lint has one per project)', async () => {
    const [header, driver, queue] = await Promise.all(
      ['echo/echo.h', 'echo/driver.c', 'echo/queue.c'].map((name) => {
        const f = fixture(name);
        return analyzeText(f.uri, f.text);
      }),
    );
    const whole = new WorkspaceModel(lookup);
    const part = new WorkspaceModel(lookup);
    for (const m of [header, driver, queue]) whole.update(m);
    for (const m of [header, queue]) part.update(m);
    const describe = (ws: WorkspaceModel) => ({
      deviceAddCallers: ws.callers('EchoQueueInitialize').map((c) => c.caller),
      timerCallers: ws.callers('EchoCompletePending').map((c) => c.caller),
      deviceAdd: ws.functionsNamed('EchoEvtDeviceAdd').map((f) => `${f.uri.split('/').pop()}:${f.fn.isDefinition}`),
      withRole: ws.functionsWithRole('EVT_WDF_DRIVER_DEVICE_ADD'),
    });
    // Built in both orders: what one workspace's tables took from a model is not another's.
    const partFirst = describe(part);
    const wholeAfter = describe(whole);
    assert.deepEqual(partFirst, {
      deviceAddCallers: [],
      timerCallers: ['EchoEvtTimerFunc'],
      // Its definition is in driver.c; the header's role declaration stays.
      deviceAdd: [],
      withRole: ['EchoEvtDeviceAdd'],
    });
    assert.deepEqual(wholeAfter, describe(await echoWorkspace()));
    assert.deepEqual(wholeAfter.deviceAddCallers, ['EchoEvtDeviceAdd']);
    assert.deepEqual(describe(part), partFirst);
  });

  it("guesses the callback prefix from the driver's names", async () => {
    const ws = await echoWorkspace();
    assert.equal(ws.callbackPrefix(), 'Echo');
    assert.equal(callbackPrefixOf('EchoEvtIoRead'), 'Echo');
    assert.equal(callbackPrefixOf('EvtIoRead'), '');
    assert.equal(callbackPrefixOf('Echo_EvtIoRead'), 'Echo');
    assert.equal(callbackPrefixOf('DriverEntry'), undefined);
    assert.equal(callbackPrefixOf('Eventful'), undefined);
    assert.equal(new WorkspaceModel().callbackPrefix(), '');
  });
});

describe('scanPaths', () => {
  it('analyses the C/C++ files under a folder and reports what it skipped', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-scan-'));
    try {
      fs.mkdirSync(path.join(tmp, 'src'));
      fs.mkdirSync(path.join(tmp, 'node_modules'));
      fs.mkdirSync(path.join(tmp, '.git'));
      fs.writeFileSync(path.join(tmp, 'src', 'a.c'), 'EVT_WDF_TIMER ATimer;\nVOID ATimer(WDFTIMER t) { }\n');
      fs.writeFileSync(path.join(tmp, 'src', 'b.HPP'), 'class B { public: void m(); };\n');
      fs.writeFileSync(path.join(tmp, 'src', 'notes.txt'), 'not code');
      fs.writeFileSync(path.join(tmp, 'node_modules', 'x.c'), 'int x;');
      fs.writeFileSync(path.join(tmp, '.git', 'y.c'), 'int y;');
      fs.writeFileSync(path.join(tmp, 'bin.c'), 'int\u0000x;');
      const missing = path.join(tmp, 'missing');
      const result = await scanPaths([tmp, missing, path.join(tmp, 'src', 'notes.txt')]);
      assert.deepEqual(
        result.files.map((f) => path.relative(tmp, f)),
        [path.join('src', 'a.c'), path.join('src', 'b.HPP')],
      );
      assert.deepEqual(
        result.models.map((m) => [m.uri, m.language]),
        [
          [pathToFileURL(path.join(tmp, 'src', 'a.c')).href, 'c'],
          [pathToFileURL(path.join(tmp, 'src', 'b.HPP')).href, 'cpp'],
        ],
      );
      assert.deepEqual(
        result.models[0].roleDecls.map((d) => d.roleType),
        ['EVT_WDF_TIMER'],
      );
      assert.deepEqual(
        result.skipped.map((s) => [path.relative(tmp, s.path), s.reason]),
        [
          ['missing', 'does not exist'],
          [path.join('src', 'notes.txt'), 'not a C/C++ source or header'],
          ['bin.c', 'binary file (contains NUL bytes)'],
        ],
      );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('reads a source at once, and refuses a FIFO put where a source was instead of waiting on it', function () {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-read-'));
    try {
      fs.writeFileSync(path.join(tmp, 'a.c'), 'int a;\n');
      assert.equal(readSourceText(path.join(tmp, 'a.c')), 'int a;\n');
      assert.throws(() => readSourceText(path.join(tmp, 'missing.c')), /ENOENT/);
      const fifo = path.join(tmp, 'pipe.c');
      if (process.platform === 'win32' || spawnSync('mkfifo', [fifo]).status !== 0) this.skip();
      // No writer ever opens the pipe: a blocking open or read would never return.
      assert.throws(() => readSourceText(fifo), /not a regular file/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('scans the fixture drivers with no parse errors left', async () => {
    const result = await scanPaths([FIXTURES]);
    assert.deepEqual(
      result.files.map((f) => path.relative(FIXTURES, f).split(path.sep).join('/')),
      ['control/control.cpp', 'dma/dma.c', 'echo/driver.c', 'echo/echo.h', 'echo/queue.c', 'legacy/legacy.c'],
    );
    assert.deepEqual(
      result.models.map((m) => m.errorCount),
      [0, 0, 0, 0, 0, 0],
    );
    assert.equal(
      result.models.reduce((n, m) => n + m.functions.filter((f) => f.isDefinition).length, 0),
      30,
    );
    assert.deepEqual(result.skipped, []);
  });
});
