/**
 * A helper's summary is the same whichever question the run asks first. The lock and IRQL effects of
 * driver helpers (heldLocks.ts `lockEffect`, irqlRaises.ts `irqlEffect`) and what a helper does with
 * a request (requestOwnership.ts, requestSends.ts) are kept by name for a run; an answer made deep in
 * a chain (where a depth bound cut it) or inside a recursion (while a callee's entry was provisional)
 * must not become the answer for the same helper asked from the top. An editor run (one file) and
 * `kmdf lint` (every file) ask in different orders, so an order-dependent summary gives the same code
 * different findings.
 *
 * Each answer is checked against a reference written here with no cache at all, the plain definition:
 * for the lock and IRQL effects, what a function's calls do through the whole graph below it, a
 * recursion counting as one function (recursionSummaries.ts); for the request summaries, calls read
 * down to MAX_HELPER_DEPTH and the bound's benefit of the doubt below (boundedSummaries.ts). On
 * hand-made drivers (a chain longer than MAX_HELPER_DEPTH, a recursion) and on random call graphs
 * (fast-check, fixed seed), asked in several orders, each on a fresh lookup.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { MAX_HELPER_DEPTH, workspaceLookup, type DriverLookup } from '../../../server/src/rules/facts/driverLookup';
import { lockEffect } from '../../../server/src/rules/facts/heldLocks';
import { irqlEffect } from '../../../server/src/rules/facts/irqlRaises';
import { requestEffect, requestNames } from '../../../server/src/rules/facts/requestOwnership';
import { callFormats, FORMAT_METHODS, TARGET_FORMAT_METHODS } from '../../../server/src/rules/facts/requestSends';
import type { Rule } from '../../../server/src/rules/types';
import { analyzeFiles, runRules, type FixtureDriver } from '../../support/ruleHarness';

/** What a node of a test call graph is. */
type Kind =
  | 'body' // a definition whose calls are read
  | 'proto' // a prototype without SAL
  | 'missing' // not declared at all
  | 'acquires' // a prototype with _Acquires_lock_
  | 'releases' // a prototype with _Releases_lock_
  | 'raises'; // a prototype with _IRQL_raises_

/** A leaf call a body can make. */
const LEAVES = ['WdfSpinLockAcquire', 'WdfSpinLockRelease', 'KeRaiseIrql', 'KeLowerIrql', 'WdfRequestComplete'];

interface Node {
  kind: Kind;
  /** For a body: its calls, each a helper (`H3`) or a leaf routine. */
  calls: string[];
}

/** A call graph: helper `H<i>` is nodes[i]. */
type Graph = Node[];

const nameOf = (i: number) => `H${i}`;

/** The driver text of a graph. */
function driverText(graph: Graph): string {
  const out = ['typedef struct _CTX { WDFSPINLOCK Lock; KIRQL Old; } CTX, *PCTX;'];
  graph.forEach((node, i) => {
    const name = nameOf(i);
    if (node.kind === 'proto' || node.kind === 'body') out.push(`VOID ${name}(PCTX Ctx);`);
    if (node.kind === 'acquires') out.push(`_Acquires_lock_(Ctx->Lock) VOID ${name}(PCTX Ctx);`);
    if (node.kind === 'releases') out.push(`_Releases_lock_(Ctx->Lock) VOID ${name}(PCTX Ctx);`);
    if (node.kind === 'raises') out.push(`_IRQL_raises_(DISPATCH_LEVEL) VOID ${name}(PCTX Ctx);`);
  });
  graph.forEach((node, i) => {
    if (node.kind !== 'body') return;
    const lines = node.calls.map((c) =>
      c === 'WdfSpinLockAcquire' || c === 'WdfSpinLockRelease'
        ? `    ${c}(Ctx->Lock);`
        : c === 'KeRaiseIrql'
          ? '    KeRaiseIrql(DISPATCH_LEVEL, &Ctx->Old);'
          : c === 'KeLowerIrql'
            ? '    KeLowerIrql(Ctx->Old);'
            : c === 'WdfRequestComplete'
              ? '    WdfRequestComplete(NULL, STATUS_SUCCESS);'
              : `    ${c}(Ctx);`,
    );
    out.push(`VOID\n${nameOf(i)}(PCTX Ctx)\n{\n${lines.join('\n')}\n}`);
  });
  // One function calling every helper: the calls `lockEffect` is asked about.
  out.push(`VOID\nProbe(PCTX Ctx)\n{\n${graph.map((_, i) => `    ${nameOf(i)}(Ctx);`).join('\n')}\n}`);
  return out.join('\n\n') + '\n';
}

/** The helpers a body node calls (the names of other body nodes: the others have no calls to follow). */
function bodyCallees(graph: Graph, i: number): number[] {
  const node = graph[i];
  if (node.kind !== 'body') return [];
  return node.calls
    .filter((c) => /^H\d+$/.test(c) && graph[Number(c.slice(1))].kind === 'body')
    .map((c) => Number(c.slice(1)));
}

/** Whether body node `to` runs when `from` is called (a plain search, at least one call away). */
function calls(graph: Graph, from: number, to: number): boolean {
  const seen = new Set<number>();
  const todo = bodyCallees(graph, from);
  while (todo.length) {
    const i = todo.pop()!;
    if (i === to) return true;
    if (seen.has(i)) continue;
    seen.add(i);
    todo.push(...bodyCallees(graph, i));
  }
  return false;
}

/** The recursion `i` belongs to (the nodes it calls that call it back), with `i` itself. */
function recursionOf(graph: Graph, i: number): Set<number> {
  return new Set([i, ...range(graph.length).filter((j) => calls(graph, i, j) && calls(graph, j, i))]);
}

/**
 * The summary of body node `i` by the plain definition: what its recursion's members call (the
 * `leaf` effects of routines, `effect` of helpers outside the recursion), together.
 */
function referenceBody<E extends string>(
  graph: Graph,
  i: number,
  effect: (name: string) => E | undefined,
  leaf: (name: string) => E | undefined,
  up: E,
  down: E,
): E | undefined {
  const members = recursionOf(graph, i);
  const seen = new Set<E | undefined>();
  for (const m of members)
    for (const c of graph[m].calls) {
      const helper = /^H\d+$/.test(c) ? Number(c.slice(1)) : undefined;
      if (helper !== undefined && members.has(helper)) continue;
      seen.add(helper === undefined ? leaf(c) : effect(c));
    }
  return combine(seen, up, down);
}

/** The lock effect of calling `name`: the plain definition, no cache. */
function referenceLock(graph: Graph, name: string): 'acquire' | 'release' | undefined {
  const leaf = (c: string) =>
    c === 'WdfSpinLockAcquire' ? 'acquire' : c === 'WdfSpinLockRelease' ? 'release' : undefined;
  if (!/^H\d+$/.test(name)) return leaf(name);
  const i = Number(name.slice(1));
  const node = graph[i];
  if (node.kind === 'acquires') return 'acquire';
  if (node.kind === 'releases') return 'release';
  if (node.kind !== 'body') return undefined;
  return referenceBody(graph, i, (c) => referenceLock(graph, c), leaf, 'acquire', 'release');
}

/** The IRQL effect of calling `name`: the plain definition, no cache. */
function referenceIrql(graph: Graph, name: string): 'raise' | 'lower' | undefined {
  const leaf = (c: string) => (c === 'KeRaiseIrql' ? 'raise' : c === 'KeLowerIrql' ? 'lower' : undefined);
  if (!/^H\d+$/.test(name)) return leaf(name);
  const i = Number(name.slice(1));
  const node = graph[i];
  // A lock helper raises and restores with its lock (the lock walk follows it).
  if (node.kind === 'acquires' || node.kind === 'releases') return undefined;
  if (node.kind === 'raises') return 'raise';
  if (node.kind !== 'body') return undefined;
  return referenceBody(graph, i, (c) => referenceIrql(graph, c), leaf, 'raise', 'lower');
}

/** `up` when the calls do only that, `down` when only that, else nothing. */
function combine<E extends string>(seen: Set<E | undefined>, up: E, down: E): E | undefined {
  if (seen.has(up) && !seen.has(down)) return up;
  if (seen.has(down) && !seen.has(up)) return down;
  return undefined;
}

/** A fresh lookup over the driver (a new key: nothing kept from another question order). */
function freshLookup(driver: FixtureDriver): DriverLookup {
  return workspaceLookup({}, driver.workspace);
}

/** The lock effect of each helper asked from `Probe`, in `order`; returned by helper index. */
function lockAnswers(driver: FixtureDriver, order: readonly number[]): (string | undefined)[] {
  const lookup = freshLookup(driver);
  const probe = driver.models[0].functions.find((f) => f.name === 'Probe' && f.isDefinition)!;
  const out: (string | undefined)[] = [];
  for (const i of order) out[i] = lockEffect(lookup, probe, probe.calls[i]);
  return out;
}

/** The IRQL effect of each helper asked at the top, in `order`; returned by helper index. */
function irqlAnswers(driver: FixtureDriver, order: readonly number[]): (string | undefined)[] {
  const lookup = freshLookup(driver);
  const out: (string | undefined)[] = [];
  for (const i of order) out[i] = irqlEffect(lookup, nameOf(i));
  return out;
}

const range = (n: number) => [...Array(n).keys()];

/**
 * H0 → H1 → … → H8 (longer than the bound), the last taking a lock and raising the IRQL; H9 and H10
 * call each other, H9 taking the lock and raising, H10 releasing and lowering.
 */
function chainAndCycle(): Graph {
  const graph: Graph = [];
  for (let i = 0; i < 8; i++) graph.push({ kind: 'body', calls: [nameOf(i + 1)] });
  graph.push({ kind: 'body', calls: ['WdfSpinLockAcquire', 'KeRaiseIrql'] });
  graph.push({ kind: 'body', calls: ['WdfSpinLockAcquire', 'KeRaiseIrql', 'H10'] });
  graph.push({ kind: 'body', calls: ['H9', 'WdfSpinLockRelease', 'KeLowerIrql'] });
  return graph;
}

describe('helper summaries: the same whatever order the questions come in', () => {
  it('gives a chain longer than the bound and a recursion the same lock effects top-down and bottom-up', async () => {
    const graph = chainAndCycle();
    const driver = await analyzeFiles({ 'order.c': driverText(graph) });
    const expected = range(graph.length).map((i) => referenceLock(graph, nameOf(i)));
    const topDown = lockAnswers(driver, range(graph.length));
    const bottomUp = lockAnswers(driver, range(graph.length).reverse());
    assert.deepEqual(topDown, bottomUp, 'the same answers in both orders');
    assert.deepEqual(topDown, expected, 'asked from H0 down');
    assert.deepEqual(bottomUp, expected, 'asked from the last helper up');
  });

  it('gives a chain longer than the bound and a recursion the same IRQL effects top-down and bottom-up', async () => {
    const graph = chainAndCycle();
    const driver = await analyzeFiles({ 'order.c': driverText(graph) });
    const expected = range(graph.length).map((i) => referenceIrql(graph, nameOf(i)));
    const topDown = irqlAnswers(driver, range(graph.length));
    const bottomUp = irqlAnswers(driver, range(graph.length).reverse());
    assert.deepEqual(topDown, bottomUp, 'the same answers in both orders');
    assert.deepEqual(topDown, expected, 'asked from H0 down');
    assert.deepEqual(bottomUp, expected, 'asked from the last helper up');
  });

  /** A random call graph: some chains longer than the bound (H<i> calling H<i+1>), some cycles. */
  const graphs: fc.Arbitrary<Graph> = fc.integer({ min: 2, max: 13 }).chain((n) =>
    fc
      .array(
        fc.record({
          kind: fc.constantFrom<Kind>(
            'body',
            'body',
            'body',
            'body',
            'body',
            'proto',
            'missing',
            'acquires',
            'releases',
            'raises',
          ),
          next: fc.boolean(),
          calls: fc.array(fc.oneof(fc.integer({ min: 0, max: n - 1 }).map(nameOf), fc.constantFrom(...LEAVES)), {
            maxLength: 4,
          }),
        }),
        { minLength: n, maxLength: n },
      )
      .map((nodes) =>
        nodes.map((node, i) => ({
          kind: node.kind,
          calls: node.next && i + 1 < n ? [...node.calls, nameOf(i + 1)] : node.calls,
        })),
      ),
  );

  it('gives every helper of random call graphs the reference effects, in any order of questions', async () => {
    await fc.assert(
      fc.asyncProperty(
        graphs.chain((graph) =>
          fc.tuple(
            fc.constant(graph),
            fc.shuffledSubarray(range(graph.length), { minLength: graph.length }),
            fc.shuffledSubarray(range(graph.length), { minLength: graph.length }),
          ),
        ),
        async ([graph, lockOrder, irqlOrder]) => {
          const driver = await analyzeFiles({ 'random.c': driverText(graph) });
          const lockExpected = range(graph.length).map((i) => referenceLock(graph, nameOf(i)));
          const irqlExpected = range(graph.length).map((i) => referenceIrql(graph, nameOf(i)));
          assert.deepEqual(lockAnswers(driver, lockOrder), lockExpected, `lock effects, order ${lockOrder.join()}`);
          assert.deepEqual(irqlAnswers(driver, irqlOrder), irqlExpected, `IRQL effects, order ${irqlOrder.join()}`);
        },
      ),
      { seed: 20261203, numRuns: 200, endOnFailure: true },
    );
  });
});

/** What a request helper's body can call, besides another helper (`R3(Request)`). */
const REQUEST_LEAVES = {
  complete: 'WdfRequestComplete(Request, STATUS_SUCCESS);',
  target: 'WdfIoTargetFormatRequestForRead(Target, Request, NULL, NULL, NULL);',
  current: 'WdfRequestFormatRequestUsingCurrentType(Request);',
  foreign: 'ForeignRoutine(Request);',
  kernel: 'RtlZeroMemory(Request, 0);',
} as const;
type RequestLeaf = keyof typeof REQUEST_LEAVES;

/** A request helper `R<i>`: defined with these calls (each a helper index or a leaf), or not defined at all. */
type RequestGraph = ({ calls: (number | RequestLeaf)[] } | undefined)[];

function requestDriverText(graph: RequestGraph): string {
  const out = ['WDFIOTARGET Target;'];
  graph.forEach((node, i) => out.push(`VOID R${i}(WDFREQUEST Request);`));
  graph.forEach((node, i) => {
    if (!node) return;
    const lines = node.calls.map((c) => `    ${typeof c === 'number' ? `R${c}(Request);` : REQUEST_LEAVES[c]}`);
    out.push(`VOID\nR${i}(WDFREQUEST Request)\n{\n${lines.join('\n')}\n}`);
  });
  out.push(`VOID\nProbe(WDFREQUEST Request)\n{\n${graph.map((_, i) => `    R${i}(Request);`).join('\n')}\n}`);
  return out.join('\n\n') + '\n';
}

/** What calling `R<i>` (`depth` levels down) does with the request: the plain definition of requestOwnership.ts. */
function referenceRequest(graph: RequestGraph, i: number, depth: number): 'finished' | 'escaped' | undefined {
  const node = graph[i];
  if (!node) return 'escaped'; // a routine we cannot see
  if (depth + 1 > MAX_HELPER_DEPTH) return 'finished'; // deep chains: the benefit of the doubt
  let effect: 'finished' | 'escaped' | undefined;
  for (const c of node.calls) {
    const e =
      typeof c === 'number'
        ? referenceRequest(graph, c, depth + 1)
        : c === 'complete'
          ? 'finished'
          : c === 'foreign'
            ? 'escaped'
            : undefined;
    if (e === 'finished' || effect === 'finished') effect = 'finished';
    else effect = effect ?? e;
  }
  return effect;
}

/** Whether calling `R<i>` (`depth` levels down) formats the request: the plain definition of requestSends.ts. */
function referenceFormats(graph: RequestGraph, i: number, depth: number, targetOnly: boolean): boolean {
  const node = graph[i];
  if (!node) return !targetOnly; // a routine we cannot see: the benefit of the doubt, for any format
  if (depth + 1 > MAX_HELPER_DEPTH) return !targetOnly;
  return node.calls.some((c) =>
    typeof c === 'number'
      ? referenceFormats(graph, c, depth + 1, targetOnly)
      : c === 'target' || (c === 'current' && !targetOnly) || (c === 'foreign' && !targetOnly),
  );
}

/** What each helper's summaries are, by helper index. */
interface RequestAnswers {
  effect: string[];
  any: boolean[];
  target: boolean[];
}

/** The request summaries of each helper called from `Probe`, asked in `order` by one rule run (fresh memos). */
function requestAnswers(driver: FixtureDriver, order: readonly number[]): RequestAnswers {
  const answers: RequestAnswers = { effect: [], any: [], target: [] };
  const asking: Rule = {
    meta: { id: 'ASK', name: 'ask', title: 'ask', defaultSeverity: 'warning', documentation: [], helpPage: '' },
    check(ctx) {
      const probe = ctx.document.functions.find((f) => f.name === 'Probe' && f.isDefinition)!;
      const names = requestNames(probe, 'Request');
      // The three kinds of question interleaved, in the given order of helpers.
      for (const i of order) {
        const call = probe.calls[i];
        const site = { kind: 'call' as const, call, start: call.span.startOffset, end: call.span.endOffset };
        answers.effect[i] = String(requestEffect(ctx, names, site));
        answers.target[i] = callFormats(ctx, call, 'Request', TARGET_FORMAT_METHODS);
        answers.any[i] = callFormats(ctx, call, 'Request', FORMAT_METHODS);
      }
    },
  };
  runRules([asking], driver);
  return answers;
}

/** The reference summaries of each helper of `graph`. */
function requestReference(graph: RequestGraph): RequestAnswers {
  return {
    effect: range(graph.length).map((i) => String(referenceRequest(graph, i, 0))),
    any: range(graph.length).map((i) => referenceFormats(graph, i, 0, false)),
    target: range(graph.length).map((i) => referenceFormats(graph, i, 0, true)),
  };
}

describe('request helper summaries: the same whatever order the questions come in', () => {
  const requestGraphs: fc.Arbitrary<RequestGraph> = fc.integer({ min: 2, max: 12 }).chain((n) =>
    fc
      .array(
        fc.option(
          fc.record({
            next: fc.boolean(),
            calls: fc.array(
              fc.oneof(
                fc.integer({ min: 0, max: n - 1 }),
                fc.constantFrom<RequestLeaf>('complete', 'target', 'current', 'foreign', 'kernel'),
              ),
              { maxLength: 3 },
            ),
          }),
          { freq: 6, nil: undefined },
        ),
        { minLength: n, maxLength: n },
      )
      .map((nodes) =>
        nodes.map((node, i) => node && { calls: node.next && i + 1 < n ? [...node.calls, i + 1] : node.calls }),
      ),
  );

  it('gives a chain longer than the bound the same request summaries top-down and bottom-up', async () => {
    // R0 → R1 → … → R8, none of which formats or finishes the request.
    const graph: RequestGraph = range(9).map((i) => ({ calls: i < 8 ? [i + 1] : ['kernel'] }));
    const driver = await analyzeFiles({ 'chain.c': requestDriverText(graph) });
    const topDown = requestAnswers(driver, range(graph.length));
    const bottomUp = requestAnswers(driver, range(graph.length).reverse());
    assert.deepEqual(topDown, bottomUp, 'the same answers in both orders');
    assert.deepEqual(topDown, requestReference(graph));
  });

  it('gives every helper of random call graphs the reference request effect and formatting, in any order', async () => {
    await fc.assert(
      fc.asyncProperty(
        requestGraphs.chain((graph) =>
          fc.tuple(fc.constant(graph), fc.shuffledSubarray(range(graph.length), { minLength: graph.length })),
        ),
        async ([graph, order]) => {
          const driver = await analyzeFiles({ 'requests.c': requestDriverText(graph) });
          assert.deepEqual(requestAnswers(driver, order), requestReference(graph), `order ${order.join()}`);
        },
      ),
      { seed: 20261203, numRuns: 200, endOnFailure: true },
    );
  });
});
