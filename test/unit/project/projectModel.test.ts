// The one project model of the server and `kmdf lint`, on the Gauge fixture tree: two KMDF drivers and
// the static library they link, projects in build/*, sources in sibling folders (as DMF lays them out), a
// header all three include, and a loose file. Also: project files are read safely (issue 11).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { explainFile } from '../../../server/src/project/explain';
import { searchFolders } from '../../../server/src/project/folders';
import { scanIncludes, type IncludeDirective } from '../../../server/src/project/includes';
import { findProjectConfig } from '../../../server/src/project/projectConfig';
import { ProjectModel, type DriverProject } from '../../../server/src/project/projectModel';
import { analyzeDriver, lintDriver } from '../../../server/src/session/treeAnalysis';
import { testIndex } from '../../support/testIndex';
import { repoRoot } from '../../support/paths';

const gauge = path.join(repoRoot, 'test/fixtures/projects/gauge');
const g = (...parts: string[]) => path.join(gauge, ...parts);
const rel = (file: string) => path.relative(gauge, file).split(path.sep).join('/');

/** The C files under a folder with their include lines, as `kmdf lint` reads them. */
function readTree(dir: string): Map<string, IncludeDirective[]> {
  const out = new Map<string, IncludeDirective[]>();
  const visit = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) visit(full);
      else if (/\.(c|h)$/.test(e.name)) out.set(full, scanIncludes(fs.readFileSync(full, 'utf8')));
    }
  };
  visit(dir);
  return out;
}

const describeProject = (p: DriverProject) => ({
  id: rel(p.id),
  kind: p.kind,
  sources: p.sources.map(rel),
  headers: p.headers.map(rel),
  libraries: p.libraries.map((l) => rel(l.id)),
});

describe('project model: what each driver project compiles, includes and links', () => {
  const model = new ProjectModel({ files: readTree(gauge), roots: [gauge], stopAt: () => gauge });

  it('sources by ClCompile wherever they lie, headers through the include path (any case), libraries by reference and by .lib name', () => {
    assert.deepEqual(model.projects().map(describeProject), [
      {
        id: 'build/GaugeCore/GaugeCore.vcxproj',
        kind: 'vcxproj',
        sources: ['core/init.c', 'core/queue.c'],
        headers: ['include/gauge_public.h'],
        libraries: [],
      },
      {
        id: 'build/GaugeDriver/GaugeDriver.vcxproj',
        kind: 'vcxproj',
        sources: ['driver/device.c', 'driver/driver.c'],
        headers: ['driver/gauge.h', 'include/gauge_public.h'],
        libraries: ['build/GaugeCore/GaugeCore.vcxproj'],
      },
      {
        id: 'build/GaugeMeter/GaugeMeter.vcxproj',
        kind: 'vcxproj',
        sources: ['meter/meter.c'],
        headers: ['include/gauge_public.h'],
        libraries: ['build/GaugeCore/GaugeCore.vcxproj'],
      },
      { id: 'tools', kind: 'loose', sources: ['tools/probe.c'], headers: [], libraries: [] },
    ]);
  });

  it('a shared header belongs to each project that includes it; a call graph spans the libraries linked', () => {
    assert.deepEqual(
      model.projectsOf(g('include/gauge_public.h')).map((p) => rel(p.id)),
      [
        'build/GaugeCore/GaugeCore.vcxproj',
        'build/GaugeDriver/GaugeDriver.vcxproj',
        'build/GaugeMeter/GaugeMeter.vcxproj',
      ],
    );
    const driver = model.projectsOf(g('driver/device.c'))[0];
    assert.deepEqual(model.contextFiles(driver).map(rel), [
      'driver/device.c',
      'driver/driver.c',
      'driver/gauge.h',
      'include/gauge_public.h',
      'core/init.c',
      'core/queue.c',
    ]);
    // The library checks the header it shares; the driver checks its own files.
    assert.deepEqual(model.checkedFiles(driver).map(rel), ['driver/device.c', 'driver/driver.c', 'driver/gauge.h']);
    assert.equal(
      driver.why.get(g('include/gauge_public.h')),
      `included by ${g('driver/gauge.h')} (found in include folder ${g('include')})`,
    );
  });

  it('defines: what all configurations share, and for a shared file what all its projects share', () => {
    // Every Gauge project is a KMDF 1.25 one: the kernel-mode toolset's /kernel predefines _KERNEL_MODE,
    // the version settings become macros, and no UMDF version is set.
    const toolset: [string, string | null][] = [
      ['_KERNEL_MODE', '1'],
      ['KMDF_VERSION_MAJOR', '1'],
      ['KMDF_VERSION_MINOR', '25'],
      ['UMDF_VERSION_MAJOR', null],
    ];
    assert.deepEqual([...model.definesFor(g('driver/device.c'))], [...toolset, ['GAUGE_POLLED', '1']]);
    assert.deepEqual([...model.definesFor(g('core/init.c'))], [...toolset, ['GAUGE_CORE_BUILD', '1']]);
    assert.deepEqual([...model.definesFor(g('include/gauge_public.h'))], toolset);
    // No build project: nothing is known of the toolset.
    assert.deepEqual([...model.definesFor(g('tools/probe.c'))], []);
  });

  it('defines: _KERNEL_MODE for a KMDF project, known undefined for a UMDF one (user-mode toolset)', () => {
    const projects = path.join(repoRoot, 'test/fixtures/projects');
    const files = new Map<string, IncludeDirective[]>([
      [path.join(projects, 'basalt/queue.c'), []],
      [path.join(projects, 'amber/device.c'), []],
    ]);
    const both = new ProjectModel({ files, roots: [projects], stopAt: () => projects });
    assert.equal(both.definesFor(path.join(projects, 'basalt/queue.c')).get('_KERNEL_MODE'), null);
    assert.equal(both.definesFor(path.join(projects, 'amber/device.c')).get('_KERNEL_MODE'), '1');
  });

  it('the target of a file is its project’s', () => {
    const driver = model.projectsOf(g('driver/device.c'))[0];
    assert.deepEqual(model.targetFor(driver, g('driver/device.c')), {
      framework: 'KMDF',
      kmdfVersion: '1.25',
      source: g('build/GaugeDriver/GaugeDriver.vcxproj'),
    });
    assert.deepEqual(model.targetFor(model.projectsOf(g('tools/probe.c'))[0], g('tools/probe.c')), {
      framework: 'KMDF',
      kmdfVersion: '1.33',
      source: 'default',
    });
  });
});

describe('project model: the analysis and the rules', function () {
  this.timeout(60_000);

  it('the project’s shared defines decide #if branches: the driver polls, so its ISR declaration is not compiled', async () => {
    const driver = await analyzeDriver([gauge], testIndex());
    const header = driver.workspace.get(pathToFileURL(g('driver/gauge.h')).href)!;
    assert.deepEqual(
      header.roleDecls.flatMap((d) => d.names.map((n) => n.name)),
      ['DriverEntry', 'GaugeEvtDeviceAdd', 'GaugeEvtPollTimer'],
    );
    assert.deepEqual(header.undecidedBranches ?? [], []);
  });

  it('recall: a library helper that calls a DeviceInit method, called by the driver after WdfDeviceCreate, is reported at the driver’s call', async () => {
    const index = testIndex();
    const result = lintDriver(await analyzeDriver([gauge], index), { index });
    assert.deepEqual(
      result.findings.map(
        (f) => `${rel(new URL(f.uri).pathname)}:${f.span.start.line + 1} ${f.severity} ${f.ruleId} ${f.function}`,
      ),
      ['driver/device.c:32 error KMDF3011 GaugeEvtDeviceAdd'],
    );
    assert.match(result.findings[0].message, /passes DeviceInit to GaugeCoreConfigureInit after WdfDeviceCreate/);
    assert.deepEqual(result.configProblems, []);
  });

  it('without the link to the library the driver cannot see the helper, and the finding is gone', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-gauge-'));
    try {
      fs.cpSync(gauge, dir, { recursive: true });
      const file = path.join(dir, 'build/GaugeDriver/GaugeDriver.vcxproj');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/<ProjectReference [^>]*\/>/, ''));
      const index = testIndex();
      const result = lintDriver(await analyzeDriver([dir], index), { index });
      assert.deepEqual(
        result.findings.filter((f) => f.ruleId === 'KMDF3011'),
        [],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('kmdf lint --explain names every project of a shared header, the libraries linked and what it is analysed with', () => {
    const e = explainFile(g('include/gauge_public.h'), { tree: [gauge] });
    assert.deepEqual(
      e.projects.map((p) => `${rel(p.file)}: ${p.why}`),
      [
        `build/GaugeCore/GaugeCore.vcxproj: included by ${g('core/init.c')} (found in include folder ${g('include')})`,
        `build/GaugeDriver/GaugeDriver.vcxproj: included by ${g('driver/gauge.h')} (found in include folder ${g('include')})`,
        `build/GaugeMeter/GaugeMeter.vcxproj: included by ${g('meter/meter.c')} (found in include folder ${g('include')})`,
      ],
    );
    const toolset = { _KERNEL_MODE: '1', KMDF_VERSION_MAJOR: '1', KMDF_VERSION_MINOR: '25', UMDF_VERSION_MAJOR: null };
    assert.deepEqual(e.analysedWith, toolset);
    const d = explainFile(g('driver/device.c'));
    assert.deepEqual(d.tree, [gauge], 'the folder of Gauge.sln');
    assert.deepEqual(d.linkedProjects, [g('build/GaugeCore/GaugeCore.vcxproj')]);
    assert.deepEqual(d.defines, { shared: { GAUGE_POLLED: '1' }, differing: ['DBG', 'GAUGE_TRACE_LEVEL'] });
    assert.deepEqual(d.analysedWith, { ...toolset, GAUGE_POLLED: '1' });
  });
});

describe('project files are read safely (issue 11)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-walk-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (relPath: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, relPath)), { recursive: true });
    fs.writeFileSync(path.join(dir, relPath), text);
  };
  const SEEDED = fs.readFileSync(g('driver/device.c'), 'utf8');

  it('kmdf lint passes over FIFOs named .kmdf.json, x.vcxproj and sources instead of blocking on them', function () {
    if (process.platform === 'win32') this.skip();
    write('drv/driver.c', 'VOID Helper(VOID) { }\n');
    for (const name of ['drv/.kmdf.json', 'drv/x.vcxproj', 'drv/sources', '.kmdf.json'])
      if (spawnSync('mkfifo', [path.join(dir, name)]).status !== 0) this.skip();
    // In a child process with a time limit: a read that blocks on a FIFO blocks the whole process, so an
    // in-process test would hang rather than fail.
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'server/src/cli/main.ts', 'lint', path.join(dir, 'drv')],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 40_000,
      },
    );
    assert.equal(run.error, undefined, `kmdf lint did not finish: ${String(run.error)}`);
    assert.equal(run.status, 0, run.stderr);
    const problems = run.stderr.split('\n').filter((l) => l.includes('not a regular file'));
    assert.deepEqual(problems.sort(), [
      `kmdf: ${path.join(dir, 'drv/.kmdf.json')}: skipped: not a regular file`,
      `kmdf: ${path.join(dir, 'drv/sources')}: skipped: not a regular file`,
      `kmdf: ${path.join(dir, 'drv/x.vcxproj')}: skipped: not a regular file`,
    ]);
  });

  it('a .kmdf.json in a world-writable folder (/tmp) is never honoured; in the user’s own folder it is', async function () {
    if (process.platform === 'win32') this.skip();
    const shared = path.join(dir, 'shared');
    write('shared/.kmdf.json', '{ "rules": { "KMDF3011": "off" } }\n');
    write('shared/drv/device.c', SEEDED);
    const lint = async () => {
      const index = testIndex();
      return lintDriver(await analyzeDriver([path.join(shared, 'drv')], index), { index }).findings.map(
        (f) => f.ruleId,
      );
    };
    fs.chmodSync(shared, 0o777);
    assert.ok(!searchFolders(path.join(shared, 'drv')).includes(shared));
    // The library helper beside the seeded driver code, so the late call is seen.
    write('shared/drv/init.c', fs.readFileSync(g('core/init.c'), 'utf8').replace('#include "gauge_public.h"\n', ''));
    assert.ok((await lint()).includes('KMDF3011'), 'reported: the .kmdf.json of a world-writable folder is ignored');
    fs.chmodSync(shared, 0o755);
    assert.ok(!(await lint()).includes('KMDF3011'), 'silenced by the user’s own .kmdf.json');
  });

  it('the upward search stops at the workspace folder', () => {
    write('.kmdf.json', '{ "rules": { "KMDF3011": "off" } }\n');
    write('ws/drv/a.c', '');
    assert.equal(findProjectConfig(path.join(dir, 'ws/drv'), path.join(dir, 'ws')), undefined);
    assert.equal(findProjectConfig(path.join(dir, 'ws/drv'))?.file, path.join(dir, '.kmdf.json'));
    write('all.vcxproj', '<Project><ItemGroup><ClCompile Include="ws\\drv\\a.c" /></ItemGroup></Project>');
    const files = new Map([[path.join(dir, 'ws/drv/a.c'), []]]);
    const inWorkspace = new ProjectModel({ files, roots: [path.join(dir, 'ws')], stopAt: () => path.join(dir, 'ws') });
    assert.deepEqual(
      inWorkspace.projects().map((p) => p.kind),
      ['loose'],
    );
    const cli = new ProjectModel({ files, roots: [path.join(dir, 'ws')], stopAt: () => undefined });
    assert.deepEqual(
      cli.projects().map((p) => [p.kind, p.id]),
      [['vcxproj', path.join(dir, 'all.vcxproj')]],
    );
  });
});
