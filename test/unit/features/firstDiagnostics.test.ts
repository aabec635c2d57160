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
import type { ScanFirst } from '../../../server/src/session/documents';
import { repoRoot } from '../../support/paths';

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

  it("checks a document as soon as the scan has read its project's files, before the rest of the workspace", async () => {
    const projectsDir = path.join(repoRoot, 'test/fixtures/projects');
    const ferry = pathToFileURL(path.join(projectsDir, 'ferry/drv/device.c')).href;
    const ferryText = fs.readFileSync(path.join(projectsDir, 'ferry/drv/device.c'), 'utf8');
    const gauge = pathToFileURL(path.join(projectsDir, 'gauge/driver/driver.c')).href;
    const gaugeText = fs.readFileSync(path.join(projectsDir, 'gauge/driver/driver.c'), 'utf8');
    const s = diagnosticsServer(projectsDir);
    // The scan stops after the files of the open documents' projects until the test lets it go on.
    const analyzer = s.session.fileAnalyzer;
    const scanAll = analyzer.scan.bind(analyzer);
    let readFirst = false;
    let goOn!: () => void;
    const gate = new Promise<void>((resolve) => (goOn = resolve));
    analyzer.scan = (folders, pause, first?: ScanFirst) =>
      scanAll(
        folders,
        async () => {
          await pause?.();
          if (readFirst) await gate;
        },
        first && {
          uris: () => first.uris(),
          analysed: (models, ready) => {
            readFirst = true;
            first.analysed(models, ready);
          },
        },
      );
    s.documents.didOpen(ferry, ferryText, 1, 'c');
    const ferryPublished = s.nextPublish();
    const scan = s.documents.scan([projectsDir]);
    s.diagnostics.holdUntil(scan);
    const early = await ferryPublished;
    assert.equal(early.uri, ferry);
    assert.ok(readFirst, 'published once the first part was read');
    assert.equal(s.session.workspace.get(gauge), undefined, 'the other projects are not read yet');
    // A document opened after the scan began waits for its end.
    s.documents.didOpen(gauge, gaugeText, 1, 'c');
    await s.documents.current(gauge);
    assert.equal(await s.diagnostics.check(gauge), undefined);
    assert.ok(!s.published.some((p) => p.uri === gauge));
    const gaugePublished = new Promise<void>((resolve) => {
      const wait = () => void s.nextPublish().then((p) => (p.uri === gauge ? resolve() : wait()));
      wait();
    });
    goOn();
    await scan;
    await gaugePublished;

    // Exactly what a session that had read the whole workspace before the open shows.
    const reference = diagnosticsServer(projectsDir);
    await reference.documents.scan([projectsDir]);
    reference.documents.didOpen(ferry, ferryText, 1, 'c');
    const referencePublished = await reference.nextPublish();
    assert.deepEqual(early.diagnostics, referencePublished.diagnostics);
    // Which is not what the file alone gives (its role-type declarations are in ferry.h).
    const alone = diagnosticsServer(projectsDir);
    alone.documents.didOpen(ferry, ferryText, 1, 'c');
    await alone.documents.current(ferry);
    const aloneFindings = ((await alone.runRules([ferry], defaultSettings)) ?? []).map((f) => f.ruleId);
    assert.ok(aloneFindings.includes('KMDF1005'), `alone: ${aloneFindings.join(', ')}`);
    for (const server of [s, reference, alone]) server.diagnostics.dispose();
  });
});
