import * as assert from 'node:assert/strict';
import { lint } from '../../support/ruleHarness';
import { testIndexWith } from '../../support/testIndex';

// KMDF4002 on an API whose page says "KMDF only" while the UMDF headers declare it too: shared
// framework sources (one file built into a KMDF and a UMDF library) declare such callbacks on
// both builds, and the UMDF build compiles, so it is information, not an error. The index here lists
// EVT_WDF_DEVICE_RELATIONS_QUERY for KMDF only, as its page does, though the UMDF headers declare it.
describe('KMDF4002 when the target framework declares the API too', () => {
  it('is information for a role type the UMDF headers declare, an error for one they do not', async () => {
    const text = [
      '// target: UMDF 2.33',
      '#include <wdf.h>',
      'EVT_WDF_DEVICE_RELATIONS_QUERY SlateEvtDeviceRelationsQuery;',
      'EVT_WDF_DPC SlateEvtDpc;',
      '',
    ].join('\n');
    const index = testIndexWith({ EVT_WDF_DEVICE_RELATIONS_QUERY: { frameworks: ['KMDF'] } });
    const found = (await lint({ 'slate.c': text }, { index }))
      .filter((f) => f.ruleId === 'KMDF4002')
      .map((f) => `${f.span.start.line}: ${f.severity}: ${f.message}`);
    assert.deepEqual(found, [
      '2: info: the callback EVT_WDF_DEVICE_RELATIONS_QUERY is available to KMDF drivers only, but this is a UMDF driver (from fixture). The UMDF headers declare it too, so this builds; check that the framework calls it.',
      '3: error: the callback EVT_WDF_DPC is available to KMDF drivers only, but this is a UMDF driver (from fixture).',
    ]);
  });
});
