/**
 * KMDF3022: a callback written into a local configuration or attributes structure registers
 * nothing unless the structure then reaches a call (`// expect: KMDF3022` marks each finding).
 */
import { strict as assert } from 'node:assert';
import { analyzeText } from '../../../server/src/analysis/parse';
import { registrationRules } from '../../../server/src/rules/registrations';
import { allRules } from '../../../server/src/rules/registry';
import { expectedMarkers, foundAt, lint, loadFixture } from '../../support/ruleHarness';

describe('KMDF3022 callback never registered', () => {
  it('reports each field of a structure never handed over, or set after it was', async () => {
    const files = loadFixture('registrations/KMDF3022/bad.c');
    const findings = await lint(files, { rules: registrationRules });
    assert.deepEqual(foundAt(findings, 'KMDF3022'), expectedMarkers(files, 'KMDF3022'));
    assert.equal(expectedMarkers(files, 'KMDF3022').length, 4);
    const late = findings.find((f) => f.message.includes('EvtIoStop'))!;
    assert.equal(
      late.message,
      'FerryEvtIoStop is assigned to queueConfig.EvtIoStop after queueConfig was passed to WdfIoQueueCreate, which has already read the structure, so FerryEvtIoStop is never registered. Set EvtIoStop before that call.',
    );
    assert.equal(late.severity, 'warning');
    assert.deepEqual(
      late.related?.map((r) => r.span.start.line + 1),
      [49],
    );
  });

  it('is silent where every structure reaches its call, directly or through a helper', async () => {
    const findings = await lint(loadFixture('registrations/KMDF3022/good.c'), { rules: registrationRules });
    assert.deepEqual(foundAt(findings, 'KMDF3022'), []);
  });

  it('leaves pointers and structures named after the assignment alone', async () => {
    const model = await analyzeText(
      'file:///skiff.c',
      [
        'VOID SkiffSetup(PWDF_IO_QUEUE_CONFIG Config, WDFDEVICE Device)',
        '{',
        '    WDF_IO_QUEUE_CONFIG copy;',
        '    Config->EvtIoRead = SkiffEvtRead;',
        '    copy.EvtIoStop = SkiffEvtIoStop;',
        '    *Config = copy;',
        '}',
      ].join('\n'),
    );
    assert.deepEqual(
      model.registrations.map((r) => [r.functionName, r.notHandedOver]),
      [
        ['SkiffEvtRead', undefined],
        ['SkiffEvtIoStop', undefined],
      ],
    );
  });

  it('judges each field of one structure by its own place, against the last use of the structure', async () => {
    // The uses of a structure are found once per build for all its fields (registrations.ts).
    const model = await analyzeText(
      'file:///skiff.c',
      [
        'VOID SkiffSetup(WDFDEVICE Device)',
        '{',
        '    WDF_IO_QUEUE_CONFIG config;',
        '    WDF_TIMER_CONFIG timer;',
        '    config.EvtIoRead = SkiffEvtRead;',
        '    WdfIoQueueCreate(Device, &config, WDF_NO_OBJECT_ATTRIBUTES, NULL);',
        '    config.EvtIoWrite = SkiffEvtWrite;',
        '    WdfIoQueueCreate(Device, &config, WDF_NO_OBJECT_ATTRIBUTES, NULL);',
        '    config.EvtIoStop = SkiffEvtIoStop;',
        '    config.EvtIoResume = SkiffEvtIoResume;',
        '    timer.EvtTimerFunc = SkiffEvtTimer;',
        '}',
      ].join('\n'),
    );
    assert.deepEqual(
      model.registrations.map((r) => [r.functionName, r.notHandedOver, r.handedOverAt?.start.line]),
      [
        ['SkiffEvtRead', undefined, undefined],
        ['SkiffEvtWrite', undefined, undefined],
        ['SkiffEvtIoStop', 'after-hand-over', 7],
        ['SkiffEvtIoResume', 'after-hand-over', 7],
        ['SkiffEvtTimer', 'never', undefined],
      ],
    );
  });

  it('gives a callback that never reaches the framework no role: only KMDF3022 speaks of it', async () => {
    // Before registrations were followed to their create call, the late EvtIoStop drew KMDF3001 and
    // KMDF2001 (a wait at DISPATCH_LEVEL) (KMDF3007, since retired, also spoke of the unpassed PnP structure).
    const files = loadFixture('registrations/unreal/canal.c');
    const findings = await lint(files, { rules: allRules });
    const aboveInfo = findings.filter((f) => f.severity === 'warning' || f.severity === 'error');
    assert.deepEqual(foundAt(aboveInfo, 'KMDF3022'), expectedMarkers(files, 'KMDF3022'));
    assert.equal(aboveInfo.length, 3, aboveInfo.map((f) => `${f.ruleId} ${f.message}`).join('\n'));
    assert.deepEqual(
      findings.filter((f) => f.ruleId === 'KMDF1001').map((f) => f.message.split(' ')[0]),
      ['CanalEvtIoDefault'],
    );
  });
});
