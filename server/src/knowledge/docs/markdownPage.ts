/**
 * The docs-repository Markdown parser (current pages and the 2018 form with a `## -prototype` or
 * `## -syntax` block): YAML front matter for the facts, `## -section` blocks for the text.
 */
import { parse as parseYaml } from 'yaml';
import type { DocPage, EntryKind, Param, SeeAlsoLink } from '../types';
import { parsePrototype, directionOf, type Prototype } from './prototype';
import { cleanRequirement, docsUrlFor, docsUrlFromRepoPath, kindOf, evtNameBeforeCallback } from './requirements';
import { assemblePage } from './pageAssembly';
import { absoluteUrl, BANNER, decodeEntities, htmlToMarkdown, toPlainText } from './text';

/** What a parser gives back: a page, or why the text is not one. */
export type ParseResult = { page: DocPage } | { skip: string };

type FrontMatter = Record<string, unknown>;

/** Split off and parse the front matter; a reason string when it is missing, unclosed or not YAML. */
export function readFrontMatter(text: string): { data: FrontMatter; body: string } | { error: string } {
  if (!/^---[ \t]*\n/.test(text)) return { error: 'no YAML front matter' };
  const close = /\n---[ \t]*(?:\n|$)/.exec(text.slice(3));
  if (!close) return { error: 'front matter is never closed (page cut short?)' };
  const yamlText = text.slice(text.indexOf('\n') + 1, 3 + close.index);
  const body = text.slice(3 + close.index + close[0].length);
  let data: unknown;
  try {
    // All scalars as strings ("1.0" must not become 1). Values starting with "*" ("*PFN_X") are
    // pointer type names in the old pages, not YAML aliases. `logLevel: 'error'`: the library would
    // otherwise print its warnings about a page (an odd anchor) on the process's stderr.
    data = parseYaml(quoteStars(yamlText), {
      schema: 'failsafe',
      uniqueKeys: false,
      prettyErrors: false,
      logLevel: 'error',
    });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { error: `front matter is not valid YAML: ${message}` };
  }
  if (!data || typeof data !== 'object' || Array.isArray(data))
    return { error: 'front matter is not a YAML mapping of keys to values' };
  return { data: data as FrontMatter, body };
}

function quoteStars(yamlText: string): string {
  return yamlText.replace(
    // `[ \t]*`, not `\s*`: a leading `\s*` crosses blank lines, and rescans them from every line start.
    /^([ \t]*(?:-\s+|[\w.-]+:\s+))(\*[^\n]*)$/gm,
    (_m, lead: string, value: string) => `${lead}"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`,
  );
}

/** `## -name` sections of the body (lower-case names), in order; text before the first is under "". */
export function splitSections(body: string): Map<string, string> {
  const sections = new Map<string, string>();
  const re = /^##[ \t]+-([\w-]+)[ \t]*$/gm;
  let name = '';
  let start = 0;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    sections.set(name, (sections.get(name) ?? '') + body.slice(start, m.index));
    name = m[1].toLowerCase();
    start = m.index + m[0].length;
  }
  sections.set(name, (sections.get(name) ?? '') + body.slice(start));
  return sections;
}

const str = (v: unknown): string | undefined => cleanRequirement(Array.isArray(v) ? v[0] : v);
const list = (v: unknown): string[] =>
  (Array.isArray(v) ? v.map(String) : typeof v === 'string' && v.trim() ? [v] : [])
    .map((s) => s.trim())
    .filter(Boolean);

/** Parse one docs-repository Markdown page (current or 2018 form). */
export function parseMarkdownPage(text: string, location: string): ParseResult {
  const src = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (!src.trim()) return { skip: 'empty file' };
  const fm = readFrontMatter(src);
  if ('error' in fm) return { skip: fm.error };
  const data = fm.data;

  const identity = identify(data);
  if ('skip' in identity) return identity;
  const { uidMatch, kind, apiNames, rawName, name } = identity;

  const sections = splitSections(fm.body);
  const headerDir = (uidMatch?.[2] ?? str(data['req.header'])?.replace(/\.h$/i, '') ?? '').toLowerCase() || undefined;
  const pageDir = pageDirOf(location) ?? headerDir;
  const md = (s: string | undefined) => (s && s.trim() ? htmlToMarkdown(s, pageDir) || undefined : undefined);

  const descriptionRaw = sections.get('description') ?? '';
  const banner = BANNER.exec(descriptionRaw)?.[1] ?? BANNER.exec(fm.body)?.[1];

  const protoSection = sections.get('prototype') ?? sections.get('syntax');
  const protoCode = protoSection ? codeOf(protoSection) : undefined;
  const prototype =
    protoCode && (kind === 'callback' || kind === 'method' || kind === 'macro') ? parsePrototype(protoCode) : undefined;

  const docParams = readParamSections(sections.get('parameters') ?? '', md);
  const { params, complete } = mergeParams(docParams, prototype);

  const header = str(data['req.header']) ?? (headerDir ? `${headerDir}.h` : undefined);
  const url =
    docsUrlFromRepoPath(location) ??
    (uidMatch && headerDir
      ? docsUrlFromUid(uidMatch[1], headerDir, uidMatch[3] ?? rawName)
      : header
        ? docsUrlFor(name, header, kind)
        : undefined);
  const page = assemblePage({
    name,
    kind,
    header,
    location,
    format: protoSection !== undefined ? 'markdown-2018' : 'markdown',
    params,
    paramsComplete: complete,
    prototype,
    seeAlso: readSeeAlso(sections.get('see-also') ?? '', pageDir),
    banner,
    kmdfVersion: data['req.kmdf-ver'],
    umdfVersion: data['req.umdf-ver'],
    minWindows: data['req.target-min-winverclnt'],
    irqlText: str(data['req.irql']),
    prose: [
      descriptionRaw,
      sections.get('parameters') ?? '',
      sections.get('returns') ?? '',
      sections.get('remarks') ?? '',
    ].join('\n\n'),
    fields: kind === 'structure' ? fieldNames(sections.get('struct-fields')) : undefined,
    members: kind === 'enumeration' ? fieldNames(sections.get('enum-fields')) : undefined,
    roleName:
      kind === 'callback' ? callbackRoleName(name, data, descriptionRaw, apiNames, prototype, fm.body) : undefined,
    description: md(descriptionRaw),
    returnText: md(sections.get('returns')),
    remarks: md(sections.get('remarks')),
    ddiCompliance: list(data['req.ddi-compliance'])
      .flatMap((s) => s.split(/[,;]/))
      .map((s) => s.replace(/\[([^[\]]+)\]\([^)[\]]*\)/g, '$1').trim())
      .filter(Boolean),
    docsUrl: url,
  });
  return { page };
}

/** A callback page's role name, from its front matter's description, api names and keywords, prototype and body. */
function callbackRoleName(
  name: string,
  data: FrontMatter,
  descriptionRaw: string,
  apiNames: string[],
  prototype: ReturnType<typeof parsePrototype> | undefined,
  body: string,
): ReturnType<typeof roleNameFromPage> {
  return roleNameFromPage(
    name,
    [str(data.description), toPlainText(descriptionRaw)],
    apiNames,
    prototype,
    list(data['ms.keywords']).join(',') + ',' + (str(data['ms.keywords']) ?? ''),
    body,
  );
}

/** What a page's front matter says it documents, or why it is not an API page. */
function identify(
  data: FrontMatter,
):
  | { skip: string }
  | { uidMatch: RegExpExecArray | null; kind: EntryKind; apiNames: string[]; rawName: string; name: string } {
  const uid = str(data.UID) ?? str(data.uid);
  const uidMatch = uid ? /^([A-Za-z]{2}):([\w-]+)(?:\.([\w]+))?/.exec(uid) : null;
  const topic = str(data['ms.topic']);
  if (
    ['NA', 'TP'].includes(uidMatch?.[1].toUpperCase() ?? '') ||
    (topic && /^(overview|portal|conceptual|landing-page)$/i.test(topic))
  ) {
    return { skip: 'not an API page (header or technology overview)' };
  }
  const kind = kindOf(uidMatch?.[1], topic);
  const apiNames = list(data.api_name ?? data.apiname);
  const rawName = uidMatch?.[3] ?? apiNames[0];
  if (!kind)
    return {
      skip:
        uid || rawName
          ? `not an API page (no callback, function, structure or enumeration UID: ${uid ?? rawName})`
          : 'not an API page (no UID in the front matter)',
    };
  if (!rawName) return { skip: 'page has no API name (no UID name or api_name; page cut short?)' };
  return { uidMatch, kind, apiNames, rawName, name: apiName(rawName, kind) };
}

/** Callbacks are named by their upper-case role type; structures and enumerations by their typedef (no leading "_"). */
function apiName(raw: string, kind: EntryKind): string {
  const name = raw.trim().replace(/^\*/, '');
  if (kind === 'structure' || kind === 'enumeration') return name.replace(/^_+/, '');
  if (kind === 'callback' && /^evt_/i.test(name)) return name.toUpperCase();
  return name;
}

function docsUrlFromUid(prefix: string, headerDir: string, uidName: string): string {
  return docsUrlFromRepoPath(`${headerDir}/${prefix.toLowerCase()}-${headerDir}-${uidName.toLowerCase()}.md`)!;
}

/** The header folder of a page from its location ".../wdfio/nc-wdfio-x.md". */
function pageDirOf(location: string): string | undefined {
  return /(?:^|[/\\])([a-z0-9_]+)[/\\]n[cfse]-[^/\\]+$/i.exec(location)?.[1]?.toLowerCase();
}

/**
 * The names of a `## -struct-fields` / `## -enum-fields` section's `### -field Name` headings, in
 * order: a value's `:0` and nested fields (`Settings.Parallel`) are left out.
 */
function fieldNames(section: string | undefined): string[] {
  const names: string[] = [];
  for (const m of (section ?? '').matchAll(/^###\s+-field\s+([A-Za-z_]\w*)(?=[\s:]|$)(?!\.)/gm))
    if (!names.includes(m[1])) names.push(m[1]);
  return names;
}

/** The code of a prototype section: its fenced block, or the section itself without fences. */
function codeOf(section: string): string | undefined {
  const fenced = /^[ \t]*(`{3,}|~{3,})[^\n]*\n([\s\S]*?)(?:^[ \t]*\1[ \t]*$|$(?![\s\S]))/m.exec(section);
  const code = fenced ? fenced[2] : section;
  return code.trim() ? decodeEntities(code) : undefined;
}

interface DocParam {
  name: string;
  direction?: Param['direction'];
  optional?: boolean;
  description?: string;
}

/** `### -param Name [in]` blocks; the `[in]` may also stand on the first line of the block. */
function readParamSections(section: string, md: (s: string | undefined) => string | undefined): DocParam[] {
  const out: DocParam[] = [];
  const re = /^###[ \t]+-param[ \t]+([^\s[]+)[ \t]*(\[[^\]\n]*\])?[^\n]*$/gm;
  const heads = [...section.matchAll(re)];
  heads.forEach((m, i) => {
    let block = section.slice(m.index + m[0].length, i + 1 < heads.length ? heads[i + 1].index : undefined);
    let bracket = m[2];
    if (!bracket) {
      const next = /^\s*(\[[^\]\n]*\])[ \t]*/.exec(block);
      if (next) {
        bracket = next[1];
        block = block.slice(next[0].length);
      }
    }
    const p: DocParam = { name: m[1].replace(/^\*+/, '').replace(/[,;:]$/, '') };
    if (bracket) {
      const d = directionOf(bracket.slice(1, -1));
      if (d.direction) p.direction = d.direction;
      if (d.optional) p.optional = true;
    }
    const description = md(block);
    if (description) p.description = description;
    out.push(p);
  });
  return out;
}

/**
 * Parameters in the order the page lists them, with type and SAL from the prototype where it names
 * the same parameter. Complete when the prototype was closed and names exactly the listed parameters.
 */
function mergeParams(
  docParams: DocParam[],
  prototype: Prototype | undefined,
): { params: DocPage['params']; complete: boolean } {
  if (!prototype) return { params: docParams.map((d) => ({ ...d, type: '' })), complete: false };
  const byName = new Map(prototype.params.map((p) => [p.name, p]));
  const listed = docParams.length ? docParams : prototype.params.map((p): DocParam => ({ name: p.name }));
  const params = listed.map((d) => {
    const p = byName.get(d.name);
    const out: DocPage['params'][number] = { name: d.name, type: p?.type ?? '' };
    const direction = d.direction ?? p?.direction;
    if (direction) out.direction = direction;
    if (p?.sal) out.sal = p.sal;
    if (d.optional || p?.optional) out.optional = true;
    if (d.description) out.description = d.description;
    return out;
  });
  const complete =
    prototype.closed &&
    prototype.params.length === listed.length &&
    prototype.params.every((p, i) => p.name === listed[i].name);
  return { params, complete };
}

/**
 * An HTML anchor or a Markdown link. Linear on any line: attributes stop at `<`/`>`, the anchor text
 * stops at the next `<a` or `</a>`, and the Markdown text and target stop at the next bracket.
 */
const SEE_ALSO_LINK =
  /<a\s[^<>]*?href="([^"<>]*)"[^<>]*>([^<]*(?:<(?!\/?a[\s>])[^<]*)*)<\/a>|\[([^[\]]+)\]\(\s*<?([^)\s<>[\]]*)>?[^)[\]]*\)/gi;

/** Links of the see-also section (HTML or Markdown), or plain lines; feedback mail links dropped. */
export function readSeeAlso(section: string, pageDir?: string): SeeAlsoLink[] {
  const out: SeeAlsoLink[] = [];
  const push = (text: string, href?: string) => {
    const t = toPlainText(decodeEntities(text)).replace(/\s+/g, ' ').trim();
    if (!t || (href && /^mailto:/i.test(href))) return;
    out.push(href ? { text: t, href: absoluteUrl(decodeEntities(href), pageDir) } : { text: t });
  };
  for (const line of section.replace(/\r\n?/g, '\n').split('\n')) {
    const l = line.trim().replace(/^[-*•]\s+/, '');
    // (`\u00a0` is in `\s`: an alternation of both backtracks exponentially on a run of them.)
    if (!l || /^(?:&nbsp;|\s)*$/.test(l)) continue;
    const links = [...l.matchAll(SEE_ALSO_LINK)];
    if (links.length) for (const m of links) push(m[2] ?? m[3], m[1] ?? m[4]);
    else if (!/^<\/?\w/.test(l)) push(l);
  }
  return out;
}

/**
 * "A driver's EvtIoStop event callback function …" → "EvtIoStop"; else apiname, prototype, the
 * example's role-type declaration or keywords.
 */
function roleNameFromPage(
  name: string,
  descriptions: (string | undefined)[],
  apiNames: string[],
  prototype: Prototype | undefined,
  keywords: string,
  body: string,
): string | undefined {
  for (const d of descriptions) {
    const role = d && evtNameBeforeCallback(d);
    if (role) return role;
  }
  const fromApi = apiNames.find((a) => /^Evt[A-Z]\w*$/.test(a));
  if (fromApi) return fromApi;
  if (prototype && /^Evt[A-Z]/.test(prototype.name) && !/^EvtWdf/.test(prototype.name)) return prototype.name;
  // The keywords name the callback; but some pages list a sibling's name there
  // (EVT_UCM_CONNECTOR_SET_POWER_ROLE's say EvtSetDataRole). The page's example declares the callback
  // with its role type (`EVT_X EvtX;`): that name wins when it, and not the keyword, ends as the role
  // type does (POWER_ROLE → …PowerRole). Else the keyword, as the page's own name, wins.
  const kw = /(?:^|[,\s/])(Evt[A-Z]\w*)(?=\s*(?:,|$| callback))/.exec(keywords)?.[1];
  const declared = new RegExp(`\\b${name}\\s+(Evt[A-Z]\\w*)\\s*;`).exec(body)?.[1];
  const tail = name.split('_').slice(-2).join('').toLowerCase();
  const fits = (n: string) => n.toLowerCase().includes(tail);
  if (kw && (fits(kw) || !declared || !fits(declared))) return kw;
  if (declared) return declared;
  for (const d of descriptions) {
    const m = d && /\b(Evt[A-Z]\w*)\b/.exec(d);
    if (m && m[1].toUpperCase() !== name) return m[1];
  }
  return undefined;
}
