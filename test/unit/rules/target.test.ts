// Target detection (.vcxproj, sources, .kmdf.json, settings, default) and the .kmdf.json parser.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configEdit, parseProjectConfig } from '../../../server/src/project/projectConfig';
import { compareVersions, parseSourcesFile, parseVcxproj, resolveTarget } from '../../../server/src/project/target';
import { targetForFile } from '../../../server/src/project/projectModel';
import { lint, loadFixture } from '../../support/ruleHarness';

const vcxproj = (props: string) => `<Project><PropertyGroup Label="Configuration">${props}</PropertyGroup></Project>`;

describe('target detection', () => {
  it('reads KMDF and UMDF versions and the driver type from a .vcxproj', () => {
    assert.deepEqual(
      parseVcxproj(
        vcxproj(
          '<DriverType>KMDF</DriverType><KMDF_VERSION_MAJOR>1</KMDF_VERSION_MAJOR><KMDF_VERSION_MINOR>15</KMDF_VERSION_MINOR>',
        ),
        'a.vcxproj',
      ),
      {
        file: 'a.vcxproj',
        framework: 'KMDF',
        kmdfVersion: '1.15',
      },
    );
    assert.deepEqual(
      parseVcxproj(
        vcxproj(
          '<DriverType>UMDF</DriverType><UMDF_VERSION_MAJOR>2</UMDF_VERSION_MAJOR><UMDF_VERSION_MINOR>25</UMDF_VERSION_MINOR>',
        ),
        'b.vcxproj',
      ),
      {
        file: 'b.vcxproj',
        framework: 'UMDF',
        umdfVersion: '2.25',
      },
    );
    // No DriverType: a lone UMDF version says UMDF; a major without a minor is the toolset's documented default (2.15), not X.0.
    assert.deepEqual(parseVcxproj(vcxproj('<UMDF_VERSION_MAJOR>2</UMDF_VERSION_MAJOR>'), 'c.vcxproj'), {
      file: 'c.vcxproj',
      framework: 'UMDF',
      umdfVersion: '2.15',
      reason: 'UMDF 2.x, minor not set: the Visual Studio default for Windows 10 and 11 (2.15)',
      versionDefaulted: true,
    });
    assert.deepEqual(parseVcxproj(vcxproj('<DriverType>WDM</DriverType>'), 'd.vcxproj'), { file: 'd.vcxproj' });
  });

  it('reads a WDK sources file', () => {
    assert.deepEqual(
      parseSourcesFile('TARGETNAME=ember\nTARGETTYPE=DRIVER\nKMDF_VERSION_MAJOR=1\nKMDF_VERSION_MINOR=9\n', 'sources'),
      {
        file: 'sources',
        framework: 'KMDF',
        kmdfVersion: '1.9',
      },
    );
    assert.deepEqual(parseSourcesFile('TARGETTYPE=DYNLINK\nUMDF_VERSION_MAJOR=2\nUMDF_VERSION_MINOR=15\n', 'sources'), {
      file: 'sources',
      framework: 'UMDF',
      umdfVersion: '2.15',
    });
  });

  it('resolves in order: command line, .kmdf.json, project, settings, newest', () => {
    const project = { file: 'p.vcxproj', framework: 'KMDF' as const, kmdfVersion: '1.15' };
    assert.deepEqual(resolveTarget({}), { framework: 'KMDF', kmdfVersion: '1.33', source: 'default' });
    assert.deepEqual(resolveTarget({ settings: { framework: 'UMDF' } }), {
      framework: 'UMDF',
      umdfVersion: '2.33',
      source: 'settings',
    });
    assert.deepEqual(resolveTarget({ project, settings: { kmdfVersion: '1.9' } }), {
      framework: 'KMDF',
      kmdfVersion: '1.15',
      source: 'p.vcxproj',
    });
    assert.deepEqual(resolveTarget({ project, config: { file: '.kmdf.json', target: { kmdfVersion: '1.11' } } }), {
      framework: 'KMDF',
      kmdfVersion: '1.11',
      source: '.kmdf.json',
    });
    assert.deepEqual(resolveTarget({ project, overrides: { kmdfVersion: '1.25' } }), {
      framework: 'KMDF',
      kmdfVersion: '1.25',
      source: 'command line',
    });
    assert.deepEqual(resolveTarget({ overrides: { umdfVersion: '2.15' } }), {
      framework: 'UMDF',
      umdfVersion: '2.15',
      source: 'command line',
    });
  });

  it('finds the nearest .vcxproj and .kmdf.json above a file', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-target-'));
    try {
      fs.mkdirSync(path.join(root, 'drv/src'), { recursive: true });
      fs.writeFileSync(
        path.join(root, 'drv/ember.vcxproj'),
        vcxproj(
          '<DriverType>KMDF</DriverType><KMDF_VERSION_MAJOR>1</KMDF_VERSION_MAJOR><KMDF_VERSION_MINOR>19</KMDF_VERSION_MINOR>',
        ),
      );
      fs.writeFileSync(path.join(root, 'drv/src/a.c'), '');
      assert.deepEqual(targetForFile(path.join(root, 'drv/src/a.c'), { stopAt: root }), {
        framework: 'KMDF',
        kmdfVersion: '1.19',
        source: path.join(root, 'drv/ember.vcxproj'),
      });
      fs.writeFileSync(
        path.join(root, '.kmdf.json'),
        JSON.stringify({ target: { framework: 'UMDF', umdfVersion: '2.21' } }),
      );
      assert.deepEqual(targetForFile(path.join(root, 'drv/src/a.c'), { stopAt: root }), {
        framework: 'UMDF',
        umdfVersion: '2.21',
        source: path.join(root, '.kmdf.json'),
      });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('compares versions numerically', () => {
    assert.ok(compareVersions('1.9', '1.15') < 0);
    assert.ok(compareVersions('2.33', '2.33') === 0);
    assert.ok(compareVersions('1.33', '1.5') > 0);
  });
});

describe('.kmdf.json', () => {
  it('accepts rules and target', () => {
    assert.deepEqual(
      parseProjectConfig('{"rules":{"KMDF2001":"off"},"target":{"framework":"KMDF","kmdfVersion":"1.15"}}', 'f'),
      {
        file: 'f',
        config: { rules: { KMDF2001: 'off' }, target: { framework: 'KMDF', kmdfVersion: '1.15' } },
        problems: [],
      },
    );
  });

  it('keeps the valid parts and names each problem', () => {
    const r = parseProjectConfig(
      '{"rules":{"KMDF2001":"loud","KMDF1006":"off","X1":"error"},"target":{"kmdfVersion":"1.9"}}',
      'f',
    );
    assert.deepEqual(r.config, { rules: { KMDF1006: 'off' }, target: { kmdfVersion: '1.9' } });
    assert.equal(r.problems.length, 2);
    assert.match(r.problems[0], /^f: rules\.KMDF2001: /);
    assert.match(r.problems[1], /^f: rules\.X1: expected a rule id like "KMDF2001"$/);
  });

  it('reports text that is not JSON without throwing', () => {
    const r = parseProjectConfig('{ rules: ', 'f');
    assert.deepEqual(r.config, {});
    assert.match(r.problems[0], /^f: not valid JSON/);
  });
});

describe('.kmdf.json edits (the KMDF4001 fix)', () => {
  const change = { target: { kmdfVersion: '1.15' } };
  const applied = (text: string) => {
    const edit = configEdit(text, change)!;
    return text.slice(0, edit.offset) + edit.content + text.slice(edit.offset + edit.length);
  };

  it('writes a new file with the target alone', () => {
    assert.deepEqual(configEdit(undefined, change), {
      offset: 0,
      length: 0,
      content: '{\n  "target": {\n    "kmdfVersion": "1.15"\n  }\n}\n',
    });
  });

  it('replaces the version and leaves the rest of the file as it is', () => {
    const text =
      '{\n    "rules": { "KMDF2001": "off" },\n    "target": { "framework": "KMDF", "kmdfVersion": "1.9" }\n}\n';
    assert.deepEqual(configEdit(text, change), { offset: text.indexOf('9"'), length: 1, content: '15' });
    assert.equal(
      applied(text),
      '{\n    "rules": { "KMDF2001": "off" },\n    "target": { "framework": "KMDF", "kmdfVersion": "1.15" }\n}\n',
    );
  });

  it('adds the target to a file without one, in its indentation and line breaks', () => {
    assert.equal(
      applied('{\r\n\t"rules": {\r\n\t\t"KMDF2001": "off"\r\n\t}\r\n}\r\n'),
      '{\r\n\t"rules": {\r\n\t\t"KMDF2001": "off"\r\n\t},\r\n\t"target": {\r\n\t\t"kmdfVersion": "1.15"\r\n\t}\r\n}\r\n',
    );
    assert.equal(applied('{}'), '{\n  "target": {\n    "kmdfVersion": "1.15"\n  }\n}');
  });

  it('leaves a file it cannot read as an object alone', () => {
    for (const text of ['{ "rules": ', '[]', 'null', '"x"', '{ "target": "1.9" }', '{ "target": [] }'])
      assert.equal(configEdit(text, change), undefined, text);
  });
});

describe('KMDF4001 against a version the project only implies', () => {
  it('is information, and asks for the minor version, when the project names none', async () => {
    const files = loadFixture('KMDF4001/bad.c');
    const implied = {
      framework: 'KMDF' as const,
      kmdfVersion: '1.9',
      source: 'agate.vcxproj; KMDF 1.x, minor not set: the default for TargetVersion Windows7',
      defaulted: true,
    };
    const [finding] = (await lint(files, { target: implied })).filter((f) => f.ruleId === 'KMDF4001');
    assert.equal(finding.severity, 'info');
    assert.equal(
      finding.message,
      'WdfDeviceInitSetIoTypeEx needs KMDF 1.13, but the driver targets KMDF 1.9 (from agate.vcxproj; KMDF 1.x, minor not set: the default for TargetVersion Windows7). The project sets no minor version; set KMDF_VERSION_MINOR to the version the driver needs.',
    );
    assert.deepEqual(finding.fixes, [
      {
        title: 'Set the target KMDF version to 1.13 (.kmdf.json)',
        edits: [],
        projectConfig: { target: { kmdfVersion: '1.13' } },
      },
    ]);
  });

  it('offers to write the version into .kmdf.json only where no build file names it', async () => {
    const files = loadFixture('KMDF4001/bad.c');
    const fixesWith = async (source: string, defaulted?: boolean) => {
      const target = { framework: 'KMDF' as const, kmdfVersion: '1.9', source, ...(defaulted ? { defaulted } : {}) };
      const [finding] = (await lint(files, { target })).filter((f) => f.ruleId === 'KMDF4001');
      return finding.fixes?.map((f) => f.projectConfig);
    };
    const written = [{ target: { kmdfVersion: '1.13' } }];
    assert.deepEqual(await fixesWith(path.join('drv', '.kmdf.json')), written);
    assert.deepEqual(await fixesWith('settings'), written);
    // KMDF_VERSION_MINOR in the .vcxproj is what the build uses: a .kmdf.json saying otherwise would not be true.
    assert.equal(await fixesWith('drv/agate.vcxproj'), undefined);
    assert.equal(await fixesWith('command line'), undefined);
  });

  it('resolveTarget marks the version as implied only when the project default decided it', () => {
    const project = { file: 'p.vcxproj', framework: 'KMDF' as const, kmdfVersion: '1.15', versionDefaulted: true };
    assert.equal(resolveTarget({ project }).defaulted, true);
    assert.equal(resolveTarget({ project, settings: { kmdfVersion: '1.19' } }).defaulted, undefined);
    assert.equal(resolveTarget({ project: { ...project, versionDefaulted: undefined } }).defaulted, undefined);
  });
});
