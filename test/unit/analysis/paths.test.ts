// The path walk over a function body (analysis/paths.ts): each test function's exits, with the calls
// each path made on its way there, in order. A rule sees exactly these paths.
import { strict as assert } from 'node:assert';
import { analyzeText } from '../../../server/src/analysis';
import { walkPaths } from '../../../server/src/analysis/paths';

/** "line: a,b | c" for each exit (1-based line of the return or closing brace; paths sorted). */
async function pathsOf(body: string): Promise<string[] | undefined> {
  const text = `void F(int x, int y)\n{\n${body}\n}\n`;
  const model = await analyzeText('file:///paths.c', text, 'c');
  const fn = model.functions.find((f) => f.name === 'F');
  assert.ok(fn);
  const exits = walkPaths<string>(fn, {
    start: '',
    key: (s) => s,
    step: (s, site) => (site.kind === 'call' && /^[a-z]$/.test(site.call.callee) ? s + site.call.callee : s),
  });
  return exits?.map((e) => `${text.slice(0, e.offset).split('\n').length}: ${[...e.states].sort().join(' | ')}`);
}

describe('path walk', () => {
  it('follows if/else, early returns and the fall-off end', async () => {
    assert.deepEqual(await pathsOf('  a();\n  if (x) { b(); return; }\n  if (y) c(); else d();\n  e();'), [
      '4: ab',
      '7: ace | ade',
    ]);
  });

  it('runs switch cases with fall-through, break and a missing default', async () => {
    assert.deepEqual(
      await pathsOf('  switch (x) {\n  case 1: a();\n  case 2: b(); break;\n  case 3: c(); return;\n  }\n  d();'),
      ['6: c', '9: abd | bd | d'],
    );
    assert.deepEqual(await pathsOf('  switch (x) {\n  case 1: a(); break;\n  default: b(); break;\n  }'), ['7: a | b']);
  });

  it('walks loops zero or more times; do/while(FALSE) once; for (;;) only out through break', async () => {
    // Each round of the loop body is one more path until nothing new reaches its top (the walk stops after four rounds).
    assert.deepEqual(await pathsOf('  while (x) { a(); }\n  b();'), ['5: aaab | aab | ab | b']);
    assert.deepEqual(await pathsOf('  do { if (x) break; a(); } while (FALSE);\n  b();'), ['5: ab | b']);
    assert.deepEqual(await pathsOf('  for (;;) { if (x) { a(); break; } }\n  b();'), ['5: ab']);
  });

  it('follows a forward goto to its label, and gives up on a backward one', async () => {
    assert.deepEqual(await pathsOf('  if (x) goto Exit;\n  a();\nExit:\n  b();'), ['7: ab | b']);
    assert.equal(await pathsOf('Again:\n  a();\n  if (x) goto Again;'), undefined);
  });

  it('decides tests of locals whose value the path knows, and of tests it already passed', async () => {
    assert.deepEqual(await pathsOf('  int done = FALSE;\n  if (x) { a(); done = TRUE; }\n  if (!done) b();'), [
      '6: a | b',
    ]);
    assert.deepEqual(
      await pathsOf('  NTSTATUS status = g();\n  if (!NT_SUCCESS(status)) a();\n  if (NT_SUCCESS(status)) b();'),
      ['6: ga | gb'],
    );
    assert.deepEqual(
      await pathsOf(
        '  NTSTATUS status = STATUS_PENDING;\n  if (x) status = STATUS_SUCCESS;\n  if (status != STATUS_PENDING) a();',
      ),
      ['6:  | a'],
    );
  });

  it('treats the right of && and each arm of ?: as optional on its own (a path may take both arms or neither)', async () => {
    assert.deepEqual(await pathsOf('  x && a();\n  b();'), ['5: ab | b']);
    assert.deepEqual(await pathsOf('  y ? c() : d();'), ['4:  | c | cd | d']);
  });

  it('tells a rule which way each tested local came out, including a status assigned inside NT_SUCCESS', async () => {
    const text = [
      'void F(int x)',
      '{',
      '  NTSTATUS status;',
      '  if (!NT_SUCCESS(status = g())) { a(); return; }',
      '  if (x) b();',
      '  if (status != STATUS_SUCCESS) c();',
      '}',
      '',
    ].join('\n');
    const model = await analyzeText('file:///branch.c', text, 'c');
    const fn = model.functions.find((f) => f.name === 'F')!;
    const exits = walkPaths<string>(fn, {
      start: '',
      key: (s) => s,
      step: (s, site) => (site.kind === 'call' && /^[a-z]$/.test(site.call.callee) ? s + site.call.callee : s),
      branch: (s, test, outcome) => `${s}[${test.negated ? '!' : ''}${test.op}(${test.variable})=${outcome}]`,
    });
    assert.deepEqual(
      exits?.map((e) => [...e.states].sort()),
      [
        ['g[!success(status)=true]a'],
        // NT_SUCCESS held on these paths; that does not say the status was STATUS_SUCCESS itself.
        [
          'g[!success(status)=false][truthy(x)=false][!eq(status)=false]',
          'g[!success(status)=false][truthy(x)=false][!eq(status)=true]c',
          'g[!success(status)=false][truthy(x)=true]b[!eq(status)=false]',
          'g[!success(status)=false][truthy(x)=true]b[!eq(status)=true]c',
        ],
      ],
    );
  });
});
