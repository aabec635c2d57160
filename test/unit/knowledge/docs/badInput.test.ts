import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MAX_DOC_FILE_BYTES, readDocFile, readDocsFolder } from '../../../../server/src/knowledge/docs';
import { repoRoot } from '../../../support/paths';

const goodPage = fs.readFileSync(
  path.join(repoRoot, 'test/fixtures/docs/markdown/wdfwidget/nc-wdfwidget-evt_wdf_widget_polish.md'),
  'utf8',
);
const renderedPage = fs.readFileSync(
  path.join(repoRoot, 'test/fixtures/docs/rendered/evt_wdf_widget_shine.txt'),
  'utf8',
);

describe('docs parsers: bad input is reported and skipped', function () {
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-docs-bad-'));
    const sub = path.join(dir, 'wdfwidget');
    fs.mkdirSync(sub);
    const write = (name: string, content: string | Buffer) => fs.writeFileSync(path.join(sub, name), content);
    write('nc-wdfwidget-evt_wdf_widget_polish.md', goodPage);
    write('shine.txt', renderedPage);
    // The same good page saved by a Windows editor: UTF-16 with a BOM and CRLF line ends.
    write(
      'shine-utf16.txt',
      Buffer.concat([
        Buffer.from([0xff, 0xfe]),
        Buffer.from(
          renderedPage.replace(/\n/g, '\r\n').replace('EVT_WDF_WIDGET_SHINE', 'EVT_WDF_WIDGET_GLOW'),
          'utf16le',
        ),
      ]),
    );
    write('empty.md', '');
    write('blank.md', '  \n\n\t\n');
    write('binary.md', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0x00, 0x10]));
    write('latin1.md', Buffer.from('---\nUID: NC:wdfwidget.EVT_WDF_WIDGET_CAF\xc9\n---\n', 'latin1'));
    write(
      'bad-yaml.md',
      '---\nUID: NC:wdfwidget.EVT_WDF_WIDGET_BROKEN\nreq.irql: [unclosed\n  : : :\n---\n\n## -description\n\nWords.\n',
    );
    write('list-yaml.md', '---\n- just\n- a list\n---\n\n## -description\n\nWords.\n');
    write('truncated.md', goodPage.slice(0, goodPage.indexOf('req.irql')));
    write(
      'no-name.md',
      '---\ntitle: A page that lost its identity\nreq.header: wdfwidget.h\n---\n\n## -description\n\nWords.\n',
    );
    write('notes.txt', 'Shopping list: cloth, polish, more cloth.\n');
    write('data.json', '{"ignored": "not a docs extension"}');
    // 20 MB: sparse, so the test writes almost nothing, and the reader must not read it.
    const big = path.join(sub, 'huge.md');
    const fd = fs.openSync(big, 'w');
    fs.writeSync(fd, goodPage);
    fs.ftruncateSync(fd, 20 * 1024 * 1024);
    fs.closeSync(fd);
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('indexes the good pages and gives each bad file its reason', async () => {
    const { pages, skipped } = await readDocsFolder(dir);
    // Sorted by path: "shine-utf16.txt" before "shine.txt".
    assert.deepEqual(
      pages.map((p) => p.name),
      ['EVT_WDF_WIDGET_POLISH', 'EVT_WDF_WIDGET_GLOW', 'EVT_WDF_WIDGET_SHINE'],
    );
    assert.equal(pages[1].umdf, '2.15', 'the UTF-16 page is read in full');
    const reasons = Object.fromEntries(skipped.map((s) => [path.basename(s.file), s.reason]));
    assert.deepEqual(reasons, {
      'bad-yaml.md': reasons['bad-yaml.md'],
      'binary.md': 'binary file (contains NUL bytes)',
      'blank.md': 'empty file (only whitespace)',
      'empty.md': 'empty file',
      'huge.md': `file too large (20.0 MB; the limit is ${MAX_DOC_FILE_BYTES / 1024 / 1024} MB)`,
      'latin1.md': 'binary file (not valid UTF-8 text)',
      'list-yaml.md': 'front matter is not a YAML mapping of keys to values',
      'no-name.md': 'not an API page (no UID in the front matter)',
      'notes.txt': 'not a documentation page (no YAML front matter and no "NAME callback function (header.h)" title)',
      'truncated.md': 'front matter is never closed (page cut short?)',
    });
    assert.match(reasons['bad-yaml.md'], /^front matter is not valid YAML: /);
  });

  it('readDocFile never throws: a missing file is a skip', async () => {
    assert.deepEqual(await readDocFile(path.join(dir, 'nope.md')), { skip: 'file not found' });
    assert.deepEqual(await readDocFile(dir), { skip: 'not a file' });
  });

  it('a missing folder rejects with a message the CLI can show', async () => {
    const missing = path.join(dir, 'no-such-folder');
    await assert.rejects(readDocsFolder(missing), { message: `Docs folder not found: ${missing}` });
    const file = path.join(dir, 'wdfwidget', 'empty.md');
    await assert.rejects(readDocsFolder(file), { message: `Docs path is not a folder: ${file}` });
  });
});
