/**
 * Custom LSP messages between the KMDF Assist client and server. Imported by relative path from
 * both sides and bundled into each. Method names and payload types only: the client and the server
 * bundle different vscode-jsonrpc majors, whose RequestType objects do not type-check across them.
 */

/** One callback role type, as listed in the "Generate Callback Stub" quick pick. */
export interface CallbackSummary {
  /** Role type, e.g. "EVT_WDF_IO_QUEUE_IO_STOP". */
  name: string;
  /** Role name, e.g. "EvtIoStop". */
  roleName?: string;
  header?: string;
  /** Short IRQL, e.g. "≤ DISPATCH_LEVEL". */
  irql?: string;
  frameworks: string[];
  /** One line: where it is registered, or the first sentence of the docs when available. */
  summary?: string;
  /** With `ListCallbacksParams.uri`: whether the role type is one of that project's framework. */
  forProject?: boolean;
}

export interface ListCallbacksParams {
  /** The document the stub is for: the role types of its project's framework are listed first. */
  uri?: string;
}

export interface GenerateStubParams {
  roleType: string;
  /** Function name to generate; when absent the server proposes one from the driver's prefix. */
  functionName?: string;
  /** Document the stub is for (its driver project's prefix convention, C vs C++). */
  uri?: string;
  /** With `uri`: also say where the stub goes in the project (`GeneratedStub.placement`). */
  place?: boolean;
}

/** LSP-shaped text edits by document URI, and where to put the cursor after applying them. */
export interface StubPlacement {
  changes: Record<string, { range: Range; newText: string }[]>;
  /** The defined name in the new definition, in the document after the edits. */
  reveal: { uri: string; position: { line: number; character: number } };
}

interface Range {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export interface GeneratedStub {
  functionName: string;
  /** `EVT_X Name;` */
  declaration: string;
  /** The full definition, with `_Use_decl_annotations_`. */
  definition: string;
  /** `#pragma alloc_text(PAGE, Name)` when the callback may be pageable, else undefined. */
  allocText?: string;
  /**
   * When asked for (`place`): the declaration beside the project's other role-type declarations (its
   * header, else the top of the file), the definition after the function that registers it, else at the end.
   */
  placement?: StubPlacement;
}

export interface IndexStatus {
  state: 'loading' | 'ready' | 'error';
  kmdfVersion?: string;
  umdfVersion?: string;
  callbacks: number;
  methods: number;
  structs: number;
  enums: number;
  /** "catalog", "docs folder: …", "online: …", "WDK 10.0.26100 KMDF 1.33 headers", … */
  sources: string[];
  /** Where hover reference text comes from now, as the reads and fetches so far show it. */
  docs: DocsStatus;
  message?: string;
}

/**
 * The reference-text state. `folder`: pages from `kmdf.docs.path`; `online`: fetched from the docs host
 * (it answered last time, or nothing was fetched yet: `checked` false); `cached`: the host cannot be
 * reached, pages cached on disk earlier still show; `facts`: no reference text, facts from the
 * catalog and headers only.
 */
export interface DocsStatus {
  state: 'folder' | 'online' | 'cached' | 'facts';
  /** A few words for a status line: "host unreachable, 12 pages cached". */
  detail: string;
  /** The state was seen in an outcome (a page read, a fetch answered or failed), not only assumed from settings. */
  checked: boolean;
  /** The settings ask for reference text that cannot be had now (host unreachable, folder unreadable, address refused). */
  degraded: boolean;
}

/** client → server: every documented callback role type, for the stub quick pick. */
export namespace ListCallbacksRequest {
  export const method = 'kmdf/listCallbacks';
}

/** client → server: a stub for one role type (declaration + definition). */
export namespace GenerateStubRequest {
  export const method = 'kmdf/generateStub';
}

/** client → server: the public reference URL for a name (role type, method, structure, callback function). */
export namespace ReferenceUrlRequest {
  export const method = 'kmdf/referenceUrl';
}

/** client → server: rebuild the index from the catalog, WDK headers and docs folder. */
export namespace RebuildIndexRequest {
  export const method = 'kmdf/rebuildIndex';
}

/** server → client: index state changed (shown in the language status item). */
export namespace IndexStatusNotification {
  export const method = 'kmdf/indexStatus';
}

/** Typed `initializationOptions` the client sends. */
export interface InitializationOptions {
  /** Folder for the on-disk caches (the extension's global storage): online docs pages, and file models (`models/`, session/modelCache.ts). */
  cacheDir?: string;
  /**
   * The client opens `command:workbench.action.openSettings` links in hovers (VS Code with the command
   * trusted): hovers then link the settings they name.
   */
  settingsLinks?: boolean;
  /** The client stamps each log message with its time and level itself (a VS Code LogOutputChannel). */
  stampsLogLines?: boolean;
}

/** A place in a document (LSP-shaped). */
export interface MapLocation {
  uri: string;
  range: Range;
}

/** What a driver map node stands for. */
export type DriverMapNodeKind =
  | 'project'
  /** The files of a folder that belong to no driver project (no .vcxproj, sources or .kmdf.json above them). */
  | 'looseFiles'
  | 'target'
  | 'callback'
  | 'device'
  | 'queue'
  | 'timer'
  | 'dpc'
  | 'workItem'
  | 'interrupt'
  | 'dmaEnabler'
  | 'other';

/** One node of the KMDF Driver Map tree. */
export interface DriverMapNode {
  kind: DriverMapNodeKind;
  label: string;
  /** Short facts after the label: role and IRQL of a callback, dispatch type of a queue, target source. */
  description?: string;
  /** Callbacks: the function, its role type and role name, the IRQL it runs at. */
  functionName?: string;
  roleType?: string;
  role?: string;
  irql?: string;
  /** Where the callback is registered, or the object configured (its `…_CONFIG_INIT` call). */
  registeredAt?: MapLocation;
  /** The callback's definition (a click goes there); absent when it is registered but defined nowhere. */
  definition?: MapLocation;
  /** Registered but not defined anywhere in the project (the context menu offers to generate it). */
  missing?: boolean;
  /** Findings (information and above) in this callback, or under this node. */
  findings: number;
  children?: DriverMapNode[];
}

/** client → server: the driver map of every driver project in the workspace (project nodes). */
export namespace DriverMapRequest {
  export const method = 'kmdf/driverMap';
}

/** server → client: the analysis changed; ask for the driver map again. */
export namespace DriverMapChangedNotification {
  export const method = 'kmdf/driverMapChanged';
}

/** What a workspace-wide check covered and found (the reply of `kmdf/analyseWorkspace`). */
export interface AnalyseWorkspaceResult {
  /** `kmdf.diagnostics.scope` and `kmdf.diagnostics.enable` allow workspace-wide checks. */
  enabled: boolean;
  /** Driver projects checked (a folder of files in no project is not one: its files are `looseFiles`). */
  projects: number;
  /** Documents checked, of the projects and loose. */
  files: number;
  /** Of `files`, those that belong to no driver project. */
  looseFiles: number;
  /** Findings in the workspace's documents after the run, by severity. */
  findings: { error: number; warning: number; info: number; hint: number };
  /** Stopped before the end (the progress was cancelled, or another run replaced it). */
  cancelled: boolean;
}

/** client → server: check every file of every driver project of the workspace now ("KMDF: Analyse Workspace"). */
export namespace AnalyseWorkspaceRequest {
  export const method = 'kmdf/analyseWorkspace';
}
