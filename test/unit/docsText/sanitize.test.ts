import { strict as assert } from 'node:assert';
import { trimMarkdown } from '../../../server/src/docsText/links';
import {
  allowedLinkTarget,
  escapeMarkdownText,
  sanitizeHoverMarkdown,
  stripControlCharacters,
} from '../../../server/src/docsText/sanitize';

describe('docsText: sanitising untrusted Markdown', () => {
  it('keeps links to the reference site and turns every other link into its text', () => {
    assert.equal(
      sanitizeHoverMarkdown(
        '[a](https://learn.microsoft.com/x) [b](javascript:alert(1)) [c](vscode://x) [d](//evil.example/) [e](https://learn.microsoft.com@evil.example/) [f](<../wdfio/nf-wdfio-x>)',
      ),
      '[a](https://learn.microsoft.com/x) b c d e [f](https://learn.microsoft.com/windows-hardware/drivers/wdfio/nf-wdfio-x)',
    );
    assert.equal(allowedLinkTarget('&#106;avascript:alert(1)'), undefined);
    assert.equal(allowedLinkTarget('https&colon;//evil.example/'), undefined);
    assert.equal(
      allowedLinkTarget('x?a=1&b=(2)'),
      'https://learn.microsoft.com/windows-hardware/drivers/ddi/x?a=1&amp;b=%282%29',
    );
  });

  it('keeps images from the reference site only', () => {
    assert.equal(
      sanitizeHoverMarkdown('![x](https://evil.example/p.png) ![y](https://learn.microsoft.com/p.png)'),
      'x ![y](https://learn.microsoft.com/p.png)',
    );
  });

  it('escapes raw HTML, link definitions and bare URLs, and keeps code spans and fences verbatim', () => {
    assert.equal(
      sanitizeHoverMarkdown('<img src=x onerror=y> `<b>` [r]: http://x www.x.org a@b.c\n```c\n<b>[x](y)\n```'),
      '&lt;img src=x onerror=y> `<b>` \\[r\\]: http\\://x www\\.x.org a\\@b.c\n```c\n<b>[x](y)\n```',
    );
  });

  it('closes a fence left open (``` and ~~~), and ends an indented one at a less indented line', () => {
    assert.equal(sanitizeHoverMarkdown('~~~~\ncode\n```'), '~~~~\ncode\n```\n~~~~');
    assert.equal(sanitizeHoverMarkdown('- a\n  ```\n<b>'), '- a\n  ```\n&lt;b>');
  });

  it('strips terminal control characters but keeps line feeds and tabs', () => {
    assert.equal(stripControlCharacters('a\u001b[31mb\u009b1m\u0007c\r\nd\te\u007f'), 'a[31mb1mc\nd\te');
  });

  it('escapes Markdown in names without touching underscores inside words', () => {
    assert.equal(escapeMarkdownText('EVT_WDF_X'), 'EVT_WDF_X');
    assert.equal(escapeMarkdownText('_Evil*[x]<y>_'), '\\_Evil\\*\\[x\\]\\<y\\>\\_');
  });

  it('trims without leaving a ~~~ or longer ``` fence open', () => {
    const text = 'One paragraph of text here.\n\n~~~\n' + 'code line\n'.repeat(50) + '~~~';
    assert.equal(
      trimMarkdown(text, 100, 'https://learn.microsoft.com/x'),
      'One paragraph of text here.\n\n[…more on the reference page](https://learn.microsoft.com/x)',
    );
  });
});
