/**
 * The parser for the rendered text of a reference web page: a title line "EVT_X callback function (wdfx.h)",
 * the "[Applies to …]" banner, a description, a syntax block (possibly garbled), `[in]` parameter blocks,
 * "Return value", remarks, a requirements table and "See also". Headings are often lost in copying, so
 * sections are told apart by their shape: two blank lines end a section.
 */
import type { DocPage, Param } from '../types';
import { directionOf, parsePrototype, type Prototype } from './prototype';
import { docsUrlFor, kindFromTitleWord, evtNameBeforeCallback } from './requirements';
import type { ParseResult } from './markdownPage';
import { assemblePage } from './pageAssembly';

/** "EVT_WDF_IO_QUEUE_IO_STOP callback function (wdfio.h)", "WdfIoQueueCreate function (wdfio.h)". */
export const RENDERED_TITLE =
  /^\s*([A-Za-z_]\w*)\s+(callback function|callback|function|method|macro|structure|struct|enumeration|enum)\s*\(\s*([\w.]+\.h)\s*\)\s*$/i;

const REQUIREMENT_ROWS: [RegExp, string][] = [
  [/^Target Platform\s+(.*)$/i, 'platform'],
  [/^Minimum KMDF version\s+(.*)$/i, 'kmdf'],
  [/^Minimum UMDF version\s+(.*)$/i, 'umdf'],
  [/^Minimum supported client\s+(.*)$/i, 'client'],
  [/^Minimum supported server\s+(.*)$/i, 'server'],
  [/^Header\s+(.*)$/i, 'header'],
  [/^Library\s+(.*)$/i, 'library'],
  [/^DLL\s+(.*)$/i, 'dll'],
  [/^IRQL\s+(.*)$/i, 'irql'],
  [/^DDI compliance rules\s+(.*)$/i, 'ddi'],
  [/^Requirement\s+Value$/i, 'table-head'],
];

function requirementRow(line: string): [string, string] | undefined {
  for (const [re, key] of REQUIREMENT_ROWS) {
    const m = re.exec(line.trim());
    if (m) return [key, (m[1] ?? '').trim()];
  }
  return undefined;
}

interface Block {
  direction?: Param['direction'];
  optional?: boolean;
  name?: string;
  description: string;
}

/** Parse the rendered text of one reference page. */
export function parseRenderedPage(text: string, location: string): ParseResult {
  const src = text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(/\u00a0/g, ' ');
  if (!src.trim()) return { skip: 'empty file' };
  const lines = src.split('\n');
  const titleAt = lines.findIndex((l) => l.trim() !== '');
  const title = RENDERED_TITLE.exec(lines[titleAt]);
  if (!title) return { skip: 'not a reference page (no "NAME callback function (header.h)" title line)' };
  const kind = kindFromTitleWord(title[2])!;
  const name = kind === 'callback' && /^evt_/i.test(title[1]) ? title[1].toUpperCase() : title[1];
  let header = title[3];

  const { seeAlso, req, bodyLines } = readTail(lines, titleAt + 1);
  const { banner, description, descEnd, syntaxStart } = readIntro(bodyLines);
  const { prototype, end: syntaxEnd } = readSyntax(bodyLines, syntaxStart, descEnd);
  const rest = bodyLines.slice(Math.max(syntaxEnd, descEnd));
  const { blocks, end: blocksEnd } = readParamBlocks(rest);
  const { returnLines, remarkLines } = splitReturnAndRemarks(rest.slice(blocksEnd));

  const { params, complete } = pairParams(blocks, prototype);
  const headerCell = req.get('header');
  if (headerCell) header = /([\w.]+\.h)\b/i.exec(headerCell)?.[1] ?? header;
  const descriptionText = tidy(description);
  const returnText = tidy(returnLines);
  const remarks = tidy(remarkLines);
  const page = assemblePage({
    name,
    kind,
    header,
    location,
    format: 'rendered',
    params,
    paramsComplete: complete,
    prototype,
    seeAlso,
    banner,
    kmdfVersion: req.get('kmdf'),
    umdfVersion: req.get('umdf'),
    minWindows: req.get('client'),
    irqlText: req.get('irql'),
    prose: [descriptionText, ...blocks.map((b) => b.description), returnText, remarks].filter(Boolean).join('\n\n'),
    roleName:
      kind === 'callback'
        ? (evtNameBeforeCallback(descriptionText ?? '') ??
          (prototype && /^Evt[A-Z]/.test(prototype.name) && !/^EvtWdf/.test(prototype.name)
            ? prototype.name
            : undefined))
        : undefined,
    description: descriptionText,
    returnText,
    remarks,
    ddiCompliance:
      req
        .get('ddi')
        ?.split(/[,;]\s*|\s+/)
        .map((s) => s.trim())
        .filter(Boolean) ?? [],
    docsUrl: docsUrlFor(name, header, kind),
  });
  return { page };
}

/** The page's tail, read first: the "See also" links and the requirements table above them; the body is what comes before. */
function readTail(
  lines: string[],
  i: number,
): { seeAlso: DocPage['seeAlso']; req: Map<string, string>; bodyLines: string[] } {
  let end = lines.length;
  const seeAlsoAt = lastIndex(lines, (l) => /^\s*See also\s*$/i.test(l));
  const seeAlso: DocPage['seeAlso'] = [];
  if (seeAlsoAt >= 0) {
    for (const l of lines.slice(seeAlsoAt + 1)) if (l.trim()) seeAlso.push({ text: l.trim().replace(/^[•*-]\s+/, '') });
    end = seeAlsoAt;
  }
  const req = new Map<string, string>();
  let reqStart = end;
  for (let j = end - 1; j >= i; j--) {
    const l = lines[j];
    if (!l.trim()) continue;
    const row = requirementRow(l);
    if (!row) break;
    if (!req.has(row[0])) req.set(row[0], row[1]);
    reqStart = j;
  }
  if (lines.slice(i, reqStart).length && /^\s*Requirements\s*$/i.test(lines[reqStart - 1] ?? '')) reqStart--;
  return { seeAlso, req, bodyLines: lines.slice(i, reqStart) };
}

/** The banner and the description: the body's lines up to the syntax block or the first parameter block. */
function readIntro(bodyLines: string[]): {
  banner: string | undefined;
  description: string[];
  descEnd: number;
  syntaxStart: number;
} {
  let banner: string | undefined;
  const description: string[] = [];
  const syntaxStart = bodyLines.findIndex(
    (l) =>
      /^\s*(?:[A-Za-z_][\w*]*\s+)+\**[A-Za-z_]\w*\s*\(\s*$/.test(l) ||
      /^\s*(?:typedef\s+)?(?:struct|enum)\s+\w*\s*\{\s*$/.test(l),
  );
  const firstBlock = bodyLines.findIndex((l) =>
    /^\s*\[(?:in|out|in,\s*out|in,\s*optional|out,\s*optional|in,\s*out,\s*optional)\]/i.test(l),
  );
  const descEnd = [
    syntaxStart,
    firstBlock,
    bodyLines.findIndex((l) => /^\s*(Return value|Remarks|Parameters|Syntax)\s*$/i.test(l)),
  ]
    .filter((n) => n >= 0)
    .reduce((a, b) => Math.min(a, b), bodyLines.length);
  for (let k = 0; k < descEnd; k++) {
    const l = bodyLines[k];
    const b = /^\s*\[Applies to ([^\]]+)\]\s*$/i.exec(l);
    if (b && !banner) banner = b[1];
    else description.push(l);
  }
  return { banner, description, descEnd, syntaxStart };
}

/** The syntax block, when it starts where the description ends: from the "RET Name(" line to ");" or a blank line. */
function readSyntax(
  bodyLines: string[],
  syntaxStart: number,
  descEnd: number,
): { prototype: Prototype | undefined; end: number } {
  if (syntaxStart < 0 || syntaxStart !== descEnd) return { prototype: undefined, end: 0 };
  const code: string[] = [];
  let k: number;
  for (k = syntaxStart; k < bodyLines.length; k++) {
    const l = bodyLines[k];
    if (!l.trim()) break;
    code.push(l);
    if (/\)\s*;?\s*$/.test(l) && k > syntaxStart) {
      k++;
      break;
    }
  }
  return { prototype: parsePrototype(code.join('\n')), end: k };
}

/** The `[in]`/`[out]` parameter blocks at the start of `rest`, and where they end. */
function readParamBlocks(rest: string[]): { blocks: Block[]; end: number } {
  const blocks: Block[] = [];
  let at = 0;
  while (at < rest.length) {
    const l = rest[at];
    if (!l.trim() || /^\s*Parameters\s*$/i.test(l)) {
      at++;
      continue;
    }
    const m = /^\s*\[([^\]]+)\]\s*(.*)$/.exec(l);
    if (
      !m ||
      !/^(in|out|in,\s*out|in\/out|in,\s*optional|out,\s*optional|in,\s*out,\s*optional|inout)$/i.test(m[1].trim())
    )
      break;
    const d = directionOf(m[1]);
    const block: Block = { description: '' };
    if (d.direction) block.direction = d.direction;
    if (d.optional) block.optional = true;
    const after = m[2].trim();
    const body: string[] = [];
    if (/^[A-Za-z_]\w*$/.test(after)) block.name = after;
    else if (after) body.push(after);
    for (at++; at < rest.length; at++) {
      const t = rest[at];
      if (/^\s*\[(in|out)[^\]]*\]/i.test(t) || /^\s*(Return value|Remarks)\s*$/i.test(t)) break;
      body.push(t);
    }
    block.description = body.join('\n').trim();
    blocks.push(block);
  }

  return { blocks, end: at };
}

/** The return value and the remarks after the parameter blocks (headings may be lost: then blank lines tell them apart). */
function splitReturnAndRemarks(tail: string[]): { returnLines: string[]; remarkLines: string[] } {
  let returnLines: string[] = [];
  let remarkLines: string[];
  const retAt = tail.findIndex((l) => /^\s*Return value\s*$/i.test(l));
  const remAt = tail.findIndex((l) => /^\s*Remarks\s*$/i.test(l));
  if (retAt >= 0) {
    const afterRet = tail.slice(retAt + 1);
    if (remAt > retAt) {
      returnLines = tail.slice(retAt + 1, remAt);
      remarkLines = tail.slice(remAt + 1);
    } else {
      // No "Remarks" heading survived: the return text is the first run of paragraphs (single blank
      // lines between them); two or more blank lines start the remarks.
      const joined = afterRet.join('\n').replace(/^\n+/, (lead) => (lead.length >= 3 ? '\u0000' : ''));
      const split = joined.split(/\n{3,}/);
      if (joined.startsWith('\u0000')) {
        returnLines = [];
        remarkLines = joined.slice(1).split('\n');
      } else {
        returnLines = (split[0] ?? '').split('\n');
        remarkLines = split.slice(1).join('\n\n').split('\n');
      }
    }
  } else {
    remarkLines = remAt >= 0 ? tail.slice(remAt + 1) : tail;
  }

  return { returnLines, remarkLines };
}

/**
 * Pair the parameter blocks with the prototype's parameters. Named blocks pair by name. Unnamed blocks
 * (the copy lost the names) pair from the end with the prototype's parameters, because a garbled
 * syntax block loses its first lines. Complete only when every block pairs and the counts agree.
 */
function pairParams(
  blocks: Block[],
  prototype: Prototype | undefined,
): { params: DocPage['params']; complete: boolean } {
  const protoParams = prototype?.params ?? [];
  const params: DocPage['params'] = [];
  const offset = blocks.length - protoParams.length;
  blocks.forEach((b, n) => {
    const p = b.name ? protoParams.find((x) => x.name === b.name) : protoParams[n - offset];
    const name = b.name ?? p?.name;
    if (!name) return;
    const out: DocPage['params'][number] = { name, type: p?.type ?? '' };
    const direction = b.direction ?? p?.direction;
    if (direction) out.direction = direction;
    if (p?.sal) out.sal = p.sal;
    if (b.optional || p?.optional) out.optional = true;
    if (b.description) out.description = b.description;
    params.push(out);
  });
  if (!blocks.length) for (const p of protoParams) params.push({ ...p });
  const complete =
    !!prototype &&
    (blocks.length === 0 ||
      (blocks.length === protoParams.length &&
        params.length === blocks.length &&
        blocks.every((b, n) => !b.name || b.name === protoParams[n].name)));
  return { params, complete };
}

/** Lines to paragraphs: blank-line runs collapse to one; "•" bullets become Markdown list items. */
function tidy(lines: string[]): string | undefined {
  const text = lines
    .map((l) => l.trimEnd().replace(/^(\s*)•\s*/, '$1- '))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return text || undefined;
}

function lastIndex<T>(items: T[], test: (t: T) => boolean): number {
  for (let n = items.length - 1; n >= 0; n--) if (test(items[n])) return n;
  return -1;
}
