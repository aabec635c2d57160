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
  | { kind: 'field'; struct?: string; field: string }
  /** A value of the enumeration (`WdfIoQueueDispatchSequential`). */
  | { kind: 'enumValue'; value: string };

/** The public reference page of an entry, when known. */
export function referenceUrl(entry: IndexEntry): string | undefined {
  if (entry.docsUrl) return entry.docsUrl;
  if (entry.docsPath) return referenceUrlForDocsPath(entry.docsPath);
  return undefined;
}

/**
 * The hover Markdown for an entry, as `subject`, with optional docs prose; `note`: one line of ours
 * (the reference text could not be had), shown before the link and not sanitized: never put
 * untrusted text in it.
 */
export function hoverMarkdown(
  entry: IndexEntry,
  subject: HoverSubject,
  index: KnowledgeIndex,
  text?: DocText,
  note?: string,
): string {
  const blocks: string[] = [];
  const url = referenceUrl(entry);

  if (subject.kind === 'function') {
    const role = entry.roleName ? `*${entry.roleName}* callback` : 'callback';
    blocks.push(`**${escapeMarkdownText(subject.functionName)}** — ${role} (\`${entry.name}\`)`);
  } else if (subject.kind === 'field') {
    const field = escapeMarkdownText(`${subject.struct ? `${subject.struct}.` : ''}${subject.field}`);
    blocks.push(`**${field}** — takes \`${entry.name}\``);
  } else if (subject.kind === 'enumValue') {
    blocks.push(`**${escapeMarkdownText(subject.value)}** — a value of \`${entry.name}\``);
  }

  const code = codeBlock(entry, subject);
  if (code) blocks.push('```c\n' + code + '\n```');

  // A structure or an enumeration has no IRQL (the pages' "Any IRQL" is about using it, not a level).
  const facts = formatFactsLine(
    entry.kind === 'structure' || entry.kind === 'enumeration' ? { ...entry, irql: undefined } : entry,
  );
  if (facts) blocks.push(facts);

  if (entry.kind === 'callback') {
    const reg = index.primaryRegistration(entry.name);
    if (reg) blocks.push(`Registered through ${formatRegistration(reg)}`);
  }
  if (entry.kind === 'structure') {
    const fields = structureFields(entry, index);
    if (fields) blocks.push(fields);
    const inits = index.initializersOf(entry.name).map((m) => `\`${m.name}\``);
    if (inits.length) blocks.push(`Initialized with ${inits.join(', ')}`);
  }
  if (entry.kind === 'enumeration' && entry.members?.length) {
    const current = subject.kind === 'enumValue' ? subject.value : undefined;
    blocks.push(
      '**Values**\n\n' + entry.members.map((m) => (m === current ? `- **\`${m}\`**` : `- \`${m}\``)).join('\n'),
    );
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
  const safe = sanitizeHoverMarkdown(blocks.join('\n\n'));
  if (!note) return safe;
  // The note is our own fixed text (it may link a setting, which the sanitizer would not let through),
  // placed before the reference link.
  const link = url ? safe.lastIndexOf('\n\n[') : -1;
  return link < 0 ? `${safe}\n\n${note}` : `${safe.slice(0, link)}\n\n${note}${safe.slice(link)}`;
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

/**
 * A structure's fields in order, the callback fields with the role type they take (and its role name),
 * so a config structure shows which fields take callbacks; the callback fields alone when the field
 * list is not known.
 */
function structureFields(entry: IndexEntry, index: KnowledgeIndex): string | undefined {
  const callbacks = new Map((entry.callbackFields ?? []).map((f) => [f.field, f.callback]));
  const names = entry.fields?.length ? entry.fields : [...callbacks.keys()];
  if (!names.length) return undefined;
  const line = (field: string) => {
    const role = callbacks.get(field);
    if (!role) return `- \`${field}\``;
    const roleName = index.get(role)?.roleName;
    return `- \`${field}\` — callback: \`${role}\`${roleName && roleName !== field ? ` (${roleName})` : ''}`;
  };
  const missing = [...callbacks.keys()].filter((f) => !names.includes(f));
  const title = callbacks.size ? `**Fields** (${callbacks.size} take callbacks)` : '**Fields**';
  return `${title}\n\n${[...names, ...missing].map(line).join('\n')}`;
}

/** How many methods taking a handle the hover names before "…". */
const HANDLE_METHODS_SHOWN = 6;

/** The hover of a WDF handle type (`WDFDEVICE`): what creates one and the methods that take one. */
export function handleHoverMarkdown(name: string, creators: IndexEntry[], takers: IndexEntry[]): string {
  const blocks = ['```c\n' + `DECLARE_HANDLE(${name});` + '\n```', `**${name}** — a WDF object handle`];
  const named = (list: IndexEntry[]) => list.map((m) => `\`${m.name}\``);
  if (creators.length) blocks.push(`Created by ${named(creators).join(', ')}`);
  if (takers.length) {
    const shown = named(takers.slice(0, HANDLE_METHODS_SHOWN)).join(', ');
    const more = takers.length > HANDLE_METHODS_SHOWN ? ', …' : '';
    blocks.push(`Taken by ${takers.length} method${takers.length === 1 ? '' : 's'}: ${shown}${more}`);
  }
  return sanitizeHoverMarkdown(blocks.join('\n\n'));
}
