// The rule pages say what each rule mirrors (the Code Analysis warnings whose pragmas silence it, the
// SDV rules) and how certain a finding is, in agreement with the rules' metadata: the same warnings,
// the same default severity. The overview table (docs/rules/README.md) agrees as well.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allRules } from '../../../server/src/rules/registry';
import type { Severity } from '../../../server/src/rules/types';

import { repoRoot } from '../../support/paths';

const DOCS = path.join(repoRoot, 'docs/rules');
const PHRASE: Record<Severity, string> = {
  error: 'an error',
  warning: 'a warning',
  info: 'information',
  hint: 'a hint',
};
const WORD: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'information', hint: 'hint' };

/** The text of a `## Heading` section of a page, up to the next heading. */
function section(page: string, heading: string): string | undefined {
  const m = new RegExp(`^## ${heading}\\n([\\s\\S]*?)(?=^## |(?![\\s\\S]))`, 'm').exec(page);
  return m?.[1];
}

describe('rule pages: Mirrors and Certainty agree with the rules', () => {
  for (const { meta } of allRules) {
    it(`${meta.id}: page and metadata agree`, () => {
      assert.ok(meta.certainty && meta.certainty.length > 20, `${meta.id} describes its certainty`);
      const page = fs.readFileSync(path.join(repoRoot, meta.helpPage), 'utf8');
      const head = page.split('\n').slice(0, 4).join('\n');
      const stated = /Default severity: \*\*(\w+)\*\*|default severity: (\w+)\./.exec(head);
      assert.ok(stated, `${meta.id}: the page states its default severity`);
      assert.equal(stated[1] ?? stated[2], meta.defaultSeverity, `${meta.id}: the page's default severity`);

      const mirrors = section(page, 'Mirrors');
      assert.ok(mirrors, `${meta.id}: a Mirrors section`);
      const named = [...mirrors.matchAll(/\[C(\d{4,5})\]/g)].map((m) => Number(m[1]));
      assert.deepEqual(named, meta.mirrors?.codeAnalysis ?? [], `${meta.id}: the Code Analysis warnings linked`);
      for (const rule of meta.mirrors?.sdv ?? [])
        assert.match(
          mirrors,
          new RegExp(
            `\\[${rule}\\]\\(https://learn\\.microsoft\\.com/windows-hardware/drivers/devtest/kmdf-${rule.toLowerCase()}\\)`,
          ),
          `${meta.id}: SDV ${rule}`,
        );
      if (!meta.mirrors?.codeAnalysis?.length) assert.match(mirrors, /pragmas do not silence this rule/);

      const certainty = section(page, 'Certainty');
      assert.ok(certainty, `${meta.id}: a Certainty section`);
      assert.match(certainty, /\b(Certain|Possible)\b/);
      for (const m of certainty.matchAll(/Reported as (an error|a warning|information|a hint) by default/g))
        assert.equal(m[1], PHRASE[meta.defaultSeverity], `${meta.id}: severity in Certainty`);
      for (const m of certainty.matchAll(/the rule's severity \((\w+)\)/g))
        assert.equal(m[1], WORD[meta.defaultSeverity], `${meta.id}: severity in Certainty`);
    });
  }

  it('the overview table lists every rule with its default severity and mirrors', () => {
    const readme = fs.readFileSync(path.join(DOCS, 'README.md'), 'utf8');
    for (const { meta } of allRules) {
      const row = readme.split('\n').find((l) => l.startsWith(`| [${meta.id}](${meta.id}.md) |`));
      assert.ok(row, `${meta.id} has a row`);
      const cells = row
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((c) => c.trim());
      assert.equal(cells[2], meta.defaultSeverity, `${meta.id}: default severity in the table`);
      assert.equal(
        cells[3],
        (meta.mirrors?.codeAnalysis ?? []).map((n) => `C${n}`).join(', ') || '–',
        `${meta.id}: Code Analysis column`,
      );
      for (const rule of meta.mirrors?.sdv ?? [])
        assert.ok(cells[4].split(', ').includes(rule), `${meta.id}: SDV column has ${rule}`);
    }
  });
});
