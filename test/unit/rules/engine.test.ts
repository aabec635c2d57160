// The engine: suppression comments, severity overrides and their precedence, per-document targets,
// a rule that throws, and the drivers written like the WDK samples staying quiet.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runRules } from '../../../server/src/rules/engine';
import { allRules } from '../../../server/src/rules/registry';
import type { Rule } from '../../../server/src/rules/types';
import {
  analyzeFiles,
  describeFindings,
  fixturesDir,
  foundAt,
  lint,
  loadFixture,
  ownFindings,
  readFixture,
} from '../../support/ruleHarness';
import { testIndex } from '../../support/testIndex';
import { repoRoot } from '../../support/paths';

const DPC_WITH_PAGED_CODE = (marker: string) => `#include <ntddk.h>
#include <wdf.h>

EVT_WDF_DPC RubyEvtDpc;

_Use_decl_annotations_
VOID
RubyEvtDpc(WDFDPC Dpc)
{
${marker}
    PAGED_CODE();
    UNREFERENCED_PARAMETER(Dpc);
}
`;

describe('rules engine', function () {
  this.timeout(30_000);

  describe('suppression comments', () => {
    it('a kmdf-ignore on the line before silences only the named rule', async () => {
      const findings = await lint({ 'ruby.c': DPC_WITH_PAGED_CODE('    // kmdf-ignore KMDF2002') });
      assert.deepEqual(foundAt(findings, 'KMDF2002'), []);
      assert.deepEqual(foundAt(findings, 'KMDF2005'), ['ruby.c:11 KMDF2005'], 'other rules on the line still report');
    });

    it('a kmdf-ignore on the line itself, with several ids', async () => {
      const text = DPC_WITH_PAGED_CODE('').replace(
        '    PAGED_CODE();',
        '    PAGED_CODE(); // kmdf-ignore KMDF2002, KMDF2005',
      );
      assert.deepEqual(ownFindings(await lint({ 'ruby.c': text })), []);
    });

    it('a kmdf-ignore two lines above does not apply', async () => {
      const text = DPC_WITH_PAGED_CODE('    // kmdf-ignore KMDF2002\n');
      assert.deepEqual(foundAt(await lint({ 'ruby.c': text }), 'KMDF2002'), ['ruby.c:12 KMDF2002']);
    });

    it('kmdf-ignore-file silences a rule in the whole file, and only that file', async () => {
      const quiet = '// kmdf-ignore-file KMDF2002\n' + DPC_WITH_PAGED_CODE('');
      const other = DPC_WITH_PAGED_CODE('').replace(/RubyEvtDpc/g, 'SapphireEvtDpc');
      const findings = await lint({ 'ruby.c': quiet, 'sapphire.c': other });
      assert.deepEqual(foundAt(findings, 'KMDF2002'), ['sapphire.c:11 KMDF2002']);
    });

    it('a bare kmdf-ignore silences every rule on the next line', async () => {
      const findings = await lint({ 'ruby.c': DPC_WITH_PAGED_CODE('    // kmdf-ignore') });
      assert.deepEqual(ownFindings(findings), []);
    });
  });

  describe('severity overrides', () => {
    it('settings/CLI overrides win over the project file, which wins over the default', async () => {
      const files = { 'ruby.c': DPC_WITH_PAGED_CODE('') };
      const sev = async (options: Parameters<typeof lint>[1]) =>
        (await lint(files, options)).filter((f) => f.ruleId === 'KMDF2002').map((f) => f.severity);
      assert.deepEqual(await sev({}), ['warning']);
      assert.deepEqual(await sev({ projectOverrides: () => ({ KMDF2002: 'error' }) }), ['error']);
      assert.deepEqual(
        await sev({ projectOverrides: () => ({ KMDF2002: 'error' }), severityOverrides: { KMDF2002: 'hint' } }),
        ['hint'],
      );
      assert.deepEqual(await sev({ projectOverrides: () => ({ KMDF2002: 'off' }) }), []);
      assert.deepEqual(
        await sev({ projectOverrides: () => ({ KMDF2002: 'off' }), severityOverrides: { KMDF2002: 'info' } }),
        ['info'],
      );
    });

    it('an override replaces a severity the rule chose per finding (info for a possible level)', async () => {
      const findings = await lint(loadFixture('KMDF2001/bad.c'), { severityOverrides: { KMDF2001: 'error' } });
      assert.deepEqual([...new Set(findings.filter((f) => f.ruleId === 'KMDF2001').map((f) => f.severity))], ['error']);
    });
  });

  it('checks only the documents asked for, with the whole workspace at hand', async () => {
    const { workspace, texts } = await analyzeFiles(readFixture('KMDF1007/good'));
    const findings = runRules({
      workspace,
      index: testIndex(),
      target: { framework: 'KMDF', kmdfVersion: '1.33', source: 'default' },
      texts: (u) => texts.get(u),
      uris: ['file:///fixture/gneiss.h'],
    });
    // The header's declaration is defined in queue.c: no KMDF1007 although queue.c was not checked.
    assert.deepEqual(ownFindings(findings), []);
  });

  it('a rule that throws is reported and the other rules still run', async () => {
    const broken: Rule = {
      meta: {
        id: 'KMDF9999',
        name: 'broken',
        title: 'Broken',
        defaultSeverity: 'error',
        documentation: [],
        helpPage: 'docs/rules/KMDF9999.md',
      },
      check() {
        throw new Error('boom');
      },
    };
    const errors: string[] = [];
    const { workspace, texts } = await analyzeFiles({ 'ruby.c': DPC_WITH_PAGED_CODE('') });
    const findings = runRules({
      workspace,
      index: testIndex(),
      target: { framework: 'KMDF', kmdfVersion: '1.33', source: 'default' },
      texts: (u) => texts.get(u),
      rules: [broken, ...allRules],
      onRuleError: (id, uri, e) => errors.push(`${id} ${uri} ${(e as Error).message}`),
    });
    assert.deepEqual(errors, ['KMDF9999 file:///fixture/ruby.c boom']);
    assert.deepEqual(foundAt(findings, 'KMDF2002'), ['ruby.c:11 KMDF2002']);
  });

  it('every rule has a unique stable id, a kebab name, a title and documentation', () => {
    const ids = allRules.map((r) => r.meta.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const r of allRules) {
      assert.match(r.meta.id, /^KMDF[1-4]\d{3}$/);
      assert.match(r.meta.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.ok(r.meta.title.length > 10);
      assert.ok(r.meta.documentation.length > 0, `${r.meta.id} names what it rests on`);
      assert.equal(r.meta.helpPage, `docs/rules/${r.meta.id}.md`);
    }
  });

  describe('drivers written like the WDK samples stay quiet', () => {
    for (const dir of fs.readdirSync(path.join(fixturesDir, 'quiet'))) {
      it(`quiet/${dir}: no findings from any rule`, async () => {
        const findings = await lint(readFixture(`quiet/${dir}`));
        assert.deepEqual(findings, [], describeFindings(findings));
      });
    }
  });

  describe('examples/violations-*.c: one deliberate violation per rule family', () => {
    for (const [file, expected] of [
      // [rule id, 1-based line] of each finding; the suppressed function adds none.
      [
        'violations-roles.c',
        [
          'KMDF1004:16',
          'KMDF1007:17',
          'KMDF1005:25',
          'KMDF1003:47',
          'KMDF1001:55',
          'KMDF1002:62',
          'KMDF4003:82',
          'KMDF1006:87',
          'KMDF1008:104',
        ],
      ],
      // The timer breaks KMDF2002 and, being resident, KMDF2005 as well.
      [
        'violations-irql.c',
        [
          'KMDF2008:22',
          'KMDF2007:36',
          'KMDF2001:49',
          'KMDF2002:56',
          'KMDF2005:56',
          'KMDF2003:63',
          'KMDF2004:74',
          'KMDF2006:90',
          'KMDF2005:99',
          'KMDF2009:115',
        ],
      ],
    ] as const) {
      it(`${file}: one finding per rule of the family, and its kmdf-ignore holds`, async () => {
        const text = fs.readFileSync(path.join(repoRoot, 'examples', file), 'utf8');
        const findings = ownFindings(await lint({ [file]: text }));
        assert.deepEqual(
          findings.map((f) => `${f.ruleId}:${f.span.start.line + 1}`),
          [...expected],
          describeFindings(findings),
        );
        assert.match(text, /\/\/ kmdf-ignore KMDF\d{4}/);
        const unsuppressed = ownFindings(
          await lint({ [file]: text.replace(/\/\/ kmdf-ignore (KMDF\d{4})/, '// (was ignored: $1)') }),
        );
        assert.equal(unsuppressed.length, expected.length + 1, 'removing the kmdf-ignore brings its finding back');
      });
    }
  });
});
