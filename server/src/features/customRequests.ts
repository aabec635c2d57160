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
} from '../../../shared/protocol';
import { formatRegistration } from '../knowledge/format';
import { formatIrql } from '../knowledge/irql';
import { roleNameOf, uniqueName } from '../stubs/naming';
import { generateStub, signatureProblem, StubError } from '../stubs/stub';
import { indentUnitOf, eolOf } from '../util/lsp';
import type { FeatureContext } from './context';
import { referenceUrl } from './hoverContent';

export class CustomRequestsFeature {
  constructor(
    private readonly ctx: FeatureContext,
    private readonly rebuild: () => Promise<IndexStatus>,
  ) {}

  register(connection: Connection): void {
    // shared/protocol.ts carries method names and payload types only (client and server bundle
    // different vscode-jsonrpc majors), so requests are registered by name with typed handlers.
    connection.onRequest(ListCallbacksRequest.method, (): CallbackSummary[] => this.listCallbacks());
    connection.onRequest(GenerateStubRequest.method, (params: GenerateStubParams): GeneratedStub =>
      this.generateStub(params),
    );
    connection.onRequest(ReferenceUrlRequest.method, (params: { name?: string } | undefined): string | null =>
      this.referenceUrl(params?.name),
    );
    connection.onRequest(RebuildIndexRequest.method, (): Promise<IndexStatus> => this.rebuild());
  }

  listCallbacks(): CallbackSummary[] {
    const index = this.ctx.index();
    return (
      index
        .all('callback')
        // Only role types a stub can be generated for (class-extension pages without a prototype are left out).
        .filter((entry) => !signatureProblem(entry))
        .map((entry) => {
          const reg = index.primaryRegistration(entry.name);
          const description = this.ctx.docs.peek(entry.name)?.description;
          const firstSentence = description ? /^[^\n]*?[.!?](?=\s|$)/.exec(description)?.[0] : undefined;
          const summary: CallbackSummary = {
            name: entry.name,
            ...(entry.roleName ? { roleName: entry.roleName } : {}),
            ...(entry.header ? { header: entry.header } : {}),
            ...(formatIrql(entry.irql) ? { irql: formatIrql(entry.irql) } : {}),
            frameworks: [...entry.frameworks],
          };
          const line = firstSentence ?? (reg ? `Registered through ${formatRegistration(reg)}` : undefined);
          if (line) summary.summary = line;
          return summary;
        })
        .sort((a, b) => a.name.localeCompare(b.name))
    );
  }

  generateStub(params: GenerateStubParams): GeneratedStub {
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
    const name =
      params.functionName?.trim() ||
      uniqueName(this.ctx.project.prefix() + roleNameOf(entry), (n) => this.ctx.project.isTaken(n));
    const text = params.uri ? this.ctx.documents.text(params.uri) : undefined;
    try {
      const stub = generateStub(
        entry,
        name,
        text !== undefined ? { indent: indentUnitOf(text), eol: eolOf(text) } : {},
        (n) => index.get(n),
      );
      return {
        functionName: stub.functionName,
        declaration: stub.declaration,
        definition: stub.definition,
        ...(stub.allocText ? { allocText: stub.allocText } : {}),
      };
    } catch (error) {
      if (error instanceof StubError) throw new ResponseError(ErrorCodes.InvalidParams, error.message);
      throw error;
    }
  }

  /** URL of an index entry, or of the role type of a driver function. */
  referenceUrl(name: string | undefined): string | null {
    if (!name) return null;
    const index = this.ctx.index();
    const entry = index.get(name) ?? this.ctx.project.roleOf(name)?.entry;
    return (entry && referenceUrl(entry)) ?? null;
  }
}
