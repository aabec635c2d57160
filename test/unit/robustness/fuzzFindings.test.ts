/**
 * Regressions for what `npm run fuzz` found (scripts/fuzzTargets.ts), each input reduced by hand to
 * the part that mattered, in the layer where it was fixed.
 */
import { strict as assert } from 'node:assert';
import { analyzeText } from '../../../server/src/analysis/parse';
import { WorkspaceModel } from '../../../server/src/analysis/workspace';
import { sanitizeHoverMarkdown } from '../../../server/src/docsText/sanitize';
import { KnowledgeIndex } from '../../../server/src/knowledge/knowledgeIndex';
import { runRules } from '../../../server/src/rules/engine';
import { parseDocText } from '../../../server/src/knowledge/docs/folder';
import { decodeEntities, htmlToMarkdown } from '../../../server/src/knowledge/docs/text';
import { parseMsbuildXml } from '../../../server/src/project/msbuild';
import { parseVcxprojText } from '../../../server/src/project/projectFile';
import { generateStub } from '../../../server/src/stubs/stub';

describe('robustness: inputs the fuzzer found', () => {
  it('a docs page whose front matter has an odd YAML anchor prints no warning on stderr (docs-markdown)', async () => {
    const warnings: string[] = [];
    const listen = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', listen);
    try {
      const result = parseDocText(
        '---\nUID: NC:wdfio.EVT_X\ntitle: &a: EVT_X\napi_name:\n - EvtX\n---\n\n## -description\n\nX.\n',
        'x.md',
      );
      // Node emits warnings on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal('page' in result && result.page.name, 'EVT_X');
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', listen);
    }
  });

  it('a .vcxproj whose XML declaration holds a quoted "?>" is not well-formed XML, not a throw (project-files)', () => {
    // The validator passes it; the parser then refuses the processing instruction.
    const text =
      '<? Project="xml version="1.0"?>\n<Project><PropertyGroup><DriverType>KMDF</DriverType></PropertyGroup></Project>';
    assert.deepEqual(parseMsbuildXml(text), { error: 'not well-formed XML (Pi Tag is not closed.)' });
    const project = parseVcxprojText(text, '/fuzz/amber.vcxproj');
    assert.deepEqual(project.problems, ['/fuzz/amber.vcxproj: not well-formed XML (Pi Tag is not closed.)']);
    assert.deepEqual(project.configurations, []);
  });

  it('a role type named like an Object member (valueOf, toString) gets an ordinary stub (stubs)', () => {
    // The tables of per-role bodies and return values were object literals: `valueOf` found
    // Object.prototype.valueOf (a throw), `toString` returned a function as the stub's return value.
    for (const name of ['valueOf', 'toString', 'constructor', '__proto__']) {
      const stub = generateStub(
        {
          name,
          kind: 'callback',
          returns: 'BOOLEAN',
          params: [{ name: 'Request', type: 'WDFREQUEST' }],
          frameworks: ['KMDF'],
          flags: [],
          sources: [],
        },
        'EchoEvtX',
      );
      assert.equal(stub.declaration, `${name} EchoEvtX;`);
      assert.equal(
        stub.definition,
        '_Use_decl_annotations_\nBOOLEAN\nEchoEvtX(\n    WDFREQUEST Request\n    )\n{\n    UNREFERENCED_PARAMETER(Request);\n\n    return FALSE;\n}',
      );
    }
  });

  it('HTML in a page with an attribute named like an Object member loses its markup, not the page (docs-markdown)', () => {
    // node-html-markdown threw on `<a toString>` (its attribute table is a plain object).
    assert.equal(
      htmlToMarkdown(
        '<p>Call <a href="nf-wdfio-wdfioqueuecreate.md" toString>WdfIoQueueCreate</a> first.</p>',
        'wdfio',
      ),
      'Call WdfIoQueueCreate first.',
    );
    const page =
      '---\nUID: NC:wdfio.EVT_X\ntitle: EVT_X\napi_name:\n - EvtX\nreq.header: wdfio.h\n---\n\n## -description\n\nThe <a href="x.md" constructor>queue</a> stops.\n\n## -remarks\n\nPlain remarks.\n';
    const result = parseDocText(page, 'wdfio/nc-wdfio-evt_x.md');
    assert.ok('page' in result);
    assert.equal(result.page.description, 'The queue stops.');
    assert.equal(result.page.remarks, 'Plain remarks.');
  });

  describe('names like Object members find nothing in the constant tables (c-analysis, docs)', () => {
    it('a request handler calling a function named valueOf: no rule throws, and it is no lock acquire', async () => {
      // LOCK_ACQUIRE['valueOf'] was Object.prototype.valueOf: KMDF2001 threw reading its release
      // list, and KMDF3015 took the call for a spin lock still held at WdfRequestComplete.
      const text = [
        'EVT_WDF_IO_QUEUE_IO_READ EchoEvtIoRead;',
        '_Use_decl_annotations_',
        'VOID',
        'EchoEvtIoRead(WDFQUEUE Queue, WDFREQUEST Request, size_t Length)',
        '{',
        '    UNREFERENCED_PARAMETER(Queue);',
        '    UNREFERENCED_PARAMETER(Length);',
        '    valueOf(Request);',
        '    KeDelayExecutionThread(KernelMode, FALSE, NULL);',
        '    WdfRequestComplete(Request, STATUS_SUCCESS);',
        '}',
        '',
      ].join('\n');
      const workspace = new WorkspaceModel();
      workspace.update(await analyzeText('file:///fuzz/read.c', text));
      const errors: string[] = [];
      const findings = runRules({
        workspace,
        index: KnowledgeIndex.fromCatalog(),
        target: { framework: 'KMDF', kmdfVersion: '1.33', source: 'default' },
        texts: () => text,
        onRuleError: (ruleId, _uri, error) => errors.push(`${ruleId}: ${String(error)}`),
      });
      assert.deepEqual(errors, []);
      // Only the handler's own level holds the sleep (a kernel routine, ≤ APC_LEVEL): no lock is named.
      assert.deepEqual(
        findings.map((f) => `${f.ruleId} ${f.message}`),
        [
          'KMDF2001 KeDelayExecutionThread must be called at IRQL ≤ APC_LEVEL, but EchoEvtIoRead runs at up to DISPATCH_LEVEL as EVT_WDF_IO_QUEUE_IO_READ.',
        ],
      );
    });

    it('&constructor; in a page stays as written, in the parsers and in a hover link', () => {
      assert.equal(decodeEntities('a &constructor; b &toString; c &amp; d'), 'a &constructor; b &toString; c & d');
      assert.equal(
        sanitizeHoverMarkdown('[x](&constructor;)'),
        '[x](https://learn.microsoft.com/windows-hardware/drivers/ddi/&amp;constructor;)',
      );
    });
  });
});
