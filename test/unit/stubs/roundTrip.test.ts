/**
 * Every callback of the index with a signature: its generated stub, parsed back by the analysis
 * layer, declares the role type and defines a function whose return type and parameters (types and
 * names, in order) are exactly the role type's.
 */
import { strict as assert } from 'node:assert';
import { analyzeText } from '../../../server/src/analysis';
import { callbackBaseName } from '../../../server/src/stubs/naming';
import { generateStub, signatureProblem, StubError } from '../../../server/src/stubs/stub';
import { testIndex } from '../../support/testIndex';

/** Types compared as C sees them: whitespace and pointer-star spacing do not matter. */
const normType = (t: string) =>
  t
    .replace(/\s+/g, ' ')
    .replace(/\s*\*\s*/g, '*')
    .trim();

describe('stubs: every generated stub parses back to its role type', () => {
  const index = testIndex();
  const withSignature = index.all('callback').filter((e) => e.returns);
  const callbacks = withSignature.filter((e) => !signatureProblem(e));
  const broken = withSignature.filter((e) => signatureProblem(e));

  it('covers the callbacks of the index', () => {
    // 106 KMDF and 101 UMDF role types in the header facts, most shared; the docs add the class extensions'.
    assert.ok(callbacks.length >= 106, `${callbacks.length} callbacks with signatures`);
    // Every WDF role type from the header facts has a usable signature.
    assert.deepEqual(
      callbacks.filter((e) => e.sources.some((s) => s.startsWith('wdf-signatures'))).length,
      withSignature.filter((e) => e.sources.some((s) => s.startsWith('wdf-signatures'))).length,
    );
  });

  it('refuses, with a message naming the parameter, the signatures that would not compile', () => {
    for (const entry of broken) {
      assert.throws(
        () => generateStub(entry, 'X'),
        (e: Error) =>
          e instanceof StubError &&
          e.message.startsWith(`${entry.name}: the signature in the index looks incomplete (`),
      );
    }
  });

  it('round-trips declaration, return type and parameters exactly', async () => {
    const failures: string[] = [];
    for (const entry of callbacks) {
      const name = `Test${callbackBaseName(entry)}`;
      const stub = generateStub(entry, name, {}, (n) => index.get(n));
      const text = [stub.declaration, ...(stub.allocText ? [stub.allocText] : []), '', stub.definition, ''].join('\n');
      const model = await analyzeText(`file:///stub/${entry.name}.c`, text, 'c');
      const decl = model.roleDecls.find((d) => d.names.some((n) => n.name === name));
      const fn = model.functions.find((f) => f.name === name && f.isDefinition);
      const problems: string[] = [];
      if (decl?.roleType !== entry.name) problems.push(`declaration role type ${decl?.roleType}`);
      if (!fn) problems.push('no definition');
      else {
        if (normType(fn.returnType) !== normType(entry.returns!))
          problems.push(`returns ${fn.returnType}, expected ${entry.returns}`);
        const got = fn.params.map((p) => `${normType(p.type)} ${p.name}`).join(', ');
        const want = entry.params
          .filter((p) => p.type !== 'VOID')
          .map((p) => `${normType(p.type)} ${p.name}`)
          .join(', ');
        if (got !== want) problems.push(`params (${got}), expected (${want})`);
        if (!fn.useDeclAnnotations) problems.push('no _Use_decl_annotations_');
        if (stub.pageable && !fn.pagedCodeFirst) problems.push('PAGED_CODE() is not first');
        if (stub.pageable && fn.pagedSection?.kind !== 'alloc_text') problems.push('alloc_text not seen');
      }
      if (model.errorCount) problems.push(`${model.errorCount} parse errors`);
      if (problems.length) failures.push(`${entry.name}: ${problems.join('; ')}`);
    }
    assert.deepEqual(failures, []);
  });
});
