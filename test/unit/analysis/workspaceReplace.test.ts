/**
 * WorkspaceModel.withReplaced (issue 10 §2, latency in a large project): a workspace made from the
 * previous one by replacing some documents' models answers every cross-file question exactly as a
 * workspace built afresh from the same models in the same order, and leaves the previous one as it was.
 * Random sequences of replacements (fast-check, fixed seed) over the driver fixtures and variants of
 * them (a function renamed, the text cut in half, emptied).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { analyzeText, WorkspaceModel, type RegistrationLookup } from '../../../server/src/analysis';
import { LayeredTable } from '../../../server/src/analysis/workspace';
import type { DocumentModel } from '../../../server/src/analysis/model';
import { FIXTURES } from './markers';

const lookup: RegistrationLookup = {
  callbackForField: (structType, field) =>
    field.startsWith('Evt') ? `EVT_${structType ?? 'ANY'}_${field.slice(3).toUpperCase()}` : undefined,
  callbackForArgument: (callee, argIndex) => (argIndex === 1 ? `EVT_ARG_OF_${callee}` : undefined),
};

const FILES = ['echo/echo.h', 'echo/driver.c', 'echo/queue.c', 'dma/dma.c', 'control/control.cpp', 'legacy/legacy.c'];

/** The texts a file is replaced by: itself, its first function renamed, its first half, nothing. */
function variants(text: string): string[] {
  const defined = /^\w[\w\s*]*?\b([A-Za-z_]\w*)\s*\(/m.exec(text)?.[1];
  const renamed = defined ? text.split(defined).join(`${defined}Renamed`) : `${text}\nint Extra(void) { return 0; }\n`;
  const lines = text.split('\n');
  return [text, renamed, lines.slice(0, Math.floor(lines.length / 2)).join('\n'), ''];
}

/** Every answer of the workspace, by name, with functions and calls named by their place in their model. */
function answers(ws: WorkspaceModel): unknown {
  const models = ws.models();
  const names = new Set<string>();
  const roleTypes = new Set<string>();
  for (const m of models) {
    for (const fn of m.functions) {
      names.add(fn.name);
      for (const c of fn.calls) names.add(c.callee);
    }
    for (const d of m.roleDecls) for (const n of d.names) names.add(n.name);
    for (const r of m.registrations) names.add(r.functionName);
  }
  const where = (uri: string, fn: object) => {
    const model = models.find((m) => m.uri === uri)!;
    return `${uri}#${model.functions.indexOf(fn as never)}`;
  };
  const out: Record<string, unknown> = {};
  for (const name of [...names].sort()) {
    const roles = ws.rolesOf(name);
    for (const r of roles) roleTypes.add(r.roleType);
    out[name] = {
      named: ws.functionsNamed(name).map((f) => where(f.uri, f.fn)),
      definitions: ws.definitions(name).map((f) => where(f.uri, f.fn)),
      prototypes: ws.prototypes(name).map((f) => where(f.uri, f.fn)),
      roleDecls: ws.roleDeclarations(name).map((d) => [d.uri, d.decl.roleType, d.nameSpan.startOffset]),
      registrations: ws.registrations(name).map((r) => [r.uri, r.registration.span.startOffset]),
      callers: ws.callers(name).map((c) => [where(c.uri, c.callerFunction), c.caller, c.call.span.startOffset]),
      callees: ws.callees(name),
      roles: roles.map((r) => [r.via, r.roleType, r.uri]),
    };
  }
  out['(with role)'] = [...roleTypes].sort().map((t) => [t, ws.functionsWithRole(t)]);
  out['(prefix)'] = ws.callbackPrefix();
  return out;
}

function fresh(models: readonly DocumentModel[]): WorkspaceModel {
  const ws = new WorkspaceModel(lookup);
  for (const m of models) ws.update(m);
  return ws;
}

describe('WorkspaceModel.withReplaced', () => {
  let models: DocumentModel[][] = [];
  before(async () => {
    models = await Promise.all(
      FILES.map(async (file) => {
        const uri = pathToFileURL(path.join(FIXTURES, file)).href;
        const text = fs.readFileSync(path.join(FIXTURES, file), 'utf8');
        return Promise.all(variants(text).map((v) => analyzeText(uri, v)));
      }),
    );
    // The variants differ in what the tables hold (else the test would prove little).
    assert.ok(models.every((vs) => vs[0].functions.length > vs[3].functions.length));
  });

  it('answers as a fresh workspace of the same models after any sequence of replacements', () => {
    const step = fc.record({
      files: fc.uniqueArray(fc.nat(FILES.length - 1), { minLength: 1, maxLength: 3 }),
      variant: fc.nat(3),
      // A new document (a file created meanwhile) comes last.
      extra: fc.option(fc.nat(FILES.length - 1), { freq: 4 }),
      built: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 10 }), (steps) => {
        let ws = fresh(models.map((vs) => vs[0]));
        let extras = 0;
        for (const s of steps) {
          if (s.built) answers(ws); // the tables exist, so they are patched rather than built
          const before = answers(ws);
          const changed = s.files.map((i) => models[i][s.variant]);
          if (s.extra !== null) {
            const copy = models[s.extra][s.variant];
            changed.push({ ...copy, uri: `file:///extra/${extras++}.c` });
          }
          const previous = ws;
          ws = ws.withReplaced(changed);
          assert.deepStrictEqual(answers(ws), answers(fresh(ws.models())));
          assert.deepStrictEqual(answers(previous), before, 'the previous workspace is unchanged');
        }
      }),
      { seed: 20261202, numRuns: 60, endOnFailure: true },
    );
  });

  it('lays the lists of an edited document over the tables of a large workspace instead of copying them', () => {
    // Twenty copies of the fixtures: one file is a small part of the names.
    const copies = Array.from({ length: 20 }, (_, n) =>
      models.map((vs) => ({ ...vs[0], uri: `${vs[0].uri.replace(/\.(\w+)$/, '')}${n}.$1` })),
    ).flat();
    let ws = fresh(copies);
    answers(ws);
    const tableOf = (w: WorkspaceModel) => (w as unknown as { tables: { functions: unknown } }).tables.functions;
    for (let round = 0; round < 3; round++) {
      const edited = { ...models[1][round % 2 ? 0 : 1], uri: copies[7].uri };
      ws = ws.withReplaced([edited]);
      assert.ok(tableOf(ws) instanceof LayeredTable, 'the table before is shared');
      assert.deepStrictEqual(answers(ws), answers(fresh(ws.models())));
    }
  });

  it('a layered table is the map of its base with the replaced lists set and the emptied names deleted', () => {
    const names = fc.constantFrom<string>('a', 'b', 'c', 'd', 'e', 'f');
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(names, fc.nat(9)), { selector: ([k]) => k }),
        fc.array(fc.tuple(names, fc.option(fc.nat(9)))),
        (baseEntries, replacements) => {
          const base = new Map(baseEntries.map(([k, v]) => [k, [v]]));
          const replaced = new Map(replacements.map(([k, v]) => [k, v === null ? undefined : [v]]));
          const expected = new Map(base);
          for (const [k, v] of replaced) {
            if (v) expected.set(k, v);
            else expected.delete(k);
          }
          const layered = new LayeredTable(base, replaced);
          assert.equal(layered.size, expected.size);
          const sorted = (m: Iterable<[string, number[]]>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1));
          assert.deepStrictEqual(sorted(layered), sorted(expected));
          assert.deepStrictEqual([...layered.keys()].sort(), [...expected.keys()].sort());
          for (const k of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) {
            assert.equal(layered.has(k), expected.has(k));
            assert.deepStrictEqual(layered.get(k), expected.get(k));
          }
        },
      ),
      { seed: 20261204, numRuns: 300 },
    );
  });

  it('builds in steps the tables a lookup builds, and drops them when a model changes in between', () => {
    const all = models.map((vs) => vs[0]);
    const stepped = fresh(all);
    let steps = 0;
    for (const _ of stepped.buildInSteps()) steps++;
    assert.equal(steps, all.length, 'one step per document');
    assert.deepStrictEqual(answers(stepped), answers(fresh(all)));
    assert.equal([...stepped.buildInSteps()].length, 0, 'built already: nothing left');

    const changed = fresh(all);
    const building = changed.buildInSteps();
    building.next();
    changed.update(models[0][3]);
    while (!building.next().done);
    assert.deepStrictEqual(answers(changed), answers(fresh(changed.models())), 'built again after the change');
  });
});
