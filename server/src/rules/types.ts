/**
 * The contract-rule interface. One rule per file in server/src/rules/<area>/<ruleName>.ts, each
 * exporting a `Rule`; the engine (engine.ts) runs them over the workspace model and the index.
 * Rules read the C analysis model and the knowledge index only; none parses text on its own.
 */
import type { DocumentModel, FunctionModel, Span } from '../analysis/model';
import type { WorkspaceModel } from '../analysis/workspace';
import type { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import type { IrqlFacts, ReachedIrql } from './facts/irql';
import type { ProjectConfigChange } from '../project/projectConfig';
import type { Target } from '../project/target';

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** A text edit of a quick fix, in document coordinates (same as Span). */
export interface FixEdit {
  uri: string;
  span: Span;
  newText: string;
}

export interface QuickFix {
  title: string;
  /** The document edits (none for a fix that only writes the project's `.kmdf.json`). */
  edits: FixEdit[];
  /** Preferred fix (shown first / applied by "fix all"). */
  preferred?: boolean;
  /**
   * Values the fix writes into the `.kmdf.json` that applies to the finding's file (the editor makes
   * the edit, creating the file beside the project file when there is none).
   */
  projectConfig?: ProjectConfigChange;
}

export interface RelatedLocation {
  uri: string;
  span: Span;
  message: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  uri: string;
  span: Span;
  /** The enclosing function, when there is one. */
  function?: string;
  related?: RelatedLocation[];
  fixes?: QuickFix[];
  /** Documentation behind this particular finding (the DDI page of the method called, the SDV rules it mirrors). */
  references?: { title: string; url?: string }[];
}

/** The target is the project layer's (what a build project says, over settings); rules read it. */
export type { Target } from '../project/target';

export interface RuleContext {
  workspace: WorkspaceModel;
  index: KnowledgeIndex;
  target: Target;
  /** The document being checked. */
  document: DocumentModel;
  /** Text of the document (for fixes that need exact indentation). */
  text: string;
  /** The IRQL each function can run at (computed once per run by the engine over the call graph). */
  irqlOf(functionName: string): ReachedIrql | undefined;
  /** The role type of a function (declaration, else registration field/argument), resolved through the index. */
  roleOf(functionName: string): string | undefined;
  /** The run's IRQL facts behind `irqlOf` (callback levels, ExecutionLevel lowering, locks held at a call). Set by the engine. */
  irqlFacts?: IrqlFacts;
  /**
   * One object per checked document and run, shared by every rule's context for that document: the
   * key of caches of facts that depend on the workspace and the document only (see `cacheScope`).
   */
  scope?: object;
  /**
   * Set by the engine for a `perFunction` rule: the document's functions that must be checked (the
   * others' findings are reused). Rules read it through `checkedFunctions(ctx)` (findingsReuse.ts).
   */
  functionsToCheck?: () => Iterable<FunctionModel>;
  report(finding: Omit<Finding, 'ruleId' | 'severity' | 'uri'> & { severity?: Severity; uri?: string }): void;
}

export interface RuleMeta {
  /** Stable id, e.g. "KMDF1001". Never reused. */
  id: string;
  /** Short kebab name, e.g. "io-stop-ignores-request". */
  name: string;
  title: string;
  defaultSeverity: Severity;
  /** What the rule rests on: DDI pages, SDV rules, Code Analysis warnings (URLs or names). */
  documentation: { title: string; url?: string }[];
  /**
   * The checks of Microsoft's own tools that look at the same contract, when there are any. A Code
   * Analysis pragma naming one of `codeAnalysis` (`#pragma warning(suppress: 28121)`) silences the rule
   * where it applies, as a `// kmdf-ignore` would.
   */
  mirrors?: RuleMirrors;
  /** What makes a finding certain, what makes it only possible, and how that shows in its severity (a sentence or two). */
  certainty?: string;
  /** Our rule page, shipped with the extension: docs/rules/<id>.md */
  helpPage: string;
}

/** What a rule mirrors (see RuleMeta.mirrors). Only checks of the same contract are listed, not merely related ones. */
export interface RuleMirrors {
  /** Code Analysis (PREfast for Drivers) warning numbers: 28121 for C28121. */
  codeAnalysis?: number[];
  /** Static Driver Verifier (DDI compliance) rules, by name: "EvtIoStopCompleteOrStopAck". */
  sdv?: string[];
  /** Windows driver CodeQL queries (the WDK's supplemental tools), by name. */
  codeQL?: string[];
}

export interface Rule {
  meta: RuleMeta;
  /** Check one document (with the whole workspace and index at hand). */
  check(ctx: RuleContext): void;
  /**
   * The rule goes once through `checkedFunctions(ctx)`, and what it reports while at a function is
   * that function's finding, found from it and the workspace, not from what it saw at the functions
   * before (no state carried from one to the next); other findings it reports before or after that
   * loop. The engine may then reuse a function's findings from the previous run (findingsReuse.ts).
   */
  perFunction?: boolean;
  /**
   * A `perFunction` rule whose finding at a function reads, of everything outside it, only what lies
   * outside function bodies (heads, declarations, typedefs, globals, preprocessor lines), the names
   * and role declarations of the file, other documents, the index and the target: its findings are
   * reused after an edit inside another function's body too (findingsReuse.ts).
   */
  readsOnlyItsFunction?: boolean;
  /**
   * The rule asks at what IRQL callers reach a function (`irqlOf`, `levelAt`…): the engine works out
   * the workspace-wide propagation those answers come from in small steps before the documents'
   * rules, so a stepped run gives way meanwhile. A pacing hint only: the answers are the same without it.
   */
  readsCallerLevels?: boolean;
}

export type { DocumentModel, FunctionModel, Span };
