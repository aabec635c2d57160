import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { signaturesFromJson } from '../../../../server/src/knowledge/headers';
import { sharedDir } from '../../../support/paths';

const sigDir = path.join(sharedDir, 'wdf-signatures');

describe('signaturesFromJson', () => {
  it('maps a facts file to HeaderDecls, repairing split __drv_ annotations and missing exact IRQL', () => {
    const decls = signaturesFromJson({
      framework: 'KMDF',
      version: '1.99',
      callbacks: [
        {
          name: 'EVT_WDF_LAMP_TICK',
          header: 'wdflamp.h',
          returns: 'VOID',
          annotations: [
            '_Function_class_(EVT_WDF_LAMP_TICK)',
            '_IRQL_requires_same_',
            '_IRQL_requires_(DISPATCH_LEVEL)',
          ],
          irql: { same: true },
          params: [{ sal: ['_In_'], type: 'WDFLAMP', name: 'Lamp' }],
        },
      ],
      methods: [
        {
          name: 'WdfLampAttach',
          header: 'wdflamp.h',
          returns: 'NTSTATUS',
          annotations: ['_When_(Wait == 1, _IRQL_requires_max_(PASSIVE_LEVEL))'],
          irql: {},
          params: [
            { sal: ['_In_opt_', '__drv_'], type: 'aliasesMem WDFCONTEXT', name: 'Context' },
            { sal: ['_Out_'], type: 'WDFLAMP*', name: 'Lamp' },
          ],
        },
      ],
      structs: [
        {
          name: 'WDF_LAMP_TIMER_CONFIG',
          header: 'wdflamp.h',
          callbackFields: [{ field: 'EvtTick', pfn: 'PFN_WDF_LAMP_TICK_ROUTINE', callback: 'EVT_WDF_LAMP_TICK' }],
        },
      ],
    });
    const location = 'wdf-signatures:kmdf-1.99';
    assert.deepEqual(decls, [
      {
        name: 'EVT_WDF_LAMP_TICK',
        kind: 'callback',
        header: 'wdflamp.h',
        returns: 'VOID',
        params: [{ name: 'Lamp', type: 'WDFLAMP', sal: ['_In_'], direction: 'in' }],
        annotations: ['_Function_class_(EVT_WDF_LAMP_TICK)', '_IRQL_requires_same_', '_IRQL_requires_(DISPATCH_LEVEL)'],
        irql: { same: true, exact: 'DISPATCH_LEVEL' },
        // From the structure field, not the naming convention.
        pfn: 'PFN_WDF_LAMP_TICK_ROUTINE',
        location,
      },
      {
        name: 'WdfLampAttach',
        kind: 'method',
        header: 'wdflamp.h',
        returns: 'NTSTATUS',
        params: [
          {
            name: 'Context',
            type: 'WDFCONTEXT',
            sal: ['_In_opt_', '__drv_aliasesMem'],
            direction: 'in',
            optional: true,
          },
          { name: 'Lamp', type: 'WDFLAMP*', sal: ['_Out_'], direction: 'out' },
        ],
        annotations: ['_When_(Wait == 1, _IRQL_requires_max_(PASSIVE_LEVEL))'],
        location,
      },
      {
        name: 'WDF_LAMP_TIMER_CONFIG',
        kind: 'structure',
        header: 'wdflamp.h',
        callbackFields: [{ field: 'EvtTick', pfn: 'PFN_WDF_LAMP_TICK_ROUTINE', callback: 'EVT_WDF_LAMP_TICK' }],
        location,
      },
    ]);
  });

  it('throws a clear message for something that is not a facts file', () => {
    assert.throws(() => signaturesFromJson({ framework: 'KMDF', version: '1.33', callbacks: [{ name: 'X' }] }), {
      message: 'Not a wdf-signatures file: callbacks.0.header: Required',
    });
    assert.throws(() => signaturesFromJson(null), { message: /^Not a wdf-signatures file: \(root\): / });
  });

  for (const [file, location] of [
    ['kmdf-1.33.json', 'wdf-signatures:kmdf-1.33'],
    ['umdf-2.33.json', 'wdf-signatures:umdf-2.33'],
  ] as const) {
    it(`reads ${file}: one decl per entry, every callback with a pfn, every decl located`, () => {
      const json = JSON.parse(fs.readFileSync(path.join(sigDir, file), 'utf8'));
      const decls = signaturesFromJson(json);
      assert.equal(decls.length, json.callbacks.length + json.methods.length + json.structs.length);
      assert.deepEqual(new Set(decls.map((d) => d.location)), new Set([location]));
      const callbacks = decls.filter((d) => d.kind === 'callback');
      assert.equal(callbacks.filter((c) => /^PFN_/.test(c.pfn ?? '')).length, json.callbacks.length);
      // The DPC role type runs at exactly DISPATCH_LEVEL (`_IRQL_requires_(DISPATCH_LEVEL)`).
      const dpc = decls.find((d) => d.name === 'EVT_WDF_INTERRUPT_DPC');
      assert.deepEqual(dpc?.irql, { exact: 'DISPATCH_LEVEL', same: true });
    });
  }
});
