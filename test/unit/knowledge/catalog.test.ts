import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CATALOG_INPUTS, catalogDifferences, generateCatalog, inputsDigest } from '../../../scripts/catalog-sources';
import { loadEmbeddedCatalog } from '../../../server/src/knowledge/catalog';
import { KnowledgeIndex } from '../../../server/src/knowledge/knowledgeIndex';
import { repoRoot, sharedDir } from '../../support/paths';

describe('embedded catalog', function () {
  this.timeout(120_000);

  it('is up to date with ../sharedDir (run `npm run catalog` when this fails)', async function () {
    const committed = fs.readFileSync(path.join(repoRoot, 'server/catalog/wdf-catalog.json'), 'utf8');
    const recorded = /^ {2}"inputsDigest": "([^"]+)"/m.exec(committed)?.[1];
    assert.ok(recorded, 'the committed catalog records the digest of its inputs');
    const { text } = await generateCatalog(sharedDir);
    if (text === committed) return;
    const d = catalogDifferences(committed, text);
    const summary =
      `added ${d.added.length} (${d.added.slice(0, 5).join(', ')}), removed ${d.removed.length} (${d.removed.slice(0, 5).join(', ')}), ` +
      `changed ${d.changed.length} (${d.changed.slice(0, 5).join(', ')})`;
    if (inputsDigest(sharedDir) !== recorded) {
      // Another copy of the data than the catalog was made from: the committed facts cannot match it,
      // and regenerating here would not be what ships. Say what differs and do not judge.
      console.log(
        `      ../sharedDir is not the data the catalog was generated from (${recorded}); it would change: ${summary}`,
      );
      // What can still be judged: the generator runs on that data and yields a catalog of the same shape.
      const regenerated = JSON.parse(text) as { version: number; entries: { name: string; kind: string }[] };
      assert.equal(regenerated.version, JSON.parse(committed).version);
      assert.ok(
        regenerated.entries.some((e) => e.kind === 'callback') && regenerated.entries.some((e) => e.kind === 'method'),
        'callbacks and methods from that data',
      );
      this.skip();
    }
    assert.fail(
      `server/catalog/wdf-catalog.json is stale for its own inputs (the generator changed): run \`npm run catalog\` and commit it; ${summary}`,
    );
  });

  it('digests its inputs by content and relative path, not by where they lie', () => {
    const make = (files: Record<string, string>) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-digest-'));
      for (const input of CATALOG_INPUTS) fs.mkdirSync(path.join(dir, input), { recursive: true });
      for (const [rel, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, rel), text);
      return dir;
    };
    const a = make({ 'ddi-docs/current/a.md': 'one', 'wdf-signatures/k.json': '{}' });
    const b = make({ 'ddi-docs/current/a.md': 'one', 'wdf-signatures/k.json': '{}' });
    const c = make({ 'ddi-docs/current/a.md': 'one!', 'wdf-signatures/k.json': '{}' });
    const moved = make({ 'ddi-docs/2018/a.md': 'one', 'wdf-signatures/k.json': '{}' });
    assert.equal(inputsDigest(a), inputsDigest(b));
    assert.notEqual(inputsDigest(a), inputsDigest(c));
    assert.notEqual(inputsDigest(a), inputsDigest(moved));
    for (const dir of [a, b, c, moved]) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('names the entries that differ between two catalog texts', () => {
    const text = (lines: string[]) =>
      `{\n  "version": 1,\n  "entries": [\n${lines.map((l) => '    ' + l).join(',\n')}\n  ]\n}\n`;
    const before = text([
      '{"name":"A","kind":"callback"}',
      '{"name":"B","kind":"method"}',
      '{"name":"C","kind":"method"}',
    ]);
    const after = text([
      '{"name":"A","kind":"callback"}',
      '{"name":"B","kind":"macro"}',
      '{"name":"D","kind":"method"}',
    ]);
    assert.deepEqual(catalogDifferences(before, after), {
      added: ['D'],
      removed: ['C'],
      changed: ['B'],
      header: false,
    });
    assert.deepEqual(catalogDifferences(before, before), { added: [], removed: [], changed: [], header: false });
  });

  it('holds no absolute path anywhere, so it does not depend on where ../sharedDir lay', () => {
    const absolute: string[] = [];
    const visit = (value: unknown, where: string): void => {
      if (typeof value === 'string') {
        if (/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(value)) absolute.push(`${where}: ${value}`);
      } else if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${where}[${i}]`));
      else if (value && typeof value === 'object')
        for (const [k, v] of Object.entries(value)) visit(v, `${where}.${k}`);
    };
    const catalog = loadEmbeddedCatalog();
    catalog.entries.forEach((e) => visit(e, e.name));
    assert.deepEqual(absolute.slice(0, 5), []);
    const conflicts = catalog.entries.flatMap((e) => e.conflicts ?? []);
    assert.ok(conflicts.length > 0, 'the catalog keeps conflicts');
    for (const c of conflicts)
      for (const v of c.values) assert.match(v.source, /^(header|[a-z0-9-]+\/n[cfse]-[a-z0-9_-]+\.md)$/, v.source);
  });

  it('holds facts only: no prose fields, flag refs are identifiers', () => {
    const catalog = loadEmbeddedCatalog();
    for (const e of catalog.entries) {
      for (const key of ['text', 'description', 'remarks', 'returnText'])
        assert.ok(!(key in e), `${e.name} has ${key}`);
      for (const f of e.flags)
        if (f.ref !== undefined)
          assert.match(f.ref, /^[A-Za-z_][A-Za-z0-9_]*$/, `${e.name} flag ${f.id} ref "${f.ref}"`);
      for (const s of e.sources)
        assert.ok(!path.isAbsolute(s.replace(/^[a-z-]+:/, '')), `${e.name}: absolute source ${s}`);
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
    assert.deepEqual(
      stop.params.map((p) => `${p.type} ${p.name}`),
      ['WDFQUEUE Queue', 'WDFREQUEST Request', 'ULONG ActionFlags'],
    );
    assert.equal(stop.irql?.max, 'DISPATCH_LEVEL');
    assert.equal(stop.kmdf, '1.0');
    assert.equal(stop.umdf, '2.0');
    assert.deepEqual(stop.frameworks, ['KMDF', 'UMDF']);
    assert.equal(stop.roleName, 'EvtIoStop');
    assert.deepEqual(index.primaryRegistration(stop.name), {
      struct: 'WDF_IO_QUEUE_CONFIG',
      field: 'EvtIoStop',
      method: 'WdfIoQueueCreate',
    });

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
    assert.deepEqual(index.primaryRegistration(start.name), {
      struct: 'WDF_DMA_ENABLER_CONFIG',
      field: 'EvtDmaEnablerSelfManagedIoStart',
      method: 'WdfDmaEnablerCreate',
    });
  });
});

describe('toCatalogEntry', () => {
  it('keeps requirement-table IRQL text and drops a sentence of prose', async () => {
    const { toCatalogEntry } = await import('../../../server/src/knowledge/catalog');
    const base = { name: 'X', kind: 'callback' as const, params: [], frameworks: [], flags: [], sources: [] };
    assert.deepEqual(
      toCatalogEntry({ ...base, irql: { max: 'DISPATCH_LEVEL', text: '<= DISPATCH_LEVEL (see Remarks section)' } })
        .irql,
      {
        max: 'DISPATCH_LEVEL',
        text: '<= DISPATCH_LEVEL (see Remarks section)',
      },
    );
    assert.deepEqual(
      toCatalogEntry({
        ...base,
        irql: {
          exact: 'PASSIVE_LEVEL',
          text: 'Our own sentence that says the routine runs at passive level once the lamp is on.',
        },
      }).irql,
      {
        exact: 'PASSIVE_LEVEL',
      },
    );
  });
});
