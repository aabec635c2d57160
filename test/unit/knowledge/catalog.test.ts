import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateCatalog } from '../../../scripts/catalog-sources';
import { loadEmbeddedCatalog } from '../../../server/src/knowledge/catalog';
import { KnowledgeIndex } from '../../../server/src/knowledge/knowledgeIndex';

const root = path.resolve(__dirname, '../../..');
const shared = path.resolve(root, '../shared');

describe('embedded catalog', function () {
  this.timeout(120_000);

  it('is up to date with ../shared (run `npm run catalog` when this fails)', async () => {
    const { text } = await generateCatalog(shared);
    const committed = fs.readFileSync(path.join(root, 'server/catalog/wdf-catalog.json'), 'utf8');
    assert.ok(committed === text, 'server/catalog/wdf-catalog.json is stale: run `npm run catalog` and commit it');
  });

  it('holds facts only: no prose fields, flag refs are identifiers', () => {
    const catalog = loadEmbeddedCatalog();
    for (const e of catalog.entries) {
      for (const key of ['text', 'description', 'remarks', 'returnText']) assert.ok(!(key in e), `${e.name} has ${key}`);
      for (const f of e.flags) if (f.ref !== undefined) assert.match(f.ref, /^[A-Za-z_][A-Za-z0-9_]*$/, `${e.name} flag ${f.id} ref "${f.ref}"`);
      for (const s of e.sources) assert.ok(!path.isAbsolute(s.replace(/^[a-z-]+:/, '')), `${e.name}: absolute source ${s}`);
    }
  });

  it('holds at least 400 callback types and 600 methods, with the seed facts right', () => {
    const index = KnowledgeIndex.fromCatalog();
    const counts = index.counts();
    assert.ok(counts.callbacks >= 400, `callbacks: ${counts.callbacks}`);
    assert.ok(counts.methods >= 600, `methods: ${counts.methods}`);

    const stop = index.get('EVT_WDF_IO_QUEUE_IO_STOP')!;
    assert.equal(stop.kind, 'callback');
    assert.equal(stop.header, 'wdfio.h');
    assert.equal(stop.returns, 'VOID');
    assert.deepEqual(stop.params.map((p) => `${p.type} ${p.name}`), ['WDFQUEUE Queue', 'WDFREQUEST Request', 'ULONG ActionFlags']);
    assert.equal(stop.irql?.max, 'DISPATCH_LEVEL');
    assert.equal(stop.kmdf, '1.0');
    assert.equal(stop.umdf, '2.0');
    assert.deepEqual(stop.frameworks, ['KMDF', 'UMDF']);
    assert.equal(stop.roleName, 'EvtIoStop');
    assert.deepEqual(index.primaryRegistration(stop.name), { struct: 'WDF_IO_QUEUE_CONFIG', field: 'EvtIoStop', method: 'WdfIoQueueCreate' });

    const restart = index.get('EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART')!;
    assert.equal(restart.returns, 'NTSTATUS');
    assert.ok(restart.flags.some((f) => f.id === 'not-pageable'));
    assert.ok(restart.flags.some((f) => f.id === 'called-only-after' && f.ref === 'EvtDeviceSelfManagedIoSuspend'));

    const stopSystem = index.get('WdfDmaTransactionStopSystemTransfer')!;
    assert.equal(stopSystem.kind, 'method');
    assert.equal(stopSystem.kmdf, '1.11');
    assert.equal(stopSystem.umdf, undefined);
    assert.deepEqual(stopSystem.frameworks, ['KMDF']);
    assert.equal(stopSystem.minWindows, 'Windows 8');
    assert.deepEqual(stopSystem.ddiCompliance, ['DriverCreate']);

    const start = index.get('EVT_WDF_DMA_ENABLER_SELFMANAGED_IO_START')!;
    assert.deepEqual(start.frameworks, ['KMDF']);
    assert.equal(start.irql?.exact ?? start.irql?.max, 'PASSIVE_LEVEL');
    assert.deepEqual(index.primaryRegistration(start.name), { struct: 'WDF_DMA_ENABLER_CONFIG', field: 'EvtDmaEnablerSelfManagedIoStart', method: 'WdfDmaEnablerCreate' });
  });
});

describe('toCatalogEntry', () => {
  it('keeps requirement-table IRQL text and drops a sentence of prose', async () => {
    const { toCatalogEntry } = await import('../../../server/src/knowledge/catalog');
    const base = { name: 'X', kind: 'callback' as const, params: [], frameworks: [], flags: [], sources: [] };
    assert.deepEqual(toCatalogEntry({ ...base, irql: { max: 'DISPATCH_LEVEL', text: '<= DISPATCH_LEVEL (see Remarks section)' } }).irql, {
      max: 'DISPATCH_LEVEL',
      text: '<= DISPATCH_LEVEL (see Remarks section)',
    });
    assert.deepEqual(toCatalogEntry({ ...base, irql: { exact: 'PASSIVE_LEVEL', text: 'Our own sentence that says the routine runs at passive level once the lamp is on.' } }).irql, {
      exact: 'PASSIVE_LEVEL',
    });
  });
});
