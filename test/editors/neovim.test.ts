/**
 * A second LSP client: headless Neovim (Debian's 0.7.2, built-in client) starts `kmdf serve --stdio`
 * from the built dist/cli.js, opens the Bulb fixture driver, asks for hover, completion, code
 * actions, definition, references, document highlights, call hierarchy and rename (its edit applied by
 * Neovim), waits for diagnostics, and writes what it got to JSON (test/editors/neovim/init.lua).
 * This checks the server against a client other than VS Code's.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { repoRoot } from '../support/paths';
import { positionOf } from '../support/positions';

const fixture = path.join(repoRoot, 'test', 'vscode', 'fixtures', 'bulb');
const initLua = path.join(__dirname, 'neovim', 'init.lua');
const cli = path.join(repoRoot, 'dist', 'cli.js');
const NVIM = process.env.KMDF_NVIM ?? 'nvim';
/** For the server to start and answer its first request. */
const TIMEOUT_MS = 60_000;
/** For each later request (polled until the expected answer, so a broken feature costs this much). */
const STEP_TIMEOUT_MS = 10_000;

interface Position {
  line: number;
  character: number;
}
interface Range {
  start: Position;
  end: Position;
}
interface TextEdit {
  range: Range;
  newText: string;
}
interface StepRecord {
  op: string;
  filetype?: string;
  result?: unknown;
  error?: unknown;
  arrived?: boolean;
}
interface NvimOutput {
  nvimVersion?: string;
  initialized?: boolean;
  capabilities?: { hover: boolean; completion: boolean; codeAction: boolean; inlayHint: boolean };
  steps: StepRecord[];
  diagnostics: Record<
    string,
    {
      code?: string;
      source?: string;
      severity?: number;
      message: string;
      range: Range;
      codeDescription?: { href: string };
    }[]
  >;
  errors: string[];
  logs: string[];
  serverExit?: { code: number; signal: number };
  indexStatus?: { state: string; docs: { state: string; degraded: boolean }; callbacks: number };
}

describe('neovim: the built-in LSP client against kmdf serve --stdio', function () {
  this.timeout(TIMEOUT_MS * 5);
  let output: NvimOutput;
  let workspace: string;
  /** The temporary folder of the run: the workspace copy, Neovim's state, the plan and its output. */
  let base: string | undefined;
  const queueH = fs.readFileSync(path.join(fixture, 'queue.h'), 'utf8');
  const queueC = fs.readFileSync(path.join(fixture, 'queue.c'), 'utf8');
  const stopLine = positionOf(queueC, '    queueConfig.EvtIoStop = BulbEvtIoStop;').line;
  const driverC = fs.readFileSync(path.join(fixture, 'driver.c'), 'utf8');
  const driverH = fs.readFileSync(path.join(fixture, 'driver.h'), 'utf8');
  const RENAMED = 'BulbEvtDriverDeviceAdd';

  /** Steps, and the index of each named one in the output. */
  const steps = [
    // The server is up once queue.c's symbols name its callbacks (only this step waits for the start).
    { name: 'openSource', op: 'open', file: 'queue.c' },
    { name: 'ready', op: 'symbols', waitFor: 'BulbEvtIoStop', timeoutMs: TIMEOUT_MS },
    { name: 'openHeader', op: 'open', file: 'queue.h' },
    { name: 'hoverRole', op: 'hover', waitNonNull: true, ...positionOf(queueH, 'EVT_WDF_IO_QUEUE_IO_STOP', 4) },
    { name: 'defineAction', op: 'codeAction', ...positionOf(queueH, 'BulbEvtIoWrite;', 2) },
    { name: 'openSourceAgain', op: 'open', file: 'queue.c' },
    { name: 'hoverMethod', op: 'hover', waitNonNull: true, ...positionOf(queueC, 'WdfIoQueueCreate(Device', 3) },
    { name: 'hoverNothing', op: 'hover', ...positionOf(queueC, 'WDFQUEUE queue;', 10) },
    // Navigation without an include setup: the registration to the definition in another file, and
    // every reference of a callback.
    {
      name: 'definition',
      op: 'request',
      method: 'textDocument/definition',
      waitNonNull: true,
      minItems: 1,
      ...positionOf(queueC, 'BulbEvtIoRead;', 4),
    },
    {
      name: 'references',
      op: 'request',
      method: 'textDocument/references',
      params: { context: { includeDeclaration: true } },
      waitNonNull: true,
      minItems: 3,
      ...positionOf(queueC, 'BulbEvtIoStop;', 4),
    },
    { name: 'edit', op: 'setLine', line: stopLine, text: '    queueConfig.EvtIoStop = ' },
    {
      name: 'completeStub',
      op: 'completion',
      minItems: 3,
      line: stopLine,
      character: '    queueConfig.EvtIoStop = '.length,
    },
    { name: 'openPower', op: 'open', file: 'power.c' },
    { name: 'diagnostics', op: 'waitDiagnostics', file: 'power.c' },
    // The device-add callback in driver.c: its highlights, its call hierarchy, then a rename (last: it edits buffers).
    { name: 'openDriver', op: 'open', file: 'driver.c' },
    {
      name: 'highlights',
      op: 'request',
      method: 'textDocument/documentHighlight',
      waitNonNull: true,
      minItems: 3,
      ...positionOf(driverC, 'BulbEvtDeviceAdd);', 4),
    },
    { name: 'callHierarchy', op: 'callHierarchy', ...positionOf(driverC, 'BulbEvtDeviceAdd(\n', 4) },
    {
      name: 'rename',
      op: 'rename',
      newName: RENAMED,
      files: ['driver.c', 'driver.h'],
      ...positionOf(driverC, 'BulbEvtDeviceAdd);', 4),
    },
  ] as const;
  const step = (name: (typeof steps)[number]['name']) => output.steps[steps.findIndex((s) => s.name === name)];

  after(() => {
    if (base) fs.rmSync(base, { recursive: true, force: true });
  });

  before(function () {
    const version = spawnSync(NVIM, ['--version'], { encoding: 'utf8' });
    if (version.error || version.status !== 0)
      throw new Error(`${NVIM} not found: apt-get install neovim (.ci/run does)`);
    if (!fs.existsSync(cli)) throw new Error(`${path.relative(repoRoot, cli)} is missing: run node esbuild.mjs`);
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-nvim-'));
    workspace = path.join(base, 'bulb');
    fs.cpSync(fixture, workspace, { recursive: true });
    const outputFile = path.join(base, 'output.json');
    const planFile = path.join(base, 'plan.json');
    fs.writeFileSync(
      planFile,
      JSON.stringify({
        cmd: [process.execPath, cli, 'serve', '--stdio'],
        root: workspace,
        settings: { kmdf: { docs: { online: false }, logLevel: 'debug' } },
        timeoutMs: TIMEOUT_MS,
        stepTimeoutMs: STEP_TIMEOUT_MS,
        output: outputFile,
        steps: steps.map(({ name: _name, ...rest }) => rest),
      }),
    );
    const result = spawnSync(NVIM, ['--headless', '-n', '-i', 'NONE', '--noplugin', '-u', initLua], {
      cwd: workspace,
      env: {
        ...process.env,
        KMDF_NVIM_PLAN: planFile,
        KMDF_NVIM_OUTPUT: outputFile,
        XDG_STATE_HOME: base,
        XDG_DATA_HOME: base,
        XDG_CONFIG_HOME: base,
      },
      encoding: 'utf8',
      timeout: TIMEOUT_MS * 4,
    });
    if (!fs.existsSync(outputFile)) {
      throw new Error(
        `nvim wrote no output (exit ${result.status ?? result.signal}${result.error ? `, ${result.error.message}` : ''}):\n${result.stdout}\n${result.stderr}`,
      );
    }
    output = JSON.parse(fs.readFileSync(outputFile, 'utf8')) as NvimOutput;
    fs.mkdirSync(path.join(repoRoot, 'test', 'artifacts'), { recursive: true });
    fs.copyFileSync(outputFile, path.join(repoRoot, 'test', 'artifacts', 'neovim-output.json'));
  });

  it('runs the whole plan without errors and the server initializes', function () {
    assert.deepEqual(output.errors, []);
    assert.match(output.nvimVersion ?? '', /^0\.\d+\.\d+$/);
    assert.equal(output.initialized, true);
    assert.deepEqual(
      output.capabilities && {
        hover: output.capabilities.hover,
        completion: output.capabilities.completion,
        codeAction: output.capabilities.codeAction,
      },
      {
        hover: true,
        completion: true,
        codeAction: true,
      },
    );
    assert.equal(step('openHeader').filetype, 'c', "the .h file opens as C (Neovim's default for headers)");
    assert.deepEqual(step('ready').result, ['BulbQueueInitialize', 'BulbEvtIoStop']);
  });

  it('hover on a role type returns the typedef, IRQL facts and header as Markdown', function () {
    const result = step('hoverRole').result as { contents: { kind: string; value: string } } | null;
    assert.equal(result?.contents.kind, 'markdown');
    const parts = result.contents.value.split('\n\n');
    assert.equal(
      parts[0],
      '```c\ntypedef VOID\nEVT_WDF_IO_QUEUE_IO_STOP(\n    _In_ WDFQUEUE Queue,\n    _In_ WDFREQUEST Request,\n    _In_ ULONG ActionFlags\n    );\n```',
    );
    assert.equal(parts[1], 'IRQL ≤ DISPATCH_LEVEL · KMDF 1.0 · UMDF 2.0 · wdfio.h');
  });

  it('hover on a Wdf method returns its prototype with a range; hover on a local returns null', function () {
    const result = step('hoverMethod').result as { contents: { value: string }; range: Range } | null;
    assert.ok(result, 'no hover on WdfIoQueueCreate');
    assert.ok(
      result.contents.value.startsWith('```c\nNTSTATUS\nWdfIoQueueCreate(\n    _In_ WDFDEVICE Device,'),
      JSON.stringify(result),
    );
    const start = positionOf(queueC, 'WdfIoQueueCreate(Device');
    assert.deepEqual(result.range, {
      start,
      end: { line: start.line, character: start.character + 'WdfIoQueueCreate'.length },
    });
    assert.equal(step('hoverNothing').result, null);
  });

  it("completion after `queueConfig.EvtIoStop = ` offers the driver's EvtIoStop functions and a new stub with its edits", function () {
    const result = step('completeStub').result as {
      items: { label: string; sortText?: string; textEdit?: TextEdit; additionalTextEdits?: TextEdit[] }[];
    } | null;
    assert.ok(result, JSON.stringify(step('completeStub')));
    const items = [...result.items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label));
    assert.deepEqual(
      items.map((i) => i.label),
      ['BulbEvtIoStop', 'BulbEvtPowerQueueIoStop', 'new EvtIoStop callback…'],
    );
    const stub = items[2];
    assert.equal(stub.textEdit?.newText, 'BulbEvtIoStop2');
    assert.deepEqual(
      stub.additionalTextEdits?.map((e) => e.newText.split('\n')[0]),
      ['EVT_WDF_IO_QUEUE_IO_STOP BulbEvtIoStop2;', ''],
    );
  });

  it('goes to a definition in another file and lists every reference of a callback', function () {
    const where = (l: { uri: string; range: Range }) =>
      `${path.basename(new URL(l.uri).pathname)}:${l.range.start.line}:${l.range.start.character}`;
    const readC = fs.readFileSync(path.join(fixture, 'read.c'), 'utf8');
    const definition = step('definition').result as { uri: string; range: Range } | { uri: string; range: Range }[];
    const target = Array.isArray(definition) ? definition[0] : definition;
    const at = positionOf(readC, 'BulbEvtIoRead(');
    assert.equal(where(target), `read.c:${at.line}:${at.character}`);
    const references = (step('references').result as { uri: string; range: Range }[]).map(where).sort();
    const stop = (text: string, needle: string) => positionOf(text, needle);
    assert.deepEqual(
      references,
      [
        `queue.h:${stop(queueH, 'BulbEvtIoStop;').line}:${stop(queueH, 'BulbEvtIoStop;').character}`,
        `queue.c:${stop(queueC, 'BulbEvtIoStop;').line}:${stop(queueC, 'BulbEvtIoStop;').character}`,
        `queue.c:${stop(queueC, 'BulbEvtIoStop(').line}:${stop(queueC, 'BulbEvtIoStop(').character}`,
      ].sort(),
    );
  });

  it('code action defines a declared callback, with a workspace edit', function () {
    const actions = step('defineAction').result as
      { title: string; edit?: { changes?: Record<string, TextEdit[]> } }[] | null;
    const define = actions?.find((a) => a.title === 'Define BulbEvtIoWrite (EVT_WDF_IO_QUEUE_IO_WRITE)');
    assert.ok(define, `actions: ${JSON.stringify(actions?.map((a) => a.title))}`);
    const edits = Object.values(define.edit?.changes ?? {}).flat();
    assert.equal(edits.length, 1);
    assert.ok(edits[0].newText.startsWith('\n_Use_decl_annotations_\nVOID\nBulbEvtIoWrite(\n'), edits[0].newText);
  });

  it('publishes the KMDF3001 contract diagnostic for power.c', function () {
    assert.equal(step('diagnostics').arrived, true, 'no diagnostics arrived for power.c');
    const diagnostics = output.diagnostics[path.join(workspace, 'power.c')] ?? [];
    const power = fs.readFileSync(path.join(fixture, 'power.c'), 'utf8');
    const name = positionOf(power, 'BulbEvtPowerQueueIoStop(\n');
    assert.deepEqual(
      diagnostics.map((d) => ({ code: d.code, source: d.source, severity: d.severity, range: d.range })),
      [
        {
          code: 'KMDF3001',
          source: 'kmdf',
          severity: 2,
          range: {
            start: name,
            end: { line: name.line, character: name.character + 'BulbEvtPowerQueueIoStop'.length },
          },
        },
      ],
    );
    // The rule link is a file: URI of the rule's page beside the server (docs/rules), so it opens offline here too.
    const href = diagnostics[0].codeDescription?.href ?? '';
    assert.equal(href, pathToFileURL(path.join(repoRoot, 'docs', 'rules', 'KMDF3001.md')).href);
    assert.ok(fs.existsSync(fileURLToPath(href)), href);
  });

  it('highlights a callback in its file: the alloc_text line as text, the registration read, the definition written', function () {
    const highlights = (step('highlights').result as { range: Range; kind?: number }[] | null) ?? [];
    const at = (needle: string) => positionOf(driverC, needle, needle.indexOf('BulbEvtDeviceAdd'));
    const span = (needle: string) => {
      const start = at(needle);
      return { start, end: { line: start.line, character: start.character + 'BulbEvtDeviceAdd'.length } };
    };
    assert.deepEqual(
      [...highlights].sort((a, b) => a.range.start.line - b.range.start.line),
      [
        { range: span('#pragma alloc_text (PAGE, BulbEvtDeviceAdd)'), kind: 1 },
        { range: span('WDF_DRIVER_CONFIG_INIT(&config, BulbEvtDeviceAdd);'), kind: 2 },
        { range: span('BulbEvtDeviceAdd(\n'), kind: 3 },
      ],
    );
  });

  it('call hierarchy: the device-add item carries its role and IRQL; DriverEntry registers it, it calls the queue set-up', function () {
    interface Item {
      name: string;
      detail?: string;
      uri: string;
      selectionRange: Range;
    }
    const result = step('callHierarchy').result as {
      items: Item[] | null;
      incoming?: { from: Item; fromRanges: Range[] }[];
      outgoing?: { to: Item; fromRanges: Range[] }[];
    };
    const items = result.items ?? [];
    assert.deepEqual(
      items.map((i) => [i.name, i.detail, path.basename(new URL(i.uri).pathname), i.selectionRange.start]),
      [
        [
          'BulbEvtDeviceAdd',
          'EvtDriverDeviceAdd · IRQL = PASSIVE_LEVEL',
          'driver.c',
          positionOf(driverC, 'BulbEvtDeviceAdd(\n'),
        ],
      ],
    );
    // The registration is the framework's call: DriverEntry, at the WDF_DRIVER_CONFIG_INIT argument.
    assert.deepEqual(
      (result.incoming ?? []).map((c) => [c.from.name, c.from.detail, c.fromRanges.map((r) => r.start)]),
      [['DriverEntry', 'DriverEntry · IRQL = PASSIVE_LEVEL', [positionOf(driverC, 'BulbEvtDeviceAdd);')]]],
    );
    // Each callee reached from here carries the IRQL it is reached at, and from whom.
    const outgoing = (result.outgoing ?? []).map((c) => [c.to.name, c.to.detail]);
    assert.deepEqual(
      outgoing.map(([name]) => name),
      ['BulbQueueInitialize', 'BulbPowerQueueInitialize'],
    );
    for (const [name, detail] of outgoing)
      assert.match(detail ?? '', /^IRQL = PASSIVE_LEVEL from BulbEvtDeviceAdd/, name);
  });

  it('renames a callback in one workspace edit: declaration, alloc_text line, registration and definition, applied by Neovim', function () {
    const record = step('rename') as StepRecord & { prepared?: unknown; files?: Record<string, string[]> };
    assert.deepEqual(record.error ?? null, null);
    const prepared = record.prepared as { placeholder: string; range: Range } | null;
    assert.equal(prepared?.placeholder, 'BulbEvtDeviceAdd');
    const edit = record.result as { changes?: Record<string, TextEdit[]> } | null;
    const counts = Object.fromEntries(
      Object.entries(edit?.changes ?? {}).map(([uri, edits]) => [path.basename(new URL(uri).pathname), edits.length]),
    );
    assert.deepEqual(counts, { 'driver.c': 3, 'driver.h': 1 });
    // What Neovim's buffers hold after applying it: the old text with every BulbEvtDeviceAdd renamed, nothing else.
    const renamed = (text: string) => text.replaceAll('BulbEvtDeviceAdd', RENAMED).replace(/\n$/, '').split('\n');
    assert.deepEqual(record.files?.['driver.c'], renamed(driverC));
    assert.deepEqual(record.files?.['driver.h'], renamed(driverH));
  });

  it('takes the pushed settings: offline docs, so nothing is fetched', function () {
    assert.equal(output.indexStatus?.state, 'ready');
    assert.deepEqual([output.indexStatus?.docs.state, output.indexStatus?.docs.degraded], ['facts', false]);
    // No fetch was tried (no "Online docs unavailable/refused", no "Docs page …"), and the start-up
    // summary says where reference text comes from.
    assert.deepEqual(
      output.logs.filter((line) => /\] (Online docs|Docs page|Fetched) /.test(line)),
      [],
    );
    assert.ok(
      output.logs.some((line) =>
        line.endsWith('] [info] Reference text: none, facts only (no kmdf.docs.path, online docs off)'),
      ),
      output.logs.join('\n'),
    );
  });

  it('the server exits cleanly when Neovim stops it', function () {
    assert.deepEqual(output.serverExit, { code: 0, signal: 0 });
  });
});
