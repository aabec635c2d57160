import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { compareVersions, findWdk, type FindWdkOptions } from '../../../../server/src/knowledge/headers';

/** A fake file system holding exactly `files` (paths in the given platform's style). */
function fakeFs(
  files: string[],
  platform: 'win32' | 'linux' = 'win32',
): Pick<FindWdkOptions, 'exists' | 'readdir' | 'platform'> {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const all = new Set<string>();
  for (const f of files) {
    for (let d = f; d !== p.dirname(d); d = p.dirname(d)) all.add(d);
  }
  return {
    platform,
    exists: (x) => all.has(x),
    readdir: (dir) => [...all].filter((x) => p.dirname(x) === dir).map((x) => p.basename(x)),
  };
}

const KITS = 'C:\\Program Files (x86)\\Windows Kits\\10';
const kmdf = (v: string, root = KITS) => `${root}\\Include\\wdf\\kmdf\\${v}\\wdf.h`;
const umdf = (v: string, root = KITS) => `${root}\\Include\\wdf\\umdf\\${v}\\wdf.h`;

describe('findWdk', () => {
  it('compares versions numerically', () => {
    assert.deepEqual(['1.33', '1.9', '1.15', '1.9.1', '2.0'].sort(compareVersions), [
      '1.9',
      '1.9.1',
      '1.15',
      '1.33',
      '2.0',
    ]);
  });

  it('picks the newest KMDF and UMDF version in the default kit folder', () => {
    const fs = fakeFs([
      kmdf('1.9'),
      kmdf('1.15'),
      kmdf('1.33'),
      kmdf('1.31'),
      umdf('2.15'),
      umdf('2.33'),
      `${KITS}\\Include\\wdf\\kmdf\\readme.txt`,
    ]);
    assert.deepEqual(findWdk({ ...fs, env: {} }), {
      root: KITS,
      kmdf: { version: '1.33', includeDir: `${KITS}\\Include\\wdf\\kmdf\\1.33` },
      umdf: { version: '2.33', includeDir: `${KITS}\\Include\\wdf\\umdf\\2.33` },
    });
  });

  it('skips a version folder without wdf.h (a partial install) for the next newest', () => {
    const fs = fakeFs([kmdf('1.31'), `${KITS}\\Include\\wdf\\kmdf\\1.33\\wdfio.h`]);
    assert.deepEqual(findWdk({ ...fs, env: {} }), {
      root: KITS,
      kmdf: { version: '1.31', includeDir: `${KITS}\\Include\\wdf\\kmdf\\1.31` },
    });
  });

  it('prefers WDKContentRoot, then WindowsSdkDir, over Program Files; env names are case-insensitive', () => {
    const custom = 'D:\\EWDK\\Program Files\\Windows Kits\\10';
    const fs = fakeFs([kmdf('1.33'), kmdf('1.35', custom)]);
    assert.equal(findWdk({ ...fs, env: { WDKContentRoot: `${custom}\\` } })?.kmdf?.version, '1.35');
    assert.equal(findWdk({ ...fs, env: { windowssdkdir: custom } })?.root, custom);
    // A root without WDF folders falls through to the next candidate.
    assert.equal(findWdk({ ...fs, env: { WDKContentRoot: 'E:\\Empty' } })?.root, KITS);
  });

  it('uses %ProgramFiles(x86)% when the kit is not on C:', () => {
    const root = 'D:\\Programs (x86)\\Windows Kits\\10';
    const fs = fakeFs([umdf('2.31', root)]);
    assert.deepEqual(findWdk({ ...fs, env: { 'ProgramFiles(x86)': 'D:\\Programs (x86)' } }), {
      root,
      umdf: { version: '2.31', includeDir: `${root}\\Include\\wdf\\umdf\\2.31` },
    });
  });

  it('honours KMDF_INC_PATH pointing at a version folder or at the folder of versions', () => {
    const fs = fakeFs([kmdf('1.15'), kmdf('1.33')]);
    assert.deepEqual(findWdk({ ...fs, env: { KMDF_INC_PATH: `${KITS}\\Include\\wdf\\kmdf\\1.15\\` } }), {
      root: KITS,
      kmdf: { version: '1.15', includeDir: `${KITS}\\Include\\wdf\\kmdf\\1.15` },
    });
    assert.equal(findWdk({ ...fs, env: { KMDF_INC_PATH: `${KITS}\\Include\\wdf\\kmdf` } })?.kmdf?.version, '1.33');
  });

  it('finds a kit mounted on Linux through WDKContentRoot, and none without it', () => {
    const root = '/mnt/wdk/Windows Kits/10';
    const fs = fakeFs([`${root}/Include/wdf/kmdf/1.33/wdf.h`], 'linux');
    assert.deepEqual(findWdk({ ...fs, env: { WDKContentRoot: root } }), {
      root,
      kmdf: { version: '1.33', includeDir: `${root}/Include/wdf/kmdf/1.33` },
    });
    assert.equal(findWdk({ ...fs, env: {} }), undefined);
  });

  it('returns undefined when no WDK is installed', () => {
    assert.equal(findWdk({ ...fakeFs([]), env: { ProgramFiles: 'C:\\Program Files' } }), undefined);
    assert.equal(
      findWdk({ ...fakeFs(['C:\\Program Files (x86)\\Windows Kits\\10\\Include\\10.0.22621.0\\km\\wdm.h']), env: {} }),
      undefined,
    );
  });
});
