/**
 * The path walk's per-run savings (paths kept as they are through sites that change none of them,
 * each code node's sites and value effects read once, values copied only when they change) give
 * what the walk gave before them: on random function bodies (fast-check, fixed seed, bounded), the
 * walk and its reference copy (pathsReference.ts) step the rule's state machine through the same
 * states at the same sites in the same order, and hand back the same states at the same exits.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { analyzeText } from '../../../server/src/analysis';
import type { FunctionModel } from '../../../server/src/analysis/model';
import { declaredLocals, walkPaths, type PathAnalysis } from '../../../server/src/analysis/paths';
import { referenceWalkPaths } from './pathsReference';

const TESTED = ['s', 't'];
const CONSTANTS = ['TRUE', 'FALSE', '0', '1', 'STATUS_SUCCESS', 'STATUS_PENDING', 'NULL'];

/** One statement of a body, `depth` levels of nesting left. */
function statement(depth: number): fc.Arbitrary<string> {
  const simple = fc.oneof(
    fc.constantFrom('a();', 'b();', 'c();', 'd();', 'e();'),
    fc.constantFrom(...TESTED).map((v) => `f(&${v});`),
    fc.tuple(fc.constantFrom(...TESTED), fc.constantFrom(...CONSTANTS, 'g()', 'x')).map(([v, c]) => `${v} = ${c};`),
    fc.tuple(fc.constantFrom(...TESTED), fc.constantFrom(...CONSTANTS, 'g()')).map(([v, c]) => `int ${v} = ${c};`),
    fc.constantFrom('return;', 'return a();', 'break;', 'continue;', 'goto Exit;', 'a() && b();', 'x ? c() : d();'),
  );
  if (depth <= 0) return simple;
  const block = body(depth - 1);
  const condition = fc.constantFrom(
    's',
    '!s',
    't',
    's == STATUS_PENDING',
    's != TRUE',
    't == 0',
    'NT_SUCCESS(s)',
    '!NT_SUCCESS(s)',
    'NT_SUCCESS(s = g())',
    'h()',
    '!h()',
    'h() == FALSE',
    'x && a()',
    'x || b()',
    'x',
  );
  return fc.oneof(
    { weight: 3, arbitrary: simple },
    fc
      .tuple(condition, block, fc.option(block, { nil: undefined }))
      .map(([c, t, e]) => `if (${c}) {\n${t}\n}${e === undefined ? '' : ` else {\n${e}\n}`}`),
    fc.tuple(fc.constantFrom('x', 's', 'TRUE'), block).map(([c, b]) => `while (${c}) {\n${b}\n}`),
    fc.tuple(block, fc.constantFrom('FALSE', 'x')).map(([b, c]) => `do {\n${b}\n} while (${c});`),
    block.map((b) => `for (;;) {\n${b}\nif (x) break;\n}`),
    fc
      .tuple(block, block, fc.option(block, { nil: undefined }))
      .map(
        ([a, b, d]) =>
          `switch (x) {\ncase 1:\n${a}\nbreak;\ncase 2:\n${b}\n${d === undefined ? '' : `default:\n${d}\n`}}`,
      ),
    block.map((b) => `#if DBG\n${b}\n#endif`),
  );
}

function body(depth: number): fc.Arbitrary<string> {
  return fc.array(statement(depth), { minLength: 1, maxLength: 4 }).map((items) => items.join('\n'));
}

/** A whole function, with the label its gotos jump to at the end. */
const functionText = fc
  .tuple(body(2), fc.boolean())
  .map(([b, label]) => `void F(int x)\n{\nint s = FALSE;\nint t = 0;\n${b}\n${label ? 'Exit:\n' : ''}e();\n}\n`);

/**
 * A state machine that records every step it is asked for: the calls of a path (`key` may keep all
 * of the state or only its end, so that paths of different states merge), learning from tested
 * results and dropping some arms.
 */
function recorder(coarse: boolean, log: string[]): PathAnalysis<string> {
  return {
    start: '',
    key: (s) => (coarse ? s.slice(-1) : s),
    step(state, site) {
      log.push(`${state}@${site.kind}:${site.start}`);
      // The last few calls only: a bounded number of states, as a rule's are.
      return site.kind === 'call' && /^[a-e]$/.test(site.call.callee) ? (state + site.call.callee).slice(-5) : state;
    },
    branch(state, test, holds) {
      if (test.call === undefined) return state;
      if (holds) return `${state}+`.slice(-5);
      return state.length % 3 === 2 ? undefined : state;
    },
  };
}

function walkBoth(fn: FunctionModel, coarse: boolean) {
  const fastLog: string[] = [];
  const slowLog: string[] = [];
  const show = (exits: ReturnType<typeof walkPaths<string>>) =>
    exits?.map((e) => ({ offset: e.offset, ret: e.ret?.span.startOffset, states: e.states }));
  const fast = show(walkPaths(fn, recorder(coarse, fastLog)));
  const slow = show(referenceWalkPaths(fn, recorder(coarse, slowLog)));
  return { fast, slow, fastLog, slowLog };
}

describe('path walk (fast path against its reference)', () => {
  it('steps, merges and exits as the reference walk does on random bodies', async () => {
    let walked = 0;
    await fc.assert(
      fc.asyncProperty(functionText, async (text) => {
        const model = await analyzeText('file:///walk.c', text, 'c');
        const fn = model.functions.find((f) => f.name === 'F');
        assert.ok(fn);
        if (fn.flow) walked++;
        for (const coarse of [false, true]) {
          const { fast, slow, fastLog, slowLog } = walkBoth(fn, coarse);
          assert.deepEqual(fast, slow, text);
          assert.deepEqual(fastLog, slowLog, text);
        }
      }),
      { seed: 20261203, numRuns: 150, endOnFailure: true },
    );
    // The bodies are walked (a generator that made only bodies without flow would test nothing).
    assert.ok(walked > 100, `only ${walked} bodies had a flow`);
  });

  it('gives a new set of the declared locals each time (a caller adding to one changes no other)', async () => {
    const text =
      'void F(int x)\n{\nint s = FALSE;\nif (x) { int t = 0; PVOID p; }\nfor (int i = 0; i < x; i++) a();\n}\n';
    const fn = (await analyzeText('file:///locals.c', text, 'c')).functions.find((f) => f.name === 'F');
    assert.ok(fn?.flow);
    const first = declaredLocals(fn.flow);
    assert.deepEqual([...first], ['s', 't', 'p', 'i']);
    first.add('Request');
    assert.deepEqual([...declaredLocals(fn.flow)], ['s', 't', 'p', 'i']);
  });

  it('keeps more than MAX_PATHS paths apart only by their states, as the reference does', async () => {
    // Seven independent tests of tracked locals: 128 paths, more than the walk keeps values for.
    const tests = Array.from(
      { length: 7 },
      (_, i) => `if (x) { ${'abcde'[i % 5]}(); s = ${i % 2 ? 'TRUE' : 'FALSE'}; }`,
    );
    const text = `void F(int x)\n{\nint s = FALSE;\n${tests.join('\n')}\nif (s) a();\nif (!s) b();\n}\n`;
    const model = await analyzeText('file:///many.c', text, 'c');
    const fn = model.functions.find((f) => f.name === 'F');
    assert.ok(fn?.flow);
    for (const coarse of [false, true]) {
      const { fast, slow, fastLog, slowLog } = walkBoth(fn, coarse);
      assert.deepEqual(fast, slow);
      assert.deepEqual(fastLog, slowLog);
    }
  });
});
