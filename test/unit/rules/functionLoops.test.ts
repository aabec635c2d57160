// How the engine hands a per-function rule its functions in pieces (engine.ts PerFunctionPass and
// FunctionLoop): where the pieces end, how often each function is checked, and that rules which do
// not loop once through their functions (they stop early, loop twice, throw, report outside the
// loop) find in pieces what one pass finds.
import { strict as assert } from 'node:assert';
import { rulesSteps, runRules, type RunRulesOptions } from '../../../server/src/rules/engine';
import { checkedFunctions } from '../../../server/src/rules/findingsReuse';
import type { Rule, RuleContext } from '../../../server/src/rules/types';
import { analyzeFiles, KMDF_NEWEST, type FixtureDriver } from '../../support/ruleHarness';
import { testIndex } from '../../support/testIndex';

const SOURCE = ['Alpha', 'Beta', 'Gamma', 'Delta', 'Epsilon']
  .map((name) => `VOID ${name}(VOID)\n{\n    ${name}Work();\n}\n`)
  .join('\n');

function rule(id: string, check: (ctx: RuleContext) => void): Rule {
  return {
    meta: { id, name: id, title: id, defaultSeverity: 'warning', documentation: [], helpPage: '' },
    perFunction: true,
    check,
  };
}

/** A finding at each function the loop gives, named after the rule's call (how often each function is checked). */
function reportEach(ctx: RuleContext, fn: { name: string; span: RuleContext['document']['functions'][0]['span'] }) {
  ctx.report({ message: `${fn.name}`, span: fn.span, function: fn.name });
}

function options(driver: FixtureDriver, rules: Rule[], extra: Partial<RunRulesOptions> = {}): RunRulesOptions {
  return {
    workspace: driver.workspace,
    index: testIndex(),
    target: KMDF_NEWEST,
    texts: (uri) => driver.texts.get(uri),
    rules,
    ...extra,
  };
}

function stepped(opts: RunRulesOptions) {
  const steps = rulesSteps(opts);
  let n = 0;
  for (let step = steps.next(); ; step = steps.next(), n++) if (step.done) return { findings: step.value, steps: n };
}

describe('a per-function rule’s loops in pieces', () => {
  let driver: FixtureDriver;
  before(async () => {
    driver = await analyzeFiles({ 'five.c': SOURCE });
    assert.equal(driver.models[0].functions.length, 5);
    // The first run builds the workspace's name tables (steps of their own); the runs compared here do not.
    stepped(options(driver, []));
  });

  it('a piece after every function with 0 ms pieces, each function checked once', () => {
    const seen: string[] = [];
    const once = rule('T1', (ctx) => {
      for (const fn of checkedFunctions(ctx)) {
        seen.push(fn.name);
        reportEach(ctx, fn);
      }
    });
    const whole = stepped(options(driver, [once]));
    seen.length = 0;
    const pieces = stepped(options(driver, [once], { pieceMs: 0 }));
    assert.deepEqual(seen, ['Alpha', 'Beta', 'Gamma', 'Delta', 'Epsilon']);
    // Four cuts between five functions: four more steps than the pass in one go.
    assert.equal(pieces.steps - whole.steps, 4);
    assert.deepEqual(pieces.findings, whole.findings);
    assert.equal(pieces.findings.length, 5);
  });

  it('a rule that stops early, loops twice, throws or reports outside its loop finds in pieces what one pass finds', () => {
    const rules = [
      rule('T2', (ctx) => {
        for (const fn of checkedFunctions(ctx)) {
          reportEach(ctx, fn);
          if (fn.name === 'Gamma') break;
        }
      }),
      rule('T3', (ctx) => {
        for (const fn of checkedFunctions(ctx)) reportEach(ctx, fn);
        for (const fn of checkedFunctions(ctx)) if (fn.name === 'Beta') reportEach(ctx, ctx.document.functions[0]);
      }),
      rule('T4', (ctx) => {
        for (const fn of checkedFunctions(ctx)) {
          reportEach(ctx, fn);
          if (fn.name === 'Delta') throw new Error('rule failed');
        }
      }),
      rule('T5', (ctx) => {
        // At the bodies, not where a function's own finding is (findings at one place keep the order they came in).
        const fns = ctx.document.functions;
        ctx.report({ message: 'before', span: fns[0].body! });
        for (const fn of checkedFunctions(ctx)) reportEach(ctx, fn);
        ctx.report({ message: 'after', span: fns[fns.length - 1].body! });
      }),
    ];
    const errors: string[] = [];
    const onRuleError = (id: string) => void errors.push(id);
    const whole = runRules(options(driver, rules, { onRuleError }));
    const wholeErrors = [...errors];
    errors.length = 0;
    const pieces = stepped(options(driver, rules, { pieceMs: 0, onRuleError })).findings;
    assert.deepEqual(pieces, whole);
    assert.deepEqual(errors, wholeErrors);
    assert.deepEqual(wholeErrors, ['T4']);
    const count = (id: string) => whole.filter((f) => f.ruleId === id).length;
    assert.deepEqual([count('T2'), count('T3'), count('T4'), count('T5')], [3, 5, 4, 7]);
  });
});
