/**
 * The reuse decision with kept entries that make their text-wide parts when compared
 * (findingsReuse.ts, KeptDocument) is the decision of comparing context strings each run makes at
 * once: `ids + shape` for every per-function rule, `ids + outline` for the rules that read only
 * their function, and the function keys matched when either is the same. Random edit sequences on
 * fixtures, each version analysed afresh; runs follow one another as in the engine (each run's entry
 * is compared as the new one, then kept and compared as the old one), with the ids sometimes changed
 * (another file edited) and the outline sometimes not asked for (no such rule in the run).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { analyzeText } from '../../../server/src/analysis';
import type { DocumentModel } from '../../../server/src/analysis/model';
import {
  documentOutline,
  documentShape,
  functionKeys,
  KeptDocument,
  reuseDecision,
} from '../../../server/src/rules/findingsReuse';
import { analysisOptions } from '../../../server/src/session/analysisSession';
import { repoRoot } from '../../support/paths';
import { testIndex } from '../../support/testIndex';

const fixtures = [
  'test/fixtures/reuse/queue.c',
  'examples/violations-contracts.c',
  'test/fixtures/drivers/echo/queue.c',
];

/** A run as the engine made it before entries were lazy: its context strings and keys, at once. */
interface EagerRun {
  context: string;
  outline: string;
  keys: string[];
}

function eagerRun(around: string, document: DocumentModel, text: string, outlined: boolean): EagerRun {
  return {
    context: `${around}\u0002${documentShape(text)}`,
    outline: outlined ? `${around}\u0002${documentOutline(document, text)}` : '',
    keys: functionKeys(document, text),
  };
}

function eagerDecision(kept: EagerRun | undefined, run: EagerRun) {
  const previous = kept?.context === run.context;
  const previousOutline = !!run.outline && kept?.outline === run.outline;
  let indexes: number[] | undefined;
  if (kept && (previous || previousOutline)) {
    const at = new Map(kept.keys.map((k, i) => [k, i]));
    indexes = run.keys.map((k) => at.get(k) ?? -1);
  }
  return { previous, previousOutline, indexes };
}

/** An edit: at a statement's line start, a space added or removed, or a line added; or text as drawn. */
const edit = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  kind: fc.constantFrom('indent', 'line', 'line', 'text'),
  insert: fc.constantFrom('', ' ', '\n', 'x', ';', '{', '}', '#define D 1\n'),
  line: fc.constantFrom('\n', '// c\n', '\tx++;\n'),
  remove: fc.nat({ max: 3 }),
});

/** A run: its text after its edits, whether its ids are another run's (another file's model changed), whether it has an outline. */
const run = fc.record({
  edits: fc.array(edit, { minLength: 0, maxLength: 2 }),
  otherIds: fc.boolean(),
  outlined: fc.constantFrom(true, true, true, false),
});

function edited(text: string, e: { at: number; kind: string; insert: string; line: string; remove: number }): string {
  if (e.kind === 'text') {
    const start = Math.floor(e.at * text.length);
    return text.slice(0, start) + e.insert + text.slice(Math.min(text.length, start + e.remove));
  }
  // For a line, an indented one (mostly in a body).
  const starts = [...text.matchAll(e.kind === 'line' ? /[;{}][ \t]*\r?\n(?=[ \t])/g : /[;{}][ \t]*\r?\n/g)].map(
    (m) => m.index + m[0].length,
  );
  if (!starts.length) return text;
  const start = starts[Math.floor(e.at * starts.length)];
  if (e.kind === 'line') return text.slice(0, start) + e.line + text.slice(start);
  return text[start] === ' ' && e.remove % 2
    ? text.slice(0, start) + text.slice(start + 1)
    : text.slice(0, start) + ' ' + text.slice(start);
}

describe('reuse decision with kept entries made when compared', function () {
  this.timeout(120_000);

  it('is the decision of comparing context strings made at once', async () => {
    const index = testIndex();
    const models = new Map<string, DocumentModel>();
    const model = async (text: string) => {
      let m = models.get(text);
      if (!m)
        models.set(
          text,
          (m = await analyzeText(
            'file:///reuse/doc.c',
            text,
            'c',
            analysisOptions(() => index),
          )),
        );
      return m;
    };
    const seen = { previous: 0, outlineOnly: 0, none: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...fixtures),
        fc.array(run, { minLength: 1, maxLength: 6 }),
        async (fixture, runs) => {
          let text = fs.readFileSync(path.join(repoRoot, fixture), 'utf8');
          let ids = 0;
          let kept: KeptDocument | undefined;
          let keptEager: EagerRun | undefined;
          for (const r of runs) {
            for (const e of r.edits) text = edited(text, e);
            if (r.otherIds) ids++;
            const around = `1\u00022\u0002{"t":1}\u0002file:///other.c\u0000${ids}\u0001`;
            const document = await model(text);
            const next = new KeptDocument(around, document, text, r.outlined);
            const lazy = reuseDecision(kept, next);
            const eagerNext = eagerRun(around, document, text, r.outlined);
            const eager = eagerDecision(keptEager, eagerNext);
            assert.deepEqual(
              {
                previous: !!lazy.previous,
                previousOutline: !!lazy.previousOutline,
                indexes: lazy.previousIndexes && [...lazy.previousIndexes],
              },
              eager,
            );
            if (eager.previous) seen.previous++;
            else if (eager.previousOutline) seen.outlineOnly++;
            else seen.none++;
            kept = next;
            keptEager = eagerNext;
          }
        },
      ),
      { seed: 20261203, numRuns: 150, endOnFailure: true },
    );
    // Not vacuous: whole contexts, outlines only and neither were each the same.
    assert.ok(seen.previous > 10 && seen.outlineOnly > 5 && seen.none > 10, JSON.stringify(seen));
  });
});
