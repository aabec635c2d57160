/**
 * The incremental blanking of an edit (reblankSource, server/src/analysis/prepass.ts) gives exactly
 * what blanking the whole new text gives: after every step of random edit sequences over the driver
 * fixtures, a generated driver and a text full of what the passes look for, the spliced result
 * deep-equals blankSource of the new text (with defines and header macros given, too), and so does
 * what it keeps for the next edit. Edits insert and delete plain characters, the delimiters that
 * change what follows (`/ * " ' # \` and line breaks, parentheses, braces) and the names passes look
 * for (`_In_`, `IN`, `OPTIONAL`, `PAGED_CODE`, `DECLSPEC_ALIGN`, table macros).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { generateFile } from '../../../scripts/benchInputs';
import { editBetween, editOfChange } from '../../../server/src/analysis/document';
import type { MacroTable } from '../../../server/src/analysis/conditionals';
import type { MacroDefinition, MacroDefinitions } from '../../../server/src/analysis/macros';
import {
  blankSource,
  blankSourceState,
  headerMacroDefinitions,
  reblankSource,
  type BlankingState,
} from '../../../server/src/analysis/prepass';
import type { GrammarId } from '../../../server/src/syntax/treeSitter';

const FIXTURES = path.join(__dirname, '../../fixtures');
const fixture = (rel: string) => fs.readFileSync(path.join(FIXTURES, rel), 'utf8');

/** Everything the passes treat specially, around plain function bodies. */
const SPECIAL = `#include <ntddk.h>
#define FEN_PAGED __declspec(code_seg("PAGE"))
#define FEN_NOTHING(x)
#define FEN_PASSIVE _IRQL_requires_max_(PASSIVE_LEVEL)
#define FEN_LONG \\
    continued
#ifdef __cplusplus
extern "C" {
#endif
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(FEN_CONTEXT, FenGetContext)
ULONG CC_MACRO(x) FenValue;
DECLSPEC_ALIGN(16) UCHAR FenBuffer[64];
CONST int fenConst = 1;
#if 0
int dead = 1;
#else
int live = 2;
#endif
#ifdef FEN_UNKNOWN
int maybe = 3;
#elif defined(DBG)
int debug = 4;
#endif

FEN_PAGED
_IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS
FenRoutine(_In_ WDFDEVICE Device, IN PVOID Context OPTIONAL)
{
    NTSTATUS status = STATUS_SUCCESS;
    /* a block
       comment */ int a = 1; // a line comment
    char *s = "a string /* not a comment";
    char c = '\\'';
    FEN_NOTHING(status = 5);
    PAGED_CODE();
    // One edit from a name passes look for: each x removed, or a character added beside it.
    int INx = _In_x + xOPTIONAL + CONSTx + PAGED_CODEx + FEN_PAGEDx * DECLSPEC_ALIGx + xFEN_NOTHING;
    int _Inx = _Inx_ + xIN + IN_x + OPTIONAL_;
    if (NT_SUCCESS(status)) {
        status = FenHelper(Device, Context);
    }
#if FEN_OPTION
    if (a) {
#else
    if (!a) {
#endif
        a++;
    }
    return status;
}

FEN_PASSIVE VOID FenOther(VOID) { int b = 2; b += 3; }
#define FEN_LATE(x)
#ifdef FEN_UNKNOWN
#define FEN_MAYBE
#endif
VOID FenLast(VOID) { FEN_LATE(1); int c = 3 * 4; }
#ifdef __cplusplus
}
#endif
`;

/**
 * Argument lists one character too long to be one (sal.ts and macros.ts look for the `)` within
 * 4096 and 8192 characters): a character deleted inside makes them one.
 */
const LONG_ARGS = `#define FEN_DROP(x)
VOID FenLong(VOID)
{
    int a = _When_(a,${'\n    int b = 1;'.repeat(272)}
            ) 1;
    FEN_DROP(${'\n    b = 2;'.repeat(744)}
      );
    DECLSPEC_ALIGN(16) int c = 3;
}
`;

/**
 * What passes read past a name, inside blocks: the `(` an annotation or an empty macro may take
 * (`_In_ x(1)`: one `x` away from arguments), a `__cplusplus` block inside a body (blanked in C, its
 * lone `}` lines in C++), and a file-scope macro call whose parentheses hold a block (what follows its
 * `)` stands in the block), and file-scope calls one character away from a macro's (`FENx(1) int`).
 */
const ODD = `#define FEN_EMPTY(x)
VOID FenOdd(VOID)
{
    FenLog(_In_ x(1), IN y(2), _Out_opt_
        z(3));
    FEN_EMPTY q(4);
    FEN_EMPTY
        r(5);
#ifdef __cplusplus
    int cpp = 1;
    x}
    {
#endif
}
FEN_CALL(a { b ) ; c }
FEN_CALL2(a { b ) c }
FENx(1) int fenAfter;
FEN_Lower(2) int fenAfter2;
`;

interface Input {
  name: string;
  text: string;
  language: GrammarId;
}

const INPUTS: Input[] = [
  { name: 'echo/queue.c', text: fixture('drivers/echo/queue.c'), language: 'c' },
  { name: 'echo/driver.c', text: fixture('drivers/echo/driver.c'), language: 'c' },
  { name: 'echo/echo.h', text: fixture('drivers/echo/echo.h'), language: 'c' },
  { name: 'dma/dma.c', text: fixture('drivers/dma/dma.c'), language: 'c' },
  { name: 'legacy/legacy.c', text: fixture('drivers/legacy/legacy.c'), language: 'c' },
  { name: 'control/control.cpp', text: fixture('drivers/control/control.cpp'), language: 'cpp' },
  { name: 'branches.c.txt', text: fixture('drivers/branches/branches.c.txt'), language: 'c' },
  { name: 'wdflamp.h', text: fixture('headers/lamp/wdflamp.h'), language: 'c' },
  { name: 'generated', text: generateFile(20260603, 300), language: 'c' },
  { name: 'long-args.c', text: LONG_ARGS, language: 'c' },
  { name: 'odd.c', text: ODD, language: 'c' },
  { name: 'odd.cpp', text: ODD, language: 'cpp' },
  { name: 'special.c', text: SPECIAL, language: 'c' },
  { name: 'special.cpp', text: SPECIAL, language: 'cpp' },
  { name: 'special.crlf.c', text: SPECIAL.replace(/\n/g, '\r\n'), language: 'c' },
];

/** Settings a document may be blanked with: none, project defines, header macros (with a table name used in SPECIAL). */
const DEFINES: MacroTable = new Map<string, string | null>([
  ['DBG', '1'],
  ['FEN_OPTION', null],
]);
const HEADER_MACROS: MacroDefinitions = new Map<string, MacroDefinition>([
  ...headerMacroDefinitions(fixture('headers/lamp/wdflampconfig.h')).map((d) => [d.name, d] as const),
  ['FEN_HEADER_PAGED', { name: 'FEN_HEADER_PAGED', body: '__declspec(code_seg("PAGE"))' }],
  ['FEN_HEADER_NOTHING', { name: 'FEN_HEADER_NOTHING', params: ['x'], body: '' }],
]);
const SETTINGS: { defines?: MacroTable; macros?: MacroDefinitions }[] = [
  {},
  { defines: DEFINES },
  { defines: DEFINES, macros: HEADER_MACROS },
];

const INSERTS = [
  ...'aZq_09 \t;,.+-=<>!~&|^%?:[]',
  ...'/*"\'#\\\n\r(){}',
  '_In_',
  '_Out_opt_',
  'IN',
  'OPTIONAL',
  'CONST',
  'PAGED_CODE',
  'DECLSPEC_ALIGN',
  '__declspec',
  '__cplusplus',
  'FEN_PAGED',
  'FEN_NOTHING',
  'FEN_HEADER_NOTHING',
  'FOO_MACRO',
  'status',
  '//',
  '/*',
  '*/',
  '#if 0\n',
  '#endif\n',
  '#define FEN_NEW\n',
];

/** One edit: at a fraction of the text, insert a string or delete a few characters. */
interface Edit {
  at: number;
  insert?: string;
  remove: number;
}

/** Where in the text, spread evenly (fc.double favours the ends). */
const fraction = fc.integer({ min: 0, max: 1_000_000 }).map((n) => n / 1_000_000);

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ at: fraction, insert: fc.constantFrom(...INSERTS), remove: fc.constant(0) }),
  fc.record({ at: fraction, remove: fc.integer({ min: 1, max: 3 }) }),
  // A replacement: what editors send for a completion or a typed-over selection.
  fc.record({ at: fraction, insert: fc.constantFrom(...INSERTS), remove: fc.integer({ min: 1, max: 4 }) }),
);

function applyEdit(text: string, edit: Edit): string {
  const at = Math.min(text.length, Math.floor(edit.at * (text.length + 1)));
  return text.slice(0, at) + (edit.insert ?? '') + text.slice(Math.min(text.length, at + edit.remove));
}

/** Follow an edit sequence incrementally, checking each step against a fresh blanking; returns how many steps were spliced. */
function followEdits(
  input: Input,
  settings: (typeof SETTINGS)[number],
  edits: Edit[],
  reblank = reblankSource,
): number {
  const { language } = input;
  let text = input.text;
  let state: BlankingState = blankSourceState(text, language, settings.defines, settings.macros);
  let spliced = 0;
  for (const edit of edits) {
    text = applyEdit(text, edit);
    const next = reblank(state, text, language, settings.defines, settings.macros);
    const fresh = blankSourceState(text, language, settings.defines, settings.macros);
    assert.deepStrictEqual(next.result, fresh.result, `${input.name}: blanking after ${JSON.stringify(edit)}`);
    assert.deepStrictEqual(next.reads, fresh.reads, `${input.name}: reads after ${JSON.stringify(edit)}`);
    assert.deepStrictEqual(next.blocks, fresh.blocks, `${input.name}: blocks after ${JSON.stringify(edit)}`);
    assert.equal(next.source, text);
    if (next.change) {
      spliced++;
      assert.deepEqual(
        editOfChange(state.result.text, next.change),
        editBetween(state.result.text, next.result.text),
        `${input.name}: the change is where the blanked texts differ`,
      );
    }
    state = next;
  }
  return spliced;
}

describe('incremental blanking (reblankSource)', () => {
  it('equals blanking the whole text after every step of random edits', () => {
    let steps = 0;
    let spliced = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...INPUTS),
        fc.constantFrom(...SETTINGS),
        fc.array(editArb, { minLength: 1, maxLength: 25 }),
        (input, settings, edits) => {
          spliced += followEdits(input, settings, edits);
          steps += edits.length;
        },
      ),
      { numRuns: 300 },
    );
    // The property is only worth its runs if many steps took the fast path.
    assert.ok(spliced > steps / 5, `${spliced} of ${steps} steps spliced`);
  });

  it('equals it for typing and deleting names and operators inside bodies', () => {
    // Edits where a body's code is: most take the fast path, and each must be exact.
    const bodyEdit = (text: string) =>
      fc
        .record({
          line: fc.integer({ min: 0, max: 10_000 }),
          column: fc.integer({ min: 0, max: 40 }),
          insert: fc.constantFrom(
            '',
            ...'abcXYZ_019 \t;,.+-*=<>',
            'IN',
            '_In_',
            'OPTIONAL',
            'PAGED_CODE',
            'DECLSPEC_ALIGN',
            'FOO',
          ),
          remove: fc.integer({ min: 0, max: 2 }),
        })
        .map(({ line, column, insert, remove }) => {
          const starts = [...text.matchAll(/^ {4}\S.*$/gm)].map((m) => m.index);
          const at = starts[line % starts.length] + column;
          return { at: at / (text.length + 1) + 1e-9, insert, remove } satisfies Edit;
        });
    let steps = 0;
    let spliced = 0;
    for (const input of INPUTS) {
      fc.assert(
        fc.property(
          fc.constantFrom(...SETTINGS),
          fc.array(bodyEdit(input.text), { minLength: 1, maxLength: 10 }),
          (settings, edits) => {
            spliced += followEdits(input, settings, edits);
            steps += edits.length;
          },
        ),
        { numRuns: 40 },
      );
    }
    assert.ok(spliced > steps / 3, `${spliced} of ${steps} steps spliced`);
  });

  it('equals it for every one-character deletion and insertion in texts full of what passes look for', () => {
    let spliced = 0;
    let steps = 0;
    for (const input of INPUTS.filter((i) => /^(special\.c|odd)/.test(i.name))) {
      for (const settings of [SETTINGS[2]]) {
        const state = blankSourceState(input.text, input.language, settings.defines, settings.macros);
        for (let at = 0; at <= input.text.length; at++) {
          for (const insert of ['', ' ', 'x']) {
            const remove = insert ? 0 : 1;
            if (at + remove > input.text.length) continue;
            const text = input.text.slice(0, at) + insert + input.text.slice(at + remove);
            const next = reblankSource(state, text, input.language, settings.defines, settings.macros);
            const fresh = blankSourceState(text, input.language, settings.defines, settings.macros);
            const what = `${input.name}: ${JSON.stringify(insert)} at ${at}`;
            assert.deepStrictEqual(next.result, fresh.result, what);
            assert.deepStrictEqual(next.reads, fresh.reads, what);
            assert.deepStrictEqual(next.blocks, fresh.blocks, what);
            if (next.change) spliced++;
            steps++;
          }
        }
      }
    }
    assert.ok(spliced > steps / 4, `${spliced} of ${steps} steps spliced`);
  });

  it('splices a plain identifier edit inside a body', () => {
    const text = fixture('drivers/echo/queue.c');
    const at = text.indexOf('status = ', text.indexOf('{'));
    assert.ok(at > 0);
    const state = blankSourceState(text, 'c', DEFINES, HEADER_MACROS);
    const typed = text.slice(0, at) + 'x' + text.slice(at);
    const next = reblankSource(state, typed, 'c', DEFINES, HEADER_MACROS);
    assert.deepEqual(next.change, { start: at, oldEnd: at, newEnd: at + 1 });
    assert.deepStrictEqual(next.result, blankSource(typed, 'c', DEFINES, HEADER_MACROS));
    const deleted = reblankSource(next, text, 'c', DEFINES, HEADER_MACROS);
    assert.deepEqual(deleted.change, { start: at, oldEnd: at + 1, newEnd: at });
    assert.deepStrictEqual(deleted.result, state.result);
  });

  it('blanks afresh what is not local', () => {
    const at = SPECIAL.indexOf('int a = 1;');
    const state = blankSourceState(SPECIAL, 'c');
    for (const insert of ['/*', '"', '#', '\\', '\n', '(', '{', 'IN ', '_In_ ']) {
      const text = SPECIAL.slice(0, at) + insert + SPECIAL.slice(at);
      const next = reblankSource(state, text, 'c');
      assert.equal(next.change, undefined, JSON.stringify(insert));
      assert.deepStrictEqual(next.result, blankSource(text, 'c'));
    }
    // Other settings than the state's: afresh.
    const typed = SPECIAL.slice(0, at) + 'x' + SPECIAL.slice(at);
    assert.equal(reblankSource(state, typed, 'c', DEFINES).change, undefined);
    assert.equal(reblankSource(state, typed, 'cpp').change, undefined);
    assert.notEqual(reblankSource(state, typed, 'c').change, undefined);
  });
});
