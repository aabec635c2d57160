import * as assert from 'node:assert/strict';
import { analyzeText } from '../../../server/src/analysis/parse';

describe('analysis: the first conditional statement of a body with PAGED_CODE()', () => {
  it("skips a lambda's own branches in C++, finds the body's own, and is not read without PAGED_CODE()", async () => {
    const text = [
      'VOID Quartz(WDFDEVICE Device)',
      '{',
      '    auto pick = [](ULONG v) { if (v) { return 1; } return 0; };',
      '    PAGED_CODE();',
      '    if (pick(1)) { QuartzTouch(Device); }',
      '}',
      'VOID Plain(WDFDEVICE Device)',
      '{',
      '    if (Device) { QuartzTouch(Device); }',
      '}',
      '',
    ].join('\n');
    const model = await analyzeText('file:///x/quartz.cpp', text, 'cpp');
    const quartz = model.functions.find((f) => f.name === 'Quartz')!;
    assert.equal(quartz.firstConditional?.start.line, 4);
    assert.equal(model.functions.find((f) => f.name === 'Plain')!.firstConditional, undefined);
  });
});
