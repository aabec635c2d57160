// Every parser of repository and docs text on adversarial inputs of 100 KB and 1 MB (repeated `](`,
// blanks, `[`, `<`, unclosed tags, front matter and comments): the 1 MB input must not take more than
// GROWTH_LIMIT times as long as the 100 KB one. A quadratic pattern (a regex retried from every `[`)
// takes 100x and more, and seconds already at 100 KB; linear code takes 10x, up to 40x measured here
// once the garbage collector works on megabyte strings. The ratio is of the same run's own CPU times
// (not wall-clock time, which on a shared machine is mostly waiting), each the best of several runs.
import { strict as assert } from 'node:assert';
import { parseDocText } from '../../../../server/src/knowledge/docs/folder';
import { mineFlags } from '../../../../server/src/knowledge/docs/flags';
import { parsePrototype } from '../../../../server/src/knowledge/docs/prototype';
import {
  absolutizeLinks,
  htmlPageToText,
  htmlToMarkdown,
  toPlainText,
} from '../../../../server/src/knowledge/docs/text';
import { normalizeAnnotationText } from '../../../../server/src/knowledge/headers/salFacts';
import { absolutizeLinks as absolutizeProseLinks, trimMarkdown } from '../../../../server/src/docsText/links';
import { pageNameOf } from '../../../../server/src/docsText/provider';
import { sanitizeHoverMarkdown } from '../../../../server/src/docsText/sanitize';
import { parseProjectConfig } from '../../../../server/src/project/projectConfig';
import { parseSourcesText, parseVcxprojText } from '../../../../server/src/project/projectFile';

const GROWTH_LIMIT = 60;
/** CPU time at 100 KB past which the 1 MB run is not attempted (linear parsers take well under 100 ms). */
const HOPELESS_MS = 3000;
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
  ['sources', (t) => parseSourcesText(`TARGETTYPE=DRIVER\nC_DEFINES=${t}\n`, 'sources'), [' ', '#', '$(', '\\\n']],
  ['.kmdf.json', (t) => parseProjectConfig(`{"rules":{"${t}":"off"}}`, '.kmdf.json'), [' ', '[', '\\"']],
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
