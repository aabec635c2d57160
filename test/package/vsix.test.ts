// Runs after `npm run package` (the `package` stage): the .vsix holds only what the extension needs.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');
const vsix = path.join(root, 'dist/kmdf-assist.vsix');

/** File names in a zip archive, read from its central directory (no dependency needed for a listing). */
function zipEntries(file: string): string[] {
  const buf = fs.readFileSync(file);
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  assert.ok(eocd >= 0, `${file} is not a zip archive`);
  const count = buf.readUInt16LE(eocd + 10);
  let offset = buf.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(offset), 0x02014b50, 'corrupt central directory');
    const nameLength = buf.readUInt16LE(offset + 28);
    const extraLength = buf.readUInt16LE(offset + 30);
    const commentLength = buf.readUInt16LE(offset + 32);
    names.push(buf.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

describe('packaged .vsix', () => {
  it('contains only the bundles, wasm, catalog, grammar, snippets, rule pages, icon, README, CHANGELOG and LICENSE', () => {
    assert.ok(fs.existsSync(vsix), `${vsix} is missing: run \`npm run package\``);
    const files = zipEntries(vsix)
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
        'dist/cli.js',
        'dist/extension.js',
        'dist/server.js',
        'dist/tree-sitter-c.wasm',
        'dist/tree-sitter-cpp.wasm',
        'dist/wdf-catalog.json',
        'dist/web-tree-sitter.wasm',
        'package.json',
        'readme.md',
        'snippets/c.json',
        'syntaxes/kmdf.injection.tmLanguage.json',
      ],
    );
    // One page per rule id plus the index page, and nothing else under docs/.
    const ruleIds = fs.readdirSync(path.join(root, 'docs/rules')).filter((f) => /^KMDF\d{4}\.md$/.test(f));
    assert.deepEqual(rulePages, ['README.md', ...ruleIds].map((f) => `docs/rules/${f}`).sort());
  });

  it('ships a production bundle: minified, without source maps', () => {
    const server = fs.readFileSync(path.join(root, 'dist/server.js'), 'utf8');
    assert.ok(!server.includes('sourceMappingURL'), 'dist/server.js references a source map');
    // Minified output has long lines (a few remain short: template literals keep their newlines).
    assert.ok(server.length / server.split('\n').length > 1000, 'dist/server.js is not minified');
  });
});
