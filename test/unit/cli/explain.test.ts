// `kmdf lint --explain FILE` in process: what one file is analysed with, as text and as JSON.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { runExplain, runLint, type LintOptions } from '../../../server/src/cli/lintCommand';
import { UsageError } from '../../../server/src/cli/usage';
import type { FileExplanation } from '../../../server/src/project/explain';

const fixtures = path.resolve(__dirname, '../../fixtures/projects');
const fixture = (...parts: string[]) => path.join(fixtures, ...parts);
const options = (extra: Partial<LintOptions> = {}): LintOptions => ({
  format: 'text',
  headers: [],
  docs: [],
  rule: [],
  failOn: 'error',
  ...extra,
});

function explain(file: string, extra: Partial<LintOptions> = {}, paths: string[] = []) {
  let out = '';
  const code = runExplain(file, paths, options(extra), { out: (s) => (out += s) });
  return { code, out };
}

describe('kmdf lint --explain', () => {
  it('prints the project and why, the target and why, include path, references, libraries and defines', () => {
    const { code, out } = explain(fixture('amber/device.c'));
    assert.equal(code, 0);
    const lines = out.split('\n');
    assert.equal(lines[0], `file: ${fixture('amber/device.c')}`);
    assert.equal(lines[1], `project: ${fixture('amber/amber.vcxproj')} (compiled by amber.vcxproj (ClCompile))`);
    assert.equal(lines[2], '  type: Driver; 2 configurations: Debug|x64, Release|x64');
    assert.ok(lines.includes('.kmdf.json: none'));
    assert.ok(
      lines.includes(
        `target: KMDF 1.15 (from ${fixture('amber/amber.vcxproj')}; KMDF 1.x, minor not set: the Visual Studio default for Windows 10 and 11 (1.15))`,
      ),
      out,
    );
    const includes = lines.indexOf('include path:');
    assert.deepEqual(lines.slice(includes + 1, includes + 4), [
      `  ${fixture('common/include')}`,
      `  ${fixture('inc')}`,
      `  ${fixture('amber/generated')}`,
    ]);
    assert.ok(lines.includes('project references:'));
    assert.ok(lines.includes(`  ${fixture('common/common.vcxproj')}`));
    assert.ok(lines.includes('libraries: common.lib, ntstrsafe.lib, usbd.lib'));
    assert.ok(lines.includes('defines shared by all configurations: AMBER_SHARED EVENT_TRACING POOL_NX_OPTIN'), out);
    assert.ok(
      lines.includes(
        'defines the configurations disagree on (analysed with what configurations share): AMBER_DEBUG AMBER_LOG_LEVEL',
      ),
      out,
    );
    assert.ok(lines.includes('  include folder $(IntDir) dropped: unknown macro $(IntDir)'));
  });

  it('gives the same facts as JSON', () => {
    const e = JSON.parse(explain(fixture('legacy/driver.c'), { format: 'json' }).out) as FileExplanation;
    assert.equal(e.project?.file, fixture('legacy/sources'));
    assert.equal(e.project?.kind, 'sources');
    assert.equal(e.project?.why, `listed in SOURCES of ${fixture('legacy/sources')}`);
    assert.equal(e.project?.configurationType, 'Driver');
    assert.deepEqual(e.target, {
      framework: 'KMDF',
      kmdfVersion: '1.33',
      source: `${fixture('legacy/sources')}; KMDF 1.x, minor not set: the build default (newest)`,
      defaulted: true,
    });
    assert.deepEqual(e.defines, {
      shared: { UNICODE: '1', _UNICODE: '1', LEGACY_POOL_TAG: '0x4C474359' },
      differing: [],
    });
    assert.deepEqual(e.includePath, [fixture('inc')]);
    assert.deepEqual(e.libraries, ['ntstrsafe.lib', 'wdmsec.lib']);
    assert.deepEqual(e.projectReferences, []);
  });

  it('shows the .kmdf.json and a malformed project file as a problem', () => {
    const { out } = explain(fixture('broken/driver.c'), { kmdfVersion: '1.25' });
    assert.match(out, /^\.kmdf\.json: .*broken[\\/]\.kmdf\.json$/m);
    assert.match(out, /^target: KMDF 1\.25 \(from command line\)$/m);
    assert.match(out, /^problem: .*broken\.vcxproj: not well-formed XML \(line 6, column 3/m);
  });

  it('kmdf lint reports a malformed project file and still lints with the .kmdf.json target', async () => {
    let err = '';
    const code = await runLint([fixture('broken')], options({ format: 'json' }), {
      out: () => {},
      err: (s) => (err += s),
    });
    assert.equal(code, 0);
    assert.match(err, /^kmdf: .*broken\.vcxproj: not well-formed XML \(line 6, column 3/m);
  });

  it('refuses SARIF, a missing tree path and a missing file; lint without paths needs --explain', async () => {
    assert.throws(
      () => explain(fixture('amber/device.c'), { format: 'sarif' }),
      (e: unknown) => e instanceof UsageError && /--explain prints text or json/.test(e.message),
    );
    assert.throws(
      () => explain(fixture('amber/device.c'), {}, [fixture('nowhere')]),
      (e: unknown) => e instanceof UsageError && /nowhere: no such file or folder/.test(e.message),
    );
    assert.throws(
      () => explain(fixture('amber/nothing.c')),
      (e: unknown) => e instanceof UsageError && /no such file/.test(e.message),
    );
    await assert.rejects(
      runLint([], options(), { out: () => {}, err: () => {} }),
      (e: unknown) => e instanceof UsageError && /expected at least one file or folder/.test(e.message),
    );
  });
});
