import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { captureAll, getQuery, QUERY_PATTERNS, type QueryName } from '../../../server/src/analysis/queries';
import { parseDocument } from '../../../server/src/analysis/parse';
import { loadLanguage } from '../../../server/src/syntax/treeSitter';

describe('analysis queries', () => {
  for (const grammar of ['c', 'cpp'] as const) {
    for (const name of [...(Object.keys(QUERY_PATTERNS) as QueryName[]), 'all' as const]) {
      it(`"${name}" compiles for ${grammar}`, async () => {
        const language = await loadLanguage(grammar);
        const query = getQuery(language, name);
        assert.deepEqual(query.captureNames, name === 'all' ? Object.keys(QUERY_PATTERNS) : [name]);
      });
    }
  }
});

describe('captureAll', () => {
  it('finds, in one walk, the same nodes in the same order as each query on its own', async () => {
    const fixtures = path.resolve(__dirname, '../../fixtures/drivers');
    const files = fs.readdirSync(fixtures, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(c|cpp)$/.test(f));
    assert.ok(files.length >= 3, 'driver fixtures to compare on');
    for (const file of files) {
      const grammar = file.endsWith('.cpp') ? 'cpp' : 'c';
      const result = await parseDocument(
        `file:///${file}`,
        fs.readFileSync(path.join(fixtures, file), 'utf8'),
        grammar,
      );
      try {
        const all = captureAll(result.language, result.tree.rootNode);
        let total = 0;
        for (const name of Object.keys(QUERY_PATTERNS) as QueryName[]) {
          const alone = getQuery(result.language, name)
            .captures(result.tree.rootNode)
            .map((c) => `${c.node.type}@${c.node.startIndex}-${c.node.endIndex}`);
          assert.deepEqual(
            all[name].map((n) => `${n.type}@${n.startIndex}-${n.endIndex}`),
            alone,
            `${file}: ${name}`,
          );
          total += alone.length;
        }
        assert.ok(total > 0, `${file} has something to capture`);
      } finally {
        result.tree.delete();
      }
    }
  });
});
