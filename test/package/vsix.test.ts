// Runs after `npm run package` (the `package` stage): the .vsix holds only what the extension needs.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { addressesIn, whyAllowed } from '../unit/packaging/packaging';
import { repoRoot } from '../support/paths';

const vsix = path.join(repoRoot, 'dist/kmdf-assist.vsix');

/** The entries of a zip archive, read from its central directory (no dependency needed for a listing). */
function zipEntries(file: string): Array<{ name: string; read(): Buffer }> {
  const buf = fs.readFileSync(file);
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  assert.ok(eocd >= 0, `${file} is not a zip archive`);
  const count = buf.readUInt16LE(eocd + 10);
  let offset = buf.readUInt32LE(eocd + 16);
  const entries: Array<{ name: string; read(): Buffer }> = [];
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(offset), 0x02014b50, 'corrupt central directory');
    const method = buf.readUInt16LE(offset + 10);
    const compressedSize = buf.readUInt32LE(offset + 20);
    const nameLength = buf.readUInt16LE(offset + 28);
    const extraLength = buf.readUInt16LE(offset + 30);
    const commentLength = buf.readUInt16LE(offset + 32);
    const localHeader = buf.readUInt32LE(offset + 42);
    const name = buf.toString('utf8', offset + 46, offset + 46 + nameLength);
    const read = () => {
      const start = localHeader + 30 + buf.readUInt16LE(localHeader + 26) + buf.readUInt16LE(localHeader + 28);
      const data = buf.subarray(start, start + compressedSize);
      return method === 0 ? data : zlib.inflateRawSync(data);
    };
    entries.push({ name, read });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

describe('packaged .vsix', () => {
  it('contains only the bundles, wasm, catalog, grammar, snippets, rule pages, walkthrough media, icon, README, CHANGELOG and LICENSE', () => {
    assert.ok(fs.existsSync(vsix), `${vsix} is missing: run \`npm run package\``);
    const files = zipEntries(vsix)
      .map((e) => e.name)
      .filter((n) => n.startsWith('extension/'))
      .map((n) => n.slice('extension/'.length))
      .sort();
    const rulePages = files.filter((f) => f.startsWith('docs/rules/'));
    assert.deepEqual(
      files.filter((f) => !f.startsWith('docs/rules/')),
      [
        'LICENSE.txt',
        'changelog.md',
        'client/media/icon.png',
        'dist/analysisWorker.js',
        'dist/cli.js',
        'dist/extension.js',
        'dist/lintWorker.js',
        'dist/server.js',
        'dist/serverMain.js',
        'dist/tree-sitter-c.wasm',
        'dist/tree-sitter-cpp.wasm',
        'dist/wdf-catalog.json',
        'dist/web-tree-sitter.wasm',
        'media/driver-map.png',
        'media/generate-stub.png',
        'media/hover.png',
        'media/walkthrough/wdk-and-docs.md',
        'media/workspace-problems.png',
        'package.json',
        'readme.md',
        'snippets/c.json',
        'syntaxes/kmdf.injection.tmLanguage.json',
      ],
    );
    // One page per rule id plus the index page, and nothing else under docs/.
    const ruleIds = fs.readdirSync(path.join(repoRoot, 'docs/rules')).filter((f) => /^KMDF\d{4}\.md$/.test(f));
    assert.deepEqual(rulePages, ['README.md', ...ruleIds].map((f) => `docs/rules/${f}`).sort());
  });

  it('ships a production bundle: minified, without source maps', () => {
    for (const bundle of ['dist/server.js', 'dist/serverMain.js']) {
      const text = fs.readFileSync(path.join(repoRoot, bundle), 'utf8');
      assert.ok(!text.includes('sourceMappingURL'), `${bundle} references a source map`);
    }
    const server = fs.readFileSync(path.join(repoRoot, 'dist/serverMain.js'), 'utf8');
    // Minified output has long lines (a few remain short: template literals keep their newlines).
    assert.ok(server.length / server.split('\n').length > 1000, 'dist/serverMain.js is not minified');
    // dist/server.js only starts it (server/src/launch.ts): none of the server is bundled into it.
    const launcher = fs.statSync(path.join(repoRoot, 'dist/server.js')).size;
    assert.ok(launcher < 16 * 1024, `dist/server.js is ${launcher} bytes`);
  });
  it('ships the user README with its pictures inlined, not the developer README', () => {
    const readme = zipEntries(vsix)
      .find((e) => e.name === 'extension/readme.md')
      ?.read()
      .toString('utf8');
    assert.ok(readme, 'no readme.md in the package');
    assert.ok(readme.startsWith('# KMDF Assist\n\nHover documentation'), readme.slice(0, 80));
    assert.ok(!readme.includes('## Development'), 'the developer README was packaged');
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    assert.ok(images.length >= 4, `${images.length} pictures`);
    for (const image of images) assert.ok(image.startsWith('data:image/png;base64,'), image.slice(0, 60));
  });

  it('names only allowed addresses in any text it ships, bundles included', () => {
    // esbuild keeps the license comment of a bundled library: the `he` entity decoder names its home.
    const LICENSE_COMMENTS = new Set(['https://mths.be/he']);
    const refused: string[] = [];
    for (const entry of zipEntries(vsix)) {
      // [Content_Types].xml is the zip container's own metadata, written by vsce.
      if (!/\.(js|json|md|txt|vsixmanifest)$/.test(entry.name)) continue;
      for (const address of addressesIn(entry.read().toString('utf8')))
        if (!whyAllowed(address) && !LICENSE_COMMENTS.has(address)) refused.push(`${entry.name}: ${address}`);
    }
    assert.deepEqual(refused, []);
  });
});
