import { strict as assert } from 'node:assert';
import { blankAnnotations } from '../../../server/src/syntax/sal';

describe('blankAnnotations', () => {
  it('blanks SAL and calling conventions with same-length spaces and records them in order', () => {
    const src = 'VOID\nNTAPI\nf(_In_ WDFQUEUE Queue, _IRQL_requires_max_(DISPATCH_LEVEL) IN ULONG x OPTIONAL);';
    const { text, annotations } = blankAnnotations(src);
    assert.equal(text.length, src.length);
    assert.equal(text, 'VOID\n     \nf(     WDFQUEUE Queue,                                        ULONG x         );');
    assert.deepEqual(
      annotations.map((a) => [a.name, a.args, a.start]),
      [
        ['NTAPI', undefined, 5],
        ['_In_', undefined, 13],
        ['_IRQL_requires_max_', 'DISPATCH_LEVEL', 34],
        ['IN', undefined, 70],
        ['OPTIONAL', undefined, 81],
      ],
    );
  });

  it('keeps newlines inside multi-line annotations and leaves comments, strings and struct tags alone', () => {
    const src = '_When_(x,\n  _In_)\ntypedef struct _WDF_X { CONST char *s; } WDF_X; // _In_\nchar *t = "_Out_";';
    const { text, annotations } = blankAnnotations(src);
    assert.equal(text.split('\n').length, src.split('\n').length);
    assert.ok(text.includes('struct _WDF_X { const char *s; }'));
    assert.ok(text.endsWith('// _In_\nchar *t = "_Out_";'));
    assert.deepEqual(
      annotations.map((a) => a.name),
      ['_When_'],
    );
  });

  it('reads driver-style SAL 1 annotations', () => {
    const { annotations } = blankAnnotations('__drv_maxIRQL(DISPATCH_LEVEL) VOID f(__in PVOID p);');
    assert.deepEqual(
      annotations.map((a) => a.text),
      ['__drv_maxIRQL(DISPATCH_LEVEL)', '__in'],
    );
  });
});
