/**
 * An editor run checks one document (`uris: [uri]`: the IRQL facts focused on it, the helpers'
 * summaries asked in the order that document's functions ask them) and `kmdf lint` checks every
 * document of the workspace: the same document must get the same findings from both. On every rule
 * fixture folder and on a driver whose lock and IRQL helpers form a chain longer than
 * MAX_HELPER_DEPTH and a recursion spread over two files.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../../../server/src/rules/types';
import {
  analyzeFiles,
  checkDriver,
  describeFindings,
  fixturesDir,
  loadDriver,
  type FixtureDriver,
} from '../../support/ruleHarness';

/** Every folder under test/fixtures/rules holding C files, relative. */
function fixtureFolders(dir = fixturesDir, rel = ''): string[] {
  const out: string[] = [];
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  if (entries.some((e) => e.isFile() && /\.(c|cpp)$/.test(e.name))) out.push(rel);
  for (const e of entries)
    if (e.isDirectory()) out.push(...fixtureFolders(path.join(dir, e.name), rel ? `${rel}/${e.name}` : e.name));
  return out;
}

const key = (f: Finding) => `${f.uri}|${f.span.startOffset}|${f.ruleId}|${f.severity}|${f.message}`;

/** A lock and IRQL helper chain longer than MAX_HELPER_DEPTH and a recursion, called from callbacks of two files. */
const SPREAD = {
  'queue.c': `#include <ntddk.h>
#include <wdf.h>
typedef struct _CTX { WDFSPINLOCK Lock; KIRQL Old; } CTX, *PCTX;
VOID Step0(PCTX Ctx);
VOID Loop0(PCTX Ctx);
EVT_WDF_IO_QUEUE_IO_READ TopazEvtIoRead;
EVT_WDF_DPC TopazEvtDpc;

VOID TopazEvtIoRead(WDFQUEUE Queue, WDFREQUEST Request, size_t Length)
{
    PCTX ctx = (PCTX)WdfObjectGetTypedContext(Queue, CTX);
    UNREFERENCED_PARAMETER(Length);
    Step0(ctx);
    WdfRequestComplete(Request, STATUS_SUCCESS);
}

VOID TopazEvtDpc(WDFDPC Dpc)
{
    PCTX ctx = (PCTX)WdfObjectGetTypedContext(Dpc, CTX);
    Loop0(ctx);
}

VOID Step0(PCTX Ctx) { Step1(Ctx); }
VOID Step1(PCTX Ctx) { Step2(Ctx); }
VOID Step2(PCTX Ctx) { Step3(Ctx); }
VOID Step3(PCTX Ctx) { Step4(Ctx); }
`,
  'helpers.c': `#include <ntddk.h>
#include <wdf.h>
typedef struct _CTX { WDFSPINLOCK Lock; KIRQL Old; } CTX, *PCTX;
VOID Step4(PCTX Ctx) { Step5(Ctx); }
VOID Step5(PCTX Ctx) { Step6(Ctx); }
VOID Step6(PCTX Ctx) { Step7(Ctx); }
VOID Step7(PCTX Ctx) { WdfSpinLockAcquire(Ctx->Lock); KeRaiseIrql(DISPATCH_LEVEL, &Ctx->Old); }

VOID Loop0(PCTX Ctx) { WdfSpinLockAcquire(Ctx->Lock); if (Ctx->Old) Loop1(Ctx); WdfSpinLockRelease(Ctx->Lock); }
VOID Loop1(PCTX Ctx) { KeRaiseIrql(DISPATCH_LEVEL, &Ctx->Old); Loop0(Ctx); }

VOID
TopazPoll(PCTX Ctx)
{
    Step3(Ctx);
    Loop1(Ctx);
    KeLowerIrql(Ctx->Old);
    WdfSpinLockRelease(Ctx->Lock);
}
`,
};

/**
 * The run's IRQL facts ask about helpers in the order the propagation meets them (callbacks by name).
 * Raise5 raises and lowers back through Lower0 → Lower1, so it changes nothing for its callers; when
 * the DPC of dpc.c comes first by name, the propagation meets Raise5 six levels down its chain (where
 * a depth bound cut Lower0 off) before the PnP callback of hardware.c calls it directly. Before the
 * summaries were order-free, that made Raise5 a raising helper and the paged helper after it a
 * KMDF2002 warning, in lint and in hardware.c checked alone, but not with the DPC named `ZzzEvtDpc`.
 */
const ASKED_LATE = {
  'hardware.c': `#include <ntddk.h>
#include <wdf.h>
EVT_WDF_DEVICE_PREPARE_HARDWARE ZirconEvtPrepareHardware;
VOID Raise5(PKIRQL Old);

NTSTATUS ZirconEvtPrepareHardware(WDFDEVICE Device, WDFCMRESLIST Raw, WDFCMRESLIST Translated)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(Device);
    UNREFERENCED_PARAMETER(Raw);
    UNREFERENCED_PARAMETER(Translated);
    Raise5(&old);
    ZirconPagedWork();
    return STATUS_SUCCESS;
}

#pragma alloc_text(PAGE, ZirconPagedWork)
VOID ZirconPagedWork(VOID)
{
    PAGED_CODE();
}
`,
  'dpc.c': `#include <ntddk.h>
#include <wdf.h>
EVT_WDF_DPC AgateEvtDpc;

VOID AgateEvtDpc(WDFDPC Dpc)
{
    KIRQL old;
    UNREFERENCED_PARAMETER(Dpc);
    Raise0(&old);
}

VOID Raise0(PKIRQL Old) { Raise1(Old); }
VOID Raise1(PKIRQL Old) { Raise2(Old); }
VOID Raise2(PKIRQL Old) { Raise3(Old); }
VOID Raise3(PKIRQL Old) { Raise4(Old); }
VOID Raise4(PKIRQL Old) { Raise5(Old); }
VOID Raise5(PKIRQL Old) { KeRaiseIrql(DISPATCH_LEVEL, Old); Lower0(*Old); }
VOID Lower0(KIRQL Old) { Lower1(Old); }
VOID Lower1(KIRQL Old) { KeLowerIrql(Old); }
`,
};

/** Each document checked alone gets what the run over every document found there. */
function assertSameAsLint(driver: FixtureDriver, name: string): number {
  const whole = checkDriver(driver);
  const wholeKeys = new Set(whole.map(key));
  const union = new Set<string>();
  for (const model of driver.models) {
    const alone = checkDriver(driver, { uris: [model.uri] });
    for (const f of alone) {
      union.add(key(f));
      assert.ok(
        wholeKeys.has(key(f)),
        `${name}: ${model.uri} alone finds what lint does not:\n${describeFindings([f])}`,
      );
    }
  }
  const missing = whole.filter((f) => !union.has(key(f)));
  assert.deepEqual(missing, [], `${name}: lint finds what no document alone does:\n${describeFindings(missing)}`);
  return whole.length;
}

describe('a document checked alone (an editor run) gets the findings lint gives it', () => {
  for (const folder of fixtureFolders())
    it(folder, async () => {
      assertSameAsLint(await loadDriver(folder), folder);
    });

  it('a lock and IRQL helper chain longer than the bound and a recursion, over two files', async () => {
    const found = assertSameAsLint(await analyzeFiles(SPREAD), 'spread');
    assert.ok(found > 0, 'the driver has findings to compare');
  });

  for (const dpc of ['AgateEvtDpc', 'ZzzEvtDpc'])
    it(`a helper the run’s IRQL facts meet deep in another callback’s chain (${dpc}) and a callback calls directly`, async () => {
      const driver = await analyzeFiles({ ...ASKED_LATE, 'dpc.c': ASKED_LATE['dpc.c'].replaceAll('AgateEvtDpc', dpc) });
      assertSameAsLint(driver, 'asked late');
      // Raise5 lowers what it raised before it returns: the paged helper after it runs at PASSIVE_LEVEL.
      const paged = checkDriver(driver).filter((f) => f.ruleId === 'KMDF2002');
      assert.deepEqual(paged, [], describeFindings(paged));
    });
});
