/**
 * Builds the DocumentModel from a tree-sitter tree of the blanked text. Pure: no parsing here,
 * so the same builder serves fresh parses and incremental re-parses. Each phase reads the query
 * captures and what earlier phases left in the shared state; the order matters (declarations
 * need the definitions' bodies to scope locals, calls need the scopes to tell callbacks from
 * variables, the outline needs every call and return).
 */
import type { DocumentModel } from '../model';
import { countErrors } from '../queries';
import { commentSuppressions, pragmaSuppressions } from '../suppressions';
import { readCalls } from './calls';
import { readDeclarations, readTypedefs } from './declarations';
import { readDefinitions } from './functionHeads';
import { outlineBranches, readReturns } from './outline';
import { readPagedCodeOrder, readPagedSections } from './paging';
import { readFieldRegistrations } from './registrations';
import { BuildState, type BuildInput } from './state';

/** Build the model of one document. */
export function buildModel(input: BuildInput): DocumentModel {
  input.outlines?.startBuild();
  const state = new BuildState(input);
  readDefinitions(state);
  readDeclarations(state);
  readCalls(state);
  readFieldRegistrations(state);
  readReturns(state);
  outlineBranches(state);
  readPagedCodeOrder(state);
  const pagedSections = readPagedSections(state);

  return {
    uri: input.uri,
    version: input.version,
    language: input.language,
    functions: state.functions.map((f) => f.model),
    roleDecls: state.roleDecls,
    registrations: state.registrations,
    pagedSections,
    variables: state.variables,
    typedefs: readTypedefs(state),
    annotations: state.annotations,
    suppressions: commentSuppressions(state.captured.comments, (node) => state.textOf(node), state.lines),
    warningSuppressions: pragmaSuppressions(input.text, state.lines),
    errorCount: countErrors(state.root),
    undecidedBranches: input.undecided ?? [],
  };
}
