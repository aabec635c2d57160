/**
 * The parsers over the real reference pages in ../shared/ddi-docs (current and 2018). Expectations are
 * computed from the raw files independently of the parsers (file-name prefixes, raw front-matter lines),
 * and the figures are printed for the record.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readDocsFolder } from '../../../../server/src/knowledge/docs';
import type { DocPage, SkippedFile } from '../../../../server/src/knowledge/types';
import { sharedDir } from '../../../support/paths';

const ddiDocs = path.join(sharedDir, 'ddi-docs');

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** A front-matter value as the raw file writes it (no YAML parser involved). */
function rawValue(text: string, key: string): string {
  const m = new RegExp(`^${key.replace(/\./g, '\\.')}:[ \\t]*(.*)$`, 'm').exec(text);
  return (m?.[1] ?? '').replace(/["']/g, '').trim();
}

const hasLevel = (p: DocPage) => !!(p.irql && (p.irql.max || p.irql.min || p.irql.exact || p.irql.same));
const pct = (n: number, d: number) => `${n}/${d} (${((100 * n) / Math.max(d, 1)).toFixed(1)} %)`;

for (const set of ['current', '2018']) {
  describe(`docs parsers over ../shared/ddi-docs/${set}`, function () {
    const dir = path.join(ddiDocs, set);
    let pages: DocPage[] = [];
    let skipped: SkippedFile[] = [];
    let ms = 0;

    before(async function () {
      // Reading a whole docs tree takes seconds on a busy machine; the per-test 2 s default is for unit checks.
      this.timeout(60_000);
      assert.ok(fs.existsSync(dir), `${dir} exists (CI has ../shared beside the repository)`);
      const started = performance.now();
      ({ pages, skipped } = await readDocsFolder(dir));
      ms = performance.now() - started;
    });

    it('reads every page without a crash; every skip has a reason and is not an API page', () => {
      const docFiles = walk(dir).filter((f) => /\.(md|txt|html?)$/i.test(f));
      assert.equal(pages.length + skipped.length, docFiles.length);
      for (const s of skipped) {
        assert.ok(s.reason.trim().length > 0, `${s.file} has a reason`);
        assert.doesNotMatch(path.basename(s.file), /^n[cfse]-/, `API page ${s.file} was skipped: ${s.reason}`);
      }
      const reasons: Record<string, number> = {};
      for (const s of skipped) reasons[s.reason] = (reasons[s.reason] ?? 0) + 1;
      const kinds: Record<string, number> = {};
      for (const p of pages) kinds[p.kind] = (kinds[p.kind] ?? 0) + 1;
      console.log(
        `      ${set}: ${pages.length} pages in ${ms.toFixed(0)} ms; by kind ${JSON.stringify(kinds)}; skipped ${JSON.stringify(reasons)}`,
      );
    });

    it('kinds agree with the file names (nc- callback, nf- method or macro, ns- structure, ne- enumeration)', () => {
      const prefix: Record<string, string[]> = {
        callback: ['nc'],
        method: ['nf'],
        macro: ['nf'],
        structure: ['ns'],
        enumeration: ['ne'],
      };
      for (const p of pages) {
        const filePrefix = path.basename(p.location).slice(0, 2);
        assert.ok(prefix[p.kind].includes(filePrefix), `${p.location} is a ${p.kind}`);
        assert.ok(
          p.name && p.docsUrl?.endsWith(path.basename(p.location, '.md').toLowerCase()),
          `${p.location}: name ${p.name}, url ${p.docsUrl}`,
        );
      }
    });

    it('nc-…evt_ pages: name, IRQL and a framework version wherever the raw page states them', () => {
      const evt = pages.filter((p) => /^nc-.*evt_/.test(path.basename(p.location)));
      let statesIrql = 0,
        gotIrql = 0,
        statesVersion = 0,
        gotVersion = 0;
      for (const p of evt) {
        const raw = fs.readFileSync(p.location, 'utf8');
        const irqlRaw = rawValue(raw, 'req.irql');
        const body = raw.slice(raw.indexOf('\n---', 3));
        if (/_LEVEL|same|any/i.test(irqlRaw) || /\bIRQL\s*(?:<=|=|&lt;=)\s*[A-Z]+_LEVEL/.test(body)) {
          statesIrql++;
          if (hasLevel(p)) gotIrql++;
        }
        if (rawValue(raw, 'req.kmdf-ver') || rawValue(raw, 'req.umdf-ver')) {
          statesVersion++;
          if (p.kmdf || p.umdf) gotVersion++;
        }
        assert.match(p.name, /^EVT_[A-Z0-9_]+$/);
      }
      const complete = (list: DocPage[]) => list.filter((p) => p.name && hasLevel(p) && (p.kmdf || p.umdf)).length;
      const wdf = evt.filter((p) => /^wdf/.test(path.basename(path.dirname(p.location))));
      console.log(
        `      ${set}: nc-evt pages ${evt.length}; IRQL where stated ${pct(gotIrql, statesIrql)}; version where stated ${pct(gotVersion, statesVersion)}; ` +
          `name+IRQL+version: all ${pct(complete(evt), evt.length)}, WDF headers ${pct(complete(wdf), wdf.length)}`,
      );
      assert.ok(gotIrql / statesIrql >= 0.99, `IRQL where stated: ${pct(gotIrql, statesIrql)}`);
      assert.equal(gotVersion, statesVersion, 'every stated framework version is read');
      // The few WDF pages that fall short state no IRQL anywhere (see the report).
      assert.ok(complete(wdf) / wdf.length >= 0.97, `WDF nc-evt pages complete: ${pct(complete(wdf), wdf.length)}`);
    });

    it('flags: how many pages yield each (printed), and the anchors the rules rely on', () => {
      const counts: Record<string, number> = {};
      for (const p of pages) for (const id of new Set(p.flags.map((f) => f.id))) counts[id] = (counts[id] ?? 0) + 1;
      console.log(`      ${set}: pages per flag ${JSON.stringify(Object.fromEntries(Object.entries(counts).sort()))}`);
      const byName = new Map(pages.map((p) => [p.name, p]));
      const flagsOf = (name: string) => byName.get(name)?.flags ?? [];
      assert.deepEqual(
        flagsOf('EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART').find((f) => f.id === 'called-only-after'),
        { id: 'called-only-after', ref: 'EvtDeviceSelfManagedIoSuspend' },
      );
      assert.ok(
        flagsOf('EVT_WDF_IO_QUEUE_IO_STOP').some((f) => f.id === 'registered-by' && f.ref === 'WdfIoQueueCreate'),
      );
      assert.ok(flagsOf('EVT_WDF_IO_QUEUE_IO_STOP').some((f) => f.id === 'execution-level-dependent'));
      assert.ok(flagsOf('WdfDmaTransactionStopSystemTransfer').some((f) => f.id === 'system-mode-dma-only'));
      assert.deepEqual(
        flagsOf('WdfIoQueueStopSynchronously')
          .filter((f) => f.id === 'do-not-call-from')
          .map((f) => f.ref),
        ['EvtIoDefault', 'EvtIoDeviceControl', 'EvtIoInternalDeviceControl', 'EvtIoRead', 'EvtIoWrite'],
      );
      for (const id of [
        'not-pageable',
        'must-return-nt-success',
        'registered-by',
        'kmdf-only',
        'umdf-only',
        'requires-dma-v3',
      ]) {
        assert.ok((counts[id] ?? 0) > 0, `some page yields ${id}`);
      }
    });
  });
}
