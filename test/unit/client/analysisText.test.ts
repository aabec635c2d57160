/** The message after "KMDF: Analyse Workspace". */
import { strict as assert } from 'node:assert';
import { describeWorkspaceAnalysis } from '../../../client/src/analysisText';
import { describeCheckScope } from '../../../shared/checkScope';

const none = { error: 0, warning: 0, info: 0, hint: 0 };

describe('client: the Analyse Workspace message', () => {
  it('says what was checked and counts the findings by severity', () => {
    assert.equal(
      describeWorkspaceAnalysis({
        enabled: true,
        projects: 2,
        files: 5,
        looseFiles: 0,
        findings: { error: 0, warning: 1, info: 3, hint: 2 },
        cancelled: false,
      }),
      'KMDF Assist: analysed 5 files of 2 driver projects: 1 warning, 3 information, 2 hints.',
    );
    assert.equal(
      describeWorkspaceAnalysis({
        enabled: true,
        projects: 1,
        files: 1,
        looseFiles: 0,
        findings: none,
        cancelled: false,
      }),
      'KMDF Assist: analysed 1 file of 1 driver project: no findings.',
    );
  });

  it('counts files in no driver project as loose files, never as a driver project', () => {
    assert.equal(
      describeWorkspaceAnalysis({
        enabled: true,
        projects: 3,
        files: 14,
        looseFiles: 3,
        findings: { error: 10, warning: 21, info: 6, hint: 17 },
        cancelled: false,
      }),
      'KMDF Assist: analysed 11 files of 3 driver projects and 3 loose files: 10 errors, 21 warnings, 6 information, 17 hints.',
    );
    // A driver kept without a project file: only loose files, and no "0 driver projects".
    assert.equal(
      describeWorkspaceAnalysis({
        enabled: true,
        projects: 0,
        files: 6,
        looseFiles: 6,
        findings: none,
        cancelled: false,
      }),
      'KMDF Assist: analysed 6 loose files: no findings.',
    );
    assert.equal(
      describeWorkspaceAnalysis({
        enabled: true,
        projects: 0,
        files: 1,
        looseFiles: 1,
        findings: none,
        cancelled: true,
      }),
      'KMDF Assist: workspace analysis stopped (1 loose file planned); the Problems view shows what was checked.',
    );
    assert.equal(
      describeWorkspaceAnalysis({
        enabled: true,
        projects: 0,
        files: 0,
        looseFiles: 0,
        findings: none,
        cancelled: false,
      }),
      'KMDF Assist: analysed no files: no findings.',
    );
  });

  it('says when the run stopped early, and when workspace analysis is off', () => {
    assert.equal(
      describeWorkspaceAnalysis({
        enabled: true,
        projects: 3,
        files: 120,
        looseFiles: 0,
        findings: none,
        cancelled: true,
      }),
      'KMDF Assist: workspace analysis stopped (120 files of 3 driver projects planned); the Problems view shows what was checked.',
    );
    assert.equal(
      describeWorkspaceAnalysis({
        enabled: false,
        projects: 0,
        files: 0,
        looseFiles: 0,
        findings: none,
        cancelled: false,
      }),
      'KMDF Assist: workspace analysis is off (kmdf.diagnostics.scope is "openFiles", or kmdf.diagnostics.enable is false).',
    );
  });
});

describe('shared: what a workspace check covers, in words', () => {
  it('names driver projects and loose files apart, each only when there are some', () => {
    assert.deepEqual(
      [
        describeCheckScope(3, 3),
        describeCheckScope(1, 0),
        describeCheckScope(0, 6),
        describeCheckScope(2, 1, 'driver'),
        describeCheckScope(0, 0),
      ],
      [
        '3 driver projects and 3 loose files',
        '1 driver project',
        '6 loose files',
        '2 drivers and 1 loose file',
        'no files',
      ],
    );
  });
});
