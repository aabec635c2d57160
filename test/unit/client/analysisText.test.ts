/** The message after "KMDF: Analyse Workspace". */
import { strict as assert } from 'node:assert';
import { describeWorkspaceAnalysis } from '../../../client/src/analysisText';

const none = { error: 0, warning: 0, info: 0, hint: 0 };

describe('client: the Analyse Workspace message', () => {
  it('says what was checked and counts the findings by severity', () => {
    assert.equal(
      describeWorkspaceAnalysis({
        enabled: true,
        projects: 2,
        files: 5,
        findings: { error: 0, warning: 1, info: 3, hint: 2 },
        cancelled: false,
      }),
      'KMDF Assist: analysed 5 files of 2 driver projects: 1 warning, 3 information, 2 hints.',
    );
    assert.equal(
      describeWorkspaceAnalysis({ enabled: true, projects: 1, files: 1, findings: none, cancelled: false }),
      'KMDF Assist: analysed 1 file of 1 driver project: no findings.',
    );
  });

  it('says when the run stopped early, and when workspace analysis is off', () => {
    assert.equal(
      describeWorkspaceAnalysis({ enabled: true, projects: 3, files: 120, findings: none, cancelled: true }),
      'KMDF Assist: workspace analysis stopped (120 files of 3 driver projects planned); the Problems view shows what was checked.',
    );
    assert.equal(
      describeWorkspaceAnalysis({ enabled: false, projects: 0, files: 0, findings: none, cancelled: false }),
      'KMDF Assist: workspace analysis is off (kmdf.diagnostics.scope is "openFiles", or kmdf.diagnostics.enable is false).',
    );
  });
});
