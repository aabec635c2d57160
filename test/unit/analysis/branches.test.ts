import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../../../server/src/analysis';
import { buildModel } from '../../../server/src/analysis/build';
import type { BranchArm, DocumentModel, FunctionModel } from '../../../server/src/analysis/model';
import { blankAnnotations } from '../../../server/src/syntax/sal';
import { createParser, loadLanguage } from '../../../server/src/syntax/treeSitter';
import { FIXTURES } from './markers';

const FIXTURE = path.join(FIXTURES, 'branches', 'branches.c.txt');

/** `kind@line:column.arm` for each arm (0-based line and column of the statement offset). */
function armLabels(text: string, arms: BranchArm[] | undefined): string[] | undefined {
  if (arms === undefined) return undefined;
  return arms.map((a) => {
    const before = text.slice(0, a.statement).split('\n');
    return `${a.kind}@${before.length - 1}:${before[before.length - 1].length}.${a.arm}`;
  });
}

/** Each call and return of a function with its outline, in the order the model lists them. */
function outline(text: string, fn: FunctionModel): [string, string[] | undefined][] {
  return [
    ...fn.calls.map((c): [string, string[] | undefined] => [c.callee, armLabels(text, c.branches)]),
    ...fn.returns.map((r): [string, string[] | undefined] => [
      `return ${r.value ?? ''}`.trim(),
      armLabels(text, r.branches),
    ]),
  ];
}

function definition(model: DocumentModel, name: string): FunctionModel {
  const found = model.functions.filter((f) => f.name === name && f.isDefinition);
  assert.equal(found.length, 1, `one definition of ${name}`);
  return found[0];
}

describe('analysis: branch outline', () => {
  let text: string;
  let model: DocumentModel;

  before(async () => {
    text = fs.readFileSync(FIXTURE, 'utf8');
    model = await analyzeText('file:///fixtures/branches.c', text, 'c');
  });

  it('parses the fixture cleanly', () => {
    assert.equal(model.errorCount, 0);
    assert.deepEqual(
      model.functions.map((f) => [f.name, f.hasGoto]),
      [
        ['NestedIf', false],
        ['Dispatch', false],
        ['Loops', false],
        ['Expressions', false],
        ['WithGoto', true],
        ['BreakAfterCall', false],
        ['BreakWithoutCall', false],
      ],
    );
  });

  it('nested if/else and else-if: then = 0, else = 1, outermost first; the condition is outside the branch', () => {
    assert.deepEqual(outline(text, definition(model, 'NestedIf')), [
      ['TraceEnter', []],
      ['WdfRequestIsCanceled', []],
      ['WdfRequestComplete', ['if@15:4.0', 'if@16:8.0']],
      ['WdfRequestCompleteWithInformation', ['if@15:4.0', 'if@16:8.1']],
      ['LogTwo', ['if@15:4.1', 'if@21:11.0']],
      ['LogOther', ['if@15:4.1', 'if@21:11.1']],
      ['TraceLeave', []],
      ['return', ['if@15:4.1', 'if@21:11.1']],
    ]);
    // The statement is the `if` keyword's offset.
    const complete = definition(model, 'NestedIf').calls[2];
    assert.deepEqual(complete.branches, [
      { statement: text.indexOf('if (WdfRequestIsCanceled'), arm: 0, kind: 'if' },
      { statement: text.indexOf('if (Code == 1)'), arm: 0, kind: 'if' },
    ]);
  });

  it('switch: one arm per case label in source order, default included, fallthrough labels counted', () => {
    assert.deepEqual(outline(text, definition(model, 'Dispatch')), [
      ['StepZero', ['switch@36:4.0']],
      ['StepTwo', ['switch@36:4.2']],
      ['StepDefault', ['switch@36:4.3']],
      ['StepThree', ['switch@36:4.4']],
      ['return STATUS_INVALID_PARAMETER', ['switch@36:4.3']],
      ['return STATUS_SUCCESS', []],
    ]);
  });

  it('loops: body and for-update are arm 0; conditions are not in the loop', () => {
    assert.deepEqual(outline(text, definition(model, 'Loops')), [
      ['Continue', []],
      ['Advance', ['loop@60:4.0']],
      ['Body', ['loop@60:4.0']],
      ['Poll', []],
      ['Wait', ['loop@63:4.0']],
      ['Once', ['loop@64:4.0']],
      ['Again', []],
    ]);
  });

  it('?: gives arms 1 and 2, && / || give the right operand arm 1, identified by their operator token', () => {
    assert.deepEqual(outline(text, definition(model, 'Expressions')), [
      ['Left', ['conditional@74:16.1']],
      ['Right', ['conditional@74:16.2']],
      ['First', ['logical@75:6.1']],
      ['Second', ['logical@76:6.1']],
      ['Third', ['logical@76:6.1', 'logical@76:19.1']],
      ['Ready', []],
      ['Go', ['logical@77:17.1']],
      ['Yes', ['conditional@77:26.1']],
      ['No', ['conditional@77:26.2']],
      ['Pick', ['conditional@78:13.1']],
      ['return x ? Pick(x) : 0', []],
    ]);
    // `Ready(x) && Go(x) ? Yes(x) : No(x)`: both constructs start at `Ready`, so they are told apart by `&&` and `?`.
    const line = text.split('\n')[77];
    assert.equal(line.indexOf('&&'), 17);
    assert.equal(line.indexOf('?'), 26);
  });

  it('gives no outline to a function with goto, and says so', () => {
    const fn = definition(model, 'WithGoto');
    assert.equal(fn.hasGoto, true);
    assert.deepEqual(outline(text, fn), [
      ['Prepare', undefined],
      ['NT_SUCCESS', undefined],
      ['Work', undefined],
      ['return status', undefined],
    ]);
  });

  it('gives no outline when a conditional break follows a call in its branch, keeps it otherwise', () => {
    assert.deepEqual(outline(text, definition(model, 'BreakAfterCall')), [
      ['Bad', undefined],
      ['WdfRequestComplete', undefined],
      ['WdfRequestComplete', undefined],
    ]);
    assert.deepEqual(outline(text, definition(model, 'BreakWithoutCall')), [
      ['WdfRequestComplete', ['switch@118:4.0']],
    ]);
  });

  it('outlines a break/continue at the top of a case or loop, and leaves __try and parse errors out', async () => {
    const ok = 'void f(int c) { while (c) { if (c > 1) G(c); continue; } switch (c) { case 1: H(c); break; } }';
    const okModel = await analyzeText('file:///ok.c', ok, 'c');
    assert.deepEqual(outline(ok, okModel.functions[0]), [
      ['G', ['loop@0:16.0', 'if@0:28.0']],
      ['H', ['switch@0:57.0']],
    ]);

    const seh = 'void f(int c) { __try { G(c); } __except (1) { H(c); } }';
    const sehModel = await analyzeText('file:///seh.c', seh, 'c');
    assert.deepEqual(outline(seh, sehModel.functions[0]), [
      ['G', undefined],
      ['H', undefined],
    ]);
    assert.equal(sehModel.functions[0].hasGoto, false);

    const broken = 'void f(int c) {\n  if (c) G(c);\n  x = = 2;\n  goto out;\nout:\n  H(c);\n}\n';
    const brokenModel = await analyzeText('file:///broken.c', broken, 'c');
    assert.equal(brokenModel.errorCount > 0, true);
    assert.deepEqual(outline(broken, brokenModel.functions[0]), [
      ['G', undefined],
      ['H', undefined],
    ]);
    assert.equal(brokenModel.functions[0].hasGoto, true);
  });

  it('gives no outline inside a definition recovered from an ERROR node whose body did not parse cleanly; goto read from its text', async () => {
    // Built from SAL-blanked text only (no prepass): the #if branches open two braces, so the header lands in an ERROR node.
    const make = (extra: string) =>
      'VOID\nBar(\n    _In_ WDFREQUEST Request\n    )\n{\n#if DBG\n    if (Request != NULL) {\n#else\n    if (Request) {\n#endif\n' +
      `        WdfRequestComplete(Request, STATUS_SUCCESS);\n${extra}    }\n}\n`;
    const parser = await createParser('c');
    try {
      for (const [extra, hasGoto] of [
        ['', false],
        ['        goto done; // goto in a comment\n', true],
        ['        Log("goto x;");\n', false],
      ] as const) {
        const source = make(extra);
        const blanked = blankAnnotations(source);
        const tree = parser.parse(blanked.text)!;
        try {
          assert.equal(
            tree.rootNode.descendantsOfType('function_definition').length,
            0,
            'Bar is recovered, not parsed',
          );
          const built = buildModel({
            uri: 'file:///r.c',
            version: 1,
            language: 'c',
            text: source,
            blankedText: blanked.text,
            annotations: blanked.annotations,
            tree,
            treeLanguage: await loadLanguage('c'),
          });
          const bar = built.functions.find((f) => f.name === 'Bar')!;
          assert.equal(bar.isDefinition, true);
          assert.equal(bar.hasGoto, hasGoto, JSON.stringify(extra));
          assert.equal(
            bar.calls.some((c) => c.callee === 'WdfRequestComplete'),
            true,
          );
          assert.deepEqual(
            bar.calls.map((c) => c.branches),
            bar.calls.map(() => undefined),
          );
        } finally {
          tree.delete();
        }
      }
    } finally {
      parser.delete();
    }
  });

  it('outside a definition, calls carry no outline and prototypes no hasGoto', async () => {
    const src = 'int g(void);\nint f(void) { return g(); }\n';
    const m = await analyzeText('file:///p.c', src, 'c');
    assert.deepEqual(
      m.functions.map((f) => [f.name, f.isDefinition, f.hasGoto]),
      [
        ['g', false, undefined],
        ['f', true, false],
      ],
    );
    assert.deepEqual(
      m.functions[1].calls.map((c) => c.branches),
      [[]],
    );
    assert.deepEqual(
      m.functions[1].returns.map((r) => r.branches),
      [[]],
    );
  });
});
