/**
 * Real driver C and C++ read as the compiler reads it (issue 8 §2): each fixture under
 * test/fixtures/analysis/idioms/ is a driver-style idiom that was misread, with `// expect: RULE`
 * on the lines where the rules concerned must report (and nowhere else).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readMacroDefinitions } from '../../../server/src/analysis/macros';
import { analyzeText } from '../../../server/src/analysis/parse';
import { expectedMarkers, foundAt, lint } from '../../support/ruleHarness';
import { repoRoot } from '../../support/paths';

const idiomsDir = path.join(repoRoot, 'test/fixtures/analysis/idioms');

function readIdiom(name: string): Record<string, string> {
  const dir = path.join(idiomsDir, name);
  const out: Record<string, string> = {};
  for (const file of fs.readdirSync(dir).sort()) out[file] = fs.readFileSync(path.join(dir, file), 'utf8');
  return out;
}

/** Each idiom and the rules whose findings on it are checked against its markers. */
const IDIOMS: { name: string; rules: string[] }[] = [
  { name: 'typedef-equivalence', rules: ['KMDF1002'] },
  { name: 'code-segments', rules: ['KMDF2002', 'KMDF2004', 'KMDF2005'] },
  { name: 'dropped-arguments', rules: ['KMDF4002'] },
  { name: 'out-parameters', rules: ['KMDF3017'] },
  { name: 'before-paged-code', rules: ['KMDF2004'] },
  { name: 'miniport-entry', rules: ['KMDF1002', 'KMDF1005', 'KMDF1006', 'KMDF3013'] },
];

describe('driver idioms: findings where the compiler would see a problem, and only there', () => {
  for (const { name, rules } of IDIOMS) {
    it(`${name}: ${rules.join(', ')}`, async () => {
      const files = readIdiom(name);
      const findings = await lint(files);
      for (const rule of rules) assert.deepEqual(foundAt(findings, rule), expectedMarkers(files, rule), rule);
    });
  }
});

describe('driver idioms: the model', () => {
  it('reads a section macro before a function as its paged section, not as its return type', async () => {
    const text = readIdiom('code-segments')['pump.c'];
    const model = await analyzeText('file:///pump.c', text);
    const fn = (n: string) => model.functions.find((f) => f.name === n && f.isDefinition)!;
    assert.equal(fn('PumpEvtDeviceAdd').returnType, 'NTSTATUS');
    assert.deepEqual(
      ['PumpEvtDeviceAdd', 'PumpFlushTables', 'PumpResetCounters', 'PumpEvtReleaseHardware', 'PumpStopTimer'].map(
        (n) => [n, fn(n).pagedSection?.kind, fn(n).pagedSection?.section],
      ),
      [
        ['PumpEvtDeviceAdd', 'declspec', 'PAGE'],
        ['PumpFlushTables', 'declspec', 'PAGE'],
        ['PumpResetCounters', 'declspec', 'PAGE'],
        ['PumpEvtReleaseHardware', 'code_seg', 'PAGE'],
        ['PumpStopTimer', undefined, undefined],
      ],
    );
    // The wrapper counts as the check, as the first statement.
    assert.equal(fn('PumpEvtDeviceAdd').pagedCode.length, 1);
    assert.equal(fn('PumpEvtDeviceAdd').pagedCodeFirst, true);
  });

  it('uses section and paging macros given from a header', async () => {
    const header = '#define GLOW_PAGED __declspec(code_seg("PAGE"))\n#define GLOW_CHECK_PAGED() PAGED_CODE()\n';
    const source = 'GLOW_PAGED\nVOID\nGlowReset(WDFDEVICE Device)\n{\n    GLOW_CHECK_PAGED();\n}\n';
    const alone = await analyzeText('file:///glow.c', source);
    assert.equal(alone.functions[0].pagedSection, undefined);
    const withHeader = await analyzeText('file:///glow.c', source, 'c', { macros: readMacroDefinitions(header) });
    const fn = withHeader.functions[0];
    assert.deepEqual(
      [fn.name, fn.returnType, fn.pagedSection?.section, fn.pagedCode.length],
      ['GlowReset', 'VOID', 'PAGE', 1],
    );
  });

  it('drops the calls inside a macro that expands to nothing, and marks those inside an unknown macro', async () => {
    const model = await analyzeText('file:///hearth.c', readIdiom('dropped-arguments')['hearth.c']);
    const cleanup = model.functions.find((f) => f.name === 'HearthEvtDriverCleanup' && f.isDefinition)!;
    assert.deepEqual(
      cleanup.calls.map((c) => [c.callee, c.inMacroArguments]),
      [
        ['WPP_CLEANUP', undefined],
        ['WdfDriverWdmGetDriverObject', 'WPP_CLEANUP'],
      ],
    );
  });

  it('gives a variable a new value where its address is passed to a call', async () => {
    const model = await analyzeText('file:///relay.c', readIdiom('out-parameters')['relay.c']);
    const read = model.functions.find((f) => f.name === 'RelayEvtRead' && f.isDefinition)!;
    assert.deepEqual(
      read.assignments.map((a) => [a.target, a.outArgumentOf]),
      [['Request', 'WdfIoQueueRetrieveNextRequest']],
    );
  });

  it('reads the driver typedefs of scalar and pointer types', async () => {
    const model = await analyzeText('file:///lantern.h', readIdiom('typedef-equivalence')['lantern.h']);
    assert.deepEqual(
      model.typedefs?.map((t) => [t.name, t.type]),
      [
        ['LANTERN_COOKIE', 'PVOID'],
        ['LANTERN_LENGTH', 'size_t'],
      ],
    );
  });

  it('reads a C++ header as C++: a constructor initialiser list is not a function', async () => {
    const model = await analyzeText('file:///beacon.h', readIdiom('constructor-initialisers')['beacon.h']);
    assert.equal(model.language, 'cpp');
    assert.deepEqual(
      model.functions.map((f) => f.name),
      ['BeaconQueue', 'Queue'],
    );
    assert.equal(model.errorCount, 0);
  });

  it('even read as C, takes no member initialiser for a function definition', async () => {
    const text = readIdiom('constructor-initialisers')['beacon.h'];
    const model = await analyzeText('file:///beacon.c', text, 'c');
    assert.deepEqual(
      model.functions.filter((f) => f.isDefinition).map((f) => f.name),
      ['Queue'],
    );
  });
});
