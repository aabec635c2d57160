import { strict as assert } from 'node:assert';
import {
  absoluteHref,
  absolutizeLinks,
  referenceUrlForDocsPath,
  trimMarkdown,
} from '../../../server/src/docsText/links';

describe('docsText: links', () => {
  it('makes site-relative and page-relative links absolute', () => {
    assert.equal(
      absoluteHref('/windows-hardware/drivers/wdf/x'),
      'https://learn.microsoft.com/windows-hardware/drivers/wdf/x',
    );
    assert.equal(
      absoluteHref('/en-us/windows-hardware/drivers/wdf/x'),
      'https://learn.microsoft.com/windows-hardware/drivers/wdf/x',
    );
    assert.equal(
      absoluteHref('nf-wdfio-a.md#remarks', 'wdfio'),
      'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nf-wdfio-a#remarks',
    );
    assert.equal(
      absoluteHref('../wdfdevice/nf-wdfdevice-b.md', 'wdfio'),
      'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfdevice/nf-wdfdevice-b',
    );
    assert.equal(absoluteHref('https://example.com/a'), 'https://example.com/a');
    assert.equal(absoluteHref('#anchor'), '#anchor');
    assert.equal(
      absolutizeLinks('a [x](/a) b ![i](img/p.png "t")', 'wdfio'),
      'a [x](https://learn.microsoft.com/a) b ![i](https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/img/p.png "t")',
    );
    assert.equal(
      referenceUrlForDocsPath('wdfio/nc-wdfio-evt_wdf_io_queue_io_stop.md'),
      'https://learn.microsoft.com/windows-hardware/drivers/ddi/wdfio/nc-wdfio-evt_wdf_io_queue_io_stop',
    );
  });

  it('trims long Markdown at a paragraph with a link to the page', () => {
    const para = (c: string) => c.repeat(40);
    const text = [para('a'), para('b'), para('c')].join('\n\n');
    assert.equal(trimMarkdown(text, 500), text);
    assert.equal(
      trimMarkdown(text, 90, 'https://x/y'),
      `${para('a')}\n\n${para('b')}\n\n[…more on the reference page](https://x/y)`,
    );
    // No unclosed code fence.
    const fenced = `${para('a')}\n\n\`\`\`c\nint x;\n\n${para('d')}\n\`\`\``;
    assert.equal(trimMarkdown(fenced, 70, 'u'), `${para('a')}\n\n[…more on the reference page](u)`);
  });
});
