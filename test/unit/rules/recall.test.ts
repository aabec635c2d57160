// Recall: bugs seeded in driver-style fixtures come out as warnings (or errors) at the function that
// holds them, not as information.
import { strict as assert } from 'node:assert';
import { lint, loadFixture } from '../../support/ruleHarness';

describe('recall: seeded bugs are warnings at the right function', () => {
  before(async function () {
    this.timeout(60000); // the first analysis loads the grammar and the index
    await lint(loadFixture('recall/garnet.c'));
  });

  it('a PASSIVE-only method in a request handler, and PAGED_CODE() in EvtIoStop', async () => {
    const findings = await lint(loadFixture('recall/garnet.c'));
    const serious = findings
      .filter((f) => f.severity === 'warning' || f.severity === 'error')
      .map((f) => `${f.ruleId} ${f.function}`);
    assert.ok(serious.includes('KMDF2001 GarnetEvtIoDeviceControl'), serious.join(', '));
    assert.ok(serious.includes('KMDF2002 GarnetEvtIoStop'), serious.join(', '));
    assert.deepEqual(
      findings.filter((f) => f.function === 'GarnetEvtDeviceAdd').map((f) => f.ruleId),
      [],
      'the correct device add stays quiet',
    );
  });
});

describe('recall: request lifetime, locks and results', () => {
  it('one seeded bug per family, each a warning at the function that holds it', async () => {
    const findings = await lint(loadFixture('recall/cobalt.c'));
    const serious = findings
      .filter((f) => f.severity === 'warning' || f.severity === 'error')
      .map((f) => `${f.ruleId} ${f.function} ${f.span.start.line + 1}`);
    assert.deepEqual(serious, [
      'KMDF3018 CobaltEvtIoWrite 67',
      'KMDF3019 CobaltEvtIoRead 99',
      'KMDF4004 CobaltEvtIoRead 105',
      'KMDF3021 CobaltEvtIoRead 109',
    ]);
    assert.deepEqual(
      findings.filter((f) => f.function === 'CobaltEvtDeviceAdd').map((f) => f.ruleId),
      [],
      'the correct device add stays quiet',
    );
  });
});

describe('recall: role-based DDI misuse', () => {
  it('one seeded bug per kind, each a warning at the function that holds it', async () => {
    const findings = await lint(loadFixture('recall/basalt.c'));
    const serious = findings
      .filter((f) => f.severity === 'warning' || f.severity === 'error')
      .map((f) => `${f.ruleId} ${f.function} ${f.span.start.line + 1}`);
    assert.deepEqual(serious, ['KMDF3030 BasaltEvtIoRead 35', 'KMDF3033 BasaltCreateChild 60']);
    assert.deepEqual(
      findings.filter((f) => f.function === 'BasaltEvtDeviceAdd').map((f) => f.ruleId),
      [],
      'the correct device add stays quiet',
    );
  });
});

describe('recall: send discipline', () => {
  it('one seeded bug per kind, each a warning at the function that holds it', async () => {
    const findings = await lint(loadFixture('recall/osprey.c'));
    const serious = findings
      .filter((f) => f.severity === 'warning' || f.severity === 'error')
      .map((f) => `${f.ruleId} ${f.function} ${f.span.start.line + 1}`);
    assert.deepEqual(serious, [
      'KMDF3023 OspreyEvtIoRead 39',
      'KMDF3024 OspreyEvtIoWrite 49',
      'KMDF3025 OspreyEvtIoDeviceControl 72',
      'KMDF3027 OspreyEvtIoInternalDeviceControl 87',
    ]);
    assert.deepEqual(
      findings.filter((f) => f.function === 'OspreyEvtDeviceAdd').map((f) => f.ruleId),
      [],
      'the correct device add stays quiet',
    );
  });
});

describe('recall: role-based DDI misuse, request types and file objects', () => {
  it('one seeded bug per kind, each a warning at the function that holds it', async () => {
    const findings = await lint(loadFixture('recall/quartz.c'));
    const serious = findings
      .filter((f) => f.severity === 'warning' || f.severity === 'error')
      .map((f) => `${f.ruleId} ${f.function} ${f.span.start.line + 1}`);
    assert.deepEqual(serious, ['KMDF3036 QuartzEvtIoWrite 42', 'KMDF3037 QuartzEvtIoDeviceControl 56']);
    assert.deepEqual(
      findings.filter((f) => f.function === 'QuartzEvtDeviceAdd').map((f) => f.ruleId),
      [],
      'the correct device add stays quiet',
    );
  });
});

describe('recall: object handles after a failed create', () => {
  it('the seeded delete of a never-made buffer is a warning at its function', async () => {
    const findings = await lint(loadFixture('recall/flint.c'));
    const serious = findings
      .filter((f) => f.severity === 'warning' || f.severity === 'error')
      .map((f) => `${f.ruleId} ${f.function} ${f.span.start.line + 1}`);
    assert.deepEqual(serious, ['KMDF3039 FlintEvtIoRead 71']);
    assert.deepEqual(
      findings.filter((f) => f.function === 'FlintEvtDeviceAdd').map((f) => f.ruleId),
      [],
      'the correct device add stays quiet',
    );
  });
});

describe('recall: the IRQL while a lock is held', () => {
  it('the seeded registry read under a spin lock is a warning at its function, naming the lock', async () => {
    const findings = await lint(loadFixture('recall/onyx.c'));
    const serious = findings.filter((f) => f.severity === 'warning' || f.severity === 'error');
    assert.deepEqual(
      serious.map((f) => `${f.ruleId} ${f.function} ${f.span.start.line + 1}`),
      ['KMDF2001 OnyxEvtD0Entry 74'],
    );
    assert.match(serious[0].message, /spin lock taken at line 71 .* is held, at DISPATCH_LEVEL/);
    assert.deepEqual(
      findings.filter((f) => f.function === 'OnyxEvtDeviceAdd' || f.function === 'OnyxEvtIoRead').map((f) => f.ruleId),
      [],
      'the correct device add and read path stay quiet',
    );
  });
});

describe('recall: kernel routines above their IRQL', () => {
  it('the seeded registry write from a timer is a warning at its function', async () => {
    const findings = await lint(loadFixture('recall/jade.c'));
    const serious = findings.filter((f) => f.severity === 'warning' || f.severity === 'error');
    assert.deepEqual(
      serious.map((f) => `${f.ruleId} ${f.function} ${f.span.start.line + 1}`),
      ['KMDF2001 JadeEvtWatchdog 84'],
    );
    assert.match(
      serious[0].message,
      /^ZwSetValueKey must be called at IRQL ≤ PASSIVE_LEVEL, but JadeEvtWatchdog runs at DISPATCH_LEVEL/,
    );
    assert.deepEqual(
      findings.filter((f) => f.function === 'JadeEvtDeviceAdd' || f.function === 'JadeEvtDpc').map((f) => f.ruleId),
      [],
      'the device add and the polling DPC stay quiet',
    );
  });
});

describe('recall: IRQL raise and lower', () => {
  it('the seeded DPC-level acquire at PASSIVE_LEVEL is a warning at its function', async () => {
    const findings = await lint(loadFixture('recall/agate.c'));
    const serious = findings.filter((f) => f.severity === 'warning' || f.severity === 'error');
    assert.deepEqual(
      serious.map((f) => `${f.ruleId} ${f.function} ${f.span.start.line + 1}`),
      ['KMDF2010 AgateEvtD0Exit 71'],
    );
    assert.deepEqual(
      findings.filter((f) => f.function === 'AgateEvtDeviceAdd' || f.function === 'AgateEvtDpc').map((f) => f.ruleId),
      [],
      'the device add and the DPC stay quiet',
    );
  });
});

describe('recall: across one call', () => {
  it('a request finished by a helper and an init structure a helper drops are warnings at the right function', async () => {
    const findings = await lint(loadFixture('recall/mica.c'));
    const serious = findings.filter((f) => f.severity === 'warning' || f.severity === 'error');
    assert.deepEqual(
      serious.map((f) => `${f.ruleId} ${f.function} ${f.span.start.line + 1}`),
      ['KMDF3033 MicaFinishControl 45', 'KMDF3021 MicaEvtIoWrite 115'],
    );
    assert.deepEqual(
      findings
        .filter((f) => ['MicaEvtDeviceAdd', 'MicaEvtIoRead', 'MicaCreateControl'].includes(f.function ?? ''))
        .map((f) => f.ruleId),
      [],
      'the device add, the read path and the allocating caller stay quiet',
    );
  });
});
