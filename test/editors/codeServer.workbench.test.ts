/**
 * The extension in code-server's workbench, driven as a person would with playwright-core and
 * Debian's Chromium: open the examples, hover a role type, accept a completion stub, look at the
 * Problems view, and run "KMDF: Generate Callback Stub" from the command palette. Each step waits
 * on the DOM (never a fixed delay) and leaves a screenshot in test/artifacts/code-server/workbench/.
 * With KMDF_UPDATE_SCREENSHOTS=1 the README's pictures in docs/images/ are replaced too.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import {
  artifactsDir,
  CodeServer,
  createProfile,
  extensionVsix,
  launchChromium,
  openWorkbench,
  repoRoot,
  requirePrepared,
  waitFor,
} from './codeServer';

const shotsDir = path.join(artifactsDir, 'workbench');
const docsImagesDir = path.join(repoRoot, 'docs', 'images');
/** Screenshot step name → README image name. */
const README_IMAGES: Record<string, string> = {
  'hover-role-type': 'hover.png',
  completion: 'completion.png',
  'completion-stub': 'completion-stub.png',
  problems: 'diagnostics.png',
  'generated-stub': 'generate-stub.png',
};
/** Long enough for a cold server start and the index build. */
const SERVER_TIMEOUT_MS = 60_000;
const UI_TIMEOUT_MS = 20_000;

describe('code-server: the workbench driven with Chromium', function () {
  this.timeout(180_000);
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let workspace: string;
  let step = 0;

  async function screenshot(name: string): Promise<void> {
    step += 1;
    const file = path.join(shotsDir, `${String(step).padStart(2, '0')}-${name}.png`);
    // Animations (the hover's fade-in) are finished first, so the picture shows what a person sees.
    await page.screenshot({ path: file, animations: 'disabled' });
    const readmeName = README_IMAGES[name];
    if (readmeName && process.env.KMDF_UPDATE_SCREENSHOTS === '1') {
      fs.mkdirSync(docsImagesDir, { recursive: true });
      fs.copyFileSync(file, path.join(docsImagesDir, readmeName));
    }
  }

  const quickInput = () => page.locator('.quick-input-widget');

  /** Type into the quick input and wait until the highlighted row (the one Enter accepts) contains `rowText`. */
  async function chooseInQuickInput(typed: string, rowText: string): Promise<void> {
    await quickInput().locator('input').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await page.keyboard.type(typed);
    await quickInput()
      .locator('.monaco-list-row.focused', { hasText: rowText })
      .first()
      .waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  }

  /** Open a workspace file through Quick Open, and wait for its tab to be the active one. */
  async function openFile(relative: string): Promise<void> {
    await page.keyboard.press('Control+P');
    await chooseInQuickInput(relative, path.basename(relative));
    await page.keyboard.press('Enter');
    await page
      .locator('.tabs-container .tab.active', { hasText: path.basename(relative) })
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await page.locator('.monaco-editor.focused').waitFor({ timeout: UI_TIMEOUT_MS });
  }

  /** Move the cursor with "Go to Line/Column". */
  async function goTo(line: number, column: number): Promise<void> {
    await page.keyboard.press('Control+G');
    await quickInput().locator('input').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await page.keyboard.type(`${line}:${column}`);
    await page.keyboard.press('Enter');
    await quickInput().waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
  }

  /** 1-based line and column of `needle` in a workspace file. */
  function lineColumnOf(relative: string, needle: string): [number, number] {
    const text = fs.readFileSync(path.join(workspace, relative), 'utf8');
    const offset = text.indexOf(needle);
    assert.ok(offset >= 0, `"${needle}" not in ${relative}`);
    const before = text.slice(0, offset).split('\n');
    return [before.length, before[before.length - 1].length + 1];
  }

  /** Save the active editor and wait until the file on disk satisfies `accept`. */
  async function saveAndRead(relative: string, accept: (text: string) => boolean): Promise<string> {
    // A command's workspace edit can reach the editor after the first Ctrl+S on a slow machine, so
    // save again on every poll until the file on disk has the text (saving a clean file does nothing).
    const file = path.join(workspace, relative);
    try {
      return await waitFor(
        `${relative} to be saved with the expected text`,
        async () => {
          await page.keyboard.press('Control+S');
          const text = fs.readFileSync(file, 'utf8');
          return accept(text) && text;
        },
        UI_TIMEOUT_MS,
      );
    } catch (error) {
      const tab = await page
        .locator('.tab.active')
        .first()
        .innerText()
        .catch(() => '(no active tab)');
      await screenshot('save-timeout');
      throw new Error(
        `${(error as Error).message}; active tab: ${tab}; file ends:\n${fs.readFileSync(file, 'utf8').slice(-300)}`,
        { cause: error },
      );
    }
  }

  /** The editor hover, shown with "Show or Focus Hover" (Ctrl+K Ctrl+I) until it has `text`. */
  async function hoverWith(text: string): Promise<Locator> {
    const hover = page.locator('.monaco-editor .monaco-hover', { hasText: text });
    await waitFor(
      `a hover containing "${text}"`,
      async () => {
        await page.keyboard.press('Control+K');
        await page.keyboard.press('Control+I');
        try {
          await hover.first().waitFor({ state: 'visible', timeout: 2000 });
          return true;
        } catch {
          // The server may still be starting: close whatever showed and ask again.
          await page.keyboard.press('Escape');
          return false;
        }
      },
      SERVER_TIMEOUT_MS,
    );
    return hover.first();
  }

  before(async function () {
    requirePrepared();
    fs.rmSync(shotsDir, { recursive: true, force: true });
    fs.mkdirSync(shotsDir, { recursive: true });
    const profile = createProfile('workbench', path.join(repoRoot, 'examples'), [extensionVsix]);
    workspace = profile.workspace;
    server = await CodeServer.start(profile);
    browser = await launchChromium();
    page = await openWorkbench(browser, server);
    await page
      .locator('.explorer-folders-view .monaco-list-row', { hasText: 'echo-dma' })
      .waitFor({ timeout: UI_TIMEOUT_MS });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed')
      await page
        ?.screenshot({ path: path.join(shotsDir, `failed-${this.currentTest.title.replace(/\W+/g, '-')}.png`) })
        .catch(() => undefined);
  });

  after(async function () {
    await browser?.close();
    await server?.stop();
  });

  it('opens a driver header from examples/ and shows the role-type hover', async function () {
    await openFile('echo-dma/echodma.h');
    const [line, column] = lineColumnOf('echo-dma/echodma.h', 'EVT_WDF_IO_QUEUE_IO_STOP EchoDmaEvtIoStop;');
    await goTo(line, column + 4);
    const hover = await hoverWith('IRQL');
    const text = await hover.innerText();
    await screenshot('hover-role-type');
    for (const expected of [
      'EVT_WDF_IO_QUEUE_IO_STOP',
      'WDFQUEUE Queue',
      'ULONG ActionFlags',
      'DISPATCH_LEVEL',
      'wdfio.h',
    ]) {
      assert.ok(text.includes(expected), `hover lacks "${expected}":\n${text}`);
    }
    await page.keyboard.press('Escape');
  });

  it('completes a callback stub where a declaration starts, and accepting it writes the stub', async function () {
    await openFile('echo-dma/queue.c');
    const original = fs.readFileSync(path.join(workspace, 'echo-dma/queue.c'), 'utf8');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\nEVT_WDF_IO_QUEUE_IO_ST');
    await page.keyboard.press('Control+Space');
    const row = page.locator('.suggest-widget .monaco-list-row', { hasText: 'EvtIoStop callback' }).first();
    await row.waitFor({ state: 'visible', timeout: SERVER_TIMEOUT_MS });
    await screenshot('completion');
    await row.click();
    await page.locator('.suggest-widget').first().waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
    await page.keyboard.press('Escape');
    // Scroll to the end of the file so the whole stub is in the picture.
    await page.keyboard.press('Control+End');
    await screenshot('completion-stub');
    const saved = await saveAndRead('echo-dma/queue.c', (text) => text !== original);
    const stub = saved.slice(original.length);
    assert.match(
      stub,
      /^\nEVT_WDF_IO_QUEUE_IO_STOP (EchoDmaEvtIoStop\d*);\n\n_Use_decl_annotations_\nVOID\n\1\(\n {4}WDFQUEUE Queue,\n {4}WDFREQUEST Request,\n {4}ULONG ActionFlags\n {4}\)\n\{\n/,
    );
  });

  it('lists the contract diagnostics of an example in the Problems view', async function () {
    await openFile('violations-contracts.c');
    await page.keyboard.press('Control+Shift+M');
    // The file's group row carries the number of its problems; the example holds one violation of each
    // contract rule KMDF3001-KMDF3017, so wait until most of them are listed.
    const fileRow = page.locator('.markers-panel .monaco-list-row', { hasText: 'violations-contracts.c' }).first();
    const badgeCount = async () => {
      const badge = fileRow.locator('.monaco-count-badge');
      return (await badge.count()) ? Number((await badge.innerText()).trim()) : 0;
    };
    const count = await waitFor(
      'at least 10 problems for violations-contracts.c',
      async () => (await badgeCount()) >= 10 && badgeCount(),
      SERVER_TIMEOUT_MS,
    );
    await screenshot('problems');
    const rows = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
    const codes = new Set(rows.flatMap((r) => r.match(/KMDF30\d\d/g) ?? []));
    assert.ok(count >= 10 && codes.size >= 3, `${count} problems; rows shown:\n${rows.join('\n')}`);
  });

  it('runs "KMDF: Generate Callback Stub" from the command palette', async function () {
    // Close the Problems panel of the previous step, so the editor has the room.
    if (await page.locator('.part.panel').isVisible()) {
      await page.keyboard.press('Control+J');
      await page.locator('.part.panel').waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
    }
    await openFile('echo-dma/queue.c');
    const before = fs.readFileSync(path.join(workspace, 'echo-dma/queue.c'), 'utf8');
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.press('F1');
    await chooseInQuickInput('KMDF: Generate Callback Stub', 'Generate Callback Stub');
    await screenshot('command-palette');
    await page.keyboard.press('Enter');
    await quickInput()
      .locator('.quick-input-title', { hasText: 'Generate Callback Stub' })
      .waitFor({ timeout: SERVER_TIMEOUT_MS });
    await chooseInQuickInput('EVT_WDF_IO_QUEUE_IO_STOP', 'EVT_WDF_IO_QUEUE_IO_STOP');
    await screenshot('pick-role-type');
    await page.keyboard.press('Enter');
    // The name box's title names the role type; the picker's ("Generate Callback Stub") may still be closing.
    await quickInput()
      .locator('.quick-input-title', { hasText: 'Generate EVT_WDF_IO_QUEUE_IO_STOP' })
      .waitFor({ timeout: UI_TIMEOUT_MS });
    const proposed = await quickInput().locator('input').inputValue();
    assert.match(proposed, /^EchoDmaEvtIoStop\d*$/);
    await page.keyboard.press('Enter');
    await quickInput().waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
    // The definition goes at the end of queue.c (nothing registers the new name), the cursor on its name.
    const saved = await saveAndRead('echo-dma/queue.c', (text) => text.includes(`${proposed}(`));
    await screenshot('generated-stub');
    // The completion step above left a role-type declaration in queue.c, so the new declaration joins
    // it there (a file that declares its own callbacks keeps them together, else they go in echodma.h).
    const declaration = `EVT_WDF_IO_QUEUE_IO_STOP ${proposed};\n`;
    assert.ok(saved.includes(declaration), saved.slice(before.length - 200));
    const rest = saved.replace(declaration, '');
    assert.ok(rest.startsWith(before), rest.slice(0, 200));
    assert.ok(rest.slice(before.length).includes(`VOID\n${proposed}(\n`), rest.slice(before.length));
  });
});
