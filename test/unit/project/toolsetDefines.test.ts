// Issue 8 §2: the macros a driver's build defines without the project writing them. The Twin fixture
// is one driver kept as a UMDF 2.15 build and a KMDF 1 build (no minor written), each with the other
// framework's half behind `#ifdef _KERNEL_MODE` and `defined(UMDF_VERSION_MAJOR)`.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { IncludeDirective } from '../../../server/src/project/includes';
import { ProjectModel } from '../../../server/src/project/projectModel';
import { analyzeDriver, lintDriver } from '../../../server/src/session/treeAnalysis';
import { testIndex } from '../../support/testIndex';

const twin = path.resolve(__dirname, '../../fixtures/projects/twinmode');
const user = path.join(twin, 'user/twinuser.c');
const kernel = path.join(twin, 'kernel/twinkernel.c');

function modelOf(files: string[]): ProjectModel {
  return new ProjectModel({
    files: new Map<string, IncludeDirective[]>(files.map((f) => [f, []])),
    roots: [twin],
    stopAt: () => twin,
  });
}

describe('toolset defines (issue 8 §2)', function () {
  this.timeout(60_000);

  it('a UMDF build defines its version and leaves _KERNEL_MODE and the KMDF version undefined', () => {
    assert.deepEqual(Object.fromEntries(modelOf([user]).definesFor(user)), {
      _KERNEL_MODE: null,
      UMDF_VERSION_MAJOR: '2',
      UMDF_VERSION_MINOR: '15',
      KMDF_VERSION_MAJOR: null,
    });
  });

  it('a KMDF build with no minor written defines the major only (the default minor is not a macro we can know)', () => {
    assert.deepEqual(Object.fromEntries(modelOf([kernel]).definesFor(kernel)), {
      _KERNEL_MODE: '1',
      KMDF_VERSION_MAJOR: '1',
      UMDF_VERSION_MAJOR: null,
    });
  });

  it('the other framework’s half is not compiled: only the KMDF-only call pasted into the user-mode branch is reported', async () => {
    const index = testIndex();
    const result = lintDriver(await analyzeDriver([twin], index), { index });
    assert.deepEqual(
      result.findings.map(
        (f) =>
          `${path.relative(twin, new URL(f.uri).pathname)}:${f.span.start.line + 1} ${f.ruleId} ${f.severity} ${f.function}`,
      ),
      ['user/twinuser.c:24 KMDF4002 error TwinEvtPrepareHardware'],
    );
  });
});
