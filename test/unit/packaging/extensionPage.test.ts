/**
 * The extension page and first run (issue 9 §6): the README that ships in the .vsix, the
 * walkthrough, and the addresses our text names.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXTENSION_README, readmeImages, renderExtensionReadme } from '../../../scripts/extension-readme';
import { addressesIn, packagedFilter, repoRoot, whyAllowed } from './packaging';

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const settings: Record<string, { default: unknown }> = manifest.contributes.configuration.properties;
const commands: Array<{ command: string; title: string; category: string }> = manifest.contributes.commands;
const readme = fs.readFileSync(EXTENSION_README, 'utf8');
const isPackaged = packagedFilter();
const MAX_IMAGE_BYTES = 200 * 1024;

/** The rows of the Markdown table under `## heading`, as cells. */
function tableUnder(markdown: string, heading: string): string[][] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
  assert.ok(section, `no "## ${heading}" section`);
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('|---'))
    .slice(1)
    .map((line) =>
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

describe('extension page: the README that ships in the .vsix', () => {
  it('documents every setting of package.json, with its default, and no other', () => {
    const rows = tableUnder(readme, 'Settings');
    const documented = new Map(rows.map(([key, value]) => [key.replace(/`/g, ''), value]));
    assert.deepEqual([...documented.keys()].sort(), Object.keys(settings).sort());
    for (const [key, setting] of Object.entries(settings))
      assert.equal(documented.get(key), `\`${JSON.stringify(setting.default)}\``, key);
  });

  it('names every command by its palette title, and no other', () => {
    const rows = tableUnder(readme, 'Commands');
    assert.deepEqual(rows.map(([name]) => name).sort(), commands.map((c) => `**${c.category}: ${c.title}**`).sort());
  });

  it('shows small PNG screenshots that are files of the repository, among them the driver map and the Problems view', () => {
    const images = readmeImages(readme).map((image) =>
      path.relative(repoRoot, path.resolve(path.dirname(EXTENSION_README), image)),
    );
    assert.ok(
      images.includes('media/driver-map.png') && images.includes('media/workspace-problems.png'),
      images.join(),
    );
    for (const image of images) {
      const size = fs.statSync(path.join(repoRoot, image)).size;
      assert.ok(size < MAX_IMAGE_BYTES, `${image} is ${size} bytes`);
    }
  });

  it('is packaged with every image inlined (VS Code shows no relative image of an installed README) and no relative link', () => {
    const packaged = renderExtensionReadme();
    const images = readmeImages(packaged);
    assert.equal(images.length, readmeImages(readme).length);
    for (const image of images) assert.match(image, /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    const links = [...packaged.matchAll(/(?<!!)\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    for (const link of links) assert.match(link, /^(https:\/\/|#)/, link);
  });

  it('refuses a relative link and an image that is not a PNG file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-readme-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.md'), 'See [the rules](../docs/rules/README.md).\n');
      assert.throws(() => renderExtensionReadme(path.join(dir, 'a.md')), /would not open from the installed extension/);
      fs.writeFileSync(path.join(dir, 'fake.png'), 'GIF89a');
      fs.writeFileSync(path.join(dir, 'b.md'), '![x](fake.png)\n');
      assert.throws(() => renderExtensionReadme(path.join(dir, 'b.md')), /is not a PNG/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the developer README lists the same settings', () => {
    const developer = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const keys = tableUnder(developer, 'Settings').map(([key]) => key.replace(/`/g, ''));
    assert.deepEqual(keys.sort(), Object.keys(settings).sort());
  });

  it('ships the packaged README, the walkthrough media and the screenshots, and not the developer README', () => {
    assert.equal(isPackaged('dist/README.md'), true);
    assert.equal(isPackaged('README.md'), false);
    assert.equal(isPackaged('docs/extension/README.md'), false);
    assert.equal(isPackaged('media/driver-map.png'), true);
  });

  it('ships every bundle esbuild.mjs builds (the server scan loads dist/analysisWorker.js, kmdf lint --jobs dist/lintWorker.js at run time)', () => {
    const build = fs.readFileSync(path.join(repoRoot, 'esbuild.mjs'), 'utf8');
    const bundles = [...build.matchAll(/\b(\w+): '(?:client|server)\/src\/[\w/]+\.ts'/g)].map((m) => `dist/${m[1]}.js`);
    assert.deepEqual(bundles.sort(), [
      'dist/analysisWorker.js',
      'dist/cli.js',
      'dist/extension.js',
      'dist/lintWorker.js',
      'dist/server.js',
      'dist/serverMain.js',
    ]);
    assert.deepEqual(
      bundles.filter((b) => !isPackaged(b)),
      [],
    );
  });
});

describe('extension page: the walkthrough', () => {
  const walkthroughs: Array<{
    id: string;
    steps: Array<{
      id: string;
      description: string;
      media: { image?: string; markdown?: string };
      completionEvents?: string[];
    }>;
  }> = manifest.contributes.walkthroughs;
  const steps = walkthroughs.flatMap((w) => w.steps);
  const contributed = new Set(commands.map((c) => c.command));
  const views = new Set<string>(
    Object.values(manifest.contributes.views as Record<string, Array<{ id: string }>>).flatMap((list) =>
      list.map((v) => v.id),
    ),
  );
  /** VS Code's own commands the steps may run. */
  const BUILT_IN = new Set([
    'vscode.openFolder',
    'editor.action.showHover',
    'workbench.actions.view.problems',
    'workbench.action.openSettings',
  ]);
  /** VS Code's own views a step may wait for: the Problems view. */
  const BUILT_IN_VIEWS = new Set(['workbench.panel.markers.view']);
  const knownCommand = (id: string) =>
    contributed.has(id) || BUILT_IN.has(id) || (id.endsWith('.focus') && views.has(id.slice(0, -'.focus'.length)));

  it('has the five steps of the first run, each with a way to complete it', () => {
    assert.deepEqual(
      steps.map((s) => s.id),
      ['kmdf.openDriver', 'kmdf.hoverRoleType', 'kmdf.generateStub', 'kmdf.diagnostics', 'kmdf.wdkAndDocs'],
    );
    for (const step of steps) assert.ok(step.completionEvents?.length, step.id);
  });

  it("every step's media file exists and is in the package", () => {
    for (const step of steps) {
      const media = step.media.image ?? step.media.markdown;
      assert.ok(media, `${step.id} has no media`);
      assert.ok(fs.existsSync(path.join(repoRoot, media)), `${step.id}: ${media} is missing`);
      assert.ok(isPackaged(media), `${step.id}: ${media} is not packaged`);
      if (step.media.image) assert.ok(fs.statSync(path.join(repoRoot, media)).size < MAX_IMAGE_BYTES, media);
    }
  });

  it('runs only commands that exist: contributed ones, a contributed view, or the few VS Code ones listed', () => {
    for (const step of steps) {
      const linked = [...step.description.matchAll(/\(command:([\w.]+)/g)].map((m) => m[1]);
      for (const id of linked) assert.ok(knownCommand(id), `${step.id}: command ${id}`);
      for (const event of step.completionEvents ?? []) {
        const [kind, value] = [event.slice(0, event.indexOf(':')), event.slice(event.indexOf(':') + 1)];
        if (kind === 'onCommand') assert.ok(knownCommand(value), `${step.id}: ${event}`);
        else if (kind === 'onSettingChanged') assert.ok(value in settings, `${step.id}: ${event}`);
        else if (kind === 'onView') assert.ok(views.has(value) || BUILT_IN_VIEWS.has(value), `${step.id}: ${event}`);
        else if (kind === 'onContext') assert.match(value, /^kmdf\.\w+$/, `${step.id}: ${event}`);
        else assert.fail(`${step.id}: unexpected completion event ${event}`);
      }
    }
  });

  it('every step is completed by one of its own buttons (the only events sure to come after the walkthrough opens)', () => {
    // VS Code creates the walkthrough service when something first needs it (the Welcome page, the
    // walkthrough itself): events before that are lost, and a context already true then never
    // completes a step. A button the user clicks in the step always does.
    for (const step of steps) {
      const linked = [...step.description.matchAll(/\(command:([\w.]+)/g)].map((m) => m[1]);
      const byButton = (step.completionEvents ?? []).filter(
        (e) => e.startsWith('onCommand:') && linked.includes(e.slice('onCommand:'.length)),
      );
      assert.ok(byButton.length, `${step.id}: no completion event is one of its buttons (${linked.join(', ')})`);
    }
  });

  it('the context key a step waits for is one the client sets', () => {
    const driverMap = fs.readFileSync(path.join(repoRoot, 'client/src/driverMap.ts'), 'utf8');
    const contexts = steps.flatMap((s) => s.completionEvents ?? []).filter((e) => e.startsWith('onContext:'));
    assert.deepEqual(contexts, ['onContext:kmdf.hasDriverProject']);
    assert.match(driverMap, /setContext', CONTEXT_KEYS\.hasDriverProject/);
  });
});

describe('extension page: addresses', () => {
  /** Every text file of the repository that is ours and not test data: sources, manifests, pages, READMEs. */
  function ourTextFiles(): string[] {
    const skip = new Set(['node_modules', '.git', 'dist', 'bench', 'out']);
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
        const relative = path.posix.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!skip.has(entry.name) && !entry.name.startsWith('.cache')) walk(relative);
        } else if (!/\.(png|wasm|vsix)$/.test(entry.name) && entry.name !== 'package-lock.json') {
          // Test data holds hostile and placeholder addresses on purpose; test READMEs and manifests are ours.
          if (!relative.startsWith('test/') || /(^|\/)(README\.md|package\.json)$/.test(relative)) files.push(relative);
        }
      }
    };
    walk('.');
    return files.map((f) => f.replace(/^\.\//, ''));
  }

  it('name only the public reference and the few real public addresses listed with their reason', () => {
    const files = ourTextFiles();
    assert.ok(files.includes('package.json') && files.includes('docs/rules/KMDF1001.md'), 'the walk found our files');
    const refused: string[] = [];
    let seen = 0;
    for (const file of files) {
      for (const address of addressesIn(fs.readFileSync(path.join(repoRoot, file), 'utf8'))) {
        seen += 1;
        if (!whyAllowed(address)) refused.push(`${file}: ${address}`);
      }
    }
    assert.ok(seen > 100, `only ${seen} addresses found`);
    assert.deepEqual(refused, []);
  });

  it('refuses an invented home, a look-alike host and a learn.microsoft.com user part', () => {
    assert.equal(whyAllowed('https://github.com/kmdf-assist/kmdf-assist.git'), undefined);
    assert.equal(whyAllowed('https://learn.microsoft.com.evil.io/x'), undefined);
    assert.equal(whyAllowed('https://learn.microsoft.com@evil.io/'), undefined);
    assert.equal(whyAllowed('http://learn.microsoft.com/x'), undefined);
    assert.equal(whyAllowed('https://raw.githubusercontent.com/someone/else/x'), undefined);
    assert.equal(whyAllowed('https://learn.microsoft.com/windows-hardware/drivers/'), 'the public reference');
  });

  it('package.json names no repository, homepage or bugs address until the project has a public home', () => {
    for (const field of ['repository', 'homepage', 'bugs']) assert.equal(manifest[field], undefined, field);
  });
});
