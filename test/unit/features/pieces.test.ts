import { strict as assert } from 'node:assert';
import { DiagnosticSeverity } from 'vscode-languageserver';
import { toDiagnostic } from '../../../server/src/features/diagnostics';
import { callAt } from '../../../server/src/features/signatureHelp';
import type { Finding } from '../../../server/src/rules/types';
import type { Span } from '../../../server/src/analysis/model';
import { KeyedDebouncer } from '../../../server/src/util/debounce';
import { Logger, parseLogLevel } from '../../../server/src/util/logger';
import { eolOf, indentUnitOf, offsetAt, positionAt, wordAt } from '../../../server/src/session/lsp';

const span = (line: number, a: number, b: number, offset = 0): Span => ({
  start: { line, character: a },
  end: { line, character: b },
  startOffset: offset + a,
  endOffset: offset + b,
});

describe('features: diagnostics mapping', () => {
  const finding: Finding = {
    ruleId: 'KMDF1001',
    severity: 'warning',
    message: 'EvtIoStop leaves the request alone.',
    uri: 'file:///a.c',
    span: span(3, 2, 9),
    related: [{ uri: 'file:///b.c', span: span(1, 0, 4), message: 'registered here' }],
    fixes: [
      {
        title: 'Acknowledge the request',
        preferred: true,
        edits: [{ uri: 'file:///a.c', span: span(5, 0, 0), newText: 'X;\n' }],
      },
    ],
  };

  it('maps a finding with code, link, related information and fixes', () => {
    assert.deepEqual(
      toDiagnostic(finding, (id) => `https://example.test/rules/${id}`),
      {
        range: { start: { line: 3, character: 2 }, end: { line: 3, character: 9 } },
        severity: DiagnosticSeverity.Warning,
        code: 'KMDF1001',
        codeDescription: { href: 'https://example.test/rules/KMDF1001' },
        source: 'kmdf',
        message: 'EvtIoStop leaves the request alone.',
        relatedInformation: [
          {
            location: {
              uri: 'file:///b.c',
              range: { start: { line: 1, character: 0 }, end: { line: 1, character: 4 } },
            },
            message: 'registered here',
          },
        ],
        data: {
          fixes: [
            {
              title: 'Acknowledge the request',
              preferred: true,
              edit: {
                changes: {
                  'file:///a.c': [
                    { range: { start: { line: 5, character: 0 }, end: { line: 5, character: 0 } }, newText: 'X;\n' },
                  ],
                },
              },
            },
          ],
        },
      },
    );
  });

  it('maps severities and leaves out what a finding does not have', () => {
    const bare: Finding = {
      ruleId: 'KMDF2001',
      severity: 'hint',
      message: 'm',
      uri: 'file:///a.c',
      span: span(0, 0, 1),
    };
    assert.deepEqual(toDiagnostic(bare), {
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
      severity: DiagnosticSeverity.Hint,
      code: 'KMDF2001',
      source: 'kmdf',
      message: 'm',
    });
    assert.equal(toDiagnostic({ ...bare, severity: 'info' }).severity, DiagnosticSeverity.Information);
    assert.equal(toDiagnostic({ ...bare, severity: 'error' }).severity, DiagnosticSeverity.Error);
  });
});

describe('features: signature help call finding', () => {
  it('finds the callee and the active argument', () => {
    const text = 'status = WdfIoQueueCreate(Device, &config, f(a, b), ';
    assert.deepEqual(callAt(text, text.length), { callee: 'WdfIoQueueCreate', argIndex: 3 });
    assert.deepEqual(callAt('x = WdfRequestComplete(', 23), { callee: 'WdfRequestComplete', argIndex: 0 });
    assert.deepEqual(callAt('WdfX(a, "b,c", ', 15), { callee: 'WdfX', argIndex: 2 });
    assert.equal(callAt('a; b', 4), undefined);
  });
});

describe('util: lsp helpers, logger, debouncer', () => {
  it('converts positions and offsets', () => {
    const text = 'ab\r\ncd\nef';
    assert.equal(offsetAt(text, { line: 1, character: 1 }), 5);
    assert.equal(offsetAt(text, { line: 0, character: 99 }), 2);
    assert.deepEqual(positionAt(text, 5), { line: 1, character: 1 });
    assert.deepEqual(positionAt(text, text.length), { line: 2, character: 2 });
    assert.deepEqual(wordAt('x = EchoEvtIoStop;', 8), { word: 'EchoEvtIoStop', start: 4, end: 17 });
    assert.equal(wordAt('a + 1', 3), undefined);
    assert.equal(eolOf('a\r\nb'), '\r\n');
    assert.equal(indentUnitOf('{\n\tx;\n}'), '\t');
    assert.equal(indentUnitOf('{\n  x;\n    y;\n}'), '  ');
    assert.equal(indentUnitOf('int x;'), '    ');
  });

  it('logs at or above the level, and once-only messages once', () => {
    const lines: string[] = [];
    const logger = new Logger((_t, m) => lines.push(m.replace(/^\[[^\]]+\] /, '')), 'warning');
    logger.info('hidden');
    logger.warn('shown');
    logger.once('error', 'k', 'first');
    logger.once('error', 'k', 'second');
    logger.error('failed', new Error('boom'));
    assert.deepEqual(lines, ['[warning] shown', '[error] first', '[error] failed: boom']);
    assert.equal(parseLogLevel('WARN'), 'warning');
    assert.equal(parseLogLevel('loud'), undefined);
  });

  it('debounces per key and cancels the superseded run', async () => {
    const debouncer = new KeyedDebouncer(5);
    const runs: string[] = [];
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    debouncer.schedule('a', () => void runs.push('a1'));
    debouncer.schedule('a', () => {
      runs.push('a2');
      finish();
    });
    await done;
    assert.deepEqual(runs, ['a2']);
  });
});
