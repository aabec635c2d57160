import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node } from 'web-tree-sitter';
import { innermostEnclosing } from '../../../server/src/analysis/build/calls';
import { parseDocument } from '../../../server/src/analysis/parse';
import { captureAll } from '../../../server/src/analysis/queries';

const FIXTURES = path.resolve(__dirname, '../../fixtures');

/** Calls inside calls in the shapes that share a start: a call of a call's result, nested arguments. */
const NESTED = `
void Nested(void) {
  Get(a)(b);
  ASSERT(Check(Inner(x), y) && Other(z));
  WRAP(WRAP(Deep(1)));
}
`;

/** The nearest call_expression above a node, climbing the tree (what the model build did before). */
function climbedCall(node: Node): Node | undefined {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'call_expression') return p;
  return undefined;
}

describe('innermostEnclosing', () => {
  it('finds for each captured call the call around it that climbing the tree finds', async () => {
    const files = fs
      .readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(c|cpp)(\.txt)?$/.test(f))
      .map((f) => ({ name: f, text: fs.readFileSync(path.join(FIXTURES, f), 'utf8') }));
    files.push({ name: 'nested.c', text: NESTED });
    let nested = 0;
    for (const file of files) {
      const grammar = /\.cpp(\.txt)?$/.test(file.name) ? 'cpp' : 'c';
      const result = await parseDocument(`file:///${file.name}`, file.text, grammar);
      try {
        const calls = captureAll(result.language, result.tree.rootNode).calls;
        const parents = innermostEnclosing(
          calls.map((c) => c.startIndex),
          calls.map((c) => c.endIndex),
        );
        calls.forEach((call, i) => {
          const climbed = climbedCall(call);
          const found = parents[i] >= 0 ? calls[parents[i]] : undefined;
          assert.equal(found?.id, climbed?.id, `${file.name}: call at ${call.startIndex}`);
          if (found) nested++;
        });
      } finally {
        result.tree.delete();
      }
    }
    assert.ok(nested > 100, `enough nested calls compared (${nested})`);
  });

  it('the captured calls inside a declaration are the call_expressions a walk of it finds', async () => {
    const files = fs
      .readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(c|cpp)(\.txt)?$/.test(f))
      .map((f) => ({ name: f, text: fs.readFileSync(path.join(FIXTURES, f), 'utf8') }));
    let withCalls = 0;
    for (const file of files) {
      const grammar = /\.cpp(\.txt)?$/.test(file.name) ? 'cpp' : 'c';
      const result = await parseDocument(`file:///${file.name}`, file.text, grammar);
      try {
        const captured = captureAll(result.language, result.tree.rootNode);
        for (const d of captured.declarations) {
          const walked = d.descendantsOfType('call_expression').map((n) => n.id);
          const within = captured.calls
            .filter((c) => c.startIndex >= d.startIndex && c.startIndex < d.endIndex)
            .map((n) => n.id);
          assert.deepEqual(within, walked, `${file.name}: declaration at ${d.startIndex}`);
          if (walked.length) withCalls++;
        }
      } finally {
        result.tree.delete();
      }
    }
    assert.ok(withCalls > 50, `enough declarations with calls compared (${withCalls})`);
  });
});
