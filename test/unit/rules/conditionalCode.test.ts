// Findings in conditional code: none from a branch the preprocessor drops, at most information from a
// branch the known defines leave open, the usual severity where the branch is certainly compiled.
import { strict as assert } from 'node:assert';
import { lint } from '../../support/ruleHarness';

const DPC = (open: string, close: string) => `#include <ntddk.h>
#include <wdf.h>

EVT_WDF_DPC TopazEvtDpc;

${open}
_Use_decl_annotations_
VOID
TopazEvtDpc(WDFDPC Dpc)
{
    UNREFERENCED_PARAMETER(Dpc);
    PAGED_CODE();
}
${close}
`;

const pagedCodeAtDispatch = async (open: string, close: string) =>
  (await lint({ 'topaz.c': DPC(open, close) })).filter((f) => f.ruleId === 'KMDF2002').map((f) => f.severity);

describe('findings in conditional code', () => {
  it('a branch that is certainly compiled keeps the rule severity', async () => {
    assert.deepEqual(await pagedCodeAtDispatch('#if 1', '#endif'), ['warning']);
    assert.deepEqual(await pagedCodeAtDispatch('#define TOPAZ_DPC 1\n#if TOPAZ_DPC', '#endif'), ['warning']);
  });

  it('a branch the preprocessor drops reports nothing', async () => {
    assert.deepEqual(await pagedCodeAtDispatch('#if 0', '#endif'), []);
    assert.deepEqual(await pagedCodeAtDispatch('#define TOPAZ_DPC 0\n#if TOPAZ_DPC', '#endif'), []);
  });

  it('a branch the known defines leave open reports at most information', async () => {
    assert.deepEqual(await pagedCodeAtDispatch('#ifdef TOPAZ_USE_DPC', '#endif'), ['info']);
  });
});
