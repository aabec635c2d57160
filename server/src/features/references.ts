/**
 * Find references for the driver's own functions: the definition, every declaration (prototype or
 * role type), registration, call, `#pragma alloc_text` line and other use (a function table), in
 * every file of the document's driver project. Comments and strings are not references.
 */
import type { Connection, Location, ReferenceParams } from 'vscode-languageserver';
import type { FeatureContext } from '../session/context';
import { locationOf, nameAt, occurrencesInProject } from './workspaceNames';

export class ReferencesFeature {
  constructor(private readonly ctx: FeatureContext) {}

  register(connection: Connection): void {
    connection.onReferences((params) => this.references(params));
  }

  async references(params: ReferenceParams): Promise<Location[] | null> {
    const at = await nameAt(this.ctx, params.textDocument.uri, params.position);
    if (!at?.owned) return null;
    const withDeclarations = params.context.includeDeclaration;
    const out: Location[] = [];
    for (const file of await occurrencesInProject(this.ctx, at.project, at.name)) {
      for (const occurrence of file.occurrences) {
        if (!withDeclarations && (occurrence.kind === 'definition' || occurrence.kind === 'declaration')) continue;
        out.push(locationOf(file, occurrence));
      }
    }
    return out;
  }
}
