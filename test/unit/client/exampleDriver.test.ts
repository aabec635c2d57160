/**
 * examples/echo-dma: the example KMDF driver is correct by the WDF header facts and by the
 * conventions it demonstrates (role declarations, SAL, paging, KMDF 1.33 project).
 * (Kept with the client tests: the example ships with the extension's documentation.)
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { blankAnnotations } from '../../../server/src/syntax/sal';
import { createParser } from '../../../server/src/syntax/treeSitter';
import { checkWdfUsage, loadKmdf } from './wdfCheck';
import { repoRoot } from '../../support/paths';

const exampleDir = path.join(repoRoot, 'examples/echo-dma');
const files = readdirSync(exampleDir)
  .filter((f) => /\.[ch]$/.test(f))
  .sort();
const sources = new Map(files.map((f) => [f, readFileSync(path.join(exampleDir, f), 'utf8')]));
const cFiles = files.filter((f) => f.endsWith('.c'));
const header = sources.get('echodma.h') ?? '';
const kmdf = loadKmdf();
const headerRoles = checkWdfUsage(header, kmdf).roles;

/** Callbacks that run on the way into or out of D0: pageable code there could need paging I/O the device cannot serve. */
const D0_PATH_ROLES = new Set([
  'EVT_WDF_DEVICE_D0_ENTRY',
  'EVT_WDF_DEVICE_D0_EXIT',
  'EVT_WDF_DEVICE_D0_ENTRY_POST_INTERRUPTS_ENABLED',
  'EVT_WDF_DEVICE_D0_EXIT_PRE_INTERRUPTS_DISABLED',
  'EVT_WDF_DEVICE_SELF_MANAGED_IO_INIT',
  'EVT_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND',
  'EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART',
  'EVT_WDF_DMA_ENABLER_SELFMANAGED_IO_START',
  'EVT_WDF_DMA_ENABLER_SELFMANAGED_IO_STOP',
]);

/** Top-level function definitions: name → body text. */
function definitions(source: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const m of source.matchAll(/^(\w+)\(\n([\s\S]*?)^\)?\s*\)\n\{\n([\s\S]*?)^\}/gm)) result.set(m[1], m[3]);
  return result;
}

describe('examples/echo-dma', () => {
  it('has the header, four sources, a KMDF 1.33 project file and an INF', () => {
    assert.deepEqual(files, ['device.c', 'dma.c', 'driver.c', 'echodma.h', 'queue.c']);
    const project = readFileSync(path.join(exampleDir, 'echodma.vcxproj'), 'utf8');
    assert.match(project, /<DriverType>KMDF<\/DriverType>/);
    assert.match(project, /<KMDF_VERSION_MAJOR>1<\/KMDF_VERSION_MAJOR>/);
    assert.match(project, /<KMDF_VERSION_MINOR>33<\/KMDF_VERSION_MINOR>/);
    const compiled = [...project.matchAll(/<ClCompile Include="([^"]+)"/g)].map((m) => m[1]).sort();
    assert.deepEqual(compiled, cFiles);
    assert.match(
      readFileSync(path.join(exampleDir, 'echodma.inf'), 'utf8'),
      /KmdfLibraryVersion\s*=\s*\$KMDFVERSION\$/,
    );
  });

  for (const file of cFiles) {
    it(`${file}: role types, method names, argument counts, signatures and registrations match the KMDF 1.33 headers`, () => {
      const report = checkWdfUsage(sources.get(file)!, kmdf, headerRoles);
      assert.deepEqual(report.problems, []);
      assert.ok(report.calls.size > 0);
    });
  }

  it('every callback the header declares is defined once and registered or passed somewhere', () => {
    const defined = new Map<string, string>();
    for (const file of cFiles) {
      for (const name of definitions(sources.get(file)!).keys()) {
        assert.ok(!defined.has(name), `${name} defined twice`);
        defined.set(name, file);
      }
    }
    const allCode = cFiles.map((f) => sources.get(f)!).join('\n');
    for (const name of headerRoles.keys()) {
      assert.ok(defined.has(name), `${name} is declared but not defined`);
      if (name === 'DriverEntry') continue;
      const uses = allCode.match(new RegExp(`[=,(]\\s*${name}\\b`, 'g')) ?? [];
      assert.ok(uses.length > 0, `${name} is never registered`);
    }
  });

  it('every function has its SAL from a declaration: _Use_decl_annotations_ plus a role type or an annotated prototype', () => {
    for (const file of cFiles) {
      const source = sources.get(file)!;
      for (const name of definitions(source).keys()) {
        assert.match(source, new RegExp(`_Use_decl_annotations_\\n\\w+\\n${name}\\(`), `${file}: ${name}`);
        const prototype = new RegExp(
          `_IRQL_requires_max_\\((PASSIVE|DISPATCH)_LEVEL\\)\\n\\w+\\n${name}\\(\\n(\\s+_In(_opt)?_ [^\\n]+\\n)+`,
        );
        assert.ok(
          headerRoles.has(name) || prototype.test(header),
          `${name} has neither a role type nor an annotated prototype in echodma.h`,
        );
      }
    }
  });

  it('paged code: alloc_text under ALLOC_PRAGMA, PAGED_CODE() first, only PASSIVE_LEVEL and never on the D0 path', () => {
    const callbacks = new Map(kmdf.callbacks.map((c) => [c.name, c]));
    const paged: string[] = [];
    for (const file of cFiles) {
      const source = sources.get(file)!;
      const guarded = /#ifdef ALLOC_PRAGMA\n((?:#pragma alloc_text\((?:PAGE|INIT), \w+\)\n)+)#endif/.exec(source);
      const pragmas = [...source.matchAll(/#pragma alloc_text\((PAGE|INIT), (\w+)\)/g)];
      assert.equal(
        guarded?.[1].trim().split('\n').length ?? 0,
        pragmas.length,
        `${file}: every alloc_text is inside one #ifdef ALLOC_PRAGMA block`,
      );
      const bodies = definitions(source);
      for (const [, section, name] of pragmas) {
        const body = bodies.get(name);
        assert.ok(body !== undefined, `${file}: alloc_text names ${name}, which is not defined in this file`);
        if (section === 'INIT') continue;
        paged.push(name);
        const firstStatement = body.split('\n').find((line) => line.includes('('));
        assert.equal(firstStatement?.trim(), 'PAGED_CODE();', `${name}: PAGED_CODE() must be the first statement`);
        const role = headerRoles.get(name);
        if (role) {
          assert.equal(
            callbacks.get(role)?.irql?.max,
            'PASSIVE_LEVEL',
            `${name} (${role}) may run above PASSIVE_LEVEL`,
          );
          assert.ok(!D0_PATH_ROLES.has(role), `${name} (${role}) is on the D0 path and must stay resident`);
        }
      }
      // A function that calls PAGED_CODE() must be in a paged section.
      for (const [name, body] of bodies)
        if (body.includes('PAGED_CODE()'))
          assert.ok(
            pragmas.some((p) => p[2] === name),
            `${name} calls PAGED_CODE() but is not paged`,
          );
    }
    assert.deepEqual(paged.sort(), [
      'EchoDmaCreateDmaObjects',
      'EchoDmaEvtDeviceAdd',
      'EchoDmaEvtDevicePrepareHardware',
      'EchoDmaEvtDeviceReleaseHardware',
      'EchoDmaEvtDeviceSelfManagedIoCleanup',
      'EchoDmaQueueInitialize',
    ]);
  });

  it('uses the seed callbacks and the system-mode DMA stop path', () => {
    const roles = new Set(headerRoles.values());
    for (const role of [
      'EVT_WDF_DMA_ENABLER_SELFMANAGED_IO_START',
      'EVT_WDF_DMA_ENABLER_SELFMANAGED_IO_STOP',
      'EVT_WDF_IO_QUEUE_IO_STOP',
      'EVT_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND',
      'EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART',
      'EVT_WDF_TIMER',
      'EVT_WDF_DMA_TRANSACTION_DMA_TRANSFER_COMPLETE',
    ]) {
      assert.ok(roles.has(role), role);
    }
    const dma = sources.get('dma.c')!;
    assert.match(dma, /WDF_DMA_ENABLER_CONFIG_INIT\(&enablerConfig, WdfDmaProfileSystem(Duplex)?,/);
    assert.match(dma, /WdfDmaTransactionStopSystemTransfer\(DeviceContext->Transaction\)/);
    // The timer and the cancel routine both reach the stop through EchoDmaRequestStop.
    const bodies = definitions(dma);
    assert.match(
      bodies.get('EchoDmaEvtTransferTimer')!,
      /EchoDmaRequestStop\(deviceContext, NULL, STATUS_IO_TIMEOUT\)/,
    );
    assert.match(
      bodies.get('EchoDmaEvtRequestCancel')!,
      /EchoDmaRequestStop\(deviceContext, Request, STATUS_CANCELLED\)/,
    );
    // A stopped transfer is closed with DmaCompletedFinal in the transfer-complete callback.
    assert.match(bodies.get('EchoDmaEvtDmaTransferComplete')!, /WdfDmaTransactionDmaCompletedFinal\(/);
  });

  it('parses with tree-sitter-c (after SAL blanking) without syntax errors', async () => {
    const parser = await createParser('c');
    try {
      for (const file of files) {
        // WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(…) expands to definitions and takes no ';', which a
        // grammar without the preprocessor cannot know: those lines are blanked, nothing else.
        const text = blankAnnotations(sources.get(file)!).text.replace(/^WDF_DECLARE_CONTEXT_TYPE\w*\(.*\)$/gm, (m) =>
          ' '.repeat(m.length),
        );
        const tree = parser.parse(text);
        assert.ok(tree, file);
        const errors: string[] = [];
        const visit = (node: NonNullable<typeof tree>['rootNode']) => {
          if (node.isError || node.isMissing)
            errors.push(`${node.type} at ${node.startPosition.row + 1}:${node.startPosition.column + 1}`);
          for (const child of node.children) if (child) visit(child);
        };
        visit(tree.rootNode);
        tree.delete();
        assert.deepEqual(errors, [], file);
      }
    } finally {
      parser.delete();
    }
  });
});
