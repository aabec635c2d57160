import { strict as assert } from 'node:assert';
import { analyzeText, identifierOffsets, occurrencesOf } from '../../../server/src/analysis';

describe('analysis: occurrences of a name', () => {
  it('finds identifier tokens only: not inside longer names, comments, strings, characters or numbers', () => {
    const text = [
      '// EchoStop in a line comment \\',
      '   EchoStop continued',
      '/* EchoStop */ x = EchoStop; y = EchoStopNow; z = MyEchoStop;',
      "puts(\"EchoStop\"); c = 'E'; n = 0x1EchoStop; m = 1'000; EchoStop();",
      '#pragma alloc_text(PAGE, EchoStop)',
    ].join('\n');
    const offsets = identifierOffsets(text, 'EchoStop');
    const lineOf = (o: number) => text.slice(0, o).split('\n').length - 1;
    assert.deepEqual(
      offsets.map((o) => `${lineOf(o)}:${o - (text.lastIndexOf('\n', o - 1) + 1)}`),
      ['2:19', '3:55', '4:25'],
    );
    assert.deepEqual(identifierOffsets(text, 'Absent'), []);
    assert.deepEqual(identifierOffsets('"unterminated EchoStop\nEchoStop', 'EchoStop'), [23]);
  });

  it('classifies each occurrence by the model: declaration, alloc_text, registration, call, definition, other', async () => {
    const text = [
      'EVT_WDF_IO_QUEUE_IO_STOP EchoEvtIoStop;',
      'VOID EchoHelper(VOID);',
      '#pragma alloc_text(PAGE, EchoHelper)',
      'NTSTATUS EchoInit(WDFDEVICE Device)',
      '{',
      '    WDF_IO_QUEUE_CONFIG config;',
      '    PFN_WDF_IO_QUEUE_IO_STOP table[] = { EchoEvtIoStop };',
      '    config.EvtIoStop = EchoEvtIoStop;',
      '    EchoHelper();',
      '    return STATUS_SUCCESS;',
      '}',
      'VOID EchoHelper(VOID) { }',
      'VOID EchoEvtIoStop(WDFQUEUE Queue, WDFREQUEST Request, ULONG ActionFlags) { }',
    ].join('\n');
    const model = await analyzeText('file:///echo.c', text);
    const line = (o: number) => text.slice(0, o).split('\n').length - 1;
    const show = (name: string) => occurrencesOf(model, text, name).map((o) => `${line(o.start)}:${o.kind}`);
    assert.deepEqual(show('EchoEvtIoStop'), ['0:declaration', '6:reference', '7:registration', '12:definition']);
    assert.deepEqual(show('EchoHelper'), ['1:declaration', '2:alloc_text', '8:call', '11:definition']);
    assert.deepEqual(
      occurrencesOf(undefined, text, 'EchoHelper').map((o) => o.kind),
      ['reference', 'reference', 'reference', 'reference'],
    );
  });
});
