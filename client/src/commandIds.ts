/** Ids of every command the extension contributes (package.json `contributes.commands`). */
export const COMMAND_IDS = {
  generateCallbackStub: 'kmdf.generateCallbackStub',
  openReferencePage: 'kmdf.openReferencePage',
  rebuildIndex: 'kmdf.rebuildIndex',
  restartServer: 'kmdf.restartServer',
  showOutputChannel: 'kmdf.showOutputChannel',
  refreshDriverMap: 'kmdf.refreshDriverMap',
  generateMissingCallback: 'kmdf.generateMissingCallback',
  analyseWorkspace: 'kmdf.analyseWorkspace',
  openWalkthrough: 'kmdf.openWalkthrough',
} as const;

/** Context keys the manifest's `when` clauses read. */
export const CONTEXT_KEYS = {
  /** True once the extension has activated (commands that need it are hidden before). */
  activated: 'kmdf.activated',
  /** 'starting' | 'running' | 'stopped': the language server's state. */
  serverState: 'kmdf.serverState',
  /** True once the driver map has found at least one driver project (the walkthrough's first step). */
  hasDriverProject: 'kmdf.hasDriverProject',
} as const;
