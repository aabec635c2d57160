// `kmdf lint` and `kmdf callbacks` in process (the same code the bundle runs), on a driver written to a
// temporary folder with a .vcxproj and a .kmdf.json: output formats, exit codes, argument errors, SARIF
// validated against the SARIF 2.1.0 schema.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';
import { listCallbacks } from '../../../server/src/cli/callbacksCommand';
import { runLint, type LintOptions } from '../../../server/src/cli/lintCommand';
import { UsageError } from '../../../server/src/cli/usage';
import { analyzeDriver } from '../../../server/src/session/treeAnalysis';
import { fixturesDir } from '../../support/ruleHarness';
import { testIndex } from '../../support/testIndex';
import { repoRoot } from '../../support/paths';

const defaults: LintOptions = { format: 'text', headers: [], docs: [], rule: [], failOn: 'error' };

async function lintIn(dir: string, paths: string[], options: Partial<LintOptions> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runLint(
    paths,
    { ...defaults, ...options },
    { out: (s) => (stdout += s), err: (s) => (stderr += s), index: testIndex(), cwd: dir },
  );
  return { code, stdout, stderr };
}

const VCXPROJ_KMDF_1_9 = `<?xml version="1.0" encoding="utf-8"?>
<Project DefaultTargets="Build" ToolsVersion="12.0" xmlns="http://schemas.microsoft.com/developer/msbuild/2003">
  <PropertyGroup Label="Configuration">
    <DriverType>KMDF</DriverType>
    <KMDF_VERSION_MAJOR>1</KMDF_VERSION_MAJOR>
    <KMDF_VERSION_MINOR>9</KMDF_VERSION_MINOR>
  </PropertyGroup>
</Project>
`;

describe('kmdf lint', function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-lint-'));
    fs.mkdirSync(path.join(dir, 'opal'));
    fs.copyFileSync(path.join(fixturesDir, 'KMDF2001/bad.c'), path.join(dir, 'opal/opal.c'));
    fs.copyFileSync(path.join(fixturesDir, 'KMDF4001/bad.c'), path.join(dir, 'opal/agate.c'));
    fs.writeFileSync(path.join(dir, 'opal/opal.vcxproj'), VCXPROJ_KMDF_1_9);
    fs.writeFileSync(path.join(dir, 'opal/.kmdf.json'), JSON.stringify({ rules: { KMDF1007: 'off' } }));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not C');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints file:line:col: severity: message [RULE], sorted, with the target from the .vcxproj', async () => {
    const r = await lintIn(dir, [path.join(dir, 'opal')]);
    assert.equal(r.code, 0, 'warnings and infos do not reach the default --fail-on error');
    const lines = r.stdout.trimEnd().split('\n');
    assert.deepEqual(
      lines.map((l) => l.replace(/: (error|warning|info|hint): .* \[(KMDF\d+)\]$/, ' $1 $2')),
      [
        `${path.join('opal', 'agate.c')}:13:5 warning KMDF4001`,
        `${path.join('opal', 'opal.c')}:54:12 warning KMDF2001`,
        `${path.join('opal', 'opal.c')}:67:15 warning KMDF2001`,
        `${path.join('opal', 'opal.c')}:79:11 warning KMDF2001`,
        `${path.join('opal', 'opal.c')}:80:11 warning KMDF2001`,
        `${path.join('opal', 'opal.c')}:90:11 warning KMDF2001`,
      ],
    );
    assert.equal(
      lines[0],
      `${path.join('opal', 'agate.c')}:13:5: warning: WdfDeviceInitSetIoTypeEx needs KMDF 1.13, but the driver targets KMDF 1.9 (from ${path.join(dir, 'opal', 'opal.vcxproj')}). [KMDF4001]`,
    );
    assert.match(r.stderr, /^kmdf: 2 files, 6 warnings \(\d+ ms\)\n$/);
  });

  it('--fail-on warning exits 1; --rule switches a rule off or raises it', async () => {
    assert.equal((await lintIn(dir, [path.join(dir, 'opal')], { failOn: 'warning' })).code, 1);
    const off = await lintIn(dir, [path.join(dir, 'opal')], {
      failOn: 'warning',
      rule: ['KMDF2001=off', 'KMDF4001=off'],
    });
    assert.equal(off.code, 0);
    assert.equal(off.stdout, '');
    const raised = await lintIn(dir, [path.join(dir, 'opal')], { rule: ['KMDF4001=error'] });
    assert.equal(raised.code, 1);
    assert.match(raised.stdout, /agate\.c:13:5: error: .* \[KMDF4001\]/);
  });

  it('--kmdf-version overrides the project', async () => {
    const r = await lintIn(dir, [path.join(dir, 'opal')], { kmdfVersion: '1.15' });
    assert.doesNotMatch(r.stdout, /KMDF4001/);
  });

  it('prints JSON in the public shape, 1-based, with the enclosing function', async () => {
    const r = await lintIn(dir, [path.join(dir, 'opal/opal.c')], { format: 'json' });
    const findings = JSON.parse(r.stdout);
    assert.equal(findings.length, 5);
    assert.deepEqual(findings[1], {
      file: path.join('opal', 'opal.c'),
      line: 67,
      column: 15,
      endLine: 67,
      endColumn: 36,
      severity: 'warning',
      ruleId: 'KMDF2001',
      message:
        'WdfRegistryQueryULong must be called at IRQL ≤ PASSIVE_LEVEL, but it is called while the spin lock taken at line 64 (WdfSpinLockAcquire(context->Lock)) is held, at DISPATCH_LEVEL.',
      function: 'OpalEvtIoDeviceControl',
    });
  });

  it('prints SARIF 2.1.0 that validates against the schema, with rule metadata and the rule pages as help', async () => {
    const r = await lintIn(dir, [path.join(dir, 'opal')], { format: 'sarif' });
    const log = JSON.parse(r.stdout) as { version: string; runs: any[] }; // eslint-disable-line @typescript-eslint/no-explicit-any
    const schema = JSON.parse(
      fs.readFileSync(
        path.join(repoRoot, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'),
        'utf8',
      ),
    );
    // The schema's language-tag pattern is not valid with the `u` flag Ajv uses by default.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    const valid: boolean = validate(structuredClone(log));
    assert.ok(valid, JSON.stringify(validate.errors, null, 1));
    const run = log.runs[0];
    assert.equal(log.version, '2.1.0');
    assert.equal(run.tool.driver.name, 'kmdf');
    const rule = run.tool.driver.rules.find((x: { id: string }) => x.id === 'KMDF2001');
    // The rule page's own text travels in the log; no link to a web address the project does not have.
    assert.equal(rule.helpUri, undefined);
    assert.equal(rule.help.markdown, fs.readFileSync(path.join(repoRoot, 'docs/rules/KMDF2001.md'), 'utf8'));
    // Every rule of the log carries its own page, none a link.
    for (const r of run.tool.driver.rules as { id: string; helpUri?: string; help: { markdown: string } }[]) {
      assert.equal(r.helpUri, undefined, r.id);
      assert.equal(r.help.markdown, fs.readFileSync(path.join(repoRoot, `docs/rules/${r.id}.md`), 'utf8'), r.id);
    }
    assert.ok(run.tool.driver.rules.length >= 50, `${run.tool.driver.rules.length} rules in the log`);
    assert.match(rule.help.text, /^Call to a function above its maximum IRQL\./);
    assert.equal(run.tool.driver.informationUri, undefined);
    assert.equal(rule.shortDescription.text, 'Call to a function above its maximum IRQL');
    assert.equal(rule.defaultConfiguration.level, 'warning');
    assert.equal(run.results.length, 6);
    const result = run.results.find(
      (x: { ruleId: string; locations: { physicalLocation: { region: { startLine: number } } }[] }) =>
        x.ruleId === 'KMDF2001' && x.locations[0].physicalLocation.region.startLine === 54,
    );
    assert.equal(result.level, 'warning');
    assert.equal(run.tool.driver.rules[result.ruleIndex].id, 'KMDF2001');
    assert.deepEqual(result.locations[0].physicalLocation.artifactLocation, {
      uri: 'opal/opal.c',
      uriBaseId: 'SRCROOT',
    });
    assert.deepEqual(result.locations[0].physicalLocation.region, {
      startLine: 54,
      startColumn: 12,
      endLine: 54,
      endColumn: 45,
    });
    assert.deepEqual(result.locations[0].logicalLocations, [{ name: 'OpalForward', kind: 'function' }]);
    // The chain: the callback, its call of the helper, and where it is registered.
    assert.deepEqual(
      result.relatedLocations.map((x: { message: { text: string } }) => x.message.text),
      [
        'OpalEvtIoDeviceControl runs at up to DISPATCH_LEVEL',
        'OpalEvtIoDeviceControl calls OpalForward',
        'OpalEvtIoDeviceControl is registered here',
      ],
    );
    // The SDV rules of the method are linked from the finding.
    assert.ok(
      result.properties.references.some(
        (ref: { title: string }) => ref.title === 'Static Driver Verifier rule KmdfIrql',
      ),
    );
  });

  it('SARIF carries quick fixes as fixes with replacements', async () => {
    const fixDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-fix-'));
    try {
      fs.copyFileSync(path.join(fixturesDir, 'KMDF2006/bad.c'), path.join(fixDir, 'onyx.c'));
      const log = JSON.parse((await lintIn(fixDir, [fixDir], { format: 'sarif' })).stdout);
      const result = log.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'KMDF2006');
      assert.deepEqual(result.fixes[0].description, { text: 'Pass Wait = FALSE' });
      assert.deepEqual(result.fixes[0].artifactChanges[0].replacements[0].insertedContent, { text: 'FALSE' });
      assert.equal(result.fixes[0].artifactChanges[0].replacements[0].deletedRegion.startLine, 19);
    } finally {
      fs.rmSync(fixDir, { recursive: true, force: true });
    }
  });

  it('rejects bad arguments and unreadable paths with a UsageError (exit 2)', async () => {
    const cases: [string[], Partial<LintOptions>, RegExp][] = [
      [[dir], { format: 'xml' }, /^--format xml: expected one of text, json, sarif$/],
      [[dir], { kmdfVersion: '1' }, /^--kmdf-version 1: expected a version like 1\.33$/],
      [[dir], { failOn: 'info' }, /^--fail-on info: expected warning or error$/],
      [[dir], { rule: ['KMDF2001'] }, /^--rule KMDF2001: expected ID=severity/],
      [[dir], { rule: ['KMDF9999=off'] }, /^--rule KMDF9999=off: unknown rule KMDF9999$/],
      [
        [dir],
        { rule: ['KMDF2001=loud'] },
        /^--rule KMDF2001=loud: severity must be one of off, hint, info, warning, error$/,
      ],
      [[path.join(dir, 'missing')], {}, /missing: no such file or folder$/],
      [[dir], { headers: [path.join(dir, 'nope')] }, /^--headers .*nope: no such folder$/],
    ];
    for (const [paths, options, message] of cases) {
      await assert.rejects(
        lintIn(dir, paths, options),
        (e: unknown) => e instanceof UsageError && message.test(e.message),
      );
    }
  });

  it('drops an override of a retired rule with a note on stderr, and lints', async () => {
    const r = await lintIn(dir, [dir], { rule: ['KMDF3007=off'] });
    assert.match(r.stderr, /^kmdf lint: --rule KMDF3007=off: ignored, KMDF3007 is retired: the framework calls/m);
  });

  it('reports an explicit non-C path as skipped and a bad .kmdf.json on stderr, and goes on', async () => {
    const badDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-cfg-'));
    try {
      fs.copyFileSync(path.join(fixturesDir, 'KMDF2006/bad.c'), path.join(badDir, 'onyx.c'));
      fs.writeFileSync(path.join(badDir, '.kmdf.json'), '{ "rules": { "KMDF2006": "loud", "KMDF1006": "off" } }');
      const r = await lintIn(badDir, [badDir, path.join(dir, 'notes.txt')]);
      assert.match(r.stderr, /skipped .*notes\.txt: not a C\/C\+\+ source or header/);
      assert.match(r.stderr, /\.kmdf\.json: rules\.KMDF2006: /);
      assert.match(r.stdout, /onyx\.c:19:47: warning: .* \[KMDF2006\]/);
    } finally {
      fs.rmSync(badDir, { recursive: true, force: true });
    }
  });
});

describe('kmdf callbacks', function () {
  this.timeout(60_000);
  it('lists every callback with role type, IRQL and registration', async () => {
    const index = testIndex();
    const driver = await analyzeDriver([path.join(fixturesDir, 'quiet/ember')], index);
    const list = listCallbacks(driver, index, path.join(fixturesDir, 'quiet/ember'));
    const brief = list.map((c) => `${c.file}:${c.line} ${c.function} ${c.roleType} ${c.irql} ${c.registeredAt}`);
    assert.deepEqual(brief, [
      'device.c:10 EmberEvtDevicePrepareHardware EVT_WDF_DEVICE_PREPARE_HARDWARE = PASSIVE_LEVEL driver.c:58',
      'device.c:28 EmberEvtDeviceD0Entry EVT_WDF_DEVICE_D0_ENTRY = PASSIVE_LEVEL driver.c:59',
      'device.c:42 EmberEvtDeviceD0Exit EVT_WDF_DEVICE_D0_EXIT = PASSIVE_LEVEL driver.c:60',
      'device.c:54 EmberEvtSelfManagedIoInit EVT_WDF_DEVICE_SELF_MANAGED_IO_INIT = PASSIVE_LEVEL driver.c:62',
      'device.c:66 EmberEvtSelfManagedIoSuspend EVT_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND = PASSIVE_LEVEL driver.c:64',
      'device.c:76 EmberEvtPollTimer EVT_WDF_TIMER = DISPATCH_LEVEL driver.c:79',
      // The headers give the ISR only a minimum; its level comes from the docs page when the catalog has it.
      'device.c:89 EmberEvtInterruptIsr EVT_WDF_INTERRUPT_ISR = DIRQL driver.c:87',
      'device.c:101 EmberEvtInterruptDpc EVT_WDF_INTERRUPT_DPC = DISPATCH_LEVEL driver.c:87',
      'driver.c:12 DriverEntry DRIVER_INITIALIZE null null',
      'driver.c:40 EmberEvtDeviceAdd EVT_WDF_DRIVER_DEVICE_ADD = PASSIVE_LEVEL driver.c:27',
      // A driver object's cleanup runs at PASSIVE_LEVEL although the role type allows DISPATCH_LEVEL.
      'driver.c:98 EmberEvtDriverContextCleanup EVT_WDF_OBJECT_CONTEXT_CLEANUP = PASSIVE_LEVEL driver.c:25',
      'queue.c:36 EmberEvtIoRead EVT_WDF_IO_QUEUE_IO_READ ≤ DISPATCH_LEVEL queue.c:21',
      'queue.c:56 EmberEvtIoDeviceControl EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL ≤ DISPATCH_LEVEL queue.c:22',
      'queue.c:73 EmberEvtIoStop EVT_WDF_IO_QUEUE_IO_STOP ≤ DISPATCH_LEVEL queue.c:23',
    ]);
  });
});
