import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocText } from '../../../../server/src/knowledge/docs';
import type { DocPage } from '../../../../server/src/knowledge/types';
import { sharedDir } from '../../../support/paths';

const seedsDir = path.join(sharedDir, 'seeds');
const BASE = 'https://learn.microsoft.com/windows-hardware/drivers/ddi/';

function seed(prefix: string): DocPage {
  const file = fs.readdirSync(seedsDir).find((f) => f.startsWith(prefix));
  assert.ok(file, `seed ${prefix} is in ${seedsDir}`);
  const location = path.join(seedsDir, file);
  const result = parseDocText(fs.readFileSync(location, 'utf8'), location);
  assert.ok('page' in result, `seed ${prefix} parses: ${'skip' in result ? result.skip : ''}`);
  return result.page;
}

/** The facts of a page, without the prose, for one exact comparison. */
function facts(p: DocPage) {
  return {
    name: p.name,
    kind: p.kind,
    header: p.header,
    irql: p.irql,
    kmdf: p.kmdf,
    umdf: p.umdf,
    minWindows: p.minWindows,
    frameworks: p.frameworks,
    roleName: p.roleName,
    params: p.params.map(({ description: _d, ...rest }) => rest),
    returns: p.returns,
    prototypeComplete: p.prototypeComplete,
    flags: p.flags,
    seeAlso: p.seeAlso.length,
    ddiCompliance: p.ddiCompliance,
    docsUrl: p.docsUrl,
    format: p.format,
  };
}

describe('docs parsers: the five seed pages', () => {
  it('000: 2018 Markdown, EvtDmaEnablerSelfManagedIoStop', () => {
    const p = seed('000_');
    assert.deepEqual(facts(p), {
      name: 'EVT_WDF_DMA_ENABLER_SELFMANAGED_IO_STOP',
      kind: 'callback',
      header: 'wdfdmaenabler.h',
      irql: { text: 'PASSIVE_LEVEL', exact: 'PASSIVE_LEVEL' },
      kmdf: '1.0',
      umdf: undefined,
      minWindows: undefined,
      frameworks: ['KMDF'],
      roleName: 'EvtDmaEnablerSelfManagedIoStop',
      params: [{ name: 'DmaEnabler', type: 'WDFDMAENABLER', direction: 'in', sal: ['_In_'] }],
      returns: 'NTSTATUS',
      prototypeComplete: true,
      flags: [
        { id: 'kmdf-only' },
        { id: 'must-return-nt-success' },
        { id: 'registered-by', ref: 'WdfDmaEnablerCreate' },
      ],
      seeAlso: 3,
      ddiCompliance: undefined,
      docsUrl: `${BASE}wdfdmaenabler/nc-wdfdmaenabler-evt_wdf_dma_enabler_selfmanaged_io_stop`,
      format: 'markdown-2018',
    });
    assert.equal(p.params[0].description, 'A handle to a DMA enabler object.');
    // The mail feedback link is not a see-also entry; repository links became public URLs.
    assert.deepEqual(p.seeAlso[2], {
      text: 'EvtDmaEnablerSelfManagedIoStart',
      href: `${BASE}wdfdmaenabler/nc-wdfdmaenabler-evt_wdf_dma_enabler_selfmanaged_io_start`,
    });
    assert.ok(!p.description?.includes('Applies to'), 'the banner is not part of the description');
    assert.ok(
      p.remarks?.includes('```\nEVT_WDF_DMA_ENABLER_SELFMANAGED_IO_STOP MyDmaEnablerSelfManagedIoStop;\n```'),
      'code tables become fenced code',
    );
    assert.ok(!/<\/?(i|b|a|table|pre)\b/.test(p.remarks ?? ''), 'no HTML left in the remarks');
  });

  it('001: 2018 Markdown, EvtDmaEnablerSelfManagedIoStart (not pageable)', () => {
    const p = seed('001_');
    assert.deepEqual(facts(p), {
      name: 'EVT_WDF_DMA_ENABLER_SELFMANAGED_IO_START',
      kind: 'callback',
      header: 'wdfdmaenabler.h',
      irql: { text: 'PASSIVE_LEVEL (see Remarks section)', exact: 'PASSIVE_LEVEL' },
      kmdf: '1.0',
      umdf: undefined,
      minWindows: undefined,
      frameworks: ['KMDF'],
      roleName: 'EvtDmaEnablerSelfManagedIoStart',
      params: [{ name: 'DmaEnabler', type: 'WDFDMAENABLER', direction: 'in', sal: ['_In_'] }],
      returns: 'NTSTATUS',
      prototypeComplete: true,
      flags: [
        { id: 'kmdf-only' },
        { id: 'must-return-nt-success' },
        { id: 'registered-by', ref: 'WdfDmaEnablerCreate' },
        { id: 'not-pageable' },
      ],
      seeAlso: 3,
      ddiCompliance: undefined,
      docsUrl: `${BASE}wdfdmaenabler/nc-wdfdmaenabler-evt_wdf_dma_enabler_selfmanaged_io_start`,
      format: 'markdown-2018',
    });
  });

  it('002: current Markdown, WdfDmaTransactionStopSystemTransfer ([in] on the next line)', () => {
    const p = seed('002_');
    assert.deepEqual(facts(p), {
      name: 'WdfDmaTransactionStopSystemTransfer',
      kind: 'method',
      header: 'wdfdmatransaction.h',
      irql: { text: '<=DISPATCH_LEVEL', max: 'DISPATCH_LEVEL' },
      kmdf: '1.11',
      umdf: undefined,
      minWindows: 'Windows 8',
      frameworks: ['KMDF'],
      roleName: undefined,
      params: [{ name: 'DmaTransaction', type: '', direction: 'in' }],
      returns: undefined,
      prototypeComplete: undefined,
      flags: [{ id: 'kmdf-only' }, { id: 'system-mode-dma-only' }],
      seeAlso: 2,
      ddiCompliance: ['DriverCreate'],
      docsUrl: `${BASE}wdfdmatransaction/nf-wdfdmatransaction-wdfdmatransactionstopsystemtransfer`,
      format: 'markdown',
    });
    assert.equal(p.params[0].description, 'A handle to an initialized DMA transaction object.');
    assert.ok(
      p.description?.includes(`(${BASE}wdfdmatransaction/nc-wdfdmatransaction-evt_wdf_program_dma)`),
      'docs.microsoft.com links point at the public reference',
    );
    assert.ok(p.remarks?.includes('```cpp\nVOID\nMyTimerFunc('), 'fenced code is kept');
  });

  it('003: rendered EvtIoStop with a garbled syntax block (prototype incomplete)', () => {
    const p = seed('003_');
    assert.deepEqual(facts(p), {
      name: 'EVT_WDF_IO_QUEUE_IO_STOP',
      kind: 'callback',
      header: 'wdfio.h',
      irql: { text: '<= DISPATCH_LEVEL (see Remarks section)', max: 'DISPATCH_LEVEL' },
      kmdf: '1.0',
      umdf: '2.0',
      minWindows: undefined,
      frameworks: ['KMDF', 'UMDF'],
      roleName: 'EvtIoStop',
      params: [{ name: 'ActionFlags', type: 'ULONG', direction: 'in' }],
      returns: 'VOID',
      prototypeComplete: false,
      flags: [
        { id: 'registered-by', ref: 'WdfIoQueueCreate' },
        { id: 'must-call', ref: 'WdfRequestUnmarkCancelable' },
        { id: 'execution-level-dependent' },
      ],
      seeAlso: 0,
      ddiCompliance: undefined,
      docsUrl: `${BASE}wdfio/nc-wdfio-evt_wdf_io_queue_io_stop`,
      format: 'rendered',
    });
    assert.equal(p.returnText, undefined, 'the page lost its return text');
    assert.ok(p.remarks?.startsWith('A driver registers an EvtIoStop callback function'));
    assert.ok(p.params[0].description?.startsWith('A bitwise OR of one or more'));
  });

  it('004: rendered EvtDeviceSelfManagedIoRestart', () => {
    const p = seed('004_');
    assert.deepEqual(facts(p), {
      name: 'EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART',
      kind: 'callback',
      header: 'wdfdevice.h',
      irql: { text: 'PASSIVE_LEVEL (see Remarks section)', exact: 'PASSIVE_LEVEL' },
      kmdf: '1.0',
      umdf: '2.0',
      minWindows: undefined,
      frameworks: ['KMDF', 'UMDF'],
      roleName: 'EvtDeviceSelfManagedIoRestart',
      params: [{ name: 'Device', type: 'WDFDEVICE', direction: 'in' }],
      returns: 'NTSTATUS',
      prototypeComplete: true,
      flags: [
        { id: 'must-return-nt-success' },
        { id: 'registered-by', ref: 'WdfDeviceInitSetPnpPowerEventCallbacks' },
        { id: 'called-only-after', ref: 'EvtDeviceSelfManagedIoSuspend' },
        { id: 'not-pageable' },
      ],
      seeAlso: 0,
      ddiCompliance: undefined,
      docsUrl: `${BASE}wdfdevice/nc-wdfdevice-evt_wdf_device_self_managed_io_restart`,
      format: 'rendered',
    });
    assert.equal(p.params[0].description, 'A handle to a framework device object.');
    assert.ok(p.returnText?.startsWith('If the EvtDeviceSelfManagedIoRestart callback function encounters no errors'));
    assert.ok(p.remarks?.startsWith('To register an EvtDeviceSelfManagedIoRestart callback function'));
  });
});
