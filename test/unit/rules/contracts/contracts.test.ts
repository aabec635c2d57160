/**
 * The callback-contract rules (KMDF3xxx) over their fixture drivers: each rule fires exactly where a
 * fixture says `// expect: KMDF3xxx` and nowhere in the correct-pattern fixtures; messages name the
 * functions involved; quick fixes, applied and re-analysed, make the finding go away.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { contractRules } from '../../../../server/src/rules/contracts';
import type { Finding, Rule } from '../../../../server/src/rules/types';
import {
  analyzeDriver,
  applyEdits,
  expectedMarkers,
  fixturesDir,
  foundAt,
  KMDF_NEWEST,
  loadDriver,
  runRules,
} from '../../../support/ruleHarness';
import { testIndexWith } from '../../../support/testIndex';
import { repoRoot } from '../../../support/paths';

const ruleById = (id: string): Rule => {
  const rule = contractRules.find((r) => r.meta.id === id);
  assert.ok(rule, `rule ${id} is listed in contractRules`);
  return rule;
};

const contractsDir = path.join(fixturesDir, 'contracts');

async function findingsOf(
  id: string,
  fixture: string,
  options: Parameters<typeof runRules>[2] = {},
): Promise<Finding[]> {
  return runRules([ruleById(id)], await loadDriver(`contracts/${id}/${fixture}`, options.index), options);
}

/** Apply the first fix of the only finding in a single-file fixture, re-analyse, and return the new text and findings. */
async function applyFirstFix(
  id: string,
  fixture: string,
): Promise<{ text: string; after: Finding[]; before: Finding[] }> {
  const driver = await loadDriver(`contracts/${id}/${fixture}`);
  const before = runRules([ruleById(id)], driver);
  const fix = before[0]?.fixes?.[0];
  assert.ok(fix, `${id} offers a fix`);
  const [uri, text] = [...driver.texts][0];
  assert.ok(fix.edits.every((e) => e.uri === uri));
  const fixed = applyEdits(text, fix.edits);
  const after = runRules([ruleById(id)], await analyzeDriver({ [uri]: fixed }));
  return { text: fixed, after, before };
}

describe('contract rules: metadata', () => {
  it('has ids KMDF3001… in order, unique kebab names, a page and documentation for each', () => {
    assert.deepEqual(
      contractRules.map((r) => r.meta.id),
      // KMDF3007 is retired (RETIRED_RULES): its id stays unused.
      Array.from({ length: contractRules.length + 1 }, (_, i) => `KMDF${3001 + i}`).filter((id) => id !== 'KMDF3007'),
    );
    assert.equal(new Set(contractRules.map((r) => r.meta.name)).size, contractRules.length);
    for (const { meta } of contractRules) {
      assert.match(meta.name, /^[a-z0-9]+(-[a-z0-9]+)+$/, meta.id);
      assert.equal(meta.helpPage, `docs/rules/${meta.id}.md`);
      assert.ok(fs.existsSync(path.join(repoRoot, meta.helpPage)), `${meta.helpPage} exists`);
      assert.ok(
        meta.documentation.some((d) => d.url?.startsWith('https://learn.microsoft.com/windows-hardware/drivers/ddi/')),
        `${meta.id} cites a DDI page`,
      );
    }
  });

  it('has a triggering and a correct fixture for every rule', () => {
    for (const { meta } of contractRules) {
      const names = fs.readdirSync(path.join(contractsDir, meta.id));
      assert.ok(names.includes('bad.c'), `${meta.id}/bad.c`);
      assert.ok(
        names.some((n) => n.startsWith('good')),
        `${meta.id}/good*`,
      );
    }
  });
});

describe('contract rules: fixtures', () => {
  for (const { meta } of contractRules) {
    for (const fixture of fs.readdirSync(path.join(contractsDir, meta.id)).sort()) {
      it(`${meta.id} ${meta.name}: ${fixture}`, async () => {
        const driver = await loadDriver(`contracts/${meta.id}/${fixture}`);
        const expected = expectedMarkers(driver, meta.id);
        if (fixture.startsWith('bad')) assert.ok(expected.length > 0, 'a bad fixture expects findings');
        else assert.equal(expected.length, 0, 'a good fixture expects none');
        assert.deepEqual(foundAt(runRules([ruleById(meta.id)], driver)), expected);
      });
    }
  }

  it('no contract rule fires on any correct-pattern fixture', async () => {
    for (const { meta } of contractRules) {
      for (const fixture of fs.readdirSync(path.join(contractsDir, meta.id)).filter((n) => n.startsWith('good'))) {
        const findings = runRules(contractRules, await loadDriver(`contracts/${meta.id}/${fixture}`));
        assert.deepEqual(foundAt(findings), [], `${meta.id}/${fixture}`);
      }
    }
  });
});

describe('contract rules: messages, severities, related locations', () => {
  it('KMDF3001 explains the quick-completion choice and its 0x9F risk, and points at the registration', async () => {
    const [f] = await findingsOf('KMDF3001', 'bad.c');
    assert.equal(f.function, 'LampEvtIoStop');
    assert.equal(f.severity, 'warning');
    assert.match(
      f.message,
      /^EvtIoStop callback LampEvtIoStop never completes, requeues, acknowledges \(WdfRequestStopAcknowledge\) or cancels/,
    );
    assert.match(f.message, /finish quickly/);
    assert.match(f.message, /bug check 0x9F/);
    assert.equal(f.related?.length, 1);
    assert.equal(f.related?.[0].message, 'LampEvtIoStop is registered as EvtIoStop here');
    assert.equal(f.related?.[0].span.start.line, 18);
  });

  it('KMDF3002 names the later handling call', async () => {
    const [f] = await findingsOf('KMDF3002', 'bad.c');
    assert.match(f.message, /later code \(WdfRequestStopAcknowledge\)/);
    assert.equal(f.related?.[0].span.start.line, 16);
  });

  it('KMDF3003 names the acknowledging call and where requests are marked cancelable', async () => {
    const [f] = await findingsOf('KMDF3003', 'bad.c');
    assert.match(f.message, /LampEvtIoStop calls WdfRequestStopAcknowledge but never WdfRequestUnmarkCancelable/);
    assert.match(f.message, /WdfRequestMarkCancelableEx in LampEvtIoRead/);
    assert.deepEqual(
      f.related?.map((r) => r.span.start.line),
      [12],
    );
  });

  it('KMDF3004 says which callback the helper is reached from', async () => {
    const findings = await findingsOf('KMDF3004', 'bad.c');
    assert.equal(findings.length, 2);
    assert.match(findings[0].message, /from LampEvtIoRead, which is an EvtIoRead callback/);
    assert.match(
      findings[1].message,
      /from LampParkLater, which is reached only from LampEvtTimer \(EvtTimerFunc\) via LampEvtTimer → LampParkLater/,
    );
    assert.equal(findings[0].severity, 'error');
  });

  it('KMDF3006 is a warning for EvtIoResume and information for EvtIoStop', async () => {
    const findings = await findingsOf('KMDF3006', 'bad.c');
    assert.deepEqual(
      findings.map((f) => [f.severity, f.span.start.line]),
      [
        ['info', 12],
        ['warning', 13],
      ],
    );
    assert.ok(findings.every((f) => f.related?.[0].span.start.line === 11));
  });

  it('KMDF3009 uses the KMDF version from the index and the target', async () => {
    const old = await findingsOf('KMDF3009', 'good.c', {
      target: { framework: 'KMDF', kmdfVersion: '1.9', source: 'settings' },
    });
    assert.equal(old.length, 1);
    assert.equal(
      old[0].message,
      'WdfDmaTransactionStopSystemTransfer needs KMDF 1.11, but this driver targets KMDF 1.9 (settings).',
    );
    assert.deepEqual(
      await findingsOf('KMDF3009', 'good.c', {
        target: { framework: 'KMDF', kmdfVersion: '1.11', source: 'settings' },
      }),
      [],
    );
    const index = testIndexWith({ WdfDmaTransactionStopSystemTransfer: { kmdf: '1.13' } });
    const newer = await findingsOf('KMDF3009', 'good.c', { index, target: { ...KMDF_NEWEST, kmdfVersion: '1.11' } });
    assert.match(newer[0].message, /needs KMDF 1\.13, but this driver targets KMDF 1\.11/);
    const [busMaster] = await findingsOf('KMDF3009', 'bad.c');
    assert.match(busMaster.message, /bus-master profile \(WdfDmaProfilePacket64\)/);
  });

  it('KMDF3011 reports the helper and the init call inside it', async () => {
    const findings = await findingsOf('KMDF3011', 'bad.c');
    assert.equal(
      findings[1].message.startsWith(
        'LampEvtDeviceAdd passes DeviceInit to LampSetIoType after WdfDeviceCreate, and LampSetIoType calls WdfDeviceInitSetIoType on it.',
      ),
      true,
    );
    assert.deepEqual(
      findings[1].related?.map((r) => r.span.start.line),
      [16, 6],
    );
  });

  it("KMDF3014 and KMDF3017 find the same paths from the analysis model's own branch outline as from the test markers", async () => {
    for (const id of ['KMDF3014', 'KMDF3017']) {
      const file = path.join(contractsDir, id, 'bad.c');
      const text = fs.readFileSync(file, 'utf8').replace(/@branch/g, '@nobranch');
      const driver = await analyzeDriver({ [`file:///${id}.c`]: text });
      const found = foundAt(runRules([ruleById(id)], driver));
      assert.ok(found.length > 0, id);
      assert.deepEqual(found, expectedMarkers(driver), id);
    }
  });
});

describe('contract rules: quick fixes', () => {
  it('KMDF3005 requeues instead, and the finding goes away', async () => {
    const { text, after } = await applyFirstFix('KMDF3005', 'bad.c');
    assert.match(text, /WdfRequestStopAcknowledge\(Request, TRUE\);/);
    assert.deepEqual(after, []);
  });

  it('KMDF3010 requests DMA version 3 after the config init, with its indentation', async () => {
    const { text, after } = await applyFirstFix('KMDF3010', 'bad.c');
    assert.match(
      text,
      /WDF_DMA_ENABLER_CONFIG_INIT\(&dmaConfig, WdfDmaProfileScatterGather64, 0x10000\);\n {4}dmaConfig\.WdmDmaVersionOverride = 3;\n/,
    );
    assert.deepEqual(after, []);
  });

  it('KMDF3011 moves the init call before WdfDeviceCreate', async () => {
    const { text, before, after } = await applyFirstFix('KMDF3011', 'bad.c');
    assert.equal(before.length, 2);
    assert.match(
      text,
      / {4}WdfDeviceInitSetExclusive\(DeviceInit, TRUE\); \/\/ expect: KMDF3011\n {4}status = WdfDeviceCreate/,
    );
    // The helper call is still late (its own finding, fixed separately).
    assert.deepEqual(
      after.map((f) => f.message.split(' ').slice(0, 4).join(' ')),
      ['LampEvtDeviceAdd passes DeviceInit to'],
    );
  });

  it('KMDF3015 switches to the asynchronous method', async () => {
    const driver = await loadDriver('contracts/KMDF3015/bad.c');
    const findings = runRules([ruleById('KMDF3015')], driver);
    const [uri, text] = [...driver.texts][0];
    const fixed = applyEdits(
      text,
      findings.flatMap((f) => f.fixes![0].edits),
    );
    assert.match(fixed, /WdfIoQueuePurge\(Context->PendingQueue, NULL, NULL\);/);
    assert.match(fixed, /WdfIoQueueStop\(context->PendingQueue, NULL, NULL\);/);
    assert.deepEqual(runRules([ruleById('KMDF3015')], await analyzeDriver({ [uri]: fixed })), []);
  });
});

describe('contract rules: examples/violations-contracts.c', () => {
  it('shows every rule of the family at least once', async () => {
    const file = path.join(repoRoot, 'examples/violations-contracts.c');
    const driver = await analyzeDriver({ 'file:///examples/violations-contracts.c': fs.readFileSync(file, 'utf8') });
    const ids = [...new Set(runRules(contractRules, driver).map((f) => f.ruleId))].sort();
    const expected = contractRules.map((r) => r.meta.id).sort();
    assert.deepEqual(ids, expected);
  });
});

describe('contract rules: the example drivers of the repository', () => {
  it('finds nothing in examples/echo-dma (system-mode DMA, stop routine that halts the transfer)', async () => {
    const dir = path.join(repoRoot, 'examples/echo-dma');
    const files: Record<string, string> = {};
    for (const f of fs.readdirSync(dir).filter((n) => /\.[ch]$/.test(n)))
      files[`file:///echo-dma/${f}`] = fs.readFileSync(path.join(dir, f), 'utf8');
    assert.deepEqual(foundAt(runRules(contractRules, await analyzeDriver(files))), []);
  });
});
