/**
 * The body cache (server/src/analysis/build/bodyCache.ts) never hands out stale facts: after every
 * step of a random edit sequence the incremental model equals a fresh analysis of the same text.
 * The driver below is written so that an unchanged body's facts depend on what the rest of the file
 * says: a lower-case callback is one only once the file declares it, a capitalised name stops being
 * one when a global variable takes it, a macro decides whether a call is PAGED_CODE() or an unknown
 * macro's argument, a registration is checked against the one function of its name, and a comment
 * inside a body silences a rule, and an annotation inside an argument is blanked for the parser but
 * kept in the argument's text (a same-length change there leaves the blanked text as it was). Edits
 * add, remove and change exactly those things.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { analyzeText, LineIndex, ParsedDocument, type DocumentModel } from '../../../server/src/analysis';

const URI = 'file:///fen/queue.c';

const DRIVER = `#include <ntddk.h>
#include <wdf.h>

#define FEN_TRACE_ENTRY() PAGED_CODE()

static WDFQUEUE FenDefaultQueue;

VOID fenHelper(WDFDEVICE Device);

NTSTATUS
FenQueueSetup(WDFDEVICE Device)
{
    WDF_IO_QUEUE_CONFIG config;
    WDF_TIMER_CONFIG timerConfig;
    NTSTATUS status;

    FEN_TRACE_ENTRY();
    WDF_IO_QUEUE_CONFIG_INIT(&config, WdfIoQueueDispatchSequential);
    config.EvtIoRead = fenRead;
    config.EvtIoWrite = FenWrite;
    WDF_TIMER_CONFIG_INIT(&timerConfig, fenTick);
    status = WdfIoQueueCreate(Device, &config, WDF_NO_OBJECT_ATTRIBUTES, &FenDefaultQueue);
    if (!NT_SUCCESS(status)) {
        return status; // kmdf-ignore KMDF3018
    }
    fenHelper(Device);
    return status;
}

VOID
fenHelper(WDFDEVICE Device)
{
    FEN_TRACE_ENTRY();
    FEN_CHECK(WdfDeviceGetIoTarget(Device));
    FenLog((_IRQL_requires_max_(DISPATCH_LEVEL) WDFOBJECT)Device);
}

VOID
FenEvtIoStop(WDFQUEUE Queue, WDFREQUEST Request, ULONG ActionFlags)
{
    UNREFERENCED_PARAMETER(Queue);
    if (ActionFlags & WdfRequestStopActionSuspend) {
        WdfRequestStopAcknowledge(Request, FALSE);
        return;
    }
    WdfRequestComplete(Request, STATUS_CANCELLED);
}

VOID
FenEvtTimer(WDFTIMER Timer)
{
    WDF_IO_QUEUE_CONFIG later;
    WDF_IO_QUEUE_CONFIG_INIT(&later, WdfIoQueueDispatchManual);
    later.EvtIoStop = FenEvtIoStop;
    UNREFERENCED_PARAMETER(Timer);
}
`;

/** Text that changes what the file knows (names, globals, macros, duplicates, comments) or only one body. */
const PIECES = [
  'VOID fenRead(WDFQUEUE Queue, WDFREQUEST Request, size_t Length);\n',
  'EVT_WDF_TIMER fenTick;\n',
  'static ULONG FenWrite;\n',
  '#define FEN_CHECK(x) (x)\n',
  '#define FEN_TRACE_ENTRY()\n',
  'VOID fenHelper(WDFDEVICE Device) { }\n',
  'VOID FenEvtTimer(WDFTIMER Timer) { }\n',
  '// kmdf-ignore KMDF2001\n',
  '/* kmdf-ignore-file KMDF3018 */',
  'x',
  ' ',
  '\n',
  ';',
  '{',
  '}',
  'PAGED_CODE();',
  'fenRead(Queue);',
  'EVT_WDF_IO_QUEUE_IO_READ fenRead;',
  'typedef ULONG FEN_COUNT;',
];

describe('body cache', () => {
  it('after each edit of a random sequence, the model equals a fresh analysis of the same text', async function () {
    this.timeout(180_000);
    let reused = 0;
    const editArb = fc.record({
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      remove: fc.nat({ max: 12 }),
      insert: fc.constantFrom(...PIECES),
      /** Snap the edit to a line start (where declarations and directives go) or keep it anywhere. */
      lineStart: fc.boolean(),
      /** Instead, swap the IRQL named inside the annotation for one of the same length. */
      swap: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(editArb, { minLength: 1, maxLength: 8 }), async (edits) => {
        const doc = await ParsedDocument.create(URI, DRIVER, 1);
        try {
          let text = DRIVER;
          let version = 1;
          for (const e of edits) {
            let start = Math.floor(e.at * text.length);
            if (e.lineStart) start = text.lastIndexOf('\n', start - 1) + 1;
            let end = Math.min(text.length, start + (e.lineStart ? 0 : e.remove));
            let insert = e.insert;
            const swapped = [...text.matchAll(/DISPATCH_LEVEL|PASSIVE_LEVEL /g)][0];
            if (e.swap && swapped) {
              start = swapped.index;
              end = start + swapped[0].length;
              insert = swapped[0] === 'DISPATCH_LEVEL' ? 'PASSIVE_LEVEL ' : 'DISPATCH_LEVEL';
            }
            const lines = new LineIndex(text);
            const range = { start: lines.positionAt(start), end: lines.positionAt(end) };
            text = text.slice(0, start) + insert + text.slice(end);
            const model = await doc.applyChanges(++version, [{ range, text: insert }]);
            reused += doc.bodyReuse.reused;
            assert.deepEqual(model, await analyzeText(URI, text, 'c', { version }));
          }
        } finally {
          doc.dispose();
        }
      }),
      { numRuns: 80, seed: 20261202 },
    );
    // Not vacuous: most edits took most bodies from the build before.
    assert.ok(reused > 200, `bodies reused: ${reused}`);
  });

  it('a body that declares a name with a type the index now calls a role type is read again', async () => {
    // The index can change between two builds of one document (a rebuilt index): its role types with it.
    let roleTypes = new Set<string>();
    const options = { isRoleType: (name: string) => roleTypes.has(name) };
    const text = DRIVER.replace(
      '    WDF_TIMER_CONFIG timerConfig;\n',
      '    WDF_TIMER_CONFIG timerConfig;\n    FEN_ROLE fenRead;\n',
    );
    const doc = await ParsedDocument.create(URI, text, 1, 'c', options);
    try {
      assert.ok(!doc.model.registrations.some((r) => r.functionName === 'fenRead'));
      roleTypes = new Set(['FEN_ROLE']);
      const at = text.indexOf('    UNREFERENCED_PARAMETER(Timer);');
      const lines = new LineIndex(text);
      const model = await doc.applyChanges(2, [
        { range: { start: lines.positionAt(at), end: lines.positionAt(at) }, text: ' ' },
      ]);
      const edited = text.slice(0, at) + ' ' + text.slice(at);
      assert.deepEqual(model, await analyzeText(URI, edited, 'c', { ...options, version: 2 }));
      assert.ok(model.registrations.some((r) => r.functionName === 'fenRead'));
    } finally {
      doc.dispose();
    }
  });

  it('a definition moved along its line, holding another or a typedef, is read again', async () => {
    // A one-line definition pushed right by a space before it on its line: its calls' columns change with it.
    const oneLine =
      DRIVER + 'static ULONG FenCount; VOID FenTouch(WDFDEVICE Device) { WdfDeviceGetIoTarget(Device); }\n';
    const at = oneLine.indexOf('ULONG FenCount');
    const c = await edited(URI, oneLine, 'c', at, ' ');
    assert.deepEqual(c.bodyReuse, { read: 1, reused: 4 });
    // A C++ body with a local class whose method is a definition of its own.
    const cpp =
      'void FenOuter(WDFDEVICE Device)\n{\n    struct Local { void Touch(WDFDEVICE d) { WdfDeviceGetIoTarget(d); } };\n}\n\n' +
      'void FenOther(void)\n{\n}\n';
    const d = await edited('file:///fen/local.cpp', cpp, 'cpp', cpp.length, '\n');
    assert.deepEqual(d.bodyReuse, { read: 2, reused: 1 });
    // A body with a typedef of its own (typedefs come from the captures, which leave reused bodies out).
    const local = DRIVER.replace('    NTSTATUS status;\n', '    typedef ULONG FEN_COUNT;\n    NTSTATUS status;\n');
    const t = await edited(URI, local, 'c', local.indexOf('    UNREFERENCED_PARAMETER(Timer);'), ' ');
    assert.deepEqual(t.bodyReuse, { read: 2, reused: 2 });
  });

  it('a change elsewhere that makes a name a callback reaches an unchanged body', async () => {
    const doc = await ParsedDocument.create(URI, DRIVER, 1);
    try {
      const before = doc.model.registrations.map((r) => r.functionName);
      assert.ok(!before.includes('fenRead'));
      const at = DRIVER.indexOf('NTSTATUS\nFenQueueSetup');
      const lines = new LineIndex(DRIVER);
      const insert = 'VOID fenRead(WDFQUEUE Queue, WDFREQUEST Request, size_t Length);\n';
      const model = await doc.applyChanges(2, [
        { range: { start: lines.positionAt(at), end: lines.positionAt(at) }, text: insert },
      ]);
      assert.ok(model.registrations.some((r) => r.functionName === 'fenRead'));
      // The file's names changed: nothing was taken from the build before.
      assert.equal(doc.bodyReuse.reused, 0);
      const text = DRIVER.slice(0, at) + insert + DRIVER.slice(at);
      assert.deepEqual(model, await analyzeText(URI, text, 'c', { version: 2 }));
      // A space inside one body leaves the other three as they were (moved).
      const inBody = text.indexOf('    FEN_CHECK');
      const l2 = new LineIndex(text);
      await doc.applyChanges(3, [{ range: { start: l2.positionAt(inBody), end: l2.positionAt(inBody) }, text: ' ' }]);
      assert.deepEqual(doc.bodyReuse, { read: 1, reused: 3 });
      assert.deepEqual(
        doc.model,
        await analyzeText(URI, text.slice(0, inBody) + ' ' + text.slice(inBody), 'c', { version: 3 }),
      );
    } finally {
      doc.dispose();
    }
  });
});

/**
 * Heads of reused definitions are the previous build's, moved (functionHeads.ts `reusedHead`), but for
 * their annotations, looked up afresh: the leading ones lie before the definition, outside its text.
 * The driver has annotated heads, parameters on lines of their own, a variadic one, a paged section
 * by `alloc_text`, `code_seg` and `__declspec`, two bodies of the same text (one name defined twice),
 * and bodies with every kind of statement-tree node (their offsets move with them: bodyCache.ts movedFlow).
 */
const ANNOTATED = `#include <ntddk.h>
#include <wdf.h>

#pragma alloc_text(PAGE, FenInit)

_Use_decl_annotations_
NTSTATUS
FenInit(
    _In_ WDFDEVICE Device,
    _In_opt_ PVOID Context
    )
{
    PAGED_CODE();
    WdfDeviceGetIoTarget(Device);
    return STATUS_SUCCESS;
}

_IRQL_requires_max_(DISPATCH_LEVEL)
_Function_class_(EVT_WDF_TIMER)
VOID
FenTick(_In_ WDFTIMER Timer)
{
    UNREFERENCED_PARAMETER(Timer);
}

#pragma code_seg("PAGE")
__declspec(code_seg("PAGE")) VOID FenLog(_In_z_ PCSTR Format, ...)
{
    PAGED_CODE();
    DbgPrint(Format);
}
#pragma code_seg()

static VOID FenTwice(WDFDEVICE Device) { WdfDeviceGetIoTarget(Device); }

static VOID FenTwice(WDFDEVICE Device) { WdfDeviceGetIoTarget(Device); }

VOID FenSame(WDFDEVICE Device) { WdfDeviceGetIoTarget(Device); }

VOID FenSame2(WDFDEVICE Device) { WdfDeviceGetIoTarget(Device); }

VOID
FenFlow(_In_ WDFDEVICE Device, _In_ ULONG Count)
{
    ULONG i = 0;
    switch (Count) {
    case 0:
        break;
    default:
        for (i = 0; i < Count && Device; i++) {
            WdfDeviceGetIoTarget(Device);
        }
    }
    while (Count > 1 || !Device) {
        Count--;
    }
    if (!NT_SUCCESS(Device ? WdfDeviceGetIoTarget(Device) : STATUS_UNSUCCESSFUL)) {
        return;
    }
    do {
        Count++;
    } while (FALSE);
}

VOID FenJump(WDFDEVICE Device)
{
    if (!Device) goto done;
    if (!WdfDeviceGetIoTarget(Device)) {
        return;
    }
done:
    return;
}

_IRQL_requires_(PASSIVE_LEVEL)
VOID
FenLast(
    _In_ WDFDEVICE Device
    )
{
    FenInit(Device, NULL);
}
`;

/** Text that changes heads (their annotations, before them or on a parameter), moves definitions by lines or along one, or edits a body. */
const HEAD_PIECES = [
  '_IRQL_requires_(DISPATCH_LEVEL)\n',
  '_Use_decl_annotations_\n',
  '_Function_class_(EVT_WDF_DPC)\n',
  '__declspec(code_seg("PAGE"))\n',
  '#pragma alloc_text(PAGE, FenTick, FenLast)\n',
  '#pragma code_seg("PAGE")\n',
  'static ULONG FenCount;\n',
  'VOID FenSame(WDFDEVICE Device) { WdfDeviceGetIoTarget(Device); }\n',
  '_In_ ',
  '_Inout_ ',
  'x',
  ' ',
  '\n',
  '\n\n',
  ';',
  ',',
  ')',
  '/* c */',
  'PAGED_CODE();',
];

describe('body cache: reused heads', () => {
  it('after each edit of a random sequence, the model equals a fresh analysis; earlier models stay as they were', async function () {
    this.timeout(180_000);
    let reused = 0;
    const editArb = fc.record({
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      remove: fc.nat({ max: 6 }),
      insert: fc.constantFrom(...HEAD_PIECES),
      /** Snap the edit to a line start (where annotations and directives go) or keep it anywhere. */
      lineStart: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(editArb, { minLength: 1, maxLength: 8 }), async (edits) => {
        const doc = await ParsedDocument.create(URI, ANNOTATED, 1);
        const models: { model: DocumentModel; copy: DocumentModel }[] = [];
        try {
          let text = ANNOTATED;
          let version = 1;
          for (const e of edits) {
            models.push({ model: doc.model, copy: structuredClone(doc.model) });
            let start = Math.floor(e.at * text.length);
            if (e.lineStart) start = text.lastIndexOf('\n', start - 1) + 1;
            const end = Math.min(text.length, start + (e.lineStart ? 0 : e.remove));
            const lines = new LineIndex(text);
            const range = { start: lines.positionAt(start), end: lines.positionAt(end) };
            text = text.slice(0, start) + e.insert + text.slice(end);
            const model = await doc.applyChanges(++version, [{ range, text: e.insert }]);
            reused += doc.bodyReuse.reused;
            assert.deepEqual(model, await analyzeText(URI, text, 'c', { version }));
          }
          // Models are never changed once built: later builds share their objects, they do not edit them.
          for (const { model, copy } of models) assert.deepEqual(model, copy);
        } finally {
          doc.dispose();
        }
      }),
      { numRuns: 120, seed: 20261203 },
    );
    // Not vacuous: most edits took most heads and bodies from the build before.
    assert.ok(reused > 300, `bodies reused: ${reused}`);
  });

  it('an annotation written before an unchanged definition joins its moved head', async () => {
    const at = ANNOTATED.indexOf('_IRQL_requires_max_(DISPATCH_LEVEL)');
    const doc = await ParsedDocument.create(URI, ANNOTATED, 1);
    try {
      const lines = new LineIndex(ANNOTATED);
      const insert = '_IRQL_requires_min_(APC_LEVEL)\n';
      const model = await doc.applyChanges(2, [
        { range: { start: lines.positionAt(at), end: lines.positionAt(at) }, text: insert },
      ]);
      const text = ANNOTATED.slice(0, at) + insert + ANNOTATED.slice(at);
      assert.deepEqual(model, await analyzeText(URI, text, 'c', { version: 2 }));
      // FenTick's own text did not change: its head and body were taken (as all but FenTwice's), with the new annotation.
      const tick = model.functions.find((f) => f.name === 'FenTick' && f.isDefinition)!;
      assert.deepEqual(tick.irql, { max: 'DISPATCH_LEVEL', min: 'APC_LEVEL' });
      assert.deepEqual(doc.bodyReuse, { read: 2, reused: 8 });
    } finally {
      doc.dispose();
    }
  });
});

/** Open `text`, insert `insert` at `at`, and check the model against a fresh analysis; the reuse counts. */
async function edited(uri: string, text: string, language: 'c' | 'cpp', at: number, insert: string) {
  const doc = await ParsedDocument.create(uri, text, 1, language);
  try {
    const lines = new LineIndex(text);
    const model = await doc.applyChanges(2, [
      { range: { start: lines.positionAt(at), end: lines.positionAt(at) }, text: insert },
    ]);
    const after = text.slice(0, at) + insert + text.slice(at);
    assert.deepEqual(model, await analyzeText(uri, after, language, { version: 2 }));
    return { bodyReuse: doc.bodyReuse };
  } finally {
    doc.dispose();
  }
}
