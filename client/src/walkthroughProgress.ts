/**
 * Completes walkthrough steps when the thing they teach really happens: a driver project shows in the
 * map, one of our hovers is shown (also with the mouse, which runs no command), a stub is written.
 * VS Code creates its walkthrough service only when something first needs it (the Welcome page, the
 * walkthrough), so completion events before that are lost; `welcome.markStepComplete` records the
 * step whenever it is run. It is VS Code's own command, not API: a failure is ignored.
 */
import * as vscode from 'vscode';

/** The walkthrough's id in package.json; VS Code names it `<publisher>.<name>#<id>`. */
export const WALKTHROUGH_ID = 'kmdf.gettingStarted';

/** The steps of package.json's walkthrough the client completes. */
export type WalkthroughStep = 'kmdf.openDriver' | 'kmdf.hoverRoleType' | 'kmdf.generateStub';

const completed = new Set<string>();

/**
 * Have VS Code create its walkthrough service now, at activation, so that it registers our walkthrough
 * early: its completion events are recorded from then on, and "KMDF: Get Started" finds the walkthrough
 * (opened while the service is still registering it, the page shows another one). Asking it to mark a
 * step that does not exist as not done creates the service and changes nothing; it then rejects.
 */
export function createWalkthroughService(extensionId: string): void {
  void Promise.resolve(
    vscode.commands.executeCommand('welcome.markStepIncomplete', `${extensionId}#${WALKTHROUGH_ID}#none`),
  ).catch(() => undefined);
}

/** Mark a step done, once per session. `extensionId`: `context.extension.id`. */
export function completeStep(extensionId: string, step: WalkthroughStep): void {
  const id = `${extensionId}#${WALKTHROUGH_ID}#${step}`;
  if (completed.has(id)) return;
  completed.add(id);
  // The service records the step even when it has not registered the walkthrough yet (it then rejects).
  void Promise.resolve(vscode.commands.executeCommand('welcome.markStepComplete', id)).catch(() => undefined);
}
