import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import {
  docsUrlFor,
  docsUrlFromRepoPath,
  htmlToMarkdown,
  mineFlags,
  normalizeVersion,
  normalizeWindows,
  parseIrqlText,
  parseMarkdownPage,
  parseRenderedPage,
  readDocFile,
  readDocsFolder,
} from '../../../../server/src/knowledge/docs';
import type { DocPage } from '../../../../server/src/knowledge/types';
import { repoRoot } from '../../../support/paths';

const fixtures = path.join(repoRoot, 'test/fixtures/docs');
const BASE = 'https://learn.microsoft.com/windows-hardware/drivers/ddi/';

async function page(rel: string): Promise<DocPage> {
  const result = await readDocFile(path.join(fixtures, rel));
  assert.ok('page' in result, `${rel} parses: ${'skip' in result ? result.skip : ''}`);
  return result.page;
}

describe('docs parsers: our fixture pages', () => {
  it('current Markdown: [in] on the next line, CCE banner, HTML table, IRQL from the remarks', async () => {
    const p = await page('markdown/wdfwidget/nc-wdfwidget-evt_wdf_widget_polish.md');
    assert.equal(p.name, 'EVT_WDF_WIDGET_POLISH');
    assert.equal(p.kind, 'callback');
    assert.equal(p.format, 'markdown');
    assert.deepEqual(p.irql, { max: 'DISPATCH_LEVEL', text: 'See Remarks section.' });
    assert.equal(p.kmdf, '1.15');
    assert.equal(p.umdf, undefined);
    assert.equal(p.minWindows, 'Windows 8.1');
    assert.deepEqual(p.frameworks, ['KMDF']);
    assert.equal(p.roleName, 'EvtWidgetPolish');
    assert.deepEqual(p.ddiCompliance, ['WidgetRule1', 'WidgetRule2']);
    assert.deepEqual(
      p.params.map((x) => [x.name, x.direction, x.optional ?? false, x.type]),
      [
        ['Widget', 'in', false, ''],
        ['Cloth', 'in', true, ''],
        ['Shine', 'out', false, ''],
      ],
    );
    assert.equal(
      p.params[1].description,
      `A pointer to a [WDF_WIDGET_CLOTH](${BASE}wdfwidget/ns-wdfwidget-_wdf_widget_cloth) structure, or NULL for the default cloth.`,
    );
    assert.equal(p.params[2].description, 'Receives how shiny the widget became, from 0 to 100.');
    assert.deepEqual(p.flags, [
      { id: 'kmdf-only' },
      { id: 'registered-by', ref: 'WdfWidgetCreate' },
      { id: 'called-only-after', ref: 'EvtWidgetDust' },
      { id: 'execution-level-dependent' },
      { id: 'not-pageable' },
      { id: 'must-call', ref: 'WdfWidgetRelease' },
    ]);
    assert.equal(
      p.returnText,
      'The callback returns one of the values in this table:\n\n' +
        '| Return code            | Meaning            |\n| ---------------------- | ------------------ |\n' +
        '| **STATUS_SUCCESS**     | The widget shines. |\n| **STATUS_DEVICE_BUSY** | Try again later.   |',
    );
    assert.equal(p.description, "A driver's _EvtWidgetPolish_ event callback function makes a widget shiny again.");
    assert.ok(
      p.remarks?.includes('called at IRQL <= DISPATCH_LEVEL, unless'),
      'a literal <= survives the HTML conversion',
    );
    assert.ok(
      p.remarks?.includes('[Widget basics](https://learn.microsoft.com/windows-hardware/drivers/wdf/widget-basics)'),
      'docs.microsoft.com/en-us → learn.microsoft.com',
    );
    assert.ok(p.remarks?.includes('```cpp\n// Our own tiny example'), 'the code block is kept');
    assert.deepEqual(p.seeAlso, [
      { text: 'WdfWidgetCreate', href: `${BASE}wdfwidget/nf-wdfwidget-wdfwidgetcreate` },
      { text: 'EvtWidgetDust', href: `${BASE}wdfwidget/nc-wdfwidget-evt_wdf_widget_dust` },
      { text: 'Widget basics', href: 'https://learn.microsoft.com/windows-hardware/drivers/wdf/widget-basics' },
    ]);
    assert.equal(p.docsUrl, `${BASE}wdfwidget/nc-wdfwidget-evt_wdf_widget_polish`);
  });

  it('2018 Markdown: prototype with SAL, tab-indented lists, *PFN values, code table', async () => {
    const p = await page('markdown-2018/wdfwidget/nc-wdfwidget-evt_wdf_widget_buff.md');
    assert.equal(p.name, 'EVT_WDF_WIDGET_BUFF');
    assert.equal(p.format, 'markdown-2018');
    assert.deepEqual(p.irql, { text: 'Called at PASSIVE_LEVEL.', exact: 'PASSIVE_LEVEL' });
    assert.deepEqual([p.kmdf, p.umdf], ['1.9', '2.0']);
    assert.deepEqual(p.frameworks, ['KMDF', 'UMDF']);
    assert.equal(p.roleName, 'EvtWidgetBuff');
    assert.equal(p.returns, 'NTSTATUS');
    assert.equal(p.prototypeComplete, true);
    assert.deepEqual(
      p.params.map(({ description: _d, ...rest }) => rest),
      [
        { name: 'Widget', type: 'WDFWIDGET', direction: 'in', sal: ['_In_'] },
        { name: 'Context', type: 'PVOID', direction: 'in', sal: ['_In_opt_'], optional: true },
        { name: 'Passes', type: 'PULONG', direction: 'in/out', sal: ['_Inout_'] },
      ],
    );
    assert.deepEqual(p.flags, [
      { id: 'must-return-nt-success' },
      { id: 'called-only-after', ref: 'EvtWidgetPolish' },
      { id: 'may-be-pageable' },
      { id: 'obsolete' },
    ]);
    assert.ok(
      p.remarks?.includes('```\nEVT_WDF_WIDGET_BUFF MyWidgetBuff;\nif (passes < 3) { passes++; }\n```'),
      'code table → fenced block with entities decoded',
    );
    assert.deepEqual(p.seeAlso, [
      { text: 'EvtWidgetPolish', href: `${BASE}wdfwidget/nc-wdfwidget-evt_wdf_widget_polish` },
    ]);
  });

  it('rendered text: garbled syntax block, unnamed [in] blocks, UMDF-only banner, requirements table', async () => {
    const p = await page('rendered/evt_wdf_widget_shine.txt');
    assert.equal(p.name, 'EVT_WDF_WIDGET_SHINE');
    assert.equal(p.format, 'rendered');
    assert.equal(p.header, 'wdfwidget.h');
    assert.deepEqual(p.irql, { text: 'PASSIVE_LEVEL', exact: 'PASSIVE_LEVEL' });
    assert.deepEqual([p.kmdf, p.umdf], [undefined, '2.15']);
    assert.equal(p.minWindows, 'Windows 10, version 1809');
    assert.deepEqual(p.frameworks, ['UMDF']);
    assert.equal(p.roleName, 'EvtWidgetShine');
    assert.equal(p.returns, 'NTSTATUS');
    assert.equal(p.prototypeComplete, false);
    assert.deepEqual(p.params, [
      { name: 'Brightness', type: 'PULONG', direction: 'out', description: 'Receives the brightness, from 0 to 100.' },
    ]);
    assert.equal(p.returnText, 'The callback must return STATUS_SUCCESS when it could read the brightness.');
    // "Do not call WdfWidgetDim from …" is about another API, so no do-not-call-from on this page.
    assert.deepEqual(p.flags, [
      { id: 'umdf-only' },
      { id: 'must-return-nt-success' },
      { id: 'registered-by', ref: 'WdfWidgetInitSetShineCallback' },
      { id: 'not-pageable' },
    ]);
    assert.deepEqual(p.ddiCompliance, ['WidgetRule1', 'WidgetRule3']);
    assert.deepEqual(p.seeAlso, [{ text: 'WdfWidgetInitSetShineCallback' }, { text: 'EvtWidgetPolish' }]);
    assert.equal(p.docsUrl, `${BASE}wdfwidget/nc-wdfwidget-evt_wdf_widget_shine`);
  });

  it('rendered HTML: tags stripped to text, then the rendered parser', async () => {
    const p = await page('rendered/wdfwidgetcreate.html');
    assert.equal(p.name, 'WdfWidgetCreate');
    assert.equal(p.kind, 'method');
    assert.deepEqual(p.irql, { text: '<=DISPATCH_LEVEL', max: 'DISPATCH_LEVEL' });
    assert.deepEqual([p.kmdf, p.umdf], ['1.11', '2.0']);
    assert.equal(p.prototypeComplete, true);
    assert.deepEqual(
      p.params.map((x) => [x.name, x.type, x.direction, x.optional ?? false, x.description]),
      [
        ['Device', 'WDFDEVICE', 'in', false, 'The device that will own the widget.'],
        [
          'Attributes',
          'PWDF_OBJECT_ATTRIBUTES',
          'in',
          true,
          'Object attributes for the widget, or WDF_NO_OBJECT_ATTRIBUTES.',
        ],
        ['Widget', 'WDFWIDGET*', 'out', false, "Receives the new widget's handle."],
      ],
    );
    assert.deepEqual(p.flags, [{ id: 'system-mode-dma-only' }, { id: 'requires-dma-v3' }]);
    assert.equal(p.docsUrl, `${BASE}wdfwidget/nf-wdfwidget-wdfwidgetcreate`);
  });

  it('the fixture folder: four pages, the overview and the README skipped with reasons', async () => {
    const { pages, skipped } = await readDocsFolder(fixtures);
    assert.deepEqual(
      pages.map((p) => p.name),
      ['EVT_WDF_WIDGET_BUFF', 'EVT_WDF_WIDGET_POLISH', 'EVT_WDF_WIDGET_SHINE', 'WdfWidgetCreate'],
    );
    assert.deepEqual(
      skipped.map((s) => [path.relative(fixtures, s.file), s.reason]),
      [
        [
          'README.md',
          'not a documentation page (no YAML front matter and no "NAME callback function (header.h)" title)',
        ],
        [path.join('markdown', 'wdfwidget', 'index.md'), 'not an API page (header or technology overview)'],
      ],
    );
  });

  it("a callback's name: the example's role-type declaration wins over a keyword that names a sibling", () => {
    const pageOf = (keyword: string, example: string) => {
      const text = [
        '---',
        'UID: NC:wdfgadget.EVT_WDF_GADGET_SET_SPIN_MODE',
        'title: EVT_WDF_GADGET_SET_SPIN_MODE (wdfgadget.h)',
        `ms.keywords: EVT_WDF_GADGET_SET_SPIN_MODE, ${keyword}, ${keyword} callback function`,
        'req.header: wdfgadget.h',
        '---',
        '',
        '## -description',
        '',
        'The driver sets how its gadget spins.',
        '',
        '## -remarks',
        '',
        '```',
        `EVT_WDF_GADGET_SET_SPIN_MODE ${example};`,
        '```',
        '',
      ].join('\n');
      const result = parseMarkdownPage(text, 'wdfgadget/nc-wdfgadget-evt_wdf_gadget_set_spin_mode.md');
      assert.ok('page' in result);
      return result.page.roleName;
    };
    // The keyword is a sibling's (…SpinSpeed); the example's name ends as the role type does.
    assert.equal(pageOf('EvtGadgetSetSpinSpeed', 'EvtGadgetSetSpinMode'), 'EvtGadgetSetSpinMode');
    // A sample's own name in the example does not replace a keyword that fits.
    assert.equal(pageOf('EvtGadgetSetSpinMode', 'MyGadgetModeCallback'), 'EvtGadgetSetSpinMode');
    assert.equal(pageOf('EvtGadgetSetSpinMode', 'EvtMyGadgetSpinner'), 'EvtGadgetSetSpinMode');
  });

  it('the individual parsers refuse the other formats with a reason', () => {
    assert.deepEqual(parseMarkdownPage('EVT_X callback function (wdfx.h)\n', 'x.txt'), {
      skip: 'no YAML front matter',
    });
    assert.deepEqual(parseRenderedPage('---\nUID: NC:wdfx.EVT_X\n---\n', 'x.md'), {
      skip: 'not a reference page (no "NAME callback function (header.h)" title line)',
    });
  });
});

describe('docs parsers: normalising requirement facts', () => {
  const cases: [string, object | undefined][] = [
    ['PASSIVE_LEVEL', { text: 'PASSIVE_LEVEL', exact: 'PASSIVE_LEVEL' }],
    ['"<=DISPATCH_LEVEL"', { text: '<=DISPATCH_LEVEL', max: 'DISPATCH_LEVEL' }],
    ['Called at IRQL <= DISPATCH_LEVEL.', { text: 'Called at IRQL <= DISPATCH_LEVEL.', max: 'DISPATCH_LEVEL' }],
    ['<= DIRQL', { text: '<= DIRQL', max: 'DIRQL' }],
    ['Any level', { text: 'Any level', max: 'HIGH_LEVEL' }],
    ['Any IRQL.', { text: 'Any IRQL.', max: 'HIGH_LEVEL' }],
    ['_requires_same_', { text: '_requires_same_', same: true }],
    ['Requires same', { text: 'Requires same', same: true }],
    ['See Remarks section.', { text: 'See Remarks section.' }],
    ['Not applicable', { text: 'Not applicable' }],
    ['APC_LEVEL', { text: 'APC_LEVEL', exact: 'APC_LEVEL' }],
    ['   ', undefined],
  ];
  for (const [raw, expected] of cases) {
    it(`IRQL "${raw}"`, () => assert.deepEqual(parseIrqlText(raw), expected));
  }

  it('framework versions and Windows versions', () => {
    assert.deepEqual(['1.0', '1', '1.11', ' 2.0 ', '', 'n/a'].map(normalizeVersion), [
      '1.0',
      '1.0',
      '1.11',
      '2.0',
      undefined,
      undefined,
    ]);
    assert.deepEqual(
      [
        'Windows 8',
        'Available starting with Windows 8.1.',
        'Windows 10, version 1709',
        'Supported starting with Windows 8.',
        '',
      ].map(normalizeWindows),
      ['Windows 8', 'Windows 8.1', 'Windows 10, version 1709', 'Windows 8', undefined],
    );
  });

  it('public reference URLs from a repository path and from name + header + kind', () => {
    assert.equal(
      docsUrlFromRepoPath('wdfio/nc-wdfio-evt_wdf_io_queue_io_stop.md'),
      `${BASE}wdfio/nc-wdfio-evt_wdf_io_queue_io_stop`,
    );
    assert.equal(
      docsUrlFromRepoPath('C:\\docs\\wdk-ddi-src\\content\\wdfio\\nf-wdfio-wdfioqueuecreate.md'),
      `${BASE}wdfio/nf-wdfio-wdfioqueuecreate`,
    );
    assert.equal(docsUrlFromRepoPath('wdfio/index.md'), undefined);
    assert.equal(
      docsUrlFor('EVT_WDF_IO_QUEUE_IO_STOP', 'wdfio.h', 'callback'),
      `${BASE}wdfio/nc-wdfio-evt_wdf_io_queue_io_stop`,
    );
    assert.equal(docsUrlFor('WdfIoQueueCreate', 'wdfio.h', 'method'), `${BASE}wdfio/nf-wdfio-wdfioqueuecreate`);
    assert.equal(
      docsUrlFor('WDF_IO_QUEUE_CONFIG', 'wdfio.h', 'structure'),
      `${BASE}wdfio/ns-wdfio-_wdf_io_queue_config`,
    );
    assert.equal(
      docsUrlFor('WDF_IO_QUEUE_DISPATCH_TYPE', 'Wdfio.h', 'enumeration'),
      `${BASE}wdfio/ne-wdfio-_wdf_io_queue_dispatch_type`,
    );
  });
});

describe('docs parsers: htmlToMarkdown and mineFlags', () => {
  it('converts inline HTML, keeps Markdown and code, makes links absolute', () => {
    assert.equal(
      htmlToMarkdown(
        'Call <b>WdfThing</b> from <i>EvtOther</i>; see <a href="..\\wdfthing\\nf-wdfthing-wdfthing.md">WdfThing</a>.',
      ),
      `Call **WdfThing** from _EvtOther_; see [WdfThing](${BASE}wdfthing/nf-wdfthing-wdfthing).`,
    );
    assert.equal(
      htmlToMarkdown('Already **Markdown** with EVT_WDF_THING and [a link](/windows-hardware/drivers/wdf/thing).'),
      'Already **Markdown** with EVT_WDF_THING and [a link](https://learn.microsoft.com/windows-hardware/drivers/wdf/thing).',
    );
    assert.equal(
      htmlToMarkdown('<ul>\n<li>first</li>\n\n<li>second <b>one</b></li>\n</ul>'),
      '* first\n* second **one**',
    );
    assert.equal(htmlToMarkdown('```c\nint a = b < c;\n```'), '```c\nint a = b < c;\n```');
    assert.equal(htmlToMarkdown('<p class="CCE_Message">[Applies to UMDF only]</p>\n\nText.'), 'Text.');
  });

  it('reads each family of contract sentences (our own wordings)', () => {
    assert.deepEqual(mineFlags('The callback must not be pageable.'), [{ id: 'not-pageable' }]);
    assert.deepEqual(mineFlags('Drivers can make this routine pageable.'), [{ id: 'may-be-pageable' }]);
    assert.deepEqual(mineFlags('On success the routine must return STATUS_SUCCESS.'), [
      { id: 'must-return-nt-success' },
    ]);
    assert.deepEqual(mineFlags('The framework calls EvtThingGo only after it calls EvtThingReady.'), [
      { id: 'called-only-after', ref: 'EvtThingReady' },
    ]);
    assert.deepEqual(
      mineFlags(
        'A driver registers an <i>EvtThingGo</i> callback function by calling WdfThingCreate or WdfThingCreateEx.',
      ),
      [
        { id: 'registered-by', ref: 'WdfThingCreate' },
        { id: 'registered-by', ref: 'WdfThingCreateEx' },
      ],
    );
    assert.deepEqual(mineFlags('Use it only for system-mode DMA.'), [{ id: 'system-mode-dma-only' }]);
    assert.deepEqual(
      mineFlags(
        'Do not call WdfThingWait from the following callbacks:\n\n- EvtThingA\n- EvtThingB\n\nThat is all.',
        'WdfThingWait',
      ),
      [
        { id: 'do-not-call-from', ref: 'EvtThingA' },
        { id: 'do-not-call-from', ref: 'EvtThingB' },
      ],
    );
    assert.deepEqual(mineFlags('Do not call WdfOtherThing from EvtThingA.', 'WdfThingWait'), []);
    assert.deepEqual(mineFlags('The driver must call WdfThingUnlock before it returns.'), [
      { id: 'must-call', ref: 'WdfThingUnlock' },
    ]);
    assert.deepEqual(mineFlags('This method requires DMA version 3.'), [{ id: 'requires-dma-v3' }]);
    assert.deepEqual(mineFlags('This function is obsolete.'), [{ id: 'obsolete' }]);
    assert.deepEqual(mineFlags('It runs at IRQL <= DISPATCH_LEVEL unless ExecutionLevel says otherwise.'), [
      { id: 'execution-level-dependent' },
    ]);
    assert.deepEqual(mineFlags('Nothing to see here; the driver may call WdfThing whenever it likes.'), []);
  });
});
