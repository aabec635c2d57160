/**
 * The editor's rules check gives way while it runs (session/projectRules.ts runProjectRulesStepped):
 * the same findings as the one-go run, with a break after every rule when the slice is zero.
 */
import { strict as assert } from 'node:assert';
import {
  projectRunOptions,
  projectRuns,
  runProjectRules,
  runProjectRulesStepped,
} from '../../../server/src/session/projectRules';
import { rulesSteps } from '../../../server/src/rules/engine';
import { openedRulesOptions } from './lampContext';

describe('rules checks that give way', () => {
  it('find what the one-go run finds, giving way after each rule of each document', async () => {
    const { options } = await openedRulesOptions();
    const countSteps = () => {
      let n = 0;
      for (const run of projectRuns(options.model, options.workspaces, options.uris))
        for (const step = rulesSteps(projectRunOptions(options, run)); !step.next().done;) n++;
      return n;
    };
    // The first run also builds the workspaces' name tables, a step per document; the runs after use them.
    const first = countSteps();
    const steps = countSteps();
    assert.ok(first > steps, `${first} steps, then ${steps}`);
    let breaks = 0;
    const stepped = await runProjectRulesStepped(options, () => Promise.resolve(void breaks++), 0);
    const oneGo = runProjectRules(options);
    assert.ok(oneGo.length > 0);
    assert.ok(steps > 1);
    assert.deepEqual(stepped, oneGo);
    assert.equal(breaks, steps);
  });
});
