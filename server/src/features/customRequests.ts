/** The KMDF Assist requests of shared/protocol.ts: callback list, stub generation, reference URLs, index rebuild. */
import type { Connection } from 'vscode-languageserver';
import { ResponseError, ErrorCodes } from 'vscode-languageserver';
import {
  GenerateStubRequest,
  ListCallbacksRequest,
  RebuildIndexRequest,
  ReferenceUrlRequest,
  type CallbackSummary,
  type GeneratedStub,
  type GenerateStubParams,
  type IndexStatus,
  type ListCallbacksParams,
} from '../../../shared/protocol';
import type { IndexEntry } from '../knowledge/types';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatRegistration } from '../knowledge/format';
import { formatIrql } from '../knowledge/irql';
import { callbackBaseName, uniqueName } from '../stubs/naming';
import { generateStub, signatureProblem, StubError } from '../stubs/stub';
import { indentUnitOf, eolOf } from '../session/lsp';
import type { FeatureContext } from '../session/context';
import { referenceUrl } from './hoverContent';
import type { ProjectView } from '../session/projectView';
import { placeStub, type PlacementFile } from './stubPlacement';

export class CustomRequestsFeature {
  constructor(
    private readonly ctx: FeatureContext,
    private readonly rebuild: () => Promise<IndexStatus>,
  ) {}

  register(connection: Connection): void {
    // shared/protocol.ts carries method names and payload types only (client and server bundle
    // different vscode-jsonrpc majors), so requests are registered by name with typed handlers.
    connection.onRequest(
      ListCallbacksRequest.method,
      (params: ListCallbacksParams | null | undefined): CallbackSummary[] => this.listCallbacks(params ?? undefined),
    );
    connection.onRequest(GenerateStubRequest.method, (params: GenerateStubParams): Promise<GeneratedStub> =>
      this.generateStub(params),
    );
    connection.onRequest(ReferenceUrlRequest.method, (params: { name?: string } | undefined): string | null =>
      this.referenceUrl(params?.name),
    );
    connection.onRequest(RebuildIndexRequest.method, (): Promise<IndexStatus> => this.rebuild());
  }

  /**
   * Every role type a stub can be made for. With `uri`, those of its project's framework come first
   * (a KMDF-only role type does not count as UMDF's); the rest follow, each group by name.
   */
  listCallbacks(params?: ListCallbacksParams): CallbackSummary[] {
    const index = this.ctx.index();
    const framework = params?.uri ? this.frameworkOf(params.uri) : undefined;
    const fits = (entry: IndexEntry) =>
      !framework ||
      (entry.frameworks.includes(framework) &&
        !(framework === 'UMDF' && entry.flags.some((f) => f.id === 'kmdf-only')));
    return (
      index
        .all('callback')
        // Only role types a stub can be generated for (class-extension pages without a prototype are left out).
        .filter((entry) => !signatureProblem(entry))
        .map((entry) => {
          const reg = index.primaryRegistration(entry.name);
          const description = this.ctx.docs.peek(entry.name)?.description;
          const firstSentence = description ? /^[^\n]*?[.!?](?=\s|$)/.exec(description)?.[0] : undefined;
          const irql = formatIrql(entry.irql);
          const summary: CallbackSummary = {
            name: entry.name,
            ...(entry.roleName ? { roleName: entry.roleName } : {}),
            ...(entry.header ? { header: entry.header } : {}),
            ...(irql ? { irql } : {}),
            frameworks: [...entry.frameworks],
            ...(framework ? { forProject: fits(entry) } : {}),
          };
          const line = firstSentence ?? (reg ? `Registered through ${formatRegistration(reg)}` : undefined);
          if (line) summary.summary = line;
          return summary;
        })
        .sort((a, b) => Number(b.forProject ?? true) - Number(a.forProject ?? true) || a.name.localeCompare(b.name))
    );
  }

  /** The framework of the project a document belongs to (its .vcxproj / .kmdf.json, else the settings). */
  private frameworkOf(uri: string): 'KMDF' | 'UMDF' | undefined {
    if (!uri.startsWith('file:')) return undefined;
    try {
      return this.ctx.project.targetFor(uri, this.ctx.settings().target)?.framework;
    } catch {
      return undefined;
    }
  }

  async generateStub(params: GenerateStubParams): Promise<GeneratedStub> {
    if (!params || typeof params.roleType !== 'string')
      throw new ResponseError(ErrorCodes.InvalidParams, 'generateStub needs { roleType }.');
    const index = this.ctx.index();
    const entry = index.get(params.roleType);
    if (!entry || entry.kind !== 'callback') {
      const near = index.nearest(params.roleType, 3).join(', ');
      throw new ResponseError(
        ErrorCodes.InvalidParams,
        `${params.roleType} is not a known callback role type${near ? ` (did you mean ${near}?)` : ''}.`,
      );
    }
    // The prefix, the names taken and the header of declarations are those of the document's own driver
    // project, as the workspace scan finds it: answered before the scan ends, they would depend on its order.
    if (params.uri) await this.ctx.documents.whenScanned();
    const project = params.uri ? this.ctx.project.forDocument(params.uri) : this.ctx.project;
    const name =
      params.functionName?.trim() || uniqueName(project.prefix() + callbackBaseName(entry), (n) => project.isTaken(n));
    const target = params.uri && params.place ? await this.placementFile(params.uri, project) : undefined;
    if (params.uri && params.place && !target)
      throw new ResponseError(ErrorCodes.InvalidParams, `${params.uri} is not a C/C++ file of the workspace.`);
    if (target && project.isDefined(name))
      throw new ResponseError(ErrorCodes.InvalidParams, `${name} is already defined in this driver.`);
    const text = target?.text ?? (params.uri ? this.ctx.documents.text(params.uri) : undefined);
    let stub;
    try {
      stub = generateStub(
        entry,
        name,
        text !== undefined ? { indent: indentUnitOf(text), eol: eolOf(text) } : {},
        (n) => index.get(n),
      );
    } catch (error) {
      if (error instanceof StubError) throw new ResponseError(ErrorCodes.InvalidParams, error.message);
      throw error;
    }
    const generated: GeneratedStub = {
      functionName: stub.functionName,
      declaration: stub.declaration,
      definition: stub.definition,
      ...(stub.allocText ? { allocText: stub.allocText } : {}),
    };
    if (target) {
      // A header is no place for a definition: define it in the file that registers the name, if any.
      let home = target;
      if (/\.(h|hh|hpp|hxx)$/i.test(target.uri)) {
        const registering = project.workspace.registrations(name).find((r) => !/\.(h|hh|hpp|hxx)$/i.test(r.uri));
        if (registering) home = (await this.placementFile(registering.uri, project)) ?? target;
      }
      const header = await this.declarationHeader(home, project);
      generated.placement = placeStub(stub, home, header);
    }
    return generated;
  }

  /** A file of the project as it is now: an open document's text and model, else the disk text and scanned model. */
  private async placementFile(uri: string, project: ProjectView): Promise<PlacementFile | undefined> {
    if (this.ctx.documents.isOpen(uri)) {
      const current = await this.ctx.documents.current(uri);
      return current && { uri, text: current.text, model: current.model };
    }
    const model = project.workspace.get(uri);
    if (!model || !uri.startsWith('file:')) return undefined;
    try {
      return { uri, text: fs.readFileSync(fileURLToPath(uri), 'utf8'), model };
    } catch {
      return undefined;
    }
  }

  /**
   * The header where the driver declares its callbacks: of the project's headers with role-type
   * declarations, the one with the most (one the target includes wins a tie). Undefined when the target
   * itself declares callbacks or no header does (then the declaration goes in the target).
   */
  private async declarationHeader(target: PlacementFile, project: ProjectView): Promise<PlacementFile | undefined> {
    if (target.model.roleDecls.length) return undefined;
    const includes = (uri: string) => {
      const base = decodeURIComponent(uri.slice(uri.lastIndexOf('/') + 1));
      return new RegExp(
        `#\\s*include\\s*["<](?:[^">]*[\\\\/])?${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[">]`,
      ).test(target.text);
    };
    const headers = project
      .all()
      .filter((m) => /\.(h|hh|hpp|hxx)$/i.test(m.uri) && m.roleDecls.length > 0)
      .sort(
        (a, b) =>
          b.roleDecls.length - a.roleDecls.length ||
          Number(includes(b.uri)) - Number(includes(a.uri)) ||
          (a.uri < b.uri ? -1 : 1),
      );
    return headers[0] && this.placementFile(headers[0].uri, project);
  }

  /** URL of an index entry, or of the role type of a driver function. */
  referenceUrl(name: string | undefined): string | null {
    if (!name) return null;
    const index = this.ctx.index();
    const entry = index.get(name) ?? this.ctx.project.roleOf(name)?.entry;
    return (entry && referenceUrl(entry)) ?? null;
  }
}
