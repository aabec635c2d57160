import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { analyzeText, DocumentStore, LineIndex, ParsedDocument, type TextChange } from '../../../server/src/analysis';
import { sharedParser } from '../../../server/src/analysis/parse';
import type { Tree } from '../../../server/src/syntax/treeSitter';
import { fixture } from './markers';

/** Pieces that change blanking or structure far from the edit: comment openers, braces, SAL, non-ASCII. */
const PIECES = [
  '/*',
  '*/',
  '//',
  '{',
  '}',
  '(',
  ')',
  ';',
  '\n',
  '\r\n',
  '"',
  '_In_ ',
  '_IRQL_requires_max_(DISPATCH_LEVEL)\n',
  'PAGED_CODE();',
  'é😀',
  'x',
  ' ',
  'WdfRequestComplete(Request, status);',
  '#ifdef DBG\n',
  '#endif\n',
  'EVT_WDF_TIMER T;\n',
  'q.EvtIoRead = EchoEvtIoReadWrite;',
];

/** Not between "\r" and "\n": LSP positions cannot point there. */
function safeOffset(text: string, offset: number): number {
  const o = Math.max(0, Math.min(offset, text.length));
  return o > 0 && text[o - 1] === '\r' && text[o] === '\n' ? o - 1 : o;
}

describe('incremental documents', () => {
  const base = fixture('echo/queue.c');

  it('random edits give the same model as a fresh parse of the final text', async function () {
    this.timeout(120000);
    const editArb = fc.record({
      start: fc.nat(),
      length: fc.nat({ max: 40 }),
      insert: fc.array(fc.constantFrom(...PIECES), { maxLength: 3 }).map((p) => p.join('')),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(editArb, { minLength: 1, maxLength: 6 }), fc.boolean(), async (edits, batch) => {
        const doc = await ParsedDocument.create(base.uri, base.text, 1);
        try {
          let expected = base.text;
          const changes: TextChange[] = [];
          let version = 1;
          for (const e of edits) {
            const start = safeOffset(expected, e.start % (expected.length + 1));
            const end = safeOffset(expected, Math.min(expected.length, start + e.length));
            const lines = new LineIndex(expected);
            const change = { range: { start: lines.positionAt(start), end: lines.positionAt(end) }, text: e.insert };
            expected = expected.slice(0, start) + e.insert + expected.slice(end);
            if (batch) changes.push(change);
            else await doc.applyChanges(++version, [change]);
          }
          if (batch) await doc.applyChanges(++version, changes);
          assert.equal(doc.text, expected);
          const fresh = await analyzeText(base.uri, expected, 'c', { version });
          assert.deepEqual(doc.model, fresh);
        } finally {
          doc.dispose();
        }
      }),
      { numRuns: 60, seed: 20260701 },
    );
  });

  it('re-parses from the edited old tree, and only the edited function changes', async () => {
    const doc = await ParsedDocument.create(base.uri, base.text, 1);
    const parser = await sharedParser('c');
    const original = parser.parse.bind(parser);
    const oldTrees: (Tree | null | undefined)[] = [];
    parser.parse = (input: string, oldTree?: Tree | null, options?: object) => {
      oldTrees.push(oldTree);
      return original(input, oldTree, options);
    };
    try {
      const beforeModel = doc.model;
      const at = base.text.lastIndexOf('WdfRequestComplete(request, Status)');
      const lines = new LineIndex(base.text);
      const model = await doc.applyChanges(2, [
        {
          range: { start: lines.positionAt(at), end: lines.positionAt(at + 'WdfRequestComplete'.length) },
          text: 'WdfRequestCompleteWithInformation',
        },
      ]);
      assert.equal(oldTrees.length, 1);
      assert.ok(oldTrees[0], 'the old tree was passed to the parser');
      assert.equal(model.version, 2);
      const last = model.functions[model.functions.length - 1];
      assert.equal(last.name, 'EchoCompletePending');
      assert.deepEqual(
        last.calls.map((c) => c.callee),
        ['NT_SUCCESS', 'WdfRequestUnmarkCancelable', 'WdfRequestCompleteWithInformation'],
      );
      assert.deepEqual(model.functions.slice(0, -1), beforeModel.functions.slice(0, -1));
    } finally {
      parser.parse = original;
      doc.dispose();
    }
  });

  it("reads again only the body an edit changed, and moves the others' facts (same model as a fresh parse)", async () => {
    const doc = await ParsedDocument.create(base.uri, base.text, 1);
    try {
      const definitions = doc.model.functions.filter((f) => f.isDefinition && f.flow);
      assert.equal(doc.outlineReuse.read, doc.model.functions.filter((f) => f.body).length);
      // A new statement line at the top of the first body: every later body moves down a line.
      const first = definitions[0];
      const at = base.text.indexOf('{', first.body!.startOffset) + 1;
      const lines = new LineIndex(base.text);
      const inserted = '\n    PAGED_CODE();';
      const model = await doc.applyChanges(2, [
        { range: { start: lines.positionAt(at), end: lines.positionAt(at) }, text: inserted },
      ]);
      const text = base.text.slice(0, at) + inserted + base.text.slice(at);
      // The other bodies' facts (outlines among them) are the first build's, moved: only the edited one is read.
      assert.deepEqual(doc.bodyReuse, {
        read: 1,
        reused: model.functions.filter((f) => f.body).length - 1,
      });
      assert.deepEqual(doc.outlineReuse, { read: 1, reused: 0 });
      assert.deepEqual(model, await analyzeText(base.uri, text, 'c', { version: 2 }));
    } finally {
      doc.dispose();
    }
  });

  it('splices the blanking of names typed and deleted inside a body (same model as a fresh parse)', async () => {
    const doc = await ParsedDocument.create(base.uri, base.text, 1);
    try {
      const at = base.text.lastIndexOf('WdfRequestComplete(request, Status)');
      let text = base.text;
      let version = 1;
      const type = async (offset: number, insert: string, remove = 0) => {
        const lines = new LineIndex(text);
        const range = { start: lines.positionAt(offset), end: lines.positionAt(offset + remove) };
        text = text.slice(0, offset) + insert + text.slice(offset + remove);
        return doc.applyChanges(++version, [{ range, text: insert }]);
      };
      for (const [i, ch] of [...'status = 1; '].entries()) await type(at + i, ch);
      await type(at + 3, '', 2);
      await type(at + 3, 'tu');
      assert.deepEqual(doc.blankingReuse, { spliced: 14, afresh: 0 });
      assert.deepEqual(doc.model, await analyzeText(base.uri, text, 'c', { version }));
      // A comment opener is not local: blanked afresh.
      await type(at, '/*');
      assert.deepEqual(doc.blankingReuse, { spliced: 14, afresh: 1 });
      assert.deepEqual(doc.model, await analyzeText(base.uri, text, 'c', { version }));
    } finally {
      doc.dispose();
    }
  });

  it('leaves every earlier model as it was built: kept outlines and facts are shared, never changed', async () => {
    const doc = await ParsedDocument.create(base.uri, base.text, 1);
    try {
      const models = [doc.model];
      const snapshots = [structuredClone(doc.model)];
      const first = doc.model.functions.find((f) => f.isDefinition && f.body)!;
      let text = base.text;
      let reused = 0;
      // A prototype at the end (a new known function: bodies are outlined again, from the kept
      // outlines, where they were), a statement in the first body (the later bodies move), a
      // prototype at the start (every body moves).
      const edits: [number, string][] = [
        [text.length, '\nVOID KmdfAssistAdded(VOID);\n'],
        [text.indexOf('{', first.body!.startOffset) + 1, '\n    PAGED_CODE();'],
        [0, 'VOID KmdfAssistFirst(VOID);\n'],
      ];
      for (const [i, [at, inserted]] of edits.entries()) {
        const lines = new LineIndex(text);
        models.push(
          await doc.applyChanges(i + 2, [
            { range: { start: lines.positionAt(at), end: lines.positionAt(at) }, text: inserted },
          ]),
        );
        reused += doc.outlineReuse.reused;
        text = text.slice(0, at) + inserted + text.slice(at);
        snapshots.push(structuredClone(models[models.length - 1]));
      }
      assert.ok(reused > 0, 'outlines were kept from one build to the next');
      models.forEach((m, i) => assert.deepEqual(m, snapshots[i], `model ${i + 1}`));
      assert.deepEqual(models[models.length - 1], await analyzeText(base.uri, text, 'c', { version: 4 }));
    } finally {
      doc.dispose();
    }
  });

  it('a comment opener re-blanks the rest of the file (SAL after it is no longer an annotation)', async () => {
    const text = 'VOID A(void) { }\n_IRQL_requires_max_(PASSIVE_LEVEL)\nVOID B(void) { }\n';
    const doc = await ParsedDocument.create('file:///t.c', text, 1);
    try {
      assert.deepEqual(
        doc.model.functions.map((f) => [f.name, f.irql?.max]),
        [
          ['A', undefined],
          ['B', 'PASSIVE_LEVEL'],
        ],
      );
      const model = await doc.applyChanges(2, [
        { range: { start: { line: 0, character: 16 }, end: { line: 0, character: 16 } }, text: ' /*' },
      ]);
      assert.deepEqual(
        model.functions.map((f) => f.name),
        ['A'],
      );
      assert.deepEqual(model.annotations, []);
      const back = await doc.applyChanges(3, [
        { range: { start: { line: 0, character: 16 }, end: { line: 0, character: 19 } }, text: '' },
      ]);
      assert.deepEqual(back, await analyzeText('file:///t.c', text, 'c', { version: 3 }));
    } finally {
      doc.dispose();
    }
  });
});

describe('DocumentStore', () => {
  it('keeps at most `capacity` trees, evicting the least recently used, and reparses evicted documents from text', async () => {
    const store = new DocumentStore({ capacity: 2 });
    try {
      await store.open('file:///a.c', 'int a(void) { return 1; }', 1);
      await store.open('file:///b.c', 'int b(void) { return 2; }', 1);
      const a = store.get('file:///a.c')!;
      await store.update('file:///a.c', 'int a(void) { return 1; }', 1); // touch a: b is now the oldest
      await store.open('file:///c.c', 'int c(void) { return 3; }', 1);
      assert.deepEqual(
        [store.has('file:///a.c'), store.has('file:///b.c'), store.has('file:///c.c')],
        [true, false, true],
      );
      assert.equal(store.size, 2);
      assert.equal(a.isDisposed, false);

      const b = await store.update('file:///b.c', 'int b2(void) { return 2; }', 2, undefined, [
        { text: 'ignored: b was evicted' },
      ]);
      assert.deepEqual(
        b.functions.map((f) => f.name),
        ['b2'],
      );
      assert.equal(a.isDisposed, true, 'a was evicted when b came back');
    } finally {
      store.dispose();
    }
  });

  it('falls back to the full text when the changes do not produce it (a missed version)', async () => {
    const store = new DocumentStore();
    try {
      await store.open('file:///d.c', 'int d(void) { return 1; }', 1);
      const model = await store.update('file:///d.c', 'int e(void) { f(); }', 3, undefined, [
        { range: { start: { line: 0, character: 4 }, end: { line: 0, character: 5 } }, text: 'x' },
      ]);
      assert.deepEqual(
        model.functions.map((f) => [f.name, f.calls.map((c) => c.callee)]),
        [['e', ['f']]],
      );
      assert.equal(store.get('file:///d.c')!.text, 'int e(void) { f(); }');
      store.close('file:///d.c');
      assert.equal(store.has('file:///d.c'), false);
    } finally {
      store.dispose();
    }
  });

  it('reports a parse timeout as an AnalysisError and keeps the previous version', async () => {
    const big = 'int f(void) { g(); }\n'.repeat(20000);
    const store = new DocumentStore({ parseTimeoutMs: 0.001 });
    try {
      await assert.rejects(
        store.open('file:///big.c', big, 1),
        (e: Error) => e.name === 'AnalysisError' && /took longer than/.test(e.message),
      );
      assert.equal(store.has('file:///big.c'), false);
    } finally {
      store.dispose();
    }
  });
});
