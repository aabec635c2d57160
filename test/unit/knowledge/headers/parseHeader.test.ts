import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseHeaderText, readHeaderFolders } from '../../../../server/src/knowledge/headers';
import type { HeaderDecl } from '../../../../server/src/knowledge/types';

const lampDir = path.resolve(__dirname, '../../../fixtures/headers/lamp');
const lampH = path.join(lampDir, 'wdflamp.h');
const configH = path.join(lampDir, 'wdflampconfig.h');

function byName(decls: HeaderDecl[], name: string): HeaderDecl {
  const found = decls.filter((d) => d.name === name);
  assert.equal(found.length, 1, `${name}: ${found.length} declarations`);
  return found[0];
}

describe('WDK header parser (lamp fixtures)', () => {
  let decls: HeaderDecl[];
  let problems: string[];

  before(async () => {
    const result = await readHeaderFolders([lampDir]);
    decls = result.decls;
    problems = result.problems;
    assert.deepEqual(result.skipped, []);
    assert.equal(result.files, 2);
  });

  it('reads exactly the role types, methods, structure and enumeration, in file order', () => {
    assert.deepEqual(
      decls.map((d) => `${d.kind} ${d.name}`),
      [
        'enumeration WDF_LAMP_COLOR',
        'callback EVT_WDF_LAMP_SWITCH',
        'callback EVT_WDF_LAMP_BURNED_OUT',
        'callback LAMP_DIMMER_ROUTINE',
        'method WdfLampSwitch',
        'method WdfLampGetWattage',
        'structure WDF_LAMP_CONFIG',
        'callback EVT_WDF_LAMP_SELF_TEST',
      ],
    );
  });

  it('reads a callback with multi-line SAL and comments among the annotations and parameters (first #if branch wins)', () => {
    assert.deepEqual(byName(decls, 'EVT_WDF_LAMP_SWITCH'), {
      name: 'EVT_WDF_LAMP_SWITCH',
      kind: 'callback',
      header: 'wdflamp.h',
      returns: 'NTSTATUS',
      params: [
        { name: 'Lamp', type: 'WDFLAMP', sal: ['_In_'], direction: 'in' },
        { name: 'On', type: 'BOOLEAN', sal: ['_In_'], direction: 'in' },
        { name: 'PreviousState', type: 'PULONG', sal: ['_Out_opt_'], direction: 'out', optional: true },
      ],
      annotations: [
        '_Function_class_(EVT_WDF_LAMP_SWITCH)',
        '_IRQL_requires_same_',
        '_IRQL_requires_max_(DISPATCH_LEVEL)',
      ],
      irql: { same: true, max: 'DISPATCH_LEVEL' },
      pfn: 'PFN_WDF_LAMP_SWITCH',
      location: lampH,
    });
  });

  it('reads _IRQL_requires_ as an exact level and _Inout_ as in/out', () => {
    const burned = byName(decls, 'EVT_WDF_LAMP_BURNED_OUT');
    assert.deepEqual(burned.irql, { same: true, exact: 'PASSIVE_LEVEL' });
    assert.deepEqual(burned.params![1], {
      name: 'Report',
      type: 'PVOID',
      sal: ['_Inout_updates_bytes_(ReportLength)'],
      direction: 'in/out',
    });
    assert.equal(burned.returns, 'VOID');
    assert.equal(burned.pfn, 'PFN_WDF_LAMP_BURNED_OUT');
  });

  it('takes a non-EVT function typedef as a role type when a PFN typedef points at it, and no other', () => {
    const dimmer = byName(decls, 'LAMP_DIMMER_ROUTINE');
    assert.equal(dimmer.pfn, 'PFN_LAMP_DIMMER_ROUTINE');
    assert.deepEqual(dimmer.irql, { max: 'APC_LEVEL' });
    assert.deepEqual(dimmer.params![1], {
      name: 'Percent',
      type: 'ULONG',
      sal: ['_In_range_(0, 100)'],
      direction: 'in',
    });
    assert.equal(
      decls.some((d) => d.name === 'LAMP_HASH' || d.name === 'PFN_WDFLAMPSWITCH'),
      false,
    );
  });

  it('reads FORCEINLINE wrappers: _When_ with commas inside, no IRQL from conditional annotations', () => {
    assert.deepEqual(byName(decls, 'WdfLampSwitch'), {
      name: 'WdfLampSwitch',
      kind: 'method',
      header: 'wdflamp.h',
      returns: 'NTSTATUS',
      params: [
        { name: 'Lamp', type: 'WDFLAMP', sal: ['_In_'], direction: 'in' },
        { name: 'On', type: 'BOOLEAN', sal: ['_In_'], direction: 'in' },
      ],
      annotations: [
        '_Must_inspect_result_',
        '_When_(On == TRUE, _IRQL_requires_max_(DISPATCH_LEVEL))',
        '_When_(On == FALSE, _IRQL_requires_max_(PASSIVE_LEVEL))',
      ],
      location: lampH,
    });
  });

  it('reads parameter types as written (CONST, pointers) and SAL lists with _When_ branches', () => {
    const wattage = byName(decls, 'WdfLampGetWattage');
    assert.equal(wattage.returns, 'ULONG');
    assert.deepEqual(wattage.irql, { max: 'DISPATCH_LEVEL' });
    assert.deepEqual(wattage.annotations, ['_IRQL_requires_max_(DISPATCH_LEVEL)']);
    assert.deepEqual(wattage.params, [
      { name: 'Lamp', type: 'WDFLAMP', sal: ['_In_'], direction: 'in' },
      {
        name: 'Buffer',
        type: 'PVOID',
        sal: [
          '_When_(BufferLength != 0, _Out_writes_bytes_to_opt_(BufferLength, *ResultLength))',
          '_When_(BufferLength == 0, _Out_opt_)',
        ],
        direction: 'out',
        optional: true,
      },
      { name: 'BufferLength', type: 'ULONG', sal: ['_In_'], direction: 'in' },
      { name: 'ResultGuid', type: 'CONST GUID**', sal: ['_Out_opt_'], direction: 'out', optional: true },
      { name: 'Context', type: 'PVOID', sal: ['_In_', '__drv_aliasesMem'], direction: 'in' },
    ]);
  });

  it('resolves structure PFN fields across files, including nested unions and #if blocks', () => {
    assert.deepEqual(byName(decls, 'WDF_LAMP_CONFIG'), {
      name: 'WDF_LAMP_CONFIG',
      kind: 'structure',
      header: 'wdflampconfig.h',
      callbackFields: [
        { field: 'EvtLampSwitch', pfn: 'PFN_WDF_LAMP_SWITCH', callback: 'EVT_WDF_LAMP_SWITCH' },
        { field: 'EvtLampBurnedOut', pfn: 'PFN_WDF_LAMP_BURNED_OUT', callback: 'EVT_WDF_LAMP_BURNED_OUT' },
        { field: 'DimmerRoutine', pfn: 'PFN_LAMP_DIMMER_ROUTINE', callback: 'LAMP_DIMMER_ROUTINE' },
        { field: 'EvtLampSelfTest', pfn: 'PFN_WDF_LAMP_SELF_TEST', callback: 'EVT_WDF_LAMP_SELF_TEST' },
      ],
      location: configH,
    });
  });

  it('reads enumeration members', () => {
    assert.deepEqual(byName(decls, 'WDF_LAMP_COLOR').members, [
      'WdfLampColorInvalid',
      'WdfLampColorWarm',
      'WdfLampColorCold',
      'WdfLampColorMax',
    ]);
  });

  it('reports the unterminated declaration at the end with its line and still reads what precedes it', () => {
    assert.deepEqual(problems, [`${configH}:42: could not parse near "NTSTATUS WdfLampTruncated( _In_ WDFLAMP Lamp,"`]);
    assert.equal(byName(decls, 'EVT_WDF_LAMP_SELF_TEST').returns, 'BOOLEAN');
    assert.equal(
      decls.some((d) => d.name === 'WdfLampTruncated'),
      false,
    );
  });

  it('parseHeaderText on one file resolves PFN fields only against that file (others by the PFN_X → EVT_X convention)', async () => {
    const { decls: alone, problems: p } = await parseHeaderText(
      fs.readFileSync(configH, 'utf8'),
      'include/wdflampconfig.h',
    );
    assert.deepEqual(p, [
      'include/wdflampconfig.h:42: could not parse near "NTSTATUS WdfLampTruncated( _In_ WDFLAMP Lamp,"',
    ]);
    const config = byName(alone, 'WDF_LAMP_CONFIG');
    assert.equal(config.location, 'include/wdflampconfig.h');
    assert.deepEqual(
      config.callbackFields!.map((f) => f.callback),
      ['EVT_WDF_LAMP_SWITCH', 'EVT_WDF_LAMP_BURNED_OUT', 'EVT_LAMP_DIMMER_ROUTINE', 'EVT_WDF_LAMP_SELF_TEST'],
    );
  });

  it('reads SAL 1 / driver annotations (older headers) and old-style IN OUT', async () => {
    const text = [
      'typedef',
      '__drv_functionClass(EVT_WDF_LAMP_OLD)',
      '__drv_sameIRQL',
      '__drv_maxIRQL(DISPATCH_LEVEL)',
      'VOID',
      'EVT_WDF_LAMP_OLD(',
      '    __in WDFLAMP Lamp,',
      '    __inout_opt PVOID Context,',
      '    IN OUT PULONG Counter',
      '    );',
      'typedef EVT_WDF_LAMP_OLD *PFN_WDF_LAMP_OLD;',
    ].join('\r\n');
    const { decls: old, problems: p } = await parseHeaderText(text, 'old.h');
    assert.deepEqual(p, []);
    assert.deepEqual(old, [
      {
        name: 'EVT_WDF_LAMP_OLD',
        kind: 'callback',
        header: 'old.h',
        returns: 'VOID',
        params: [
          { name: 'Lamp', type: 'WDFLAMP', sal: ['__in'], direction: 'in' },
          { name: 'Context', type: 'PVOID', sal: ['__inout_opt'], direction: 'in/out', optional: true },
          { name: 'Counter', type: 'PULONG', sal: ['IN', 'OUT'], direction: 'in/out' },
        ],
        annotations: ['__drv_functionClass(EVT_WDF_LAMP_OLD)', '__drv_sameIRQL', '__drv_maxIRQL(DISPATCH_LEVEL)'],
        irql: { same: true, max: 'DISPATCH_LEVEL' },
        pfn: 'PFN_WDF_LAMP_OLD',
        location: 'old.h',
      },
    ]);
  });

  it('drops the DriverGlobals parameter of a plain Wdf prototype, reads (VOID) as no parameters and leaves DECLSPEC_ macros out of the return type', async () => {
    const text =
      '_IRQL_requires_max_(PASSIVE_LEVEL)\nWDFAPI\nNTSTATUS\nWdfLampReset(_In_ PWDF_DRIVER_GLOBALS DriverGlobals, _In_ WDFLAMP Lamp);\n' +
      'WDFAPI VOID WdfLampBreak(VOID);\n' +
      '_IRQL_requires_max_(APC_LEVEL)\nDECLSPEC_DEPRECATED_DDK\nNTSTATUS\nFORCEINLINE\nWdfLampOld(_In_ WDFLAMP Lamp) { return 0; }\n';
    const { decls: protos } = await parseHeaderText(text, 'p.h');
    assert.deepEqual(
      protos.map((d) => [d.name, d.kind, d.returns, d.params!.map((x) => `${x.type} ${x.name}`), d.irql]),
      [
        ['WdfLampReset', 'method', 'NTSTATUS', ['WDFLAMP Lamp'], { max: 'PASSIVE_LEVEL' }],
        ['WdfLampBreak', 'method', 'VOID', [], undefined],
        ['WdfLampOld', 'method', 'NTSTATUS', ['WDFLAMP Lamp'], { max: 'APC_LEVEL' }],
      ],
    );
  });

  it('gives an empty result, not an error, for text without declarations', async () => {
    assert.deepEqual(await parseHeaderText('', 'empty.h'), { decls: [], problems: [] });
    assert.deepEqual(await parseHeaderText('// only a comment\n#define X 1\n', 'c.h'), { decls: [], problems: [] });
  });
});
