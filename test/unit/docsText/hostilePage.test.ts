// A hostile reference page of our own, read through the docs folder and through the online path
// (a local HTTP server on loopback), parsed by the real parsers and laid out as a hover: the Markdown
// a client gets has no live link but to the reference site, no raw HTML, no foreign image, balanced
// fences and no terminal control characters.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DocsTextProvider } from '../../../server/src/docsText/provider';
import { hoverMarkdown } from '../../../server/src/features/hoverContent';
import { parseDocPage } from '../../../server/src/knowledge/docs';
import { Logger } from '../../../server/src/util/logger';
import { testIndex, withChanges } from '../../support/testIndex';

const DOCS_PATH = 'wdfio/nc-wdfio-evt_wdf_io_queue_io_stop.md';
const ESC = '\u001b';
const HOSTILE_PAGE = [
  '---',
  'UID: NC:wdfio.EVT_WDF_IO_QUEUE_IO_STOP',
  'api_name:',
  ' - EvtIoStop',
  'req.header: wdfio.h',
  '---',
  '',
  '## -description',
  '',
  'Halts the queue <script>alert(1)</script> and &lt;img src=x onerror=alert(2)&gt; quietly.',
  `Try [a terminal](command:workbench.action.terminal.new), [script](javascript:alert(3)), [coded](&#106;avascript:alert(4)), <a href="vscode://evil/run">an anchor</a>, [a file](file:///etc/passwd), [data](data:text/html,hi), [plain web](http://learn.microsoft.com/x), ![a picture](https://evil.example/p.png) and [the create page](nf-wdfio-wdfioqueuecreate.md).`,
  `Bare http://evil.example/x and ${ESC}]8;;https://evil.example${ESC}\\a hyperlink${ESC}]8;;${ESC}\\ in ${ESC}[31mred${ESC}[0m.`,
  '',
  '[ref]: javascript:alert(5)',
  '',
  '## -remarks',
  '',
  'Before the code.',
  '',
  '~~~',
  '<b>inside an unclosed fence</b>',
].join('\n');

/** The hover, exactly: our layout, the prose as text but for the one link to the reference site. */
const EXPECTED_HOVER = [
  '```c\ntypedef VOID\nEVT_WDF_IO_QUEUE_IO_STOP(\n    _In_ WDFQUEUE Queue,\n    _In_ WDFREQUEST Request,\n    _In_ ULONG ActionFlags\n    );\n```',
  'IRQL ≤ DISPATCH_LEVEL · KMDF 1.0 · UMDF 2.0 · wdfio.h',
  'Registered through WDF_IO_QUEUE_CONFIG.EvtIoStop (WdfIoQueueCreate)',
  // The converter drops <script> elements; the decoded <img> stays text; links and the image lose
  // their targets (http: on the reference host is read as its https: page); bare URLs are escaped.
  'Halts the queue  and &lt;img src=x onerror=alert(2)> quietly. Try a terminal, script, coded, an anchor, a file, data, [plain web](https://learn.microsoft.com/x), a picture and [the create page](https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nf-wdfio-wdfioqueuecreate). Bare http\\://evil.example/x and \\]8;;https\\://evil.example\\a hyperlink\\]8;;\\ in \\[31mred\\[0m.',
  '\\[ref\\]: javascript:alert(5)',
  '**Remarks**',
  'Before the code.',
  // Code stays verbatim (a client shows it as code); the fence the page never closed is closed.
  '~~~\n<b>inside an unclosed fence</b>\n~~~',
  '[EVT_WDF_IO_QUEUE_IO_STOP on the reference site](https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nc-wdfio-evt_wdf_io_queue_io_stop)',
].join('\n\n');

describe('docsText: a hostile page reaches the hover sanitised, from a folder and online', () => {
  const index = testIndex();
  const entry = withChanges(index.get('EVT_WDF_IO_QUEUE_IO_STOP')!, { docsPath: DOCS_PATH, docsUrl: undefined });
  const logger = new Logger(() => undefined, 'error');
  let tmp: string;
  let server: http.Server;
  let baseUrl: string;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-hostile-'));
    fs.mkdirSync(path.join(tmp, 'docs', 'wdfio'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'docs', DOCS_PATH), HOSTILE_PAGE);
    server = http.createServer((req, res) => {
      if (req.url === `/content/${DOCS_PATH}`) res.writeHead(200, { 'content-type': 'text/plain' }).end(HOSTILE_PAGE);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/content/`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  for (const source of ['folder', 'online'] as const) {
    it(`through the ${source} path`, async () => {
      const provider = new DocsTextProvider(
        source === 'folder'
          ? { folder: path.join(tmp, 'docs'), online: false, baseUrl }
          : { online: true, baseUrl, cacheDir: path.join(tmp, `cache-${source}`) },
        parseDocPage,
        logger,
      );
      const text = await provider.text(entry);
      assert.ok(text, 'the page was read');
      const md = hoverMarkdown(entry, { kind: 'entry' }, index, text);
      assert.equal(md, EXPECTED_HOVER);
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(md, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    });
  }
});
