/**
 * The extension in code-server's workbench, driven as a person would with playwright-core and
 * Debian's Chromium, on examples/ (three drivers side by side: echo-dma, a KMDF PCI DMA driver;
 * usb-blink, a KMDF USB driver; soft-tally, a UMDF software-only driver; and the violations-*.c
 * files): the Problems view with findings of files never opened, the KMDF Driver Map, a role-type
 * hover, F12 from a header's declaration to the definition in another file, a completion stub,
 * "KMDF: Generate Callback Stub", the walkthrough (its steps completed by what the tests did) and the
 * extension's own page with its screenshots. Each step waits on the DOM (never a fixed delay) and leaves a
 * screenshot in test/artifacts/code-server/workbench/. With KMDF_UPDATE_SCREENSHOTS=1 the pictures
 * the READMEs and the walkthrough show (media/, docs/images/) are replaced by cropped copies.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Frame, Locator, Page } from 'playwright-core';
import {
  artifactsDir,
  CodeServer,
  createProfile,
  extensionVsix,
  launchChromium,
  openWorkbench,
  requirePrepared,
  waitFor,
} from './codeServer';
import { repoRoot } from '../support/paths';

const shotsDir = path.join(artifactsDir, 'workbench');
/** Long enough for a cold server start and the index build. */
const SERVER_TIMEOUT_MS = 60_000;
const UI_TIMEOUT_MS = 20_000;
/** Room kept around a cropped hover, in CSS pixels. */
const CROP_MARGIN = 24;

/** In a page: the widths of its pictures when it is the extension's README, else null (no DOM types here). */
const README_IMAGE_WIDTHS = `document.body && document.body.innerText.includes('KMDF Driver Map') &&
  document.querySelector('h1') && document.querySelector('h1').textContent === 'KMDF Assist'
  ? [...document.images].map((img) => (img.complete ? img.naturalWidth : 0))
  : null`;

/** Widths of the pictures of the README webview in `frame`, or null when it is another frame. */
async function readmeImages(frame: Frame): Promise<number[] | null> {
  try {
    return await frame.evaluate<number[] | null>(README_IMAGE_WIDTHS);
  } catch {
    return null; // a frame that went away, or one not ready yet
  }
}

describe('code-server: the workbench driven with Chromium', function () {
  this.timeout(180_000);
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let workspace: string;
  let userDataDir: string;
  let step = 0;

  /**
   * A full-page screenshot of this step for the artifacts; with `publish` (a repository path) and
   * KMDF_UPDATE_SCREENSHOTS=1 also a copy cropped to `crop` (an element, or a box) for the READMEs.
   */
  async function screenshot(
    name: string,
    publish?: { to: string; crop: Locator | { x: number; y: number; width: number; height: number } },
  ): Promise<void> {
    step += 1;
    const file = path.join(shotsDir, `${String(step).padStart(2, '0')}-${name}.png`);
    // Animations (the hover's fade-in) are finished first, so the picture shows what a person sees.
    await page.screenshot({ path: file, animations: 'disabled' });
    if (!publish || process.env.KMDF_UPDATE_SCREENSHOTS !== '1') return;
    const target = path.join(repoRoot, publish.to);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if ('screenshot' in publish.crop) await publish.crop.screenshot({ path: target, animations: 'disabled' });
    else await page.screenshot({ path: target, clip: publish.crop, animations: 'disabled' });
  }

  /** The box of `inner` grown by CROP_MARGIN, kept inside `outer`. */
  async function around(inner: Locator, outer: Locator) {
    const a = await inner.boundingBox();
    const b = await outer.boundingBox();
    assert.ok(a && b, 'element to crop to is not visible');
    const x = Math.max(b.x, a.x - CROP_MARGIN);
    const y = Math.max(b.y, a.y - CROP_MARGIN);
    const right = Math.min(b.x + b.width, a.x + a.width + CROP_MARGIN);
    const bottom = Math.min(b.y + b.height, a.y + a.height + CROP_MARGIN);
    return { x, y, width: right - x, height: bottom - y };
  }

  /** Run a command by its palette title. */
  async function runCommand(title: string): Promise<void> {
    await page.keyboard.press('F1');
    await chooseInQuickInput(title, title.replace(/^.*: /, ''));
    await page.keyboard.press('Enter');
  }

  const quickInput = () => page.locator('.quick-input-widget');

  /**
   * Type into the quick input and wait until the highlighted row (the one Enter accepts) contains
   * `rowText`; when another row came first (a recently used one), move down to it.
   */
  async function chooseInQuickInput(typed: string, rowText: string): Promise<void> {
    await quickInput().locator('input').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await page.keyboard.type(typed);
    await quickInput()
      .locator('.monaco-list-row', { hasText: rowText })
      .first()
      .waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    const focused = quickInput().locator('.monaco-list-row.focused', { hasText: rowText });
    for (let moves = 0; moves < 10 && !(await focused.count()); moves++) await page.keyboard.press('ArrowDown');
    await focused.first().waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
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

  /** A step of our walkthrough, by its id in package.json. */
  const walkthroughStep = (id: string) =>
    page.locator(
      `.gettingStartedContainer .getting-started-step[data-step-id="kmdf-assist.kmdf-assist#kmdf.gettingStarted#${id}"]`,
    );

  /** Whether the walkthrough shows a step as done. */
  const stepDone = async (id: string) =>
    (await walkthroughStep(id).locator('.codicon-getting-started-step-checked').count()) > 0;

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
    userDataDir = profile.userDataDir;
    server = await CodeServer.start(profile);
    browser = await launchChromium();
    page = await openWorkbench(browser, server);
    await page
      .locator('.explorer-folders-view .monaco-list-row', { hasText: 'echo-dma' })
      .waitFor({ timeout: UI_TIMEOUT_MS });
    // No Welcome page opens (the profile turns it off): the extension has VS Code create its walkthrough
    // service at activation, so that the Problems view step below is recorded and Get Started finds it.
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

  it('lists findings of driver files that were never opened in the Problems view', async function () {
    // Nothing is open: the extension starts because the workspace holds .vcxproj files, and the
    // workspace analysis reports every file of every project (and the loose violations-*.c files).
    assert.equal(await page.locator('.tabs-container .tab').count(), 0, 'an editor is open');
    await page.keyboard.press('Control+Shift+M');
    const panel = page.locator('.part.panel');
    const fileRow = (name: string) =>
      page.locator('.markers-panel .monaco-list-row', { hasText: name }).locator('.monaco-count-badge').first();

    // The first file's findings come in expanded; fold the tree so that every file's row shows.
    await fileRow('violations-contracts.c').waitFor({ timeout: SERVER_TIMEOUT_MS });
    await panel.locator('.action-label[aria-label*="Collapse All"]').first().click();
    const files = ['violations-contracts.c', 'violations-irql.c', 'violations-roles.c'];
    const counts = await waitFor(
      'findings for the three violations-*.c files, none of them open',
      async () => {
        const result: number[] = [];
        for (const name of files) {
          const badge = fileRow(name);
          result.push((await badge.count()) ? Number((await badge.innerText()).trim()) : 0);
        }
        return result.every((n) => n > 0) && result;
      },
      SERVER_TIMEOUT_MS,
    );
    assert.equal(await page.locator('.tabs-container .tab').count(), 0, 'the analysis opened an editor');
    // For the picture: the panel maximized, the two shorter files opened.
    await runCommand('View: Toggle Maximized Panel');
    for (const name of files.slice(1)) {
      await page.locator('.markers-panel .monaco-list-row', { hasText: name }).first().click();
    }
    await page
      .locator('.markers-panel .monaco-list-row', { hasText: /KMDF1\d{3}/ })
      .first()
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await screenshot('workspace-problems', { to: 'media/workspace-problems.png', crop: panel });
    assert.ok(counts[0] >= 10, `violations-contracts.c has ${counts[0]} problems`);
    await runCommand('View: Toggle Maximized Panel');
    await page.keyboard.press('Control+J');
    await panel.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
  });

  it('"KMDF: Analyse Workspace" says it checked three driver projects and the loose files, not four projects', async function () {
    await runCommand('KMDF: Analyse Workspace');
    const toast = page.locator('.notification-toast', { hasText: 'KMDF Assist: analysed' }).first();
    await toast.waitFor({ timeout: SERVER_TIMEOUT_MS });
    const text = (await toast.innerText()).replace(/\s+/g, ' ');
    await screenshot('analyse-workspace');
    // examples/: 11 files in echo-dma, soft-tally and usb-blink; the three violations-*.c files belong to none.
    assert.match(text, /KMDF Assist: analysed 11 files of 3 driver projects and 3 loose files: \d+ errors?, /, text);
    await runCommand('Notifications: Clear All Notifications');
    await toast.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
  });

  it('the KMDF Assist output channel: one timestamp per line, and a start-up summary naming the three projects and the loose files apart', async function () {
    await runCommand('KMDF: Show Output');
    const panel = page.locator('.part.panel');
    await panel
      .locator('.monaco-editor', { hasText: /Driver\s+projects:\s+3/ })
      .first()
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await screenshot('output-channel');
    // The channel as VS Code keeps it: its log file in this profile's session folder.
    const logs = path.join(userDataDir, 'logs');
    const channelLog = () =>
      fs
        .readdirSync(logs)
        .map((session) => path.join(logs, session, 'exthost1', 'kmdf-assist.kmdf-assist', 'KMDF Assist.log'))
        .find((file) => fs.existsSync(file));
    const text = await waitFor(
      'the output channel log to hold the Analyse Workspace message',
      () => {
        const file = channelLog();
        const content = file ? fs.readFileSync(file, 'utf8') : '';
        return content.includes('KMDF Assist: analysed') && content;
      },
      UI_TIMEOUT_MS,
    );
    const lines = text.trimEnd().split('\n');
    const STAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \[\w+\] /;
    // VS Code stamps each line; the server adds no stamp of its own (and writes no line without one).
    const badly = lines.filter((l) => !STAMP.test(l) || /\d\d:\d\d:\d\d[.,]\d{3}/.test(l.replace(STAMP, '')));
    assert.deepEqual(badly, []);
    const messages = lines.map((l) => l.replace(STAMP, ''));
    const start = messages.indexOf('Driver projects: 3');
    assert.ok(start > 0, messages.join('\n'));
    assert.deepEqual(messages.slice(start, start + 4), [
      'Driver projects: 3',
      '  echo-dma: KMDF 1.33 from the properties of echodma.vcxproj',
      '  soft-tally: UMDF 2.33 from the properties of softtally.vcxproj',
      '  usb-blink: KMDF 1.33 from the properties of usbblink.vcxproj',
    ]);
    assert.match(messages[start + 4], /^Loose files \(in no driver project\): 3 in .*examples: KMDF 1\.33 by default/);
    assert.match(messages[start - 2], /^WDK headers: /);
    assert.equal(messages[start - 1], 'Reference text: none, facts only (no kmdf.docs.path, online docs off)');
    await page.keyboard.press('Control+J');
    await panel.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
  });

  it('shows the three drivers in the KMDF Driver Map, each with its target and callbacks', async function () {
    await runCommand('Focus on KMDF Driver Map View');
    const sidebar = page.locator('.part.sidebar');
    const mapPane = sidebar.locator('.pane', { has: page.locator('.pane-header', { hasText: /KMDF Driver Map/i }) });
    // Give the map the side bar: fold the other Explorer sections, and widen the side bar so that each
    // callback's role and IRQL fit on its row.
    const otherOpenSection = sidebar
      .locator('.pane-header[aria-expanded="true"]')
      .filter({ hasNotText: /KMDF Driver Map/i })
      .first();
    for (let folded = 0; folded < 5 && (await otherOpenSection.count()); folded++) await otherOpenSection.click();
    const box = await sidebar.boundingBox();
    assert.ok(box, 'no side bar');
    await page.mouse.move(box.x + box.width + 1, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 560, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const row = (text: string | RegExp) => mapPane.locator('.monaco-list-row', { hasText: text }).first();
    const project = (name: string) => mapPane.locator('.monaco-list-row[aria-level="1"]', { hasText: name }).first();
    // The projects open expanded: fold them all, top down (each fold brings the next into view; the
    // last node, the loose violations-*.c files, says what they are), then open the USB and the UMDF driver.
    await mapPane.locator('.monaco-list-row').first().waitFor({ timeout: SERVER_TIMEOUT_MS });
    for (const name of ['echo-dma', 'soft-tally', 'usb-blink', 'Files outside any driver project']) {
      await project(name).waitFor({ timeout: UI_TIMEOUT_MS });
      if ((await project(name).getAttribute('aria-expanded')) === 'true') await project(name).click();
    }
    assert.match(
      (await project('Files outside any driver project').innerText()).replace(/\s+/g, ' '),
      /^Files outside any driver project\s*examples\//,
    );
    for (const name of ['soft-tally', 'usb-blink']) {
      await project(name).waitFor({ timeout: UI_TIMEOUT_MS });
      if ((await project(name).getAttribute('aria-expanded')) !== 'true') await project(name).click();
    }
    await row('UsbBlinkControlTransferComplete').waitFor({ timeout: UI_TIMEOUT_MS });
    await row('SoftTallyEvtTickTimer').waitFor({ timeout: UI_TIMEOUT_MS });
    const texts = await mapPane.locator('.monaco-list-row').allInnerTexts();
    await screenshot('driver-map', { to: 'media/driver-map.png', crop: sidebar });
    const wide = await sidebar.boundingBox();
    assert.ok(wide, 'no side bar');
    await page.mouse.move(wide.x + wide.width + 1, wide.y + wide.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width, wide.y + wide.height / 2, { steps: 5 });
    await page.mouse.up();
    const joined = texts.join('\n');
    for (const expected of [
      'KMDF 1.33',
      'UMDF 2.33',
      'UsbBlinkEvtDevicePrepareHardware',
      'UsbBlinkEvtIoDeviceControl',
      'SoftTallyEvtDeviceD0Entry',
      'SoftTallyEvtSaveWorkItem',
    ])
      assert.ok(joined.includes(expected), `the map lacks "${expected}":\n${joined}`);
    // The map's rows carry each callback's role and the IRQL it runs at.
    const ioctl = texts.find((t) => t.includes('UsbBlinkEvtIoDeviceControl')) ?? '';
    assert.match(ioctl, /EvtIoDeviceControl · IRQL /, ioctl);
    // A click on a callback opens its definition.
    await row('SoftTallyEvtTickTimer').click();
    await page.locator('.tabs-container .tab.active', { hasText: 'driver.c' }).waitFor({ timeout: UI_TIMEOUT_MS });
    const [defLine] = lineColumnOf('soft-tally/driver.c', 'SoftTallyEvtTickTimer(\n');
    await page
      .locator('.statusbar-item', { hasText: new RegExp(`^Ln ${defLine}, Col \\d+`) })
      .first()
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await screenshot('driver-map-click');
  });

  it('opens a driver header from examples/ and shows the role-type hover', async function () {
    await openFile('echo-dma/echodma.h');
    const [line, column] = lineColumnOf('echo-dma/echodma.h', 'EVT_WDF_IO_QUEUE_IO_STOP EchoDmaEvtIoStop;');
    await goTo(line, column + 4);
    const hover = await hoverWith('IRQL');
    const text = await hover.innerText();
    await screenshot('hover-role-type', {
      to: 'media/hover.png',
      crop: await around(hover, page.locator('.part.editor')),
    });
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

  it('the language status of a C file shows the index and the real docs state (offline: facts only), each text uncut', async function () {
    await openFile('echo-dma/queue.c');
    await page.locator('[id="status.languageStatus"]').click();
    const docs = page.locator('.hover-language-status', { hasText: 'Docs: facts only' }).first();
    await docs.waitFor({ timeout: SERVER_TIMEOUT_MS });
    const rows = (await page.locator('.hover-language-status').allInnerTexts()).map((r) => r.replace(/\s+/g, ' '));
    await screenshot('language-status');
    assert.ok(
      // "KMDF index – catalog" (the versions show when WDK headers are read).
      rows.some((r) => /^KMDF (index|\d\.\d+) .*catalog/.test(r)),
      `no index item naming the catalog:\n${rows.join('\n')}`,
    );
    assert.ok(
      rows.some((r) => r.includes('Docs: facts only') && r.includes('online docs off')),
      rows.join('\n'),
    );
    // Every label and detail shows whole (the status text was once cut off).
    const cut = await page.locator('.hover-language-status .left > *').evaluateAll((elements) =>
      elements
        .map((e) => e as unknown as { scrollWidth: number; clientWidth: number; textContent: string | null })
        .filter((e) => e.scrollWidth > e.clientWidth + 1)
        .map((e) => e.textContent),
    );
    assert.deepEqual(cut, []);
    await page.keyboard.press('Escape');
  });

  it('goes from a callback declared in a header to its definition in another file with F12 (no include setup)', async function () {
    await openFile('echo-dma/echodma.h');
    const [line, column] = lineColumnOf('echo-dma/echodma.h', 'EVT_WDF_IO_QUEUE_IO_STOP EchoDmaEvtIoStop;');
    await goTo(line, column + 'EVT_WDF_IO_QUEUE_IO_STOP '.length + 3);
    await page.keyboard.press('F12');
    await page.locator('.tabs-container .tab.active', { hasText: 'queue.c' }).waitFor({ timeout: SERVER_TIMEOUT_MS });
    const [defLine] = lineColumnOf('echo-dma/queue.c', 'EchoDmaEvtIoStop(\n');
    await page
      .locator('.statusbar-item', { hasText: new RegExp(`^Ln ${defLine}, Col \\d+`) })
      .first()
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await screenshot('go-to-definition');
  });

  it('completes a callback stub where a declaration starts, and accepting it writes the stub', async function () {
    await openFile('echo-dma/queue.c');
    const original = fs.readFileSync(path.join(workspace, 'echo-dma/queue.c'), 'utf8');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\nEVT_WDF_IO_QUEUE_IO_ST');
    await page.keyboard.press('Control+Space');
    const row = page.locator('.suggest-widget .monaco-list-row', { hasText: 'EvtIoStop callback' }).first();
    await row.waitFor({ state: 'visible', timeout: SERVER_TIMEOUT_MS });
    await screenshot('completion', { to: 'docs/images/completion.png', crop: page.locator('.part.editor') });
    await row.click();
    await page.locator('.suggest-widget').first().waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
    await page.keyboard.press('Escape');
    // Scroll to the end of the file so the whole stub is in the picture.
    await page.keyboard.press('Control+End');
    await screenshot('completion-stub', { to: 'docs/images/completion-stub.png', crop: page.locator('.part.editor') });
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
    // The first test left the tree folded but for two files: fold it all, then open this file's group.
    const panel = page.locator('.part.panel');
    await panel.locator('.action-label[aria-label*="Collapse All"]').first().click();
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'violations-contracts.c' }).first().click();
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
    await screenshot('generated-stub', { to: 'media/generate-stub.png', crop: page.locator('.part.editor') });
    // The completion step above left a role-type declaration in queue.c, so the new declaration joins
    // it there (a file that declares its own callbacks keeps them together, else they go in echodma.h).
    const declaration = `EVT_WDF_IO_QUEUE_IO_STOP ${proposed};\n`;
    assert.ok(saved.includes(declaration), saved.slice(before.length - 200));
    const rest = saved.replace(declaration, '');
    assert.ok(rest.startsWith(before), rest.slice(0, 200));
    assert.ok(rest.slice(before.length).includes(`VOID\n${proposed}(\n`), rest.slice(before.length));
  });
  it('opens the walkthrough with "KMDF: Get Started": the steps driven above are done, a step\'s button completes it', async function () {
    // The walkthrough gets the whole width for its picture.
    await page.keyboard.press('Control+B');
    await page.locator('.part.sidebar').waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS });
    await runCommand('KMDF: Get Started');
    const walkthrough = page.locator('.gettingStartedContainer');
    await walkthrough.getByText('Open a driver', { exact: false }).first().waitFor({ timeout: UI_TIMEOUT_MS });
    for (const title of [
      'Hover a role type',
      'Generate a callback stub',
      'See contract diagnostics',
      'Point at a WDK or a docs folder',
    ])
      assert.ok(await walkthrough.getByText(title).count(), `the walkthrough lacks "${title}"`);
    // Done by the tests above: the map listing a driver, a hover shown, a stub generated (the client
    // marks these), the Problems view shown (Ctrl+Shift+M: the view's completion event).
    const driven = ['kmdf.openDriver', 'kmdf.hoverRoleType', 'kmdf.generateStub', 'kmdf.diagnostics'];
    const done = await waitFor(
      'the four steps driven above to show as done',
      async () => {
        const states = await Promise.all(driven.map(stepDone));
        return states.every(Boolean) && states;
      },
      UI_TIMEOUT_MS,
    ).catch(async () => Promise.all(driven.map(stepDone)));
    assert.deepEqual(
      Object.fromEntries(driven.map((id, i) => [id, done[i]])),
      Object.fromEntries(driven.map((id) => [id, true])),
    );
    assert.equal(await stepDone('kmdf.wdkAndDocs'), false, 'the last step is done before anything was set');
    // The walkthrough opens on the first step not done; the first step's picture is a file of the package
    // and must have loaded, not only be named.
    await walkthroughStep('kmdf.openDriver').click();
    const image = walkthrough.locator('.getting-started-media img').first();
    const width = await waitFor(
      'the walkthrough step picture to load',
      async () =>
        (await image.count()) &&
        (await image.evaluate((img) => {
          const picture = img as unknown as { complete: boolean; naturalWidth: number };
          return picture.complete ? picture.naturalWidth : 0;
        })),
      UI_TIMEOUT_MS,
    );
    // The four steps done, the first one open with its picture.
    await screenshot('walkthrough', { to: 'docs/images/walkthrough.png', crop: page.locator('.part.editor') });
    assert.ok(width > 100, `the step picture is ${width} pixels wide`);
    // The last step's own button (opening the setting) completes it.
    await walkthroughStep('kmdf.wdkAndDocs').click();
    await walkthroughStep('kmdf.wdkAndDocs').getByText('Set a Docs Folder').click();
    await page.locator('.settings-editor').waitFor({ timeout: UI_TIMEOUT_MS });
    await runCommand('KMDF: Get Started');
    await waitFor('the last step to show as done', () => stepDone('kmdf.wdkAndDocs'), UI_TIMEOUT_MS);
    await page.keyboard.press('Control+B');
    await page.locator('.part.sidebar').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  });

  it("shows the extension's page with its screenshots rendered (they ship inside the packaged README)", async function () {
    await page.keyboard.press('Control+Shift+X');
    const search = page.locator('.extensions-viewlet .suggest-input-container').first();
    await search.click();
    await page.keyboard.type('@installed KMDF Assist');
    const item = page.locator('.extensions-viewlet .monaco-list-row', { hasText: 'KMDF Assist' }).first();
    await item.waitFor({ timeout: UI_TIMEOUT_MS });
    await item.click();
    await page.locator('.extension-editor').waitFor({ timeout: UI_TIMEOUT_MS });
    // The README is a webview: find its frame, then wait until every picture in it has loaded.
    const loaded = await waitFor(
      'the README webview with its pictures loaded',
      async () => {
        for (const frame of page.frames()) {
          const widths = await readmeImages(frame);
          if (widths && widths.length && widths.every((w) => w > 0)) return widths;
        }
        return false;
      },
      UI_TIMEOUT_MS,
    );
    await screenshot('extension-page');
    assert.ok(loaded.length >= 4 && loaded.every((w) => w > 100), `picture widths: ${loaded.join(', ')}`);
  });
});
