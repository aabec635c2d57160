/**
 * Two drivers in one workspace folder, each with its own .vcxproj: the server checks each document
 * against its own project's call graph, so Cobalt's DISPATCH_LEVEL timer calling a helper it only
 * declares does not make Flint's same-named registry helper a DISPATCH_LEVEL function. The same files
 * under one `.kmdf.json` (one project) do share a call graph, and then the findings appear.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyFixture, fixturesDir, positionOf, TestClient } from './harness';

const fixture = path.join(fixturesDir, 'projects');

/** Open Cobalt's file, then Flint's (each after the previous one is checked), and return Flint's diagnostics as `code@line`. */
async function flintFindings(workspaceFolder: string): Promise<string[]> {
  const client = await TestClient.start({ workspaceFolder, settings: { docs: { online: false } } });
  try {
    await client.ready();
    // Cobalt is open (so in the workspace model whatever the scan has reached) before Flint is checked.
    const cobaltUri = await client.open(path.join(workspaceFolder, 'cobalt', 'poll.c'));
    await client.waitFor(() => client.diagnostics.has(cobaltUri), 10000, 'diagnostics for cobalt/poll.c');
    const flintUri = await client.open(path.join(workspaceFolder, 'flint', 'tuning.c'));
    await client.waitFor(() => client.diagnostics.has(flintUri), 10000, 'diagnostics for flint/tuning.c');
    return client.diagnostics
      .get(flintUri)!
      .diagnostics.map((d) => `${String(d.code)}@${d.range.start.line}:${d.range.start.character}`);
  } finally {
    await client.stop();
  }
}

describe('protocol: one workspace, several driver projects', function () {
  this.timeout(60000);

  it("does not carry one driver's callback IRQL into another driver's helper of the same name", async () => {
    assert.deepEqual(await flintFindings(fixture), []);
  });

  it('shares the call graph when both files belong to one project (one .kmdf.json above them)', async () => {
    const merged = copyFixture('projects');
    try {
      fs.rmSync(path.join(merged, 'cobalt', 'cobalt.vcxproj'));
      fs.rmSync(path.join(merged, 'flint', 'flint.vcxproj'));
      fs.writeFileSync(path.join(merged, '.kmdf.json'), '{}\n');
      const text = fs.readFileSync(path.join(merged, 'flint', 'tuning.c'), 'utf8');
      const at = (needle: string) => {
        const p = positionOf(text, needle);
        return `${p.line}:${p.character}`;
      };
      assert.deepEqual(await flintFindings(merged), [
        `KMDF2007@${at('ReadTuning(WDFDEVICE')}`,
        `KMDF2001@${at('WdfDeviceOpenRegistryKey')}`,
        `KMDF2001@${at('WdfRegistryQueryULong')}`,
        `KMDF2001@${at('WdfRegistryClose')}`,
      ]);
    } finally {
      fs.rmSync(merged, { recursive: true, force: true });
    }
  });
});
