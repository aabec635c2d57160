import * as assert from 'node:assert/strict';
import { evaluate, inExclusiveBranches, scanConditionals } from '../../../server/src/analysis/conditionals';
import { analyzeText } from '../../../server/src/analysis/parse';

const known = (entries: Record<string, string | null>) => new Map(Object.entries(entries));

/** The text of each dead or undecided range, trimmed. */
const deadText = (text: string, defines = new Map<string, string | null>()) =>
  scanConditionals(text, defines).dead.map((p) => text.slice(p.start, p.end).trim());
const undecidedText = (text: string, defines = new Map<string, string | null>()) =>
  scanConditionals(text, defines).undecided.map((b) => [b.group, b.branch, text.slice(b.start, b.end).trim()]);

describe('conditional compilation', () => {
  it('evaluates #if expressions over known macros, unknown where a fact is missing', () => {
    const macros = known({ ZERO: '0', ONE: '1', TWO: '(ONE + 1)', GONE: null, EMPTY: '', SELF: 'SELF' });
    const table: [string, boolean | undefined][] = [
      ['0', false],
      ['1', true],
      ['0x10 == 16', true],
      ['ZERO', false],
      ['TWO == 2', true],
      ['TWO > 2 || ONE', true],
      ['defined(ONE)', true],
      ['defined ONE && !defined(GONE)', true],
      ['defined(UNKNOWN)', undefined],
      ['UNKNOWN', undefined],
      ['0 && UNKNOWN', false],
      ['UNKNOWN || 1', true],
      ['UNKNOWN && 1', undefined],
      ['GONE', false],
      ['ONE ? 5 : UNKNOWN', true],
      ['SELF', undefined],
      ['EMPTY', undefined],
      ['NTDDI_VERSION >= NTDDI_WIN8', undefined],
      ['FOO(1)', undefined],
      ['1 / 0', undefined],
      ['(1', undefined],
      ['1 +', undefined],
    ];
    for (const [expression, expected] of table) assert.equal(evaluate(expression, macros), expected, expression);
  });

  it('blanks branches that are certainly not compiled, and only those', () => {
    const text = [
      '#if 0',
      'dead_a();',
      '#else',
      'live_a();',
      '#endif',
      '#define FORWARD 0',
      '#if FORWARD',
      'dead_b();',
      '#elif 1',
      'live_b();',
      '#else',
      'dead_c();',
      '#endif',
    ].join('\n');
    assert.deepEqual(deadText(text), ['dead_a();', 'dead_b();', 'dead_c();']);
    assert.deepEqual(undecidedText(text), []);
  });

  it('keeps undecided branches, numbered by group, and decides them from the given defines', () => {
    const text = [
      '#ifdef USER_MODE',
      'user();',
      '#else',
      'kernel();',
      '#endif',
      '#ifndef USER_MODE',
      'kernel_again();',
      '#endif',
    ].join('\n');
    assert.deepEqual(undecidedText(text), [
      [0, 0, 'user();'],
      [0, 1, 'kernel();'],
      [1, 0, 'kernel_again();'],
    ]);
    assert.deepEqual(deadText(text, known({ USER_MODE: '1' })), ['kernel();', 'kernel_again();']);
    assert.deepEqual(deadText(text, known({ USER_MODE: null })), ['user();']);
  });

  it('after an undecided branch, a later true branch is only possible; a dead outer branch kills its groups', () => {
    const text = [
      '#if defined(A)',
      'a();',
      '#elif 1',
      'b();',
      '#else',
      'c();',
      '#endif',
      '#if 0',
      '#if defined(B)',
      'd();',
      '#endif',
      '#endif',
    ].join('\n');
    assert.deepEqual(undecidedText(text), [
      [0, 0, 'a();'],
      [0, 1, 'b();'],
    ]);
    assert.deepEqual(deadText(text), ['c();', '#if defined(B)\nd();\n#endif']);
  });

  it('follows #define and #undef in the file, and forgets a macro defined in an undecided branch', () => {
    const text = [
      '#define X 1',
      '#undef X',
      '#if X',
      'dead();',
      '#endif',
      '#ifdef MAYBE',
      '#define Y 1',
      '#endif',
      '#if Y',
      'open();',
      '#endif',
    ].join('\n');
    assert.deepEqual(deadText(text), ['dead();']);
    assert.deepEqual(
      undecidedText(text).map((u) => u[2]),
      ['#define Y 1', 'open();'],
    );
  });

  it('ignores directives inside block comments and reads continued lines', () => {
    const text = ['/*', '#if 0', '*/', 'live();', '#if 1 && \\', '    0', 'dead();', '#endif'].join('\n');
    assert.deepEqual(deadText(text), ['dead();']);
  });

  it('tells branches of one group apart from nested or separate groups', () => {
    const text = ['#ifdef A', 'x;', '#else', 'y;', '#endif', '#ifdef A', 'z;', '#endif'].join('\n');
    const { undecided } = scanConditionals(text);
    const at = (s: string) => text.indexOf(s);
    assert.equal(inExclusiveBranches(undecided, at('x;'), at('y;')), true);
    assert.equal(inExclusiveBranches(undecided, at('x;'), at('z;')), false);
  });

  it('the model has no call from a dead branch, and records the undecided ones', async () => {
    const text = [
      'VOID Helper(WDFDEVICE Device)',
      '{',
      '#if 0',
      '    WdfDeviceSetFailed(Device, WdfDeviceFailedNoRestart);',
      '#endif',
      '#ifdef TRACE_ON',
      '    TraceThis(Device);',
      '#endif',
      '}',
      '',
    ].join('\n');
    const model = await analyzeText('file:///x/helper.c', text, 'c');
    assert.deepEqual(
      model.functions[0].calls.map((c) => c.callee),
      ['TraceThis'],
    );
    assert.equal(model.undecidedBranches.length, 1);
  });
});

describe('conditional compilation: groups that test the same condition', () => {
  it('pairs #ifdef X / #else with a later #ifdef X / #else, and #ifndef X with #ifdef X', () => {
    const text = [
      '#ifdef A',
      'decl_a;',
      '#else',
      'decl_b;',
      '#endif',
      '#if defined(A)',
      'def_a;',
      '#else',
      'def_b;',
      '#endif',
      '#ifndef A',
      'not_a;',
      '#endif',
      '#ifdef B',
      'other;',
      '#endif',
    ].join('\n');
    const { undecided } = scanConditionals(text);
    const at = (s: string) => text.indexOf(s);
    assert.equal(inExclusiveBranches(undecided, at('decl_a;'), at('def_b;')), true);
    assert.equal(inExclusiveBranches(undecided, at('decl_a;'), at('def_a;')), false);
    assert.equal(inExclusiveBranches(undecided, at('decl_b;'), at('def_a;')), true);
    assert.equal(inExclusiveBranches(undecided, at('not_a;'), at('decl_a;')), true);
    assert.equal(inExclusiveBranches(undecided, at('not_a;'), at('decl_b;')), false);
    assert.equal(inExclusiveBranches(undecided, at('other;'), at('decl_a;')), false);
  });
});

describe('conditional compilation: Windows line ends', () => {
  it('reads directives in CR LF text the same as in LF text', () => {
    const lf = [
      '/*++',
      'Module Name:',
      '--*/',
      '#if 0',
      'dead();',
      '#endif',
      '#if defined(A)',
      'a();',
      '#endif',
      '',
    ].join('\n');
    const crlf = lf.replace(/\n/g, '\r\n');
    assert.deepEqual(deadText(crlf), deadText(lf));
    assert.deepEqual(undecidedText(crlf), undecidedText(lf));
    assert.equal(scanConditionals(crlf).undecided.length, 1);
  });
});
