/**
 * Rename a driver function (typically a callback) everywhere it is named in its driver project, as
 * one workspace edit: the definition, the prototypes and role-type declarations, every registration
 * and call, the `#pragma alloc_text` lines and other uses. prepareRename refuses names the driver does
 * not own (WDF methods, role types, locals) and names it must keep (DriverEntry).
 */
import {
  ErrorCodes,
  ResponseError,
  type Connection,
  type PrepareRenameParams,
  type Range,
  type RenameParams,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { FeatureContext } from '../session/context';
import { nameAt, occurrencesInProject, rangeOfName, type NameAt } from './workspaceNames';

/** C and C++ keywords (a new name may not be one). */
const KEYWORDS = new Set(
  (
    'auto break case char const continue default do double else enum extern float for goto if inline int long ' +
    'register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while ' +
    '_Bool _Complex _Imaginary _Alignas _Alignof _Atomic _Generic _Noreturn _Static_assert _Thread_local ' +
    'alignas alignof and asm bool catch class constexpr const_cast decltype delete dynamic_cast explicit export ' +
    'false friend mutable namespace new noexcept not nullptr operator or private protected public ' +
    'reinterpret_cast static_assert static_cast template this thread_local throw true try typeid typename using ' +
    'virtual wchar_t xor'
  ).split(' '),
);

/** Entry points whose names the build or the framework looks up: renaming them breaks the driver. */
const FIXED_NAMES = new Set(['DriverEntry', 'DllMain', 'WinMain', 'main', 'wmain']);

export class RenameFeature {
  constructor(private readonly ctx: FeatureContext) {}

  register(connection: Connection): void {
    connection.onPrepareRename((params) => this.prepareRename(params));
    connection.onRenameRequest((params) => this.rename(params));
  }

  async prepareRename(params: PrepareRenameParams): Promise<{ range: Range; placeholder: string }> {
    const at = await this.renamable(params.textDocument.uri, params.position);
    return { range: rangeOfName(at), placeholder: at.name };
  }

  async rename(params: RenameParams): Promise<WorkspaceEdit> {
    const at = await this.renamable(params.textDocument.uri, params.position);
    const newName = params.newName.trim();
    const problem = this.newNameProblem(at, newName);
    if (problem) throw new ResponseError(ErrorCodes.InvalidParams, problem);
    const files = await occurrencesInProject(this.ctx, at.project, at.name);
    // A static function is private to its file: other files' same-named functions are other functions.
    const definitions = at.project.workspace.definitions(at.name);
    const staticFiles =
      definitions.length && definitions.every((d) => d.fn.isStatic)
        ? new Set(definitions.map((d) => d.uri))
        : undefined;
    const changes: Record<string, TextEdit[]> = {};
    for (const file of files) {
      if (staticFiles && !staticFiles.has(file.uri)) continue;
      changes[file.uri] = file.occurrences.map((o) => ({
        range: { start: file.lines.positionAt(o.start), end: file.lines.positionAt(o.end) },
        newText: newName,
      }));
    }
    return { changes };
  }

  /** The name at the position, or a ResponseError saying why it cannot be renamed. */
  private async renamable(uri: string, position: { line: number; character: number }): Promise<NameAt> {
    const at = await nameAt(this.ctx, uri, position);
    if (!at)
      throw new ResponseError(ErrorCodes.InvalidRequest, 'Rename works on the name of a function of this driver.');
    if (FIXED_NAMES.has(at.name))
      throw new ResponseError(
        ErrorCodes.InvalidRequest,
        `${at.name} is an entry point looked up by name; it keeps its name.`,
      );
    const ws = at.project.workspace;
    const defined = ws.functionsNamed(at.name).length > 0 || ws.roleDeclarations(at.name).length > 0;
    if (!at.owned || !defined) {
      const entry = this.ctx.index().get(at.name);
      throw new ResponseError(
        ErrorCodes.InvalidRequest,
        entry
          ? `${at.name} is a WDF ${entry.kind}, not a function of this driver.`
          : `${at.name} is not a function defined or declared in this driver project.`,
      );
    }
    return at;
  }

  private newNameProblem(at: NameAt, newName: string): string | undefined {
    if (!/^[A-Za-z_]\w*$/.test(newName)) return `"${newName}" is not a C identifier.`;
    if (KEYWORDS.has(newName)) return `"${newName}" is a C/C++ keyword.`;
    if (newName === at.name) return undefined;
    if (this.ctx.index().get(newName)) return `${newName} is a WDF name; pick a name of the driver's own.`;
    if (at.project.isTaken(newName)) return `${newName} already names a function or variable in this driver.`;
    return undefined;
  }
}
