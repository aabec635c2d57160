/**
 * The Markdown of a hover over a WDF name: signature, one facts line, where the callback is
 * registered, then the docs prose (when there is any) and a link to the reference page. Pure: the
 * hover feature decides what the cursor is on and fetches the prose; this lays it out.
 */
import { formatFactsLine, formatParam, formatRegistration, formatSignature } from '../knowledge/format';
import type { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import type { DocText, IndexEntry } from '../knowledge/types';
import { referenceUrlForDocsPath, trimMarkdown } from '../docsText/links';
import { escapeMarkdownText, sanitizeHoverMarkdown } from '../docsText/sanitize';

/** Longest remarks shown before "…more on the reference page". */
export const REMARKS_LIMIT = 1200;
const DESCRIPTION_LIMIT = 800;

/** What the cursor is on, beyond the entry itself. */
export type HoverSubject =
  | { kind: 'entry' }
  /** A driver function with this role type (`EchoEvtIoStop`). */
  | { kind: 'function'; functionName: string; defined: boolean }
  /** A config field (`EvtIoStop` in `config.EvtIoStop`) of a structure. */
  | { kind: 'field'; struct?: string; field: string };

/** The public reference page of an entry, when known. */
export function referenceUrl(entry: IndexEntry): string | undefined {
  if (entry.docsUrl) return entry.docsUrl;
  if (entry.docsPath) return referenceUrlForDocsPath(entry.docsPath);
  return undefined;
}

/** The hover Markdown for an entry, as `subject`, with optional docs prose. */
export function hoverMarkdown(entry: IndexEntry, subject: HoverSubject, index: KnowledgeIndex, text?: DocText): string {
  const blocks: string[] = [];
  const url = referenceUrl(entry);

  if (subject.kind === 'function') {
    const role = entry.roleName ? `*${entry.roleName}* callback` : 'callback';
    blocks.push(`**${escapeMarkdownText(subject.functionName)}** — ${role} (\`${entry.name}\`)`);
  } else if (subject.kind === 'field') {
    const field = escapeMarkdownText(`${subject.struct ? `${subject.struct}.` : ''}${subject.field}`);
    blocks.push(`**${field}** — takes \`${entry.name}\``);
  }

  const code = codeBlock(entry, subject);
  if (code) blocks.push('```c\n' + code + '\n```');

  const facts = formatFactsLine(entry);
  if (facts) blocks.push(facts);

  if (entry.kind === 'callback') {
    const reg = index.primaryRegistration(entry.name);
    if (reg) blocks.push(`Registered through ${formatRegistration(reg)}`);
  }
  if (entry.kind === 'structure' && entry.callbackFields?.length) {
    blocks.push(
      '**Callback fields**\n\n' + entry.callbackFields.map((f) => `- \`${f.field}\` — \`${f.callback}\``).join('\n'),
    );
  }
  if (entry.kind === 'enumeration' && entry.members?.length) {
    blocks.push('**Values**\n\n' + entry.members.map((m) => `- \`${m}\``).join('\n'));
  }

  if (text) {
    if (text.description) blocks.push(trimMarkdown(text.description, DESCRIPTION_LIMIT, url));
    const described = (text.params ?? []).filter((p) => p.description);
    if (described.length)
      blocks.push(
        '**Parameters**\n\n' + described.map((p) => `- \`${p.name}\` — ${oneParagraph(p.description)}`).join('\n'),
      );
    if (text.returnText) blocks.push('**Return value**\n\n' + trimMarkdown(text.returnText, DESCRIPTION_LIMIT, url));
    if (text.remarks) blocks.push('**Remarks**\n\n' + trimMarkdown(text.remarks, REMARKS_LIMIT, url));
  }

  if (url) blocks.push(`[${escapeMarkdownText(entry.name)} on the reference site](${url})`);
  // Docs prose and names are untrusted: every client gets Markdown whose only live parts are ours.
  return sanitizeHoverMarkdown(blocks.join('\n\n'));
}

/** The C shown in the hover's code block. */
function codeBlock(entry: IndexEntry, subject: HoverSubject): string | undefined {
  if (entry.kind === 'callback' || entry.kind === 'method') {
    const name = subject.kind === 'function' ? subject.functionName : entry.name;
    const signature = formatSignature(entry, name);
    if (!signature) return undefined;
    // A role type is a function typedef; a driver function or a method is shown as declared.
    return entry.kind === 'callback' && subject.kind !== 'function' ? `typedef ${signature}` : signature;
  }
  if (entry.kind === 'structure') return `typedef struct _${entry.name} ${entry.name}, *P${entry.name};`;
  if (entry.kind === 'enumeration') return `typedef enum _${entry.name} ${entry.name};`;
  if (entry.kind === 'macro' && entry.params.length)
    return `${entry.name}(${entry.params.map(formatParam).join(', ')})`;
  return undefined;
}

/** Parameter texts as one line in a list item (line breaks inside a list item break the list). */
function oneParagraph(markdown: string): string {
  return markdown
    .trim()
    .replace(/\s*\n\s*\n\s*/g, ' ')
    .replace(/\s*\n\s*/g, ' ');
}
