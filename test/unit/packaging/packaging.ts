/**
 * Shared by the packaging tests: which repository files the .vsix ships (vsce's own rule over our
 * .vscodeignore), and which web addresses our text may name.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { minimatch } from 'minimatch';

import { repoRoot } from '../../support/paths';

export { repoRoot };

/** `npm run package` passes this to vsce as --readme-path; vsce always ships that file. */
export const PACKAGED_README_PATH = 'dist/README.md';

/**
 * vsce's rule (collectFiles in @vscode/vsce 4.1.0): a file ships when it matches no ignore pattern
 * of .vscodeignore, or matches one of its `!` patterns; a pattern without a `*` in its last segment
 * also stands for the folder of that name; package.json and the --readme-path file always ship.
 */
export function packagedFilter(): (relativePath: string) => boolean {
  const lines = fs
    .readFileSync(path.join(repoRoot, '.vscodeignore'), 'utf8')
    .split(/[\n\r]/)
    .map((s) => s.trim())
    .filter((s) => s && !s.startsWith('#'));
  const all = [
    ...lines,
    ...lines.filter((l) => !/(^|\/)[^/]*\*[^/]*$/.test(l)).map((l) => (l.endsWith('/') ? `${l}**` : `${l}/**`)),
    '!package.json',
    `!${PACKAGED_README_PATH}`,
  ];
  const ignore = all.filter((p) => !p.startsWith('!'));
  const negate = all.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const options = { dot: true };
  return (file) => !ignore.some((p) => minimatch(file, p, options)) || negate.some((p) => minimatch(file, p, options));
}

/** Addresses our text may name besides learn.microsoft.com, each a real public address, and why. */
export const ALLOWED_ADDRESSES: ReadonlyArray<{ prefix: string; why: string }> = [
  {
    prefix: 'https://raw.githubusercontent.com/MicrosoftDocs/windows-driver-docs-ddi/',
    why: "kmdf.docs.baseUrl's default: Microsoft's public source of the DDI pages learn.microsoft.com shows",
  },
  {
    prefix: 'https://github.com/microsoft/Windows-Driver-Developer-Supplemental-Tools',
    why: "Microsoft's public CodeQL queries for drivers, which two rule pages cite",
  },
  { prefix: 'https://json.schemastore.org/sarif-2.1.0.json', why: 'the SARIF 2.1.0 schema every SARIF file names' },
  {
    prefix: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    why: "the TextMate grammar schema the grammar's $schema names",
  },
  {
    prefix: 'http://schemas.microsoft.com/developer/',
    why: 'the XML namespaces of MSBuild project files and of the .vsix manifest: names, never fetched',
  },
];

/** Host names RFC 2606 reserves for examples: no one's home, so a comment may show one as bad input. */
const RESERVED_EXAMPLE_HOST = /(^|\.)(example\.(com|net|org)|example|test|invalid)$/;

/** http(s) addresses in a text, trailing punctuation removed. */
export function addressesIn(text: string): string[] {
  return [...text.matchAll(/\bhttps?:\/\/[^\s)"'`<>\]\\]+/g)].map((m) => m[0].replace(/[.,;:]+$/, ''));
}

/** Why an address is allowed, or undefined when it is not. */
export function whyAllowed(address: string): string | undefined {
  let url: URL;
  try {
    url = new URL(address.replace(/\$\{[^}]*\}?.*$/, ''));
  } catch {
    return undefined;
  }
  if (url.protocol === 'https:' && url.host === 'learn.microsoft.com' && !url.username) return 'the public reference';
  const listed = ALLOWED_ADDRESSES.find((a) => address.startsWith(a.prefix));
  if (listed) return listed.why;
  if (RESERVED_EXAMPLE_HOST.test(url.hostname)) return 'a host reserved for examples (RFC 2606)';
  return undefined;
}
