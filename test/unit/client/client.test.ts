/**
 * Client logic that does not need VS Code: stub insertion text, function-name validation, quick
 * pick entries, status item wording; and a check that every contributed command is registered.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DocsStatus, IndexStatus } from '../../../shared/protocol';
import { COMMAND_IDS } from '../../../client/src/commandIds';
import {
  describeDocsStatus,
  describeIndexStatus,
  describeServerState,
  docsWorseNotice,
  rebuildMessage,
  shortSources,
} from '../../../client/src/statusText';
import { callbackPickEntry, functionNameProblem, rankCallbacks, stubInsertionText } from '../../../client/src/stubText';
import { repoRoot } from '../../support/paths';

const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));

const stopStub = {
  functionName: 'EchoEvtIoStop',
  declaration: 'EVT_WDF_IO_QUEUE_IO_STOP EchoEvtIoStop;',
  definition: '_Use_decl_annotations_\nVOID\nEchoEvtIoStop(\n    WDFQUEUE Queue\n    )\n{\n}',
};
const addStub = {
  functionName: 'EchoEvtDeviceAdd',
  declaration: 'EVT_WDF_DRIVER_DEVICE_ADD EchoEvtDeviceAdd;',
  definition:
    '_Use_decl_annotations_\nNTSTATUS\nEchoEvtDeviceAdd(\n    WDFDRIVER Driver\n    )\n{\n    PAGED_CODE();\n    return STATUS_SUCCESS;\n}',
  allocText: '#pragma alloc_text(PAGE, EchoEvtDeviceAdd)',
};

describe('client: stub insertion text', () => {
  it('declaration, blank line, definition on an empty line (LF)', () => {
    assert.equal(
      stubInsertionText(stopStub, { eol: '\n', textBeforeCursor: false, textAfterCursor: false }),
      'EVT_WDF_IO_QUEUE_IO_STOP EchoEvtIoStop;\n\n_Use_decl_annotations_\nVOID\nEchoEvtIoStop(\n    WDFQUEUE Queue\n    )\n{\n}\n',
    );
  });

  it('guards alloc_text with ALLOC_PRAGMA and uses CRLF when the document does', () => {
    const text = stubInsertionText(addStub, { eol: '\r\n', textBeforeCursor: false, textAfterCursor: false });
    assert.equal(
      text,
      [
        'EVT_WDF_DRIVER_DEVICE_ADD EchoEvtDeviceAdd;',
        '',
        '#ifdef ALLOC_PRAGMA',
        '#pragma alloc_text(PAGE, EchoEvtDeviceAdd)',
        '#endif',
        '',
        '_Use_decl_annotations_',
        'NTSTATUS',
        'EchoEvtDeviceAdd(',
        '    WDFDRIVER Driver',
        '    )',
        '{',
        '    PAGED_CODE();',
        '    return STATUS_SUCCESS;',
        '}',
        '',
      ].join('\r\n'),
    );
    assert.equal(/[^\r]\n/.test(text), false, 'no bare LF left');
  });

  it('starts on a new line after text and leaves a blank line before text after the cursor', () => {
    const text = stubInsertionText(stopStub, { eol: '\n', textBeforeCursor: true, textAfterCursor: true });
    assert.ok(text.startsWith('\nEVT_WDF_IO_QUEUE_IO_STOP EchoEvtIoStop;\n'));
    assert.ok(text.endsWith('{\n}\n\n'));
  });
});

describe('client: function name validation', () => {
  it('accepts C identifiers, trimming spaces', () => {
    for (const name of ['EchoEvtIoStop', '_x1', 'a', '  MyEvt  '])
      assert.equal(functionNameProblem(name), undefined, name);
  });
  it('rejects empty names, bad characters, leading digits and keywords with a message', () => {
    assert.equal(functionNameProblem('   '), 'Enter a function name.');
    assert.equal(
      functionNameProblem('1Evt'),
      '"1Evt" is not a C identifier: use letters, digits and _, not starting with a digit.',
    );
    assert.equal(
      functionNameProblem('Evt-Stop'),
      '"Evt-Stop" is not a C identifier: use letters, digits and _, not starting with a digit.',
    );
    assert.equal(
      functionNameProblem('Evt Stop'),
      '"Evt Stop" is not a C identifier: use letters, digits and _, not starting with a digit.',
    );
    assert.equal(functionNameProblem('switch'), '"switch" is a C/C++ keyword.');
    assert.equal(functionNameProblem('class'), '"class" is a C/C++ keyword.');
  });
});

describe('client: callback quick pick entries', () => {
  it('puts role name, IRQL and frameworks in the description and the summary in the detail', () => {
    assert.deepEqual(
      callbackPickEntry({
        name: 'EVT_WDF_IO_QUEUE_IO_STOP',
        roleName: 'EvtIoStop',
        irql: '≤ DISPATCH_LEVEL',
        frameworks: ['KMDF', 'UMDF'],
        summary: 'Registered through WDF_IO_QUEUE_CONFIG.EvtIoStop',
      }),
      {
        label: 'EVT_WDF_IO_QUEUE_IO_STOP',
        description: 'EvtIoStop · IRQL ≤ DISPATCH_LEVEL · KMDF/UMDF',
        detail: 'Registered through WDF_IO_QUEUE_CONFIG.EvtIoStop',
        roleType: 'EVT_WDF_IO_QUEUE_IO_STOP',
      },
    );
  });
  it('omits what the server did not send', () => {
    assert.deepEqual(callbackPickEntry({ name: 'EVT_X', frameworks: [] }), {
      label: 'EVT_X',
      description: '',
      roleType: 'EVT_X',
    });
  });
});

describe('client: index and docs status items', () => {
  const onlineDocs: DocsStatus = {
    state: 'online',
    detail: 'raw.githubusercontent.com',
    checked: true,
    degraded: false,
  };
  const ready: IndexStatus = {
    state: 'ready',
    kmdfVersion: '1.33',
    umdfVersion: '2.33',
    callbacks: 106,
    methods: 445,
    structs: 24,
    enums: 1,
    sources: ['catalog'],
    docs: onlineDocs,
  };
  const unreachable: DocsStatus = {
    state: 'facts',
    detail: 'host unreachable, nothing cached',
    checked: true,
    degraded: true,
  };
  const cached: DocsStatus = { ...unreachable, state: 'cached', detail: 'host unreachable, 3 pages cached' };

  it('ready: versions as text, the sources in a few words as detail', () => {
    assert.deepEqual(describeIndexStatus(ready), {
      text: 'KMDF 1.33 · UMDF 2.33',
      detail: 'catalog',
      severity: 'information',
      busy: false,
    });
    assert.equal(
      shortSources([
        'catalog',
        'headers:/opt/wdk/Include/wdf/kmdf/1.33',
        'headers:/opt/wdk/Include/km',
        'WDK /opt/wdk (KMDF 1.33)',
      ]),
      'catalog + WDK headers',
    );
    assert.equal(shortSources(['docs:/home/me/ddi-docs']), 'docs folder');
  });
  it('ready but empty is a warning', () => {
    const view = describeIndexStatus({
      ...ready,
      callbacks: 0,
      methods: 0,
      structs: 0,
      enums: 0,
      sources: [],
      kmdfVersion: undefined,
      umdfVersion: undefined,
    });
    assert.deepEqual(view, { text: 'KMDF index', detail: 'empty index', severity: 'warning', busy: false });
  });
  it('loading is busy; error is an error with the server message', () => {
    assert.deepEqual(describeIndexStatus({ ...ready, state: 'loading', message: 'Reading headers' }), {
      text: 'KMDF: indexing',
      detail: 'Reading headers',
      severity: 'information',
      busy: true,
    });
    assert.deepEqual(describeIndexStatus({ ...ready, state: 'error', message: 'catalog is not JSON' }), {
      text: 'KMDF: index failed',
      detail: 'catalog is not JSON',
      severity: 'error',
      busy: false,
    });
  });
  it('server states', () => {
    assert.equal(describeServerState('starting').busy, true);
    assert.equal(describeServerState('stopped').severity, 'error');
  });
  it('the docs item: the state in two words, the reason as detail, a warning when degraded', () => {
    assert.deepEqual(describeDocsStatus(onlineDocs), {
      text: 'Docs: online',
      detail: 'raw.githubusercontent.com',
      severity: 'information',
      busy: false,
    });
    assert.deepEqual(describeDocsStatus(unreachable), {
      text: 'Docs: facts only',
      detail: 'host unreachable, nothing cached',
      severity: 'warning',
      busy: false,
    });
    assert.equal(describeDocsStatus(cached).text, 'Docs: cached');
    assert.equal(
      describeDocsStatus({ ...onlineDocs, state: 'folder', detail: '250 pages in ddi-docs' }).text,
      'Docs: folder',
    );
    // Facts only by choice (online off, no folder) is no warning.
    assert.equal(describeDocsStatus({ ...unreachable, degraded: false }).severity, 'information');
  });
  it('status texts fit: at most 24 characters, whatever the state', () => {
    const texts = [
      describeIndexStatus(ready).text,
      describeIndexStatus({ ...ready, state: 'error' }).text,
      describeServerState('stopped').text,
      ...(['folder', 'online', 'cached', 'facts'] as const).map(
        (state) => describeDocsStatus({ ...onlineDocs, state }).text,
      ),
    ];
    for (const text of texts) assert.ok(text.length <= 24, text);
    assert.ok(
      describeIndexStatus({
        ...ready,
        sources: ['catalog', 'headers:/a/very/long/path/of/a/wdk/Include/wdf/kmdf/1.33'],
      }).detail.length <= 40,
    );
  });
  it('the Rebuild Index message names the sources, the counts and the real docs state', () => {
    assert.equal(
      rebuildMessage({ ...ready, docs: unreachable }),
      'KMDF Assist: index rebuilt (KMDF 1.33 · UMDF 2.33) from catalog: 106 callback role types, 445 methods, 24 structures, 1 enumeration; no reference text, facts only (host unreachable, nothing cached).',
    );
    assert.match(rebuildMessage(ready), /; reference text online \(raw\.githubusercontent\.com\)\.$/);
  });
  it('a notification only when the reference text gets worse than the settings ask for', () => {
    assert.equal(docsWorseNotice(undefined, onlineDocs), undefined);
    assert.match(
      docsWorseNotice(onlineDocs, cached) ?? '',
      /^KMDF Assist: the docs host cannot be reached \(host unreachable, 3 pages cached\)/,
    );
    assert.match(docsWorseNotice(cached, unreachable) ?? '', /hovers show facts only\. Set kmdf\.docs\.path/);
    assert.equal(docsWorseNotice(unreachable, unreachable), undefined);
    assert.equal(docsWorseNotice(unreachable, cached), undefined);
    assert.equal(docsWorseNotice(cached, onlineDocs), undefined);
    assert.equal(docsWorseNotice(onlineDocs, { ...unreachable, degraded: false }), undefined);
  });
});

describe('client: commands', () => {
  const contributed: string[] = manifest.contributes.commands.map((c: { command: string }) => c.command);

  it('the manifest contributes exactly the commands of COMMAND_IDS, each with category KMDF', () => {
    assert.deepEqual([...contributed].sort(), Object.values(COMMAND_IDS).sort());
    for (const command of manifest.contributes.commands) assert.equal(command.category, 'KMDF', command.command);
  });

  it('every contributed command is registered by a module that extension.ts activates', () => {
    const srcDir = path.join(repoRoot, 'client/src');
    const files = [
      ...readdirSync(srcDir),
      ...readdirSync(path.join(srcDir, 'commands')).map((f) => `commands/${f}`),
    ].filter((f) => f.endsWith('.ts'));
    const extension = readFileSync(path.join(srcDir, 'extension.ts'), 'utf8');
    const registered = new Map<string, string>();
    for (const file of files) {
      const source = readFileSync(path.join(srcDir, file), 'utf8');
      for (const match of source.matchAll(/registerCommand\(COMMAND_IDS\.(\w+)/g)) registered.set(match[1], file);
    }
    for (const [key, id] of Object.entries(COMMAND_IDS)) {
      const file = registered.get(key);
      assert.ok(file, `${id} is not registered`);
      const module = `./${file.replace(/\.ts$/, '')}`;
      assert.ok(extension.includes(`from '${module}'`), `extension.ts does not import ${module}`);
    }
  });

  it('menus refer only to contributed commands; the palette hides none of them entirely', () => {
    for (const [menu, entries] of Object.entries(
      manifest.contributes.menus as Record<string, Array<{ command: string; when?: string }>>,
    )) {
      for (const entry of entries) assert.ok(contributed.includes(entry.command), `${menu}: ${entry.command}`);
    }
    const palette = manifest.contributes.menus.commandPalette as Array<{ command: string; when?: string }>;
    for (const entry of palette) assert.notEqual(entry.when, 'false', entry.command);
  });
});

describe('client: callback picker ranking', () => {
  const cb = (name: string, roleName: string, forProject?: boolean) => ({
    name,
    roleName,
    frameworks: ['KMDF'],
    ...(forProject === undefined ? {} : { forProject }),
  });
  const list = [
    cb('EVT_WDF_DEVICE_RESOURCES_QUERY', 'EvtDeviceResourcesQuery'),
    cb('EVT_WDF_IO_QUEUE_IO_READ', 'EvtIoRead'),
    cb('EVT_WDF_IO_QUEUE_IO_RESUME', 'EvtIoResume'),
    cb('EVT_WDF_IO_QUEUE_IO_STOP', 'EvtIoStop'),
    cb('EVT_WDF_REQUEST_CANCEL', 'EvtRequestCancel'),
  ];
  const names = (query: string, from = list) => rankCallbacks(from, query).map((c) => c.name);

  it('puts the role type whose role name the typed text starts first', () => {
    assert.equal(names('EvtIoRes')[0], 'EVT_WDF_IO_QUEUE_IO_RESUME');
    assert.equal(names('evtiostop')[0], 'EVT_WDF_IO_QUEUE_IO_STOP');
  });

  it('matches the role type with or without underscores, then substrings, then subsequences', () => {
    assert.deepEqual(names('EVT_WDF_IO_QUEUE_IO_R').slice(0, 2), [
      'EVT_WDF_IO_QUEUE_IO_READ',
      'EVT_WDF_IO_QUEUE_IO_RESUME',
    ]);
    assert.equal(names('evtwdfrequest')[0], 'EVT_WDF_REQUEST_CANCEL');
    assert.equal(names('Cancel')[0], 'EVT_WDF_REQUEST_CANCEL');
    // Only EvtIoResume has e…i…r…s…m in order; the rest do not match and follow in the server's order.
    assert.deepEqual(names('EIRsm'), [
      'EVT_WDF_IO_QUEUE_IO_RESUME',
      'EVT_WDF_DEVICE_RESOURCES_QUERY',
      'EVT_WDF_IO_QUEUE_IO_READ',
      'EVT_WDF_IO_QUEUE_IO_STOP',
      'EVT_WDF_REQUEST_CANCEL',
    ]);
  });

  it("keeps the project's framework first among equal matches, and the server's order without a query", () => {
    const mixed = [cb('EVT_UMDF_ONLY_RESUME', 'EvtIoResumeLater', false), cb('EVT_B', 'EvtIoResumeSoon', true)];
    assert.deepEqual(names('EvtIoRes', mixed), ['EVT_B', 'EVT_UMDF_ONLY_RESUME']);
    assert.deepEqual(
      names('', list),
      list.map((c) => c.name),
    );
  });
});
