import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MAX_HEADER_BYTES, readHeaderFolders } from '../../../../server/src/knowledge/headers';

const GOOD = [
  'typedef',
  '_Function_class_(EVT_WDF_LAMP_GLOW)',
  '_IRQL_requires_max_(PASSIVE_LEVEL)',
  'VOID',
  'EVT_WDF_LAMP_GLOW(_In_ WDFLAMP Lamp);',
  'typedef EVT_WDF_LAMP_GLOW *PFN_WDF_LAMP_GLOW;',
  '',
].join('\n');

describe('readHeaderFolders: bad input', () => {
  let tmp: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-badheaders-'));
    fs.writeFileSync(path.join(tmp, 'good.h'), GOOD);
    fs.writeFileSync(path.join(tmp, 'binary.h'), Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04]));
    fs.writeFileSync(path.join(tmp, 'empty.h'), '');
    fs.writeFileSync(path.join(tmp, 'huge.h'), Buffer.alloc(MAX_HEADER_BYTES + 1, 0x20));
    fs.writeFileSync(path.join(tmp, 'notes.txt'), 'not a header');
    fs.symlinkSync(path.join(tmp, 'nowhere.h'), path.join(tmp, 'dangling.h'));
    // A UTF-16 header with BOM (as some editors save them) is text, not binary.
    fs.writeFileSync(
      path.join(tmp, 'wide.h'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(GOOD.replace(/GLOW/g, 'WIDE'), 'utf16le')]),
    );
    // A UTF-8 BOM is dropped.
    fs.writeFileSync(path.join(tmp, 'bom.h'), '\ufeff' + GOOD.replace(/GLOW/g, 'BOM'));
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('skips binary, empty, oversize and unreadable files with a reason, reads the rest, and never throws', async () => {
    const missing = path.join(tmp, 'no-such-folder');
    const aFile = path.join(tmp, 'good.h');
    const result = await readHeaderFolders([missing, tmp, aFile]);
    assert.deepEqual(
      result.decls.map((d) => `${d.name} ${d.pfn} ${d.header}`),
      [
        'EVT_WDF_LAMP_BOM PFN_WDF_LAMP_BOM bom.h',
        'EVT_WDF_LAMP_GLOW PFN_WDF_LAMP_GLOW good.h',
        'EVT_WDF_LAMP_WIDE PFN_WDF_LAMP_WIDE wide.h',
      ],
    );
    assert.equal(result.files, 3);
    assert.deepEqual(result.problems, []);
    const reasons = result.skipped.map((s) => `${path.basename(s.file)}: ${s.reason.replace(/:.*$/s, '')}`);
    assert.deepEqual(reasons, [
      'no-such-folder: folder not found',
      'binary.h: binary file (NUL bytes), not a C header',
      'dangling.h: unreadable',
      'empty.h: empty file',
      'huge.h: oversize',
      'good.h: not a folder',
    ]);
    assert.equal(
      result.skipped.find((s) => s.file.endsWith('huge.h'))!.reason,
      `oversize: ${MAX_HEADER_BYTES + 1} bytes (limit ${MAX_HEADER_BYTES})`,
    );
    assert.match(result.skipped.find((s) => s.file.endsWith('dangling.h'))!.reason, /^unreadable: ENOENT/);
  });

  it('returns nothing (and no error) for no folders', async () => {
    assert.deepEqual(await readHeaderFolders([]), { decls: [], skipped: [], problems: [], files: 0 });
  });
});
