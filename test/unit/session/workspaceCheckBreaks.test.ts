/**
 * The workspace re-check (session/workspaceChecks.ts) in slices and pieces, giving way between them
 * (and waiting, as it does for a quiet moment after the editor's requests): the findings of every
 * document are those of the one-go run over the same projects (`kmdf lint`'s), in its order.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultSettings } from '../../../shared/settings';
import { projectRulesOptions } from '../../../server/src/session/analysisSession';
import { runProjectRules } from '../../../server/src/session/projectRules';
import { silentLogger } from '../../../server/src/util/logger';
import { lampContext } from '../features/lampContext';

describe('workspace re-check with breaks', () => {
  it('finds in every document what the one-go run finds, however often and long it waits', async () => {
    const ctx = await lampContext();
    // Nothing is open: the files' texts are those the scan read from disk.
    const diskText = (uri: string) => fs.readFileSync(fileURLToPath(uri), 'utf8');
    const oneGo = runProjectRules(
      projectRulesOptions(
        ctx.session.workspace,
        ctx.index,
        diskText,
        silentLogger,
        ctx.session.projects,
        defaultSettings,
      ),
    );
    assert.ok(oneGo.length > 0, 'the fixture has findings');
    const checks = ctx.session.workspaceChecks(() => undefined);
    let breaks = 0;
    // Every third break waits a timer's turn (other work runs meanwhile), the others only a microtask.
    const pause = () => (++breaks % 3 ? Promise.resolve() : new Promise<void>((resolve) => setTimeout(resolve, 0)));
    const result = await checks.run({ settings: defaultSettings, pause, cancelled: () => false });
    assert.equal(result.cancelled, false);
    assert.ok(breaks > result.files, `${breaks} breaks over ${result.files} files`);
    const uris = [...new Set(oneGo.map((f) => f.uri))];
    for (const uri of uris)
      assert.deepEqual(
        checks.findingsOf(uri),
        oneGo.filter((f) => f.uri === uri),
        uri,
      );
    for (const uri of checks.uris()) if (!uris.includes(uri)) assert.deepEqual(checks.findingsOf(uri), [], uri);
  });
});
