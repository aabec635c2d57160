/**
 * Diagnostics of a document opened before the start-up scan (issue 10 §2, first diagnostics): the
 * check of the document alone would report what the project-aware check withdraws (declarations in
 * its header, definitions in other files), so nothing is published until the scan is in, and what is
 * published then is exactly the project-aware check's.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultSettings } from '../../../shared/settings';
import { diagnosticsServer } from '../../support/diagnosticsServer';
import { lampDir } from './lampContext';

const server = () => diagnosticsServer(lampDir);

const codes = (p: { diagnostics: { code?: unknown; range: { start: { line: number } } }[] }) =>
  p.diagnostics.map((d) => `${String(d.code)}@${d.range.start.line}`).sort();

describe('diagnostics of a document opened before the workspace scan', () => {
  const file = path.join(lampDir, 'driver.c');
  const uri = pathToFileURL(file).href;
  const text = fs.readFileSync(file, 'utf8');

  it('the document alone would show findings that the project-aware check withdraws', async () => {
    const alone = server();
    alone.documents.didOpen(uri, text, 1, 'c');
    await alone.documents.current(uri);
    const before = ((await alone.runRules([uri], defaultSettings)) ?? []).map((f) => f.ruleId);
    const scanned = server();
    await scanned.documents.scan([lampDir]);
    scanned.documents.didOpen(uri, text, 1, 'c');
    await scanned.documents.current(uri);
    const after = ((await scanned.runRules([uri], defaultSettings)) ?? []).map((f) => f.ruleId);
    // DriverEntry's DRIVER_INITIALIZE declaration is in driver.h, which only the scan reads.
    assert.ok(before.includes('KMDF1005'), `alone: ${before.join(', ')}`);
    assert.ok(!after.includes('KMDF1005'), `with the project: ${after.join(', ')}`);
    alone.diagnostics.dispose();
    scanned.diagnostics.dispose();
  });

  it('publishes nothing while the scan runs, then exactly the project-aware findings', async () => {
    const s = server();
    let releaseScan!: () => void;
    const gate = new Promise<void>((resolve) => (releaseScan = resolve));
    const scan = gate.then(() => s.documents.scan([lampDir]));
    s.diagnostics.holdUntil(scan);
    s.documents.didOpen(uri, text, 1, 'c');
    await s.documents.current(uri);
    assert.equal(await s.diagnostics.check(uri), undefined, 'a check during the scan publishes nothing');
    assert.equal(s.published.length, 0);
    const published = s.nextPublish();
    releaseScan();
    await published;
    assert.equal(s.published.length, 1);
    // The same findings as a session that had scanned before the document was opened.
    const reference = server();
    await reference.documents.scan([lampDir]);
    reference.documents.didOpen(uri, text, 1, 'c');
    const referencePublished = reference.nextPublish();
    await referencePublished;
    assert.deepEqual(s.published[0].diagnostics, reference.published[0].diagnostics);
    assert.ok(!codes(s.published[0]).some((c) => c.startsWith('KMDF1005')));
    s.diagnostics.dispose();
    reference.diagnostics.dispose();
  });
});
