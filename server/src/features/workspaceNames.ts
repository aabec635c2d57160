/**
 * Names the driver itself owns (functions it defines, declares or registers) and where they occur in
 * the files of the driver project a document belongs to. Definition, references, rename and document
 * highlights read these; they need no include setup, only the analysed files of the project.
 */
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Location, Position, Range } from 'vscode-languageserver';
import { identifierAt, LineIndex, occurrencesOf, type Occurrence } from '../analysis';
import type { DocumentModel, Span } from '../analysis/model';
import type { FeatureContext } from '../session/context';
import type { ProjectView } from '../session/projectView';

/** A name under the cursor, with the document it was read from and that document's project. */
export interface NameAt {
  name: string;
  start: number;
  end: number;
  uri: string;
  text: string;
  lines: LineIndex;
  model: DocumentModel;
  /** The driver project of the document (its files only). */
  project: ProjectView;
  /** Whether the project defines, declares or registers the name. */
  owned: boolean;
}

/** A project file's text with the occurrences of one name in it. */
export interface FileOccurrences {
  uri: string;
  text: string;
  lines: LineIndex;
  occurrences: Occurrence[];
}

/** Whether the project defines, declares (prototype or role type) or registers `name`. */
export function isOwnedName(project: ProjectView, name: string): boolean {
  const ws = project.workspace;
  return !!(ws.functionsNamed(name).length || ws.roleDeclarations(name).length || ws.registrations(name).length);
}

/** The identifier at a position of an open document (not a member after `.`/`->`). */
export async function nameAt(ctx: FeatureContext, uri: string, position: Position): Promise<NameAt | undefined> {
  const current = await ctx.documents.current(uri);
  if (!current) return undefined;
  const { text, model } = current;
  const lines = new LineIndex(text);
  const id = identifierAt(text, lines.offsetAt(position));
  if (!id || id.object !== undefined) return undefined;
  const project = ctx.project.forDocument(uri);
  return {
    name: id.name,
    start: id.start,
    end: id.end,
    uri,
    text,
    lines,
    model,
    project,
    owned: isOwnedName(project, id.name),
  };
}

/**
 * The text and model of each file of a project: open documents as they are now, other files as on
 * disk (the model the scan made from them). Files that cannot be read are left out.
 */
async function projectFiles(
  ctx: FeatureContext,
  project: ProjectView,
): Promise<{ uri: string; text: string; model: DocumentModel }[]> {
  const out: { uri: string; text: string; model: DocumentModel }[] = [];
  for (const model of project.all()) {
    if (ctx.documents.isOpen(model.uri)) {
      const current = await ctx.documents.current(model.uri);
      if (current) out.push({ uri: model.uri, text: current.text, model: current.model });
      continue;
    }
    if (!model.uri.startsWith('file:')) continue;
    try {
      out.push({ uri: model.uri, text: fs.readFileSync(fileURLToPath(model.uri), 'utf8'), model });
    } catch {
      // Deleted or unreadable since the scan: nothing to show there.
    }
  }
  return out.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
}

/** Every occurrence of `name` in the files of a project, file by file in URI order. */
export async function occurrencesInProject(
  ctx: FeatureContext,
  project: ProjectView,
  name: string,
): Promise<FileOccurrences[]> {
  const out: FileOccurrences[] = [];
  for (const file of await projectFiles(ctx, project)) {
    if (!file.text.includes(name)) continue;
    const occurrences = occurrencesOf(file.model, file.text, name);
    if (occurrences.length) out.push({ uri: file.uri, text: file.text, lines: new LineIndex(file.text), occurrences });
  }
  return out;
}

/** The LSP location of an occurrence. */
export function locationOf(file: FileOccurrences, occurrence: Pick<Occurrence, 'start' | 'end'>): Location {
  return {
    uri: file.uri,
    range: { start: file.lines.positionAt(occurrence.start), end: file.lines.positionAt(occurrence.end) },
  };
}

/** The LSP range of the name under the cursor. */
export function rangeOfName(at: NameAt): Range {
  return { start: at.lines.positionAt(at.start), end: at.lines.positionAt(at.end) };
}

/** The LSP location of a model span. */
export function spanLocation(uri: string, span: Pick<Span, 'start' | 'end'>): Location {
  return { uri, range: { start: { ...span.start }, end: { ...span.end } } };
}
