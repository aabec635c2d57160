import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { analyzeText } from '../../../server/src/analysis/parse';
import { CONDITIONAL_STATEMENTS, firstConditionalOf } from '../../../server/src/analysis/build/paging';
import { createParser, type Node } from '../../../server/src/syntax/treeSitter';
import { FIXTURES } from './markers';

describe('analysis: the first conditional statement of a body with PAGED_CODE()', () => {
  it("skips a lambda's own branches in C++, finds the body's own, and is not read without PAGED_CODE()", async () => {
    const text = [
      'VOID Quartz(WDFDEVICE Device)',
      '{',
      '    auto pick = [](ULONG v) { if (v) { return 1; } return 0; };',
      '    PAGED_CODE();',
      '    if (pick(1)) { QuartzTouch(Device); }',
      '}',
      'VOID Plain(WDFDEVICE Device)',
      '{',
      '    if (Device) { QuartzTouch(Device); }',
      '}',
      '',
    ].join('\n');
    const model = await analyzeText('file:///x/quartz.cpp', text, 'cpp');
    const quartz = model.functions.find((f) => f.name === 'Quartz')!;
    assert.equal(quartz.firstConditional?.start.line, 4);
    assert.equal(model.functions.find((f) => f.name === 'Plain')!.firstConditional, undefined);
  });
});

describe('analysis: the first conditional found a few rows at a time (firstConditionalOf)', () => {
  /** The reference: every conditional of the body in tree order, the first outside a C++ lambda kept. */
  function listedFirst(body: Node, cpp: boolean): Node | undefined {
    const insideLambda = (node: Node) => {
      for (let p = node.parent; p && p.id !== body.id; p = p.parent) if (p.type === 'lambda_expression') return true;
      return false;
    };
    return body.descendantsOfType(CONDITIONAL_STATEMENTS).find((n) => n && !(cpp && insideLambda(n))) ?? undefined;
  }

  async function sameFirsts(text: string, grammar: 'c' | 'cpp', firstRows?: number): Promise<number> {
    const parser = await createParser(grammar);
    const tree = parser.parse(text)!;
    try {
      let bodies = 0;
      for (const fn of tree.rootNode.descendantsOfType('function_definition')) {
        const body = fn?.childForFieldName('body');
        if (!body) continue;
        bodies++;
        const walked = firstConditionalOf(body, grammar === 'cpp', firstRows);
        const listed = listedFirst(body, grammar === 'cpp');
        assert.equal(walked?.startIndex, listed?.startIndex, `${fn.text.slice(0, 60)}`);
        assert.equal(walked?.type, listed?.type);
      }
      return bodies;
    } finally {
      tree.delete();
      parser.delete();
    }
  }

  it('finds what listing every conditional finds, in every fixture definition', async () => {
    let bodies = 0;
    const all = path.dirname(FIXTURES);
    for (const file of fs.readdirSync(all, { recursive: true }) as string[]) {
      const grammar = /\.(cpp|cc|hpp)$/.test(file) ? 'cpp' : /\.[ch]$/.test(file) ? 'c' : undefined;
      if (!grammar) continue;
      const text = fs.readFileSync(path.join(all, file), 'utf8');
      bodies += await sameFirsts(text, grammar);
      await sameFirsts(text, grammar, 1);
    }
    assert.ok(bodies > 100, `${bodies} bodies`);
  });

  it('finds what listing finds in bodies of nested statements, lambdas and none at all', async () => {
    // Statement pieces, nested to any depth: a lambda's own branches, conditionals inside blocks and
    // expressions, a body with no conditional.
    const piece: fc.Memo<string> = fc.memo((depth) =>
      depth <= 1
        ? fc.constantFrom('x = 1;', 'Touch(x);', 'ULONG y = 0;', ';', 'return;', 'goto done;', 'done: ;')
        : fc.oneof(
            piece(depth - 1),
            fc.array(piece(depth - 1), { maxLength: 3 }).map((s) => `{ ${s.join(' ')} }`),
            piece(depth - 1).map((s) => `if (x) { ${s} }`),
            piece(depth - 1).map((s) => `while (x) { ${s} }`),
            piece(depth - 1).map((s) => `switch (x) { case 1: ${s} break; }`),
            piece(depth - 1).map((s) => `auto f = [&](int v) { ${s} if (v) { return; } };`),
            piece(depth - 1).map((s) => `Call([](int v) { ${s} return v; });`),
          ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece(4), { maxLength: 6 }),
        fc.boolean(),
        fc.constantFrom(1, 2, 3, 32),
        async (statements, cpp, rows) => {
          // Statements over many rows, so that the rows searched first end anywhere in them.
          const body = statements
            .join('\n    ')
            .replace(/([;{}]) /g, '$1\n        ')
            .replace(cpp ? /$^/ : /auto f = \[&\]\(int v\)|\[\]\(int v\)/g, 'v');
          await sameFirsts(`void F(int x)\n{\n    ${body}\n}\n`, cpp ? 'cpp' : 'c', rows);
        },
      ),
      { numRuns: 300 },
    );
  });
});
