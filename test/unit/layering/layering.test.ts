import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { importCycles, importGraph, LAYERS, layerViolations } from './layers';

const serverSrc = path.resolve(__dirname, '../../../server/src');

describe('layering of server/src (the README layout table)', () => {
  const edges = importGraph(serverSrc);

  it('reads the import graph', () => {
    // Guards the checks below against passing on an empty graph.
    assert.ok(edges.length > 100, `only ${edges.length} imports found`);
  });

  it('imports only go down the layer list', () => {
    assert.deepEqual(layerViolations(edges), []);
  });

  it('no import cycle between files', () => {
    assert.deepEqual(importCycles(edges), []);
  });

  it('every server/src folder is in the layer table', () => {
    const folders = fs
      .readdirSync(serverSrc, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    assert.deepEqual(
      folders.filter((f) => !(LAYERS as readonly string[]).includes(f)),
      [],
    );
  });

  it('the README layout table names every layer folder', () => {
    const readme = fs.readFileSync(path.resolve(serverSrc, '../../README.md'), 'utf8');
    const present = LAYERS.filter((f) => f !== 'entry' && fs.existsSync(path.join(serverSrc, f)));
    assert.deepEqual(
      present.filter((f) => !readme.includes(`\`server/src/${f}/\``)),
      [],
    );
  });
});

describe('the layering checks themselves', () => {
  let root: string;
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-layers-')));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reports an import from a lower layer into a higher one', () => {
    write('syntax/scan.ts', "import { x } from '../rules/engine';\nexport const y = x;\n");
    write('rules/engine.ts', "import { y } from '../syntax/scan';\nexport const x = 1;\n");
    assert.deepEqual(layerViolations(importGraph(root)), ['syntax/scan.ts → rules/engine.ts']);
  });

  it('reports a cycle of three files and nothing for a chain', () => {
    write('features/a.ts', "import './b';\n");
    write('features/b.ts', "import type { C } from './c';\n");
    write('features/c.ts', "export * from './a';\n");
    write('features/d.ts', "import './a';\n");
    assert.deepEqual(importCycles(importGraph(root)), [['features/a.ts', 'features/b.ts', 'features/c.ts']]);
  });
});
