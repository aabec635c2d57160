import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node } from 'web-tree-sitter';
import { parseDocument } from '../../../server/src/analysis/parse';
import { captureAll, OUTLINE_STATEMENTS } from '../../../server/src/analysis/queries';

const FIXTURES = path.resolve(__dirname, '../../fixtures');

/** Jumps, labels and exception handling in every construct the outline looks for, C++ only where C lacks it. */
const CPP_BODIES = `
int Jumps(int a) {
  for (;;) { if (a) break; else continue; }
  switch (a) { case 1: a++; break; default: goto out; }
  try { throw 1; } catch (...) { }
  __try { __leave; } __finally { }
out:
  return a;
}
`;

function label(n: Node): string {
  return `${n.type}@${n.startIndex}-${n.endIndex}`;
}

describe('outlineStatements query', () => {
  it("gives each body the nodes a walk of the body's own descendants finds", async () => {
    const files = fs
      .readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(c|cpp)(\.txt)?$/.test(f))
      .map((f) => ({ name: f, text: fs.readFileSync(path.join(FIXTURES, f), 'utf8') }));
    files.push({ name: 'jumps.cpp', text: CPP_BODIES });
    let bodies = 0;
    let found = 0;
    for (const file of files) {
      const grammar = /\.cpp(\.txt)?$/.test(file.name) ? 'cpp' : 'c';
      const result = await parseDocument(`file:///${file.name}`, file.text, grammar);
      try {
        const captured = captureAll(result.language, result.tree.rootNode);
        for (const fn of captured.functions) {
          const body = fn.childForFieldName('body');
          if (!body) continue;
          bodies++;
          const walked = body.descendantsOfType([...OUTLINE_STATEMENTS]).map(label);
          const within = captured.outlineStatements
            .filter((n) => n.startIndex >= body.startIndex && n.startIndex < body.endIndex)
            .map(label);
          assert.deepEqual(within, walked, `${file.name}: body at ${body.startIndex}`);
          found += walked.length;
        }
      } finally {
        result.tree.delete();
      }
    }
    assert.ok(bodies > 100 && found > 50, `enough bodies (${bodies}) and statements (${found}) compared`);
  });
});
