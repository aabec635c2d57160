/**
 * Hover over role types, PFN_ types, driver callbacks (declaration, definition, every reference),
 * config fields, Wdf methods, WDF structures/enumerations and their values, and WDF handle types. Prose is raced against a short
 * timeout: a hover never waits on a slow network, it shows the facts and the prose next time.
 */
import type { Connection, Hover, HoverParams } from 'vscode-languageserver';
import { MarkupKind } from 'vscode-languageserver';
import { offsetAt, positionAt } from '../session/lsp';
import type { FeatureContext } from '../session/context';
import { handleHoverMarkdown, hoverMarkdown, type HoverSubject } from './hoverContent';
import { symbolAt } from './symbolAt';

/**
 * How long a hover waits for docs prose before answering with facts only. KMDF_ASSIST_HOVER_DOCS_WAIT_MS
 * lengthens it, for a test that cancels a hover while it waits (on a loaded machine 400 ms can pass
 * before the cancellation arrives, and the hover is then answered instead).
 */
export const HOVER_DOCS_WAIT_MS = docsWaitFromEnvironment(process.env.KMDF_ASSIST_HOVER_DOCS_WAIT_MS) ?? 400;

function docsWaitFromEnvironment(value: string | undefined): number | undefined {
  const ms = Number(value);
  return value && Number.isInteger(ms) && ms > 0 && ms <= 600_000 ? ms : undefined;
}

/** `kmdf.docs.path` as a link that opens it in VS Code's settings editor. */
const DOCS_PATH_SETTING_LINK = `[\`kmdf.docs.path\`](command:workbench.action.openSettings?${encodeURIComponent(JSON.stringify(['kmdf.docs.path']))})`;

/** The one line a hover shows when the reference text could not be had; `settingsLinks`: the client opens setting links. */
export function unavailableNote(reason: string, settingsLinks: boolean): string {
  const setting = settingsLinks ? DOCS_PATH_SETTING_LINK : '`kmdf.docs.path`';
  return `*Reference text unavailable (${reason}): facts only. Set ${setting} to a local copy of the reference pages to read it offline.*`;
}

export class HoverFeature {
  /** `settingsLinks`: whether the client said it opens `command:workbench.action.openSettings` links. */
  constructor(
    private readonly ctx: FeatureContext,
    private readonly settingsLinks: () => boolean = () => false,
  ) {}

  register(connection: Connection): void {
    connection.onHover((params) => this.hover(params));
  }

  async hover(params: HoverParams): Promise<Hover | null> {
    const current = await this.ctx.documents.current(params.textDocument.uri);
    if (!current) return null;
    const { model, text } = current;
    const index = this.ctx.index();
    // Roles and IRQL as this document's own driver project sees them.
    const project = this.ctx.project.forDocument(params.textDocument.uri);
    const found = symbolAt(text, offsetAt(text, params.position), model, index, project);
    if (!found) return null;
    const { meaning } = found;
    const range = { start: positionAt(text, found.start), end: positionAt(text, found.end) };
    if (meaning.kind === 'handle') {
      const value = handleHoverMarkdown(meaning.name, meaning.creators, meaning.takers);
      return { contents: { kind: MarkupKind.Markdown, value }, range };
    }
    const subject: HoverSubject =
      meaning.kind === 'function'
        ? { kind: 'function', functionName: meaning.functionName, defined: project.isDefined(meaning.functionName) }
        : meaning.kind === 'field'
          ? { kind: 'field', struct: meaning.struct, field: meaning.field }
          : meaning.kind === 'enumValue'
            ? { kind: 'enumValue', value: meaning.value }
            : { kind: 'entry' };
    const docText = await this.ctx.docs.text(meaning.entry, HOVER_DOCS_WAIT_MS);
    // Said in one line when the prose could not be had (offline, host unreachable), not when a page simply has none.
    const unavailable = docText ? undefined : this.ctx.docs.unavailable(meaning.entry.name);
    const note = unavailable ? unavailableNote(unavailable, this.settingsLinks()) : undefined;
    return {
      contents: { kind: MarkupKind.Markdown, value: hoverMarkdown(meaning.entry, subject, index, docText, note) },
      range,
    };
  }
}
