// The `growth` stage of `npm test`: every check here runs a piece of work on an input and on ten times
// that input and fails when the larger run takes more than GROWTH_LIMIT times as long, which catches
// quadratic (100x and more) or exponential growth without an absolute time. The ratio is of CPU
// times (not wall-clock time, which on a shared machine is mostly waiting), each the best of several
// runs, with a second measurement before a failure. Timings, even as ratios, move with the load on the
// machine: they are kept out of the unit stage, whose tests assert exact values only.
//
// Parsers of repository and docs text run on adversarial inputs of 100 KB and 1 MB (repeated `](`,
// blanks, `[`, `<`, unclosed tags, front matter and comments). A quadratic pattern (a regex retried
// from every `[`) takes 100x and more, and seconds already at 100 KB; linear code takes 10x, up to 40x
// measured here once the garbage collector works on megabyte strings.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scanConditionals } from '../../server/src/analysis/conditionals';
import { runLint } from '../../server/src/cli/lintCommand';
import { parseDocText, readDocsFolder } from '../../server/src/knowledge/docs/folder';
import { KnowledgeIndex } from '../../server/src/knowledge/knowledgeIndex';
import { mineFlags } from '../../server/src/knowledge/docs/flags';
import { parsePrototype } from '../../server/src/knowledge/docs/prototype';
import { absolutizeLinks, htmlPageToText, htmlToMarkdown, toPlainText } from '../../server/src/knowledge/docs/text';
import { normalizeAnnotationText } from '../../server/src/knowledge/headers/salFacts';
import { absolutizeLinks as absolutizeProseLinks, trimMarkdown } from '../../server/src/docsText/links';
import { pageNameOf } from '../../server/src/docsText/provider';
import { sanitizeHoverMarkdown } from '../../server/src/docsText/sanitize';
import { parseProjectConfig } from '../../server/src/project/projectConfig';
import { parseSourcesText, parseVcxprojText } from '../../server/src/project/projectFile';

const GROWTH_LIMIT = 60;
/** CPU time at 100 KB past which the 1 MB run is not attempted (linear parsers take well under 100 ms). */
const HOPELESS_MS = 1000;
/** Below this a time is noise; a 1 MB run that stays under GROWTH_LIMIT times it is fast whatever its shape. */
const FLOOR_MS = 5;

/** The shapes that made the old patterns quadratic (or exponential), each named for what it attacks. */
const LINKS = ['](', '[', '<a href="'];
const BLANKS = [' ', '\n\n', '\n \n', '\u00a0'];
const TAGS = ['<', '<div class="code">', '<div>a</div>', '<pre>'];
const PROSE = ['[Applies to ', 'EvtA ', 'must not make ', 'A_', '*a', '&'];
const CODE = ['/*', '`', '_a_ ', '---\n'];

/** A page with the body in its description, remarks and see-also sections (a third in each). */
const markdownPage = (body: string) => {
  const third = body.slice(0, Math.ceil(body.length / 3));
  return `---\nUID: NC:wdfio.EVT_X\napi_name:\n - EvtX\nreq.header: wdfio.h\n---\n\n## -description\n\n${third}\n\n## -remarks\n\n${third}\n\n## -see-also\n\n${third}\n`;
};
/** One group of each kind of conditional directive, with a directive inside a comment. */
const CONDITIONAL_GROUP = '#if defined(A) && (B + 1) > 2\nx();\n#elif 0\ny();\n#else\nz();\n#endif\n/* #if 0 */\n';
const renderedPage = (body: string) => `EVT_X callback function (wdfio.h)\n\n${body}\n\nRequirements\n`;

const PARSERS: [string, (text: string) => unknown, string[]][] = [
  [
    'docs page (Markdown)',
    (t) => parseDocText(markdownPage(t), 'wdfio/nc-wdfio-evt_x.md'),
    [...LINKS, ...BLANKS, ...TAGS, ...PROSE],
  ],
  [
    'docs page (2018 prototype)',
    (t) => parseDocText(markdownPage(`x\n\n## -prototype\n\n\`\`\`\n${t}`), 'x.md'),
    [...CODE, '(', ' '],
  ],
  [
    'docs page (front matter never closed)',
    (t) => parseDocText(`---\nUID: NC:wdfio.EVT_X\n${t}`, 'x.md'),
    [...BLANKS, '---\n', '- *x\n'],
  ],
  [
    'docs page (rendered text)',
    (t) => parseDocText(renderedPage(t), 'x.txt'),
    [...LINKS, ...BLANKS, ...PROSE, '[in] '],
  ],
  [
    'docs page (HTML)',
    (t) => parseDocText(`<html><body><h1>EVT_X callback function (wdfio.h)</h1>${t}`, 'x.html'),
    [...TAGS, '<!--', '<script>', ...BLANKS],
  ],
  ['htmlToMarkdown', (t) => htmlToMarkdown(t), [...LINKS, ...TAGS, ...BLANKS]],
  ['toPlainText', (t) => toPlainText(t), [...LINKS, ...TAGS, ...CODE]],
  ['htmlPageToText', (t) => htmlPageToText(t), [...TAGS, '<!--', '<script>', ' ']],
  ['absolutizeLinks (parser)', (t) => absolutizeLinks(t), [...LINKS, '](x "', '](<']],
  ['absolutizeLinks (prose)', (t) => absolutizeProseLinks(t, 'wdfio'), [...LINKS, '](x "']],
  ['trimMarkdown', (t) => trimMarkdown(t, 1200, 'https://learn.microsoft.com/x'), ['```\n', '.', ' ']],
  [
    'sanitizeHoverMarkdown',
    (t) => sanitizeHoverMarkdown(t),
    [...LINKS, '`', '``a', '](<', 'http://', '\u001b', '```\n'],
  ],
  ['mineFlags', (t) => mineFlags(t, 'EvtX'), [...PROSE, ' ', '\n']],
  ['parsePrototype', (t) => parsePrototype(`VOID EvtX(${t}`), [...CODE, 'a()', '_In_ ', ' ']],
  ['pageNameOf', (t) => pageNameOf(t), ['---\n', 'a', 'UID: NC:a.']],
  ['normalizeAnnotationText', (t) => normalizeAnnotationText(t), [' ', '\n', '( \n']],
  [
    '.vcxproj',
    (t) => parseVcxprojText(`<Project><PropertyGroup><DriverType>${t}</PropertyGroup></Project>`, 'x.vcxproj'),
    ['<', ' ', '<a>', '&'],
  ],
  [
    '.vcxproj (a <DriverType> never closed)',
    (t) => parseVcxprojText(`<Project><PropertyGroup><DriverType>${t}`, 'p.vcxproj'),
    [' ', '\n'],
  ],
  ['sources', (t) => parseSourcesText(`TARGETTYPE=DRIVER\nC_DEFINES=${t}\n`, 'sources'), [' ', '#', '$(', '\\\n']],
  ['.kmdf.json', (t) => parseProjectConfig(`{"rules":{"${t}":"off"}}`, '.kmdf.json'), [' ', '[', '\\"']],
  [
    'conditional directives',
    (t) => scanConditionals(t),
    [CONDITIONAL_GROUP, '#if 0\n', '#if 1\n', '#ifdef A\n', '#endif\n'],
  ],
];

/** The least CPU time of `runs` runs, in milliseconds. */
async function bestOf(runs: number, work: () => unknown): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = process.cpuUsage();
    await work();
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

/** The slowest growth among the pieces, with its times, for the failure message. */
async function worstGrowth(
  parse: (text: string) => unknown,
  pieces: string[],
): Promise<{ piece: string; small: number; large: number; ratio: number }> {
  let worst = { piece: '', small: 0, large: 0, ratio: 0 };
  for (const piece of pieces) {
    const small = piece.repeat(Math.ceil(100_000 / piece.length));
    const large = piece.repeat(Math.ceil(1_000_000 / piece.length));
    let t1 = 0;
    let t10 = 0;
    // A second measurement before calling it quadratic: one run can lose its core to another process.
    for (let attempt = 0; attempt < 2; attempt++) {
      t1 = await bestOf(2, () => parse(small));
      // A quadratic pattern that takes seconds at 100 KB takes many minutes at 1 MB, and a synchronous
      // parse cannot be interrupted by the test's timeout: report it without the large run.
      if (t1 > HOPELESS_MS) return { piece, small: t1, large: Infinity, ratio: Infinity };
      t10 = await bestOf(1, () => parse(large));
      if (t10 <= GROWTH_LIMIT * Math.max(t1, FLOOR_MS)) break;
    }
    const ratio = t10 / Math.max(t1, FLOOR_MS);
    if (ratio > worst.ratio) worst = { piece, small: t1, large: t10, ratio };
  }
  return worst;
}

describe('parsers stay linear on adversarial inputs (100 KB against 1 MB)', function () {
  this.timeout(120_000);

  for (const [name, parse, pieces] of PARSERS) {
    it(name, async () => {
      const w = await worstGrowth(parse, pieces);
      assert.ok(
        w.large <= GROWTH_LIMIT * Math.max(w.small, FLOOR_MS),
        `${name} on ${JSON.stringify(w.piece)}: ${w.small.toFixed(1)} ms at 100 KB, ${w.large.toFixed(1)} ms at 1 MB`,
      );
    });
  }
});

/** CPU time of the best of `runs` runs of `work` at each size, and the ratio of the large to the small. */
async function growth(
  runs: number,
  small: () => unknown,
  large: () => unknown,
): Promise<{ small: number; large: number; ratio: number }> {
  await small(); // warm up: the first run also compiles the code it runs
  const t1 = await bestOf(runs, small);
  const t10 = await bestOf(runs, large);
  return { small: t1, large: t10, ratio: t10 / Math.max(t1, FLOOR_MS) };
}

describe('a docs folder costs the same whatever the size of a page it skips as too large', function () {
  this.timeout(120_000);
  /** Skipped unread, a page's size adds nothing: 10x its size may take at most this many times as long. */
  const SKIP_LIMIT = 4;
  let dir: string;
  const folders = { small: '', large: '' };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-growth-docs-'));
    const page =
      '---\nUID: NC:wdfwidget.EVT_WDF_WIDGET_POLISH\nreq.header: wdfwidget.h\n---\n\n## -description\n\nPolishes.\n';
    for (const [name, megabytes] of [
      ['small', 20],
      ['large', 200],
    ] as const) {
      const folder = path.join(dir, name);
      fs.mkdirSync(folder);
      fs.writeFileSync(path.join(folder, 'polish.md'), page);
      // Sparse: the file's size is what matters, not the bytes written.
      const fd = fs.openSync(path.join(folder, 'huge.md'), 'w');
      fs.writeSync(fd, page);
      fs.ftruncateSync(fd, megabytes * 1024 * 1024);
      fs.closeSync(fd);
      folders[name] = folder;
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a 200 MB page against a 20 MB one', async () => {
    let measured = { small: 0, large: 0, ratio: 0 };
    for (let attempt = 0; attempt < 2; attempt++) {
      measured = await growth(
        3,
        () => readDocsFolder(folders.small),
        () => readDocsFolder(folders.large),
      );
      if (measured.ratio <= SKIP_LIMIT) break;
    }
    assert.deepEqual(
      (await readDocsFolder(folders.large)).skipped.map((s) => s.reason),
      ['file too large (200.0 MB; the limit is 4 MB)'],
    );
    assert.ok(
      measured.ratio <= SKIP_LIMIT,
      `${measured.small.toFixed(1)} ms with a 20 MB page, ${measured.large.toFixed(1)} ms with a 200 MB page`,
    );
  });
});

describe('kmdf lint grows linearly with the number of drivers in the tree', function () {
  this.timeout(300_000);
  /**
   * Linear is 7-8x here (the per-run costs do not grow), so the bound is tighter than GROWTH_LIMIT: work
   * over every pair of files costing 0.2 ms a pair already passes it.
   */
  const LINT_GROWTH_LIMIT = 25;
  let dir: string;
  const trees = { small: '', large: '' };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-growth-lint-'));
    const source = path.join(__dirname, '../fixtures/rules/quiet/ember');
    for (const [name, drivers] of [
      ['small', 4],
      ['large', 40],
    ] as const) {
      const root = path.join(dir, name);
      for (let i = 0; i < drivers; i++) {
        const driver = path.join(root, `driver${i}`);
        fs.mkdirSync(driver, { recursive: true });
        for (const file of fs.readdirSync(source)) {
          const text = fs
            .readFileSync(path.join(source, file), 'utf8')
            .replace(/Ember/g, `Ember${i}`)
            .replace(/EMBER/g, `EMBER${i}`);
          fs.writeFileSync(path.join(driver, file), text);
        }
      }
      trees[name] = root;
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  // Read once: the catalog is the same fixed cost for both trees and would only dilute the ratio.
  const index = KnowledgeIndex.fromCatalog();
  const lint = (root: string) =>
    runLint(
      [root],
      { format: 'json', headers: [], docs: [], rule: [], failOn: 'warning', jobs: '0' },
      { out: () => undefined, err: () => undefined, index, cwd: root },
    );

  it('40 drivers (160 files) against 4 drivers (16 files)', async () => {
    let measured = { small: 0, large: 0, ratio: 0 };
    for (let attempt = 0; attempt < 2; attempt++) {
      measured = await growth(
        2,
        () => lint(trees.small),
        () => lint(trees.large),
      );
      if (measured.ratio <= LINT_GROWTH_LIMIT) break;
    }
    assert.ok(
      measured.ratio <= LINT_GROWTH_LIMIT,
      `${measured.small.toFixed(0)} ms for 4 drivers, ${measured.large.toFixed(0)} ms for 40 drivers`,
    );
  });
});
