// Reading build projects as the build reads them: .vcxproj per configuration (versions, defines,
// include folders, references, libraries, imports), WDK sources files, and files that must not be read.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadEmbeddedCatalog } from '../../../server/src/knowledge/catalog';
import { evaluateCondition, Properties } from '../../../server/src/project/msbuild';
import { MAX_PROJECT_FILE_BYTES, parseVcxprojText, readProjectFile } from '../../../server/src/project/projectFile';
import { targetForFile } from '../../../server/src/project/projectModel';
import { findProjectFacts, parseVcxproj, resolveTarget } from '../../../server/src/project/target';
import { NEWEST_KMDF, NEWEST_UMDF } from '../../../server/src/project/versions';

const fixtures = path.resolve(__dirname, '../../fixtures/projects');
const fixture = (...parts: string[]) => path.join(fixtures, ...parts);
const props = (inner: string) => `<Project><PropertyGroup Label="Configuration">${inner}</PropertyGroup></Project>`;

describe('project files: target version', () => {
  it('a KMDF major version without a minor one is the documented Visual Studio default, 1.15, and says why', () => {
    const project = readProjectFile(fixture('amber/amber.vcxproj'));
    assert.equal(project.target.framework, 'KMDF');
    assert.equal(project.target.kmdfVersion, '1.15');
    assert.equal(
      project.target.reason,
      'KMDF 1.x, minor not set: the Visual Studio default for Windows 10 and 11 (1.15)',
    );
    const target = targetForFile(fixture('amber/device.c'), { stopAt: fixtures });
    assert.deepEqual(target, {
      framework: 'KMDF',
      kmdfVersion: '1.15',
      source: `${fixture('amber/amber.vcxproj')}; KMDF 1.x, minor not set: the Visual Studio default for Windows 10 and 11 (1.15)`,
      defaulted: true,
    });
  });

  it('a defaulted version gives way to the settings; an explicit one does not', () => {
    const defaulted = findProjectFacts(fixture('amber'), fixtures)!;
    assert.deepEqual(resolveTarget({ project: defaulted, settings: { kmdfVersion: '1.19' } }), {
      framework: 'KMDF',
      kmdfVersion: '1.19',
      source: defaulted.file,
    });
    const explicit = findProjectFacts(fixture('common'), fixtures)!;
    assert.deepEqual(resolveTarget({ project: explicit, settings: { kmdfVersion: '1.19' } }), {
      framework: 'KMDF',
      kmdfVersion: '1.15',
      source: explicit.file,
    });
  });

  it('UMDF the same; a configuration for Windows 8.1 defaults lower, and the newest configuration wins', () => {
    const project = readProjectFile(fixture('basalt/basalt.vcxproj'));
    assert.equal(project.target.framework, 'UMDF');
    assert.equal(project.target.umdfVersion, '2.15');
    assert.match(
      project.target.reason!,
      /configurations differ \(UMDF 2\.0: Release\|Win32; UMDF 2\.15: Debug\|Win32\), the newest is used; UMDF 2\.x, minor not set: the Visual Studio default for Windows 10 and 11 \(2\.15\)/,
    );
    assert.deepEqual(
      parseVcxproj(props('<DriverType>UMDF</DriverType><UMDF_VERSION_MAJOR>2</UMDF_VERSION_MAJOR>'), 'u.vcxproj')
        .umdfVersion,
      '2.15',
    );
  });

  it('an older TargetVersion without a minor version takes that Windows version default', () => {
    const facts = parseVcxproj(
      props(
        '<DriverType>KMDF</DriverType><TargetVersion>Windows7</TargetVersion><KMDF_VERSION_MAJOR>1</KMDF_VERSION_MAJOR>',
      ),
      'w7.vcxproj',
    );
    assert.equal(facts.kmdfVersion, '1.9');
    assert.equal(facts.reason, 'KMDF 1.x, minor not set: the default for TargetVersion Windows7');
  });

  it('reads KMDF_VERSION_MINOR per configuration from conditioned PropertyGroups', () => {
    const project = readProjectFile(fixture('cedar/cedar.vcxproj'));
    assert.deepEqual(
      project.configurations.map((c) => [c.name, c.targetVersion, c.kmdfMinor]),
      [
        ['Win7 Debug|x64', 'Windows7', '9'],
        ['Win10 Debug|x64', 'Windows10', '25'],
        ['Win10 Release|x64', 'Windows10', '15'],
      ],
    );
    assert.equal(project.target.kmdfVersion, '1.25');
    assert.equal(project.target.versionDefaulted, undefined);
    assert.match(
      project.target.reason!,
      /^configurations differ \(KMDF 1\.9: Win7 Debug\|x64; KMDF 1\.15: Win10 Release\|x64; KMDF 1\.25: Win10 Debug\|x64\), the newest is used$/,
    );
  });

  it('the newest versions agree with what the catalog was generated from', () => {
    const from = loadEmbeddedCatalog().generatedFrom.join(' ');
    assert.match(from, new RegExp(`kmdf-${NEWEST_KMDF.replace('.', '\\.')}\\b`));
    assert.match(from, new RegExp(`umdf-${NEWEST_UMDF.replace('.', '\\.')}\\b`));
  });
});

describe('project files: compiler and linker facts', () => {
  const amber = () => readProjectFile(fixture('amber/amber.vcxproj'));

  it('separates the definitions all configurations share from those they disagree on', () => {
    const { defines, configurations } = amber();
    assert.deepEqual([...defines.shared].sort(), [
      ['AMBER_SHARED', '1'],
      ['EVENT_TRACING', '1'],
      ['POOL_NX_OPTIN', '1'],
    ]);
    assert.deepEqual(defines.differing, ['AMBER_DEBUG', 'AMBER_LOG_LEVEL']);
    assert.equal(configurations.find((c) => c.name === 'Debug|x64')!.defines.get('AMBER_LOG_LEVEL'), '4');
    assert.equal(configurations.find((c) => c.name === 'Release|x64')!.defines.get('AMBER_LOG_LEVEL'), '1');
  });

  it('resolves include folders ($(ProjectDir), $(SolutionDir) via an import, relative) and drops unknown macros with a note', () => {
    const project = amber();
    assert.deepEqual(project.includeDirs, [fixture('common/include'), fixture('inc'), fixture('amber/generated')]);
    assert.ok(
      project.notes.includes('include folder $(IntDir) dropped: unknown macro $(IntDir)'),
      project.notes.join('\n'),
    );
    assert.ok(project.notes.some((n) => n.startsWith(`$(SolutionDir) taken as ${fixtures}`)));
    assert.deepEqual(
      project.imports.filter((i) => i.read).map((i) => i.file),
      [fixture('drivers.props')],
    );
  });

  it('lists project references, linked libraries and the configuration type', () => {
    const project = amber();
    assert.deepEqual(project.projectReferences, [fixture('common/common.vcxproj')]);
    assert.deepEqual(project.libraries, ['common.lib', 'ntstrsafe.lib', 'usbd.lib']);
    assert.equal(project.configurationType, 'Driver');
    assert.equal(readProjectFile(fixture('common/common.vcxproj')).configurationType, 'StaticLibrary');
    assert.equal(readProjectFile(fixture('basalt/basalt.vcxproj')).configurationType, 'DynamicLibrary');
  });

  it('reads a sources file: C_DEFINES (-D and /D, with values), INCLUDES, TARGETTYPE, TARGETLIBS', () => {
    const project = readProjectFile(fixture('legacy/sources'));
    assert.equal(project.kind, 'sources');
    assert.deepEqual(
      [...project.defines.shared],
      [
        ['UNICODE', '1'],
        ['_UNICODE', '1'],
        ['LEGACY_POOL_TAG', '0x4C474359'],
      ],
    );
    assert.deepEqual(project.defines.differing, []);
    assert.deepEqual(project.includeDirs, [fixture('inc')]);
    assert.deepEqual(project.notes, ['include folder $(DDK_INC_PATH) dropped: unknown macro $(DDK_INC_PATH)']);
    assert.equal(project.configurationType, 'Driver');
    assert.deepEqual(project.libraries, ['ntstrsafe.lib', 'wdmsec.lib']);
    assert.equal(project.target.kmdfVersion, NEWEST_KMDF);
  });

  it('evaluates the usual MSBuild conditions', () => {
    const p = new Properties();
    p.setGlobal('Configuration', 'Debug');
    p.setGlobal('Platform', 'x64');
    p.set('DriverType', 'KMDF');
    assert.equal(evaluateCondition("'$(Configuration)|$(Platform)'=='debug|X64'", p), true);
    assert.equal(evaluateCondition(" '$(Configuration)' != 'Debug' or '$(DriverType)' == 'UMDF' ", p), false);
    assert.equal(evaluateCondition("('$(Missing)' == '') and !('$(Platform)' == 'Win32')", p), true);
    assert.equal(evaluateCondition("exists('$(UserRootDir)\\x.props')", p), undefined);
    assert.equal(evaluateCondition("exists('x') and '$(Platform)' == 'ARM64'", p), false);
    assert.equal(evaluateCondition("'10.0.22621.0' >= '10.0.16299.0'", p), true);
  });
});

describe('project files: what is not read', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-project-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  // How its time grows with the spaces is checked in test/robustness/growth.test.ts.
  it('a <DriverType> followed by thousands of spaces: not well-formed without its closing tag, read with it', () => {
    const input = (n: number) => `<Project><PropertyGroup><DriverType>${' '.repeat(n)}`;
    assert.match(parseVcxprojText(input(5_000), 'p.vcxproj').problems[0], /^p\.vcxproj: not well-formed XML/);
    assert.equal(
      parseVcxprojText(
        `<Project><PropertyGroup><DriverType>${' '.repeat(5_000)}KMDF</DriverType></PropertyGroup></Project>`,
        'q.vcxproj',
      ).target.framework,
      'KMDF',
    );
  });

  it('malformed XML gives a clear problem, and the .kmdf.json beside it still applies', () => {
    const project = readProjectFile(fixture('broken/broken.vcxproj'));
    assert.equal(project.problems.length, 1);
    assert.match(
      project.problems[0],
      /broken\.vcxproj: not well-formed XML \(line 6, column 3: Expected closing tag 'PropertyGroup'/,
    );
    assert.deepEqual(project.target, {});
    assert.deepEqual(targetForFile(fixture('broken/driver.c'), { stopAt: fixtures }), {
      framework: 'KMDF',
      kmdfVersion: '1.19',
      source: fixture('broken/.kmdf.json'),
    });
  });

  it('skips a FIFO named x.vcxproj without blocking, and uses the sources file beside it', function () {
    if (process.platform === 'win32') this.skip();
    const fifo = path.join(dir, 'x.vcxproj');
    const made = spawnSync('mkfifo', [fifo]);
    if (made.status !== 0) this.skip();
    const project = readProjectFile(fifo);
    assert.equal(project.skipped, 'skipped: not a regular file');
    assert.deepEqual(project.configurations, []);
    assert.equal(findProjectFacts(dir, dir), undefined);
    fs.writeFileSync(path.join(dir, 'sources'), 'TARGETTYPE=DRIVER\nKMDF_VERSION_MAJOR=1\nKMDF_VERSION_MINOR=11\n');
    assert.deepEqual(findProjectFacts(dir, dir), {
      file: path.join(dir, 'sources'),
      framework: 'KMDF',
      kmdfVersion: '1.11',
    });
  });

  it('skips a project file larger than 4 MB', () => {
    const big = path.join(dir, 'big.vcxproj');
    fs.writeFileSync(big, `<Project><!--${' '.repeat(MAX_PROJECT_FILE_BYTES)}--></Project>`);
    assert.match(readProjectFile(big).skipped!, /^skipped: larger than 4 MB/);
  });
});
