import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { startSummary, targetOrigin, type SummaryInput } from '../../../server/src/session/startSummary';

const root = path.resolve('/work/drivers');
const index = { callbacks: 417, methods: 610, structs: 63, enums: 60 };
const facts = { state: 'facts', detail: 'no kmdf.docs.path, online docs off', checked: true, degraded: false } as const;
const base: SummaryInput = {
  headers: { paths: [], origin: 'none' },
  index,
  docs: facts,
  docsPath: '',
  docsBaseUrl: 'https://docs.example.test/content/',
  projects: [],
};

describe('session: the start-up summary', () => {
  it('no WDK: says the bundled catalog is used, with its counts', () => {
    assert.deepEqual(startSummary(base), [
      'WDK headers: none set or found in the Windows Kits folders; the bundled catalog is used (417 callback role types, 610 methods, 63 structures, 60 enumerations)',
      'Reference text: none, facts only (no kmdf.docs.path, online docs off)',
      'Driver projects: none',
    ]);
    assert.match(
      startSummary({ ...base, headers: { paths: [], origin: 'off' } })[0],
      /^WDK headers: none set, detection off \(kmdf\.wdk\.autoDetect\); the bundled catalog is used/,
    );
  });

  it('a detected WDK: its folder and versions, and the folders read', () => {
    const kit = path.join(root, 'Kits');
    const kmdf = path.join(kit, 'Include/wdf/kmdf/1.33');
    const line = startSummary({
      ...base,
      headers: { paths: [kmdf], origin: 'detected', label: `WDK ${kit} (KMDF 1.33)` },
    })[0];
    assert.equal(
      line,
      `WDK headers: WDK ${kit} (KMDF 1.33): ${kmdf} (over the bundled catalog: 417 callback role types, 610 methods, 63 structures, 60 enumerations)`,
    );
    assert.match(
      startSummary({ ...base, headers: { paths: [kmdf], origin: 'settings' } })[0],
      /^WDK headers: kmdf\.wdk\.includePaths: /,
    );
  });

  it('each project with its target and where it came from; loose files last, on a line of their own (no driver project)', () => {
    const echo = path.join(root, 'echo');
    const tally = path.join(root, 'tally');
    const plain = path.join(root, 'plain');
    const lines = startSummary({
      ...base,
      docs: { state: 'online', detail: 'docs.example.test, nothing fetched yet', checked: false, degraded: false },
      projects: [
        {
          kind: 'loose',
          id: root,
          root,
          target: { framework: 'KMDF', kmdfVersion: '1.33', source: 'default' },
          files: 3,
        },
        {
          kind: 'vcxproj',
          id: path.join(echo, 'echo.vcxproj'),
          root: echo,
          target: { framework: 'KMDF', kmdfVersion: '1.33', source: path.join(echo, 'echo.vcxproj') },
          files: 4,
        },
        {
          kind: 'folder',
          id: path.join(tally, '.kmdf.json'),
          root: tally,
          target: { framework: 'UMDF', umdfVersion: '2.31', source: path.join(tally, '.kmdf.json') },
          files: 2,
        },
        {
          kind: 'vcxproj',
          id: path.join(plain, 'plain.vcxproj'),
          root: plain,
          target: { framework: 'KMDF', kmdfVersion: '1.31', source: 'settings' },
          files: 1,
        },
      ],
    });
    assert.deepEqual(lines.slice(1), [
      'Reference text: online from https://docs.example.test/content/ (nothing fetched yet)',
      'Driver projects: 3',
      '  echo: KMDF 1.33 from the properties of echo.vcxproj',
      '  tally: UMDF 2.31 from .kmdf.json',
      '  plain (plain.vcxproj): KMDF 1.31 from the kmdf.target settings',
      `Loose files (in no driver project): 3 in ${root}: KMDF 1.33 by default (nothing names a version: the newest)`,
    ]);
  });

  it('a driver kept without a project file is loose files only: no driver project is claimed', () => {
    const lines = startSummary({
      ...base,
      projects: [
        {
          kind: 'loose',
          id: root,
          root,
          target: { framework: 'KMDF', kmdfVersion: '1.33', source: 'default' },
          files: 6,
        },
      ],
    });
    assert.deepEqual(lines.slice(2), [
      'Driver projects: none',
      `Loose files (in no driver project): 6 in ${root}: KMDF 1.33 by default (nothing names a version: the newest)`,
    ]);
  });

  it('a target origin keeps the project file’s reason', () => {
    const file = path.join(root, 'echo', 'echo.vcxproj');
    assert.equal(
      targetOrigin(`${file}; KMDF_VERSION_MINOR not set`, path.join(root, 'echo')),
      'from the properties of echo.vcxproj (KMDF_VERSION_MINOR not set)',
    );
    assert.equal(targetOrigin(file, path.join(root, 'other')), `from the properties of ${file}`);
  });
});
