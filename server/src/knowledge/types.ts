/**
 * The shapes of the knowledge index: what the docs parsers, the header parser and the
 * embedded catalog produce, and what the language features and rules read.
 * Facts only (names, signatures, IRQL, versions, flags); documentation prose is held in
 * `DocText` and is never written into the committed catalog.
 */

export type EntryKind = 'callback' | 'method' | 'structure' | 'enumeration' | 'macro';
export type Framework = 'KMDF' | 'UMDF';
export type Direction = 'in' | 'out' | 'in/out';

/** Normalised IRQL facts. Levels are spelled as in the headers: PASSIVE_LEVEL, APC_LEVEL, DISPATCH_LEVEL, DIRQL, HIGH_LEVEL. */
export interface Irql {
  max?: string;
  min?: string;
  exact?: string;
  /** `_IRQL_requires_same_`: the function leaves IRQL as it found it. */
  same?: boolean;
  /** The raw requirement text from the docs, e.g. "<= DISPATCH_LEVEL (see Remarks section)". */
  text?: string;
  /**
   * Levels that depend on an argument (`_When_(Wait == __true, _IRQL_requires_max_(PASSIVE_LEVEL))`).
   * When present, `max` is the loosest branch, so a check that cannot evaluate the condition stays quiet.
   */
  when?: ConditionalIrql[];
}

/** One `_When_(condition, _IRQL_requires_…(LEVEL))` branch. */
export interface ConditionalIrql {
  /** The condition as written in the header, e.g. "Wait == __true", "Action == 0 || Action == 1". */
  condition: string;
  max?: string;
  min?: string;
  exact?: string;
}

export interface Param {
  name: string;
  type: string;
  direction?: Direction;
  /** SAL annotations as written in the header or prototype, e.g. ["_In_"], ["_Out_opt_"]. */
  sal?: string[];
  optional?: boolean;
}

export interface SeeAlsoLink {
  text: string;
  href?: string;
}

/**
 * A contract fact mined from documentation text: an id from `FlagId` plus, where the sentence
 * names one, the API or callback it refers to (`ref`).
 */
export interface Flag {
  id: FlagId;
  ref?: string;
}

export type FlagId =
  /** "should not make this callback function pageable" / "must not be pageable". */
  | 'not-pageable'
  /** "can be pageable" / "may be pageable" */
  | 'may-be-pageable'
  /** The page requires a success status that passes NT_SUCCESS when nothing failed. */
  | 'must-return-nt-success'
  /** "called only after <ref>" (e.g. EvtDeviceSelfManagedIoSuspend). */
  | 'called-only-after'
  /** "To register ... a driver must call <ref>". */
  | 'registered-by'
  /** "only for system-mode DMA" */
  | 'system-mode-dma-only'
  /** "Do not call ... from <ref>" / "must not call ... from ..." */
  | 'do-not-call-from'
  /** "must call <ref>" inside the callback (e.g. WdfRequestUnmarkCancelable before completing). */
  | 'must-call'
  /** "[Applies to KMDF only]" */
  | 'kmdf-only'
  /** "[Applies to UMDF only]" */
  | 'umdf-only'
  /** The page says the function or callback is obsolete / deprecated. */
  | 'obsolete'
  /** "DMA version 3" required. */
  | 'requires-dma-v3'
  /** Called at IRQL depending on ExecutionLevel (remarks mention WdfExecutionLevelPassive). */
  | 'execution-level-dependent';

/** What one documentation page yields (any of the three formats). */
export interface DocPage {
  name: string;
  kind: EntryKind;
  header?: string;
  irql?: Irql;
  kmdf?: string;
  umdf?: string;
  /** Minimum Windows client version, e.g. "Windows 8". */
  minWindows?: string;
  /** Frameworks the page applies to, from the versions and the "[Applies to …]" banner. */
  frameworks: Framework[];
  /** Role name from the page, e.g. "EvtIoStop" for EVT_WDF_IO_QUEUE_IO_STOP. */
  roleName?: string;
  /** Signature as the page shows it (2018 `## -prototype`, or the rendered syntax block); may be incomplete. */
  returns?: string;
  params: (Param & { description?: string })[];
  /** Whether `params` came from a complete, trustworthy prototype. */
  prototypeComplete?: boolean;
  returnText?: string;
  description?: string;
  remarks?: string;
  seeAlso: SeeAlsoLink[];
  /** Static Driver Verifier rules from `req.ddi-compliance`. */
  ddiCompliance?: string[];
  /** Structures: the names of their fields (`## -struct-fields`), in order; nested ones left out. */
  fields?: string[];
  /** Enumerations: the names of their values (`## -enum-fields`), in order. */
  members?: string[];
  flags: Flag[];
  /** File path or URL of the page. */
  location: string;
  /** Public reference URL for this page. */
  docsUrl?: string;
  format: 'markdown' | 'markdown-2018' | 'rendered';
}

/** A callback field of a config structure: which field takes which role type. */
export interface CallbackField {
  field: string;
  pfn: string;
  callback: string;
}

/** What one header declaration yields. */
export interface HeaderDecl {
  name: string;
  kind: EntryKind;
  header: string;
  returns?: string;
  params?: Param[];
  annotations?: string[];
  irql?: Irql;
  /** For callbacks: the `PFN_…` typedef name. */
  pfn?: string;
  /** For structures. */
  callbackFields?: CallbackField[];
  /** For enumerations: member names. */
  members?: string[];
  location: string;
}

export interface Conflict {
  field: 'irql' | 'returns' | 'params' | 'kmdf' | 'umdf' | 'header';
  values: { source: string; value: string }[];
}

/** A merged entry of the index (and, without prose, of the catalog). */
export interface IndexEntry {
  name: string;
  kind: EntryKind;
  header?: string;
  returns?: string;
  params: Param[];
  annotations?: string[];
  irql?: Irql;
  kmdf?: string;
  umdf?: string;
  minWindows?: string;
  frameworks: Framework[];
  flags: Flag[];
  roleName?: string;
  pfn?: string;
  callbackFields?: CallbackField[];
  /** For structures: every field's name, in order (the callback fields among them are in `callbackFields`). */
  fields?: string[];
  members?: string[];
  /** For callbacks: where a driver registers this role type. */
  registeredThrough?: Registration[];
  ddiCompliance?: string[];
  docsUrl?: string;
  /** Docs-repository relative path (e.g. "wdfio/nc-wdfio-evt_wdf_io_queue_io_stop.md"), for local docs folders. */
  docsPath?: string;
  /** Where the facts came from, e.g. "catalog", "docs:…/file.md", "header:…/wdfio.h", "wdf-signatures:kmdf-1.33". */
  sources: string[];
  conflicts?: Conflict[];
  /** Prose from a docs page, present only when read at run time (never in the catalog). */
  text?: DocText;
}

export interface DocText {
  description?: string;
  params?: { name: string; description: string }[];
  returnText?: string;
  remarks?: string;
  seeAlso?: SeeAlsoLink[];
  location: string;
}

/**
 * One way a driver registers a callback role type: a config-structure field (`WDF_IO_QUEUE_CONFIG.EvtIoStop`,
 * handed to `WdfIoQueueCreate`), or a `PFN_…` parameter of a method or `WDF_…_INIT` helper.
 */
export interface Registration {
  struct?: string;
  field?: string;
  /** The method that takes the structure, or the method with the `PFN_…` parameter. */
  method?: string;
  /** For a `PFN_…` parameter: its name and 0-based index. */
  param?: string;
  paramIndex?: number;
}

/** A file that an indexing run could not use, and why. */
export interface SkippedFile {
  file: string;
  reason: string;
}

export const PUBLIC_REFERENCE_BASE = 'https://learn.microsoft.com/windows-hardware/drivers/ddi/';
