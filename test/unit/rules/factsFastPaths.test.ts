/**
 * The shortcuts of the rules' shared facts give what the full computation gives: `bareArgument`'s
 * early answer for a plain argument (fast-check over argument-like texts, against the loop without
 * it), and `callAt`'s table of a function's calls by offset (against `fn.calls.find`, on the driver
 * fixtures and on calls that start at the same offset), and KMDF3039's table of the calls each name is
 * handed to (against asking every call, on the driver fixtures).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { analyzeText, languageOf } from '../../../server/src/analysis';
import type { FunctionModel } from '../../../server/src/analysis/model';
import { bareArgument, unwrapArgument } from '../../../server/src/rules/facts/driverLookup';
import { callAt } from '../../../server/src/rules/facts/irql';
import { callsHandedByName } from '../../../server/src/rules/ddiUse/handleAfterFailedCreate';
import { repoRoot } from '../../support/paths';

/** `bareArgument` without its shortcut: the loop alone. */
function referenceBareArgument(text: string | undefined): string {
  return text === undefined ? '' : unwrapArgument(text.trim());
}

/** Argument-like texts: names, members, casts, parentheses, addresses and stray blanks. */
const argument = fc
  .array(
    fc.constantFrom(
      '(',
      ')',
      '&',
      '*',
      ' ',
      '\t',
      'Request',
      'ctx',
      '->',
      '.',
      'Lock',
      'PVOID',
      'WDFREQUEST',
      '0',
      'x',
    ),
    { maxLength: 10 },
  )
  .map((parts) => parts.join(''));

async function fixtureFunctions(): Promise<FunctionModel[]> {
  const dir = path.join(repoRoot, 'test/fixtures/drivers');
  const files = fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(c|cpp)$/.test(f))
    .sort();
  const functions: FunctionModel[] = [];
  for (const file of files) {
    const full = path.join(dir, file);
    const model = await analyzeText(`file:///${file}`, fs.readFileSync(full, 'utf8'), languageOf(full));
    functions.push(...model.functions);
  }
  return functions;
}

describe('facts shortcuts', () => {
  it('bareArgument gives what its loop gives, for plain and wrapped arguments', () => {
    fc.assert(
      fc.property(argument, (text) => assert.equal(bareArgument(text), referenceBareArgument(text), text)),
      { seed: 20261203, numRuns: 3000 },
    );
    for (const text of [undefined, '', ' ', '&x', ' (PVOID) Request ', '((ctx->Lock))', '& (x)', 'a (b)', '\u00a0&x'])
      assert.equal(bareArgument(text), referenceBareArgument(text), String(text));
  });

  it('callAt finds the call fn.calls.find finds at every offset of a body', async () => {
    const functions = await fixtureFunctions();
    // Calls that start together: `Get(x)(y)` is two calls at one offset; the first in `calls` is the one found.
    const shared = await analyzeText(
      'file:///shared.c',
      'typedef void (*FN)(int);\nFN Get(int x);\nvoid F(int x, int y)\n{\n  Get(x)(y);\n  Get(y)(x);\n}\n',
      'c',
    );
    const f = shared.functions.find((fn) => fn.name === 'F');
    assert.ok(f);
    const offsets = f.calls.map((c) => c.span.startOffset);
    assert.ok(new Set(offsets).size < offsets.length, 'two calls share an offset');
    functions.push(f);
    let calls = 0;
    for (const fn of functions) {
      const end = fn.calls.reduce((m, c) => Math.max(m, c.span.endOffset), 0);
      for (let offset = 0; offset <= end + 1; offset++) {
        const found = fn.calls.find((c) => c.span.startOffset === offset);
        assert.equal(callAt(fn, offset), found, `${fn.name} @${offset}`);
        if (found) calls++;
      }
    }
    assert.ok(calls > 100, `only ${calls} calls looked up`);
  });

  it('the calls a name is handed to are those a check of every call finds, for every name and call', async () => {
    const functions = await fixtureFunctions();
    let pairs = 0;
    for (const fn of functions) {
      const table = callsHandedByName(fn.calls);
      const names = new Set(fn.calls.flatMap((c) => c.args.map((a) => bareArgument(a.text))));
      for (const name of names) {
        const isHandle = (text: string) => bareArgument(text) === name && !text.trim().startsWith('&');
        for (const create of fn.calls) {
          const expected = fn.calls.some((c) => c !== create && c.args.some((a) => isHandle(a.text)));
          assert.equal(table.get(name)?.some((c) => c !== create) ?? false, expected, `${fn.name}: ${name}`);
          if (expected) pairs++;
        }
      }
    }
    assert.ok(pairs > 100, `only ${pairs} pairs handed`);
  });
});
