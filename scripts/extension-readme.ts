/**
 * The README that ships in the .vsix (`npm run package` passes it to vsce with --readme-path) is
 * docs/extension/README.md with every image inlined as a data: URI.
 *
 * Why inline: VS Code renders an installed extension's README in a webview without a base URL and
 * sanitizes it so that an img src survives only as http(s) or data: (workbench's markdown sanitizer;
 * the page's CSP is `img-src https: data:`). A relative path such as `media/driver-map.png` is
 * therefore dropped or resolved against the workbench, never against the extension's folder, and
 * vsce only rewrites relative links to a repository's address, which this project does not have yet.
 * A data: URI is the one form that shows inside VS Code from what ships in the package.
 *
 * Relative links that are not images would break the same way, so they are refused here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const EXTENSION_README = path.resolve(__dirname, '../docs/extension/README.md');
export const PACKAGED_README = path.resolve(__dirname, '../dist/README.md');

/** Markdown links and images: `[text](target)` / `![alt](target)` (no nested brackets in our text). */
const LINK = /(!?)\[([^\]]*)\]\(([^)\s]+)\)/g;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Images the README shows, as paths relative to the README's folder, in order. */
export function readmeImages(markdown: string): string[] {
  return [...markdown.matchAll(LINK)].filter((m) => m[1] === '!').map((m) => m[3]);
}

/** The packaged README text: images inlined, other links checked to be absolute https or in-page. */
export function renderExtensionReadme(sourceFile: string = EXTENSION_README): string {
  const markdown = fs.readFileSync(sourceFile, 'utf8');
  return markdown.replace(LINK, (_whole, bang: string, text: string, target: string) => {
    if (!bang) {
      if (!/^https:\/\//.test(target) && !target.startsWith('#'))
        throw new Error(`${sourceFile}: the link "${target}" would not open from the installed extension`);
      return `[${text}](${target})`;
    }
    if (/^[a-z]+:/i.test(target)) throw new Error(`${sourceFile}: image "${target}" must be a file of the repository`);
    const file = path.resolve(path.dirname(sourceFile), target);
    const bytes = fs.readFileSync(file);
    if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error(`${file} is not a PNG`);
    return `![${text}](data:image/png;base64,${bytes.toString('base64')})`;
  });
}

if (require.main === module) {
  fs.mkdirSync(path.dirname(PACKAGED_README), { recursive: true });
  fs.writeFileSync(PACKAGED_README, renderExtensionReadme());
  console.log(`wrote ${path.relative(process.cwd(), PACKAGED_README)}`);
}
