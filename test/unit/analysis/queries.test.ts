import { strict as assert } from 'node:assert';
import { getQuery, QUERY_SOURCES, type QueryName } from '../../../server/src/analysis/queries';
import { loadLanguage } from '../../../server/src/analysis/treeSitter';

describe('analysis queries', () => {
  for (const grammar of ['c', 'cpp'] as const) {
    for (const name of Object.keys(QUERY_SOURCES) as QueryName[]) {
      it(`"${name}" compiles for ${grammar}`, async () => {
        const language = await loadLanguage(grammar);
        const query = getQuery(language, name);
        assert.ok(query.captureNames.length >= 1, `${name} has captures`);
      });
    }
  }
});
