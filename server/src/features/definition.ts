/**
 * Go to definition and go to declaration for the driver's own functions, across the files of its
 * project: from a registration (`queueConfig.EvtIoStop = LampEvtIoStop`), a role-type declaration
 * (`EVT_WDF_IO_QUEUE_IO_STOP LampEvtIoStop;`), a prototype, a call or an `alloc_text` line. On the
 * definition itself, "definition" goes to the declarations (as C tools do), so F12 toggles.
 */
import type { Connection, DeclarationParams, DefinitionParams, Location } from 'vscode-languageserver';
import type { FeatureContext } from '../session/context';
import { nameAt, spanLocation, type NameAt } from './workspaceNames';

export class DefinitionFeature {
  constructor(private readonly ctx: FeatureContext) {}

  register(connection: Connection): void {
    connection.onDefinition((params) => this.definition(params));
    connection.onDeclaration((params) => this.declaration(params));
  }

  async definition(params: DefinitionParams): Promise<Location[] | null> {
    const at = await nameAt(this.ctx, params.textDocument.uri, params.position);
    if (!at?.owned) return null;
    const definitions = this.definitions(at);
    const onDefinition = at.project.workspace
      .definitions(at.name)
      .some((d) => d.uri === at.uri && d.fn.nameSpan.startOffset === at.start);
    if (onDefinition) {
      const declarations = this.declarations(at);
      if (declarations.length) return declarations;
    }
    return definitions.length ? definitions : this.declarations(at);
  }

  async declaration(params: DeclarationParams): Promise<Location[] | null> {
    const at = await nameAt(this.ctx, params.textDocument.uri, params.position);
    if (!at?.owned) return null;
    const declarations = this.declarations(at);
    return declarations.length ? declarations : this.definitions(at);
  }

  private definitions(at: NameAt): Location[] {
    return at.project.workspace.definitions(at.name).map((d) => spanLocation(d.uri, d.fn.nameSpan));
  }

  /** Role-type declarations first (they carry the contract), then prototypes; in file order. */
  private declarations(at: NameAt): Location[] {
    const ws = at.project.workspace;
    return [
      ...ws.roleDeclarations(at.name).map((d) => spanLocation(d.uri, d.nameSpan)),
      ...ws.prototypes(at.name).map((p) => spanLocation(p.uri, p.fn.nameSpan)),
    ];
  }
}
