import { strict as assert } from 'node:assert';
import { KnowledgeIndex } from '../../../server/src/knowledge/knowledgeIndex';
import { mergeSources } from '../../../server/src/knowledge/merge';
import type { DocPage, HeaderDecl, IndexEntry } from '../../../server/src/knowledge/types';

const stopHeader: HeaderDecl = {
  name: 'EVT_WDF_IO_QUEUE_IO_STOP',
  kind: 'callback',
  header: 'wdfio.h',
  returns: 'VOID',
  pfn: 'PFN_WDF_IO_QUEUE_IO_STOP',
  irql: { same: true, max: 'DISPATCH_LEVEL' },
  params: [
    { name: 'Queue', type: 'WDFQUEUE', sal: ['_In_'], direction: 'in' },
    { name: 'Request', type: 'WDFREQUEST', sal: ['_In_'], direction: 'in' },
    { name: 'ActionFlags', type: 'ULONG', sal: ['_In_'], direction: 'in' },
  ],
  location: 'wdfio.h',
};
const queueConfig: HeaderDecl = {
  name: 'WDF_IO_QUEUE_CONFIG',
  kind: 'structure',
  header: 'wdfio.h',
  callbackFields: [{ field: 'EvtIoStop', pfn: 'PFN_WDF_IO_QUEUE_IO_STOP', callback: 'EVT_WDF_IO_QUEUE_IO_STOP' }],
  location: 'wdfio.h',
};
const queueCreate: HeaderDecl = {
  name: 'WdfIoQueueCreate',
  kind: 'method',
  header: 'wdfio.h',
  returns: 'NTSTATUS',
  irql: { max: 'DISPATCH_LEVEL' },
  params: [
    { name: 'Device', type: 'WDFDEVICE' },
    { name: 'Config', type: 'PWDF_IO_QUEUE_CONFIG' },
    { name: 'QueueAttributes', type: 'PWDF_OBJECT_ATTRIBUTES' },
    { name: 'Queue', type: 'WDFQUEUE*' },
  ],
  location: 'wdfio.h',
};
const markCancelable: HeaderDecl = {
  name: 'WdfRequestMarkCancelable',
  kind: 'method',
  header: 'wdfrequest.h',
  returns: 'VOID',
  params: [
    { name: 'Request', type: 'WDFREQUEST' },
    { name: 'EvtRequestCancel', type: 'PFN_WDF_REQUEST_CANCEL' },
  ],
  location: 'wdfrequest.h',
};
const cancelHeader: HeaderDecl = {
  name: 'EVT_WDF_REQUEST_CANCEL',
  kind: 'callback',
  header: 'wdfrequest.h',
  returns: 'VOID',
  params: [{ name: 'Request', type: 'WDFREQUEST' }],
  location: 'wdfrequest.h',
};

function page(overrides: Partial<DocPage>): DocPage {
  return {
    name: 'X',
    kind: 'callback',
    frameworks: [],
    params: [],
    seeAlso: [],
    flags: [],
    location: 'x.md',
    format: 'markdown',
    ...overrides,
  };
}

describe('mergeSources', () => {
  it('takes signatures from headers, requirements and flags from docs, and links registrations', () => {
    const entries = mergeSources({
      headers: [
        {
          label: 'hdr',
          framework: 'KMDF',
          decls: [stopHeader, queueConfig, queueCreate, markCancelable, cancelHeader],
        },
      ],
      docs: [
        {
          label: 'docs',
          pages: [
            page({
              name: 'EVT_WDF_IO_QUEUE_IO_STOP',
              header: 'wdfio.h',
              kmdf: '1.0',
              umdf: '2.0',
              frameworks: ['KMDF', 'UMDF'],
              roleName: 'EvtIoStop',
              irql: { max: 'DISPATCH_LEVEL', text: '<= DISPATCH_LEVEL' },
              // A garbled rendered syntax block: it must not replace the header's parameters.
              params: [{ name: 'ActionFlags', type: 'ULONG' }],
              prototypeComplete: false,
              flags: [{ id: 'execution-level-dependent' }],
              location: '/docs/wdfio/nc-wdfio-evt_wdf_io_queue_io_stop.md',
              docsUrl:
                'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nc-wdfio-evt_wdf_io_queue_io_stop',
            }),
          ],
        },
      ],
    });
    const stop = entries.find((e) => e.name === 'EVT_WDF_IO_QUEUE_IO_STOP')!;
    assert.deepEqual(
      stop.params.map((p) => `${p.type} ${p.name}`),
      ['WDFQUEUE Queue', 'WDFREQUEST Request', 'ULONG ActionFlags'],
    );
    assert.deepEqual(stop.irql, { same: true, max: 'DISPATCH_LEVEL', text: '<= DISPATCH_LEVEL' });
    assert.equal(stop.kmdf, '1.0');
    assert.equal(stop.umdf, '2.0');
    assert.deepEqual(stop.frameworks, ['KMDF', 'UMDF']);
    assert.equal(stop.docsPath, 'wdfio/nc-wdfio-evt_wdf_io_queue_io_stop.md');
    assert.deepEqual(stop.sources, ['hdr', 'docs']);
    assert.equal(stop.conflicts, undefined);
    assert.deepEqual(stop.registeredThrough, [
      { struct: 'WDF_IO_QUEUE_CONFIG', field: 'EvtIoStop', method: 'WdfIoQueueCreate' },
    ]);
    const cancel = entries.find((e) => e.name === 'EVT_WDF_REQUEST_CANCEL')!;
    assert.deepEqual(cancel.registeredThrough, [
      { method: 'WdfRequestMarkCancelable', param: 'EvtRequestCancel', paramIndex: 1 },
    ]);
  });

  it('keeps both IRQL values and marks the conflict when docs and header SAL disagree; the header wins', () => {
    const entries = mergeSources({
      headers: [{ label: 'hdr', decls: [stopHeader] }],
      docs: [
        {
          label: 'docs',
          pages: [
            page({
              name: 'EVT_WDF_IO_QUEUE_IO_STOP',
              irql: { exact: 'PASSIVE_LEVEL', text: 'PASSIVE_LEVEL' },
              location: 'stop.md',
            }),
          ],
        },
      ],
    });
    const [stop] = entries;
    assert.equal(stop.irql?.max, 'DISPATCH_LEVEL');
    assert.deepEqual(stop.conflicts, [
      {
        field: 'irql',
        values: [
          { source: 'header', value: '<= DISPATCH_LEVEL' },
          { source: 'stop.md', value: 'PASSIVE_LEVEL' },
        ],
      },
    ]);
  });

  it('shows the level read from the page when its requirement text names none', () => {
    const [stop] = mergeSources({
      headers: [{ label: 'hdr', decls: [stopHeader] }],
      docs: [
        {
          label: 'docs',
          pages: [
            page({
              name: 'EVT_WDF_IO_QUEUE_IO_STOP',
              irql: { exact: 'PASSIVE_LEVEL', text: 'See Remarks section.' },
              location: 'stop.md',
            }),
          ],
        },
      ],
    });
    assert.deepEqual(stop.conflicts?.[0].values, [
      { source: 'header', value: '<= DISPATCH_LEVEL' },
      { source: 'stop.md', value: '= PASSIVE_LEVEL' },
    ]);
  });

  it('uses the docs level when the header says only _IRQL_requires_same_', () => {
    const sameOnly: HeaderDecl = { ...stopHeader, irql: { same: true } };
    const [stop] = mergeSources({
      headers: [{ label: 'hdr', decls: [sameOnly] }],
      docs: [
        {
          label: 'docs',
          pages: [page({ name: sameOnly.name, irql: { max: 'DISPATCH_LEVEL', text: '<= DISPATCH_LEVEL' } })],
        },
      ],
    });
    assert.deepEqual(stop.irql, { max: 'DISPATCH_LEVEL', text: '<= DISPATCH_LEVEL', same: true });
    assert.equal(stop.conflicts, undefined);
  });

  it('keeps the base level when a header over it says only _IRQL_requires_same_ (the catalog plus a WDK)', () => {
    // The completion routine's header has no level; the catalog's, read from its page, must survive.
    const base: IndexEntry = {
      name: stopHeader.name,
      kind: 'callback',
      params: [],
      flags: [],
      frameworks: [],
      sources: ['catalog'],
    };
    const [stop] = mergeSources({
      base: [{ ...base, irql: { max: 'DISPATCH_LEVEL', text: '<=DISPATCH_LEVEL', same: true } }],
      headers: [{ label: 'hdr', decls: [{ ...stopHeader, irql: { same: true } }] }],
    });
    assert.deepEqual(stop.irql, { same: true, max: 'DISPATCH_LEVEL', text: '<=DISPATCH_LEVEL' });
    // A header level still replaces the base's.
    const [raised] = mergeSources({
      base: [{ ...base, irql: { max: 'DISPATCH_LEVEL' } }],
      headers: [{ label: 'hdr', decls: [{ ...stopHeader, irql: { max: 'PASSIVE_LEVEL' } }] }],
    });
    assert.deepEqual(raised.irql, { max: 'PASSIVE_LEVEL' });
  });

  it('lets the first docs source win and later ones only fill gaps; a KMDF-only banner narrows frameworks', () => {
    const [e] = mergeSources({
      headers: [
        { label: 'k', framework: 'KMDF', decls: [cancelHeader] },
        { label: 'u', framework: 'UMDF', decls: [cancelHeader] },
      ],
      docs: [
        {
          label: 'now',
          pages: [
            page({ name: 'EVT_WDF_REQUEST_CANCEL', kmdf: '1.0', flags: [{ id: 'kmdf-only' }], frameworks: ['KMDF'] }),
          ],
        },
        { label: 'then', pages: [page({ name: 'EVT_WDF_REQUEST_CANCEL', kmdf: '1.1', minWindows: 'Windows 2000' })] },
      ],
    });
    assert.equal(e.kmdf, '1.0');
    assert.equal(e.minWindows, 'Windows 2000');
    assert.deepEqual(e.frameworks, ['KMDF']);
  });
});

describe('KnowledgeIndex', () => {
  const index = new KnowledgeIndex(
    mergeSources({
      headers: [{ label: 'hdr', decls: [stopHeader, queueConfig, queueCreate, markCancelable, cancelHeader] }],
      docs: [{ label: 'docs', pages: [page({ name: 'EVT_WDF_IO_QUEUE_IO_STOP', roleName: 'EvtIoStop' })] }],
    }),
  );
  it('resolves PFN names, config fields and PFN arguments to role types', () => {
    assert.equal(index.get('PFN_WDF_IO_QUEUE_IO_STOP')?.name, 'EVT_WDF_IO_QUEUE_IO_STOP');
    assert.equal(index.callbackForField('WDF_IO_QUEUE_CONFIG', 'EvtIoStop')?.name, 'EVT_WDF_IO_QUEUE_IO_STOP');
    assert.equal(index.callbackForField(undefined, 'EvtIoStop')?.name, 'EVT_WDF_IO_QUEUE_IO_STOP');
    assert.equal(index.callbackForField('WDF_IO_QUEUE_CONFIG', 'EvtIoRead'), undefined);
    assert.equal(index.callbackForArgument('WdfRequestMarkCancelable', 1)?.name, 'EVT_WDF_REQUEST_CANCEL');
    assert.equal(index.callbackForArgument('WdfRequestMarkCancelable', 0), undefined);
    assert.deepEqual(
      index.byRole('EvtIoStop').map((e) => e.name),
      ['EVT_WDF_IO_QUEUE_IO_STOP'],
    );
    assert.deepEqual(
      index.fieldsOf('PWDF_IO_QUEUE_CONFIG').map((f) => [f.field, f.callback?.name]),
      [['EvtIoStop', 'EVT_WDF_IO_QUEUE_IO_STOP']],
    );
  });
  it('suggests the nearest names', () => {
    assert.deepEqual(index.nearest('WdfIoQueueCreat', 2), ['WdfIoQueueCreate', 'WDF_IO_QUEUE_CONFIG']);
    assert.equal(index.find('wdfioqueuecreate')?.name, 'WdfIoQueueCreate');
  });
});

describe('garbled docs prototypes', () => {
  it('does not take a signature whose parameter types do not read as C', () => {
    const garbled = page({
      name: 'EVT_DEMO_PACKET',
      returns: 'VOID',
      prototypeComplete: true,
      params: [
        { name: 'Channel', type: 'DEMOCHANNEL' },
        { name: 'Buffer', type: 'reads_bytes_(Length) PVOID' },
      ],
    });
    const sound = page({
      name: 'EVT_DEMO_OK',
      returns: 'NTSTATUS',
      prototypeComplete: true,
      params: [{ name: 'Buffer', type: 'const UCHAR *' }],
    });
    const [ok, bad] = mergeSources({ docs: [{ label: 'docs', pages: [garbled, sound] }] });
    assert.equal(bad.name, 'EVT_DEMO_PACKET');
    assert.deepEqual(bad.params, []);
    assert.equal(bad.returns, undefined);
    assert.deepEqual(ok.params, [{ name: 'Buffer', type: 'const UCHAR *' }]);
    assert.equal(ok.returns, 'NTSTATUS');
  });
});

describe('conditional IRQL (_When_)', () => {
  it('keeps each branch and the loosest level as max; the docs level does not replace it', () => {
    const timerStop: HeaderDecl = {
      name: 'WdfTimerStop',
      kind: 'method',
      header: 'wdftimer.h',
      returns: 'BOOLEAN',
      params: [
        { name: 'Timer', type: 'WDFTIMER' },
        { name: 'Wait', type: 'BOOLEAN' },
      ],
      annotations: [
        '_When_(Wait == __true, _IRQL_requires_max_(PASSIVE_LEVEL))',
        '_When_(Wait == __false, _IRQL_requires_max_(DISPATCH_LEVEL))',
      ],
      location: 'wdftimer.h',
    };
    const [e] = mergeSources({
      headers: [{ label: 'hdr', decls: [timerStop] }],
      docs: [
        {
          label: 'docs',
          pages: [
            page({
              name: 'WdfTimerStop',
              kind: 'method',
              irql: { exact: 'PASSIVE_LEVEL', text: 'See Remarks section.' },
            }),
          ],
        },
      ],
    });
    assert.deepEqual(e.irql, {
      max: 'DISPATCH_LEVEL',
      when: [
        { condition: 'Wait == __true', max: 'PASSIVE_LEVEL' },
        { condition: 'Wait == __false', max: 'DISPATCH_LEVEL' },
      ],
      text: 'See Remarks section.',
    });
    assert.equal(e.conflicts, undefined);
  });
});

describe('flags', () => {
  it('drops a flag whose reference is the entry itself', () => {
    const [e] = mergeSources({
      docs: [
        {
          label: 'd',
          pages: [
            page({
              name: 'WdfLampAck',
              kind: 'method',
              flags: [
                { id: 'must-call', ref: 'WdfLampAck' },
                { id: 'must-call', ref: 'WdfLampUnmark' },
              ],
            }),
          ],
        },
      ],
    });
    assert.deepEqual(e.flags, [{ id: 'must-call', ref: 'WdfLampUnmark' }]);
  });
});
