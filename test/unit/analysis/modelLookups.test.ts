import { strict as assert } from 'node:assert';
import {
  analyzeText,
  blankSource,
  enclosingFunction,
  findFunctionAt,
  identifierAt,
  LineIndex,
} from '../../../server/src/analysis';
import { buildModel } from '../../../server/src/analysis/build';
import { blankAnnotations } from '../../../server/src/syntax/sal';
import { createParser, loadLanguage } from '../../../server/src/syntax/treeSitter';

describe('model lookups', () => {
  it('identifierAt finds the word at or just before the cursor, and the object of a member', () => {
    const text = 'x = devCtx->Config.EvtIoRead; y(cfg . EvtIoStop);';
    const at = text.indexOf('EvtIoRead') + 3;
    assert.deepEqual(identifierAt(text, at), {
      name: 'EvtIoRead',
      start: 19,
      end: 28,
      object: 'devCtx->Config',
      objectName: 'Config',
      operator: '.',
    });
    assert.deepEqual(identifierAt(text, 28), identifierAt(text, 20), 'cursor right after the word');
    assert.deepEqual(identifierAt(text, text.indexOf('EvtIoStop')), {
      name: 'EvtIoStop',
      start: 38,
      end: 47,
      object: 'cfg',
      objectName: 'cfg',
      operator: '.',
    });
    assert.deepEqual(identifierAt(text, 0), { name: 'x', start: 0, end: 1 });
    assert.equal(identifierAt(text, 2), undefined);
    assert.equal(identifierAt('a = 42;', 5), undefined);
  });

  it('findFunctionAt and enclosingFunction by offset and position', async () => {
    const text = 'int A(void);\n_IRQL_requires_max_(PASSIVE_LEVEL)\nint B(int q)\n{\n    return A();\n}\n';
    const model = await analyzeText('file:///h.c', text);
    assert.equal(findFunctionAt(model, text.indexOf('A(void)'))?.isDefinition, false);
    assert.equal(findFunctionAt(model, text.indexOf('_IRQL'))?.name, 'B', 'annotations belong to the function span');
    assert.equal(enclosingFunction(model, text.indexOf('return'))?.name, 'B');
    assert.equal(enclosingFunction(model, { line: 4, character: 4 })?.name, 'B');
    assert.equal(enclosingFunction(model, { line: 0, character: 4 }), undefined);
    assert.equal(enclosingFunction(model, text.indexOf('int B')), undefined, 'the header is not the body');
  });

  it('LineIndex handles CRLF, lone CR and clamps', () => {
    const lines = new LineIndex('ab\r\ncd\ref\n');
    assert.deepEqual(
      [0, 2, 4, 7, 10].map((o) => lines.positionAt(o)),
      [
        { line: 0, character: 0 },
        { line: 0, character: 2 },
        { line: 1, character: 0 },
        { line: 2, character: 0 },
        { line: 3, character: 0 },
      ],
    );
    assert.equal(lines.offsetAt({ line: 0, character: 99 }), 2, 'not inside the CRLF');
    assert.equal(lines.offsetAt({ line: 9, character: 0 }), 10);
  });
});

describe('driver blanking (prepass)', () => {
  it('keeps length and lines, blanks __cplusplus guards, glued macros and DECLSPEC decorations', () => {
    const text = [
      '#ifdef __cplusplus',
      'extern "C" {',
      '#endif',
      'WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(CTX, GetCtx)',
      'typedef struct DECLSPEC_ALIGN(16) _S { int a; } S;',
      'ULONG CC_MACRO(x) Eta(ULONG v);',
      'DEFINE_GUID(G, 1);',
      '#ifdef __cplusplus',
      '}',
      '#endif',
    ].join('\n');
    const out = blankSource(text, 'c').text;
    assert.equal(out.length, text.length);
    assert.deepEqual(
      out.split('\n').map((l) => l.replace(/\s+/g, ' ').trim()),
      [
        '#ifdef __cplusplus',
        '',
        '#endif',
        '',
        'typedef struct _S { int a; } S;',
        'ULONG Eta(ULONG v);',
        'DEFINE_GUID(G, 1);',
        '#ifdef __cplusplus',
        '',
        '#endif',
      ],
    );
  });

  it('in C, blanks a __cplusplus branch with the groups inside it, and nothing after its #else', () => {
    const text = [
      '#ifdef __cplusplus',
      'int cppOnly;',
      '#if DBG',
      'int nested;',
      '#endif',
      '#else',
      'int cOnly;',
      '#endif',
      '#if defined(__cplusplus)',
      'int cppAgain;',
      '#endif',
      'int after;',
    ].join('\n');
    const out = blankSource(text, 'c').text.split('\n');
    assert.deepEqual(
      out.map((l) => l.trim()),
      [
        '#ifdef __cplusplus',
        '',
        '#if DBG',
        '',
        '#endif',
        '#else',
        'int cOnly;',
        '#endif',
        '#if defined(__cplusplus)',
        '',
        '#endif',
        'int after;',
      ],
    );
  });

  it('keeps only the first branch of an #if group whose branches open braces', async () => {
    const text =
      'VOID Bar(WDFREQUEST Request)\n{\n#if DBG\n    if (Request != NULL) {\n#else\n    if (Request) {\n#endif\n        WdfRequestComplete(Request, STATUS_SUCCESS);\n    }\n}\n';
    const out = blankSource(text, 'c').text.split('\n');
    assert.equal(out[5].trim(), '');
    assert.equal(out[3].trim(), 'if (Request != NULL) {');
    const model = await analyzeText('file:///bar.c', text);
    assert.equal(model.errorCount, 0);
    assert.deepEqual(
      model.functions.map((f) => [f.name, f.calls.map((c) => c.callee)]),
      [['Bar', ['WdfRequestComplete']]],
    );
    // Balanced branches stay as they are.
    const balanced = '#if DBG\nint a(void) { return 1; }\n#else\nint a(void) { return 0; }\n#endif\n';
    assert.equal(blankSource(balanced, 'c').text, balanced);
  });

  it('recovers a definition whose header sits in an ERROR node', async () => {
    // Without the prepass (SAL blanking only) the unbalanced #if breaks the header into an ERROR node.
    const text =
      '_IRQL_requires_max_(DISPATCH_LEVEL)\nVOID\nBar(\n    _In_ WDFREQUEST Request\n    )\n{\n#if DBG\n    if (Request != NULL) {\n#else\n    if (Request) {\n#endif\n        PAGED_CODE();\n        WdfRequestComplete(Request, STATUS_SUCCESS);\n    }\n}\nVOID After(void) { Tail(); }\n';
    const blanked = blankAnnotations(text);
    const parser = await createParser('c');
    const tree = parser.parse(blanked.text)!;
    try {
      assert.ok(tree.rootNode.descendantsOfType('ERROR').length > 0, 'the tree has an ERROR node');
      assert.ok(
        !tree.rootNode
          .descendantsOfType('function_definition')
          .some((n) => n.childForFieldName('declarator')?.text.startsWith('Bar')),
        'Bar is not a function_definition',
      );
      const model = buildModel({
        uri: 'file:///r.c',
        version: 1,
        language: 'c',
        text,
        blankedText: blanked.text,
        annotations: blanked.annotations,
        tree,
        treeLanguage: await loadLanguage('c'),
      });
      const bar = model.functions.find((f) => f.name === 'Bar')!;
      assert.equal(bar.isDefinition, true);
      assert.equal(bar.returnType, 'VOID');
      assert.deepEqual(
        bar.params.map((p) => [p.type, p.name, p.annotations.map((a) => a.name)]),
        [['WDFREQUEST', 'Request', ['_In_']]],
      );
      assert.deepEqual(bar.irql, { max: 'DISPATCH_LEVEL' });
      assert.deepEqual(bar.body && [bar.body.start.line, bar.body.end.line], [5, 14]);
      assert.deepEqual(
        bar.calls.map((c) => c.callee),
        ['PAGED_CODE', 'WdfRequestComplete'],
      );
      assert.equal(bar.pagedCodeFirst, true);
      assert.deepEqual(
        model.functions.map((f) => f.name),
        ['Bar', 'After'],
      );
    } finally {
      tree.delete();
      parser.delete();
    }
  });
});
