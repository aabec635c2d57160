/**
 * Round trip against ../shared/wdf-signatures: every callback, method and structure of KMDF 1.33
 * and UMDF 2.33 is written as a WDK-style header (generateHeaders.ts), read back with
 * readHeaderFolders, and compared with the facts.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { splitAnnotation } from '../../../../server/src/knowledge/headers/salFacts';
import { normalizeLevel } from '../../../../server/src/knowledge/irql';
import { readHeaderFolders, signaturesFromJson } from '../../../../server/src/knowledge/headers';
import type { HeaderDecl } from '../../../../server/src/knowledge/types';
import { headerSpelling, writeHeaders, type FactFile, type FactFunction } from './generateHeaders';
import { sharedDir } from '../../../support/paths';

const sigDir = path.join(sharedDir, 'wdf-signatures');
const FILES = [
  { file: 'kmdf-1.33.json', folder: 'kmdf/1.33' },
  { file: 'umdf-2.33.json', folder: 'umdf/2.33' },
];

/**
 * The IRQL the facts give, completed where the facts file dropped what its own annotations say
 * (it records no `exact` for `_IRQL_requires_(X)`), with levels normalised as the readers do
 * (`DISPATCH_LEVEL + 1` → DIRQL); `{}` means none. Counts the completions.
 */
function expectedIrql(f: FactFunction, repaired: { count: number }): Record<string, unknown> | undefined {
  const irql: Record<string, unknown> = { ...(f.irql ?? {}) };
  const exact = f.annotations.map(splitAnnotation).find((a) => a.name === '_IRQL_requires_');
  if (exact?.args && irql.exact === undefined) {
    irql.exact = exact.args;
    repaired.count++;
  }
  for (const key of ['max', 'min', 'exact']) {
    if (typeof irql[key] === 'string') irql[key] = normalizeLevel(irql[key]) ?? irql[key];
  }
  return Object.keys(irql).length ? irql : undefined;
}

describe('WDK headers round trip against wdf-signatures', function () {
  let tmp: string;
  const parsed = new Map<
    string,
    { decls: HeaderDecl[]; facts: FactFile; ms: number; files: number; problems: string[]; skipped: number }
  >();

  before(async function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-headers-'));
    for (const { file, folder } of FILES) {
      const facts = JSON.parse(fs.readFileSync(path.join(sigDir, file), 'utf8')) as FactFile;
      const dir = path.join(tmp, folder);
      writeHeaders(facts, dir);
      const started = performance.now();
      const result = await readHeaderFolders([dir]);
      const ms = performance.now() - started;
      parsed.set(file, {
        decls: result.decls,
        facts,
        ms,
        files: result.files,
        problems: result.problems,
        skipped: result.skipped.length,
      });
    }
  });

  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  for (const { file } of FILES) {
    it(`${file}: every callback, method and structure reads back as in the facts`, () => {
      const { decls, facts, ms, files, problems, skipped } = parsed.get(file)!;
      assert.deepEqual(problems, []);
      assert.equal(skipped, 0);
      const byKind = (kind: HeaderDecl['kind']) =>
        new Map(decls.filter((d) => d.kind === kind).map((d) => [d.name, d]));
      const callbacks = byKind('callback');
      const methods = byKind('method');
      const structs = byKind('structure');
      assert.deepEqual([...callbacks.keys()].sort(), facts.callbacks.map((c) => c.name).sort());
      assert.deepEqual([...methods.keys()].sort(), facts.methods.map((m) => m.name).sort());
      assert.deepEqual([...structs.keys()].sort(), facts.structs.map((s) => s.name).sort());

      const irqlRepairs = { count: 0 };
      let joinedSal = 0;
      let params = 0;
      const check = (f: FactFunction, got: HeaderDecl | undefined) => {
        assert.ok(got, f.name);
        assert.equal(got.header, f.header, f.name);
        assert.equal(got.returns, f.returns, f.name);
        assert.deepEqual(got.annotations ?? [], f.annotations, f.name);
        assert.deepEqual(got.irql, expectedIrql(f, irqlRepairs), `${f.name} irql`);
        const want = f.params.map((p) => {
          const spelled = headerSpelling(p);
          if (spelled.type !== p.type) joinedSal++;
          return { sal: spelled.sal, type: spelled.type, name: p.name };
        });
        assert.deepEqual(
          got.params!.map((p) => ({ sal: p.sal ?? [], type: p.type, name: p.name })),
          want,
          `${f.name} params`,
        );
        params += want.length;
      };
      for (const c of facts.callbacks) check(c, callbacks.get(c.name));
      for (const m of facts.methods) check(m, methods.get(m.name));
      for (const s of facts.structs) assert.deepEqual(structs.get(s.name)!.callbackFields, s.callbackFields, s.name);

      const fields = facts.structs.reduce((n, s) => n + s.callbackFields.length, 0);
      console.log(
        `      ${file}: ${files} headers, ${callbacks.size} callbacks, ${methods.size} methods, ${structs.size} structs ` +
          `(${fields} callback fields), ${params} params read in ${ms.toFixed(0)} ms; ` +
          `facts repaired: ${irqlRepairs.count} _IRQL_requires_ without exact, ${joinedSal} split __drv_aliasesMem`,
      );
    });

    it(`${file}: the header decls equal signaturesFromJson's (apart from location)`, () => {
      const { decls, facts } = parsed.get(file)!;
      const fromJson = signaturesFromJson(facts);
      const strip = (d: HeaderDecl) => ({ ...d, location: '' });
      const byKey = new Map(decls.map((d) => [`${d.kind}:${d.name}`, strip(d)]));
      assert.equal(fromJson.length, decls.length);
      for (const d of fromJson) assert.deepEqual(byKey.get(`${d.kind}:${d.name}`), strip(d), d.name);
    });
  }
});
