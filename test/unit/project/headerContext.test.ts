/**
 * What a file gets from the headers it includes: the project's include path reaches headers outside
 * the folders linted (read for context, never checked), and their `#define`s reach every file that
 * includes them (a code-segment macro makes a function pageable, an empty macro drops its arguments).
 * Fixture: test/fixtures/projects/ferry, a driver folder with its shared header in ../inc.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { includeGuardOf } from '../../../server/src/analysis/conditionals';
import { headerMacroDefinitions } from '../../../server/src/analysis/prepass';
import { analyzeDriver, lintDriver } from '../../../server/src/session/treeAnalysis';
import { testIndex } from '../../support/testIndex';
import { repoRoot } from '../../support/paths';

const ferry = path.join(repoRoot, 'test/fixtures/projects/ferry');

describe('headers a project includes from outside the linted folder', () => {
  it('reads ../inc/ferry.h through the include path: its role types and section macros apply, its own file is not checked', async () => {
    const index = testIndex();
    const driver = await analyzeDriver([path.join(ferry, 'drv')], index);
    assert.deepEqual([...driver.outside], [path.join(ferry, 'inc/ferry.h')]);
    const { findings } = lintDriver(driver, { index });
    const shown = findings
      .filter((f) => f.severity !== 'hint')
      .map(
        (f) => `${path.relative(ferry, driver.paths.get(f.uri)!)}:${f.span.start.line + 1} ${f.ruleId} ${f.severity}`,
      );
    // The seeded bug, a warning; before, the macro was read as a return type: no paged section, so the
    // PAGED_CODE() calls drew KMDF2005 "not in a paged section" and the bug went unseen.
    assert.deepEqual(shown, ['drv/queue.c:45 KMDF2002 warning']);
    const marked = fs
      .readFileSync(path.join(ferry, 'drv/queue.c'), 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('expect: KMDF2002'));
    assert.equal(marked + 1, 45);

    const queue = driver.workspace.get([...driver.paths].find(([, p]) => p.endsWith('queue.c'))![0])!;
    const stop = queue.functions.find((f) => f.name === 'FerryEvtIoStop' && f.isDefinition)!;
    assert.equal(stop.returnType, 'VOID');
    const dflt = queue.functions.find((f) => f.name === 'FerryEvtIoDefault' && f.isDefinition)!;
    // FERRY_LOG(x) expands to nothing: the call inside it is never compiled.
    assert.deepEqual(
      dflt.calls.map((c) => c.callee),
      ['UNREFERENCED_PARAMETER', 'WdfRequestComplete'],
    );
  });

  it('linting the parent folder checks the header itself, with the same findings in the driver', async () => {
    const index = testIndex();
    const driver = await analyzeDriver([ferry], index);
    assert.equal(driver.outside.size, 0);
    const { findings } = lintDriver(driver, { index });
    assert.deepEqual(
      findings
        .filter((f) => f.severity !== 'hint')
        .map((f) => `${path.basename(driver.paths.get(f.uri)!)} ${f.ruleId}`),
      ['queue.c KMDF2002'],
    );
  });
});

describe('header macros and include guards', () => {
  it('recognises an include guard only when it encloses the whole header', () => {
    assert.equal(includeGuardOf('#ifndef A_H\n#define A_H\nint a;\n#endif\n'), 'A_H');
    assert.equal(includeGuardOf('/* c */\n#if !defined(A_H)\n#define A_H\n#if X\n#endif\n#endif // A_H\n'), 'A_H');
    // A default value, not a guard: the definition has a body.
    assert.equal(includeGuardOf('#ifndef LIMIT\n#define LIMIT 4\n#endif\n'), undefined);
    // The group closes before the end: something follows that the guard does not cover.
    assert.equal(includeGuardOf('#ifndef A_H\n#define A_H\n#endif\n#define B 1\n'), undefined);
    assert.equal(includeGuardOf('#pragma once\nint a;\n'), undefined);
  });

  it('keeps the definitions that may matter, outside undecided branches, and never a reserved name', () => {
    const header = [
      '#ifndef RIG_H',
      '#define RIG_H',
      '#define RIG_PAGED __declspec(code_seg("PAGE"))',
      '#define RIG_PASSIVE _IRQL_requires_max_(PASSIVE_LEVEL)',
      '#define RIG_TRACE(x)',
      '#define RIG_CHECK() PAGED_CODE()',
      '#define RIG_LIMIT 16',
      '#define _In_reads_(n)',
      '#if RIG_DEBUG',
      '#define RIG_DUMP(x)',
      '#endif',
      '#endif',
    ].join('\n');
    assert.deepEqual(
      headerMacroDefinitions(header).map((d) => d.name),
      ['RIG_PAGED', 'RIG_PASSIVE', 'RIG_TRACE', 'RIG_CHECK'],
    );
    // With RIG_DEBUG known, its branch is decided and its definition kept.
    assert.deepEqual(
      headerMacroDefinitions(header, new Map([['RIG_DEBUG', '1']])).map((d) => d.name),
      ['RIG_PAGED', 'RIG_PASSIVE', 'RIG_TRACE', 'RIG_CHECK', 'RIG_DUMP'],
    );
  });
});
