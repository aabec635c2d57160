/**
 * The editor's rules check gives way while it runs (session/projectRules.ts runProjectRulesStepped):
 * the same findings as the one-go run, with a break after every rule when the slice is zero.
 */
import { strict as assert } from 'node:assert';
import { fileURLToPath } from 'node:url';
import { defaultSettings } from '../../../shared/settings';
import { projectRulesOptions } from '../../../server/src/session/analysisSession';
import {
  projectRunOptions,
  projectRuns,
  runProjectRules,
  runProjectRulesStepped,
} from '../../../server/src/session/projectRules';
import { rulesSteps } from '../../../server/src/rules/engine';
import { silentLogger } from '../../../server/src/util/logger';
import { lampContext } from './lampContext';

describe('rules checks that give way', () => {
  it('find what the one-go run finds, giving way after each rule of each document', async () => {
    const ctx = await lampContext();
    const { uri } = ctx.open('queue.c');
    await ctx.documents.current(uri);
    const options = {
      ...projectRulesOptions(
        ctx.session.workspace,
        ctx.index,
        (u) => ctx.documents.text(u),
        silentLogger,
        ctx.session.projects,
        defaultSettings,
      ),
      uris: [uri],
    };
    assert.ok(options.model.projectsOf(fileURLToPath(uri)).length, 'queue.c is in a project');
    let steps = 0;
    for (const run of projectRuns(options.model, options.workspaces, options.uris))
      for (const step = rulesSteps(projectRunOptions(options, run)); !step.next().done;) steps++;
    let breaks = 0;
    const stepped = await runProjectRulesStepped(options, () => Promise.resolve(void breaks++), 0);
    const oneGo = runProjectRules(options);
    assert.ok(oneGo.length > 0);
    assert.ok(steps > 1);
    assert.deepEqual(stepped, oneGo);
    assert.equal(breaks, steps);
  });
});
