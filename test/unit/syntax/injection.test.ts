/**
 * syntaxes/kmdf.injection.tmLanguage.json, run with vscode-textmate + vscode-oniguruma on
 * test/fixtures/syntax/sample.c, injected into a small stand-in `source.c` grammar.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import { repoRoot } from '../../support/paths';

const injectionPath = path.join(repoRoot, 'syntaxes/kmdf.injection.tmLanguage.json');
const baseGrammarPath = path.join(repoRoot, 'test/fixtures/syntax/source.c.tmLanguage.json');
const samplePath = path.join(repoRoot, 'test/fixtures/syntax/sample.c');

interface Token {
  text: string;
  scopes: string[];
}

/** Load the stand-in C grammar with our injection, as VS Code would for `injectTo: ["source.c"]`. */
async function loadGrammar(): Promise<textmate.IGrammar> {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const files: Record<string, string> = { 'source.c': baseGrammarPath, 'kmdf.injection': injectionPath };
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) => {
      const file = files[scopeName];
      return file ? textmate.parseRawGrammar(readFileSync(file, 'utf8'), file) : null;
    },
    getInjections: (scopeName) => (scopeName === 'source.c' ? ['kmdf.injection'] : undefined),
  });
  const grammar = await registry.loadGrammar('source.c');
  assert.ok(grammar, 'source.c grammar loads');
  return grammar;
}

/** Tokenize every line of `text`. */
function tokenize(grammar: textmate.IGrammar, text: string): Token[][] {
  let state = textmate.INITIAL;
  return text.split(/\r?\n/).map((line) => {
    const result = grammar.tokenizeLine(line, state);
    state = result.ruleStack;
    return result.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
  });
}

describe('syntax: kmdf.injection grammar', () => {
  let lines: Token[][];
  let sourceLines: string[];
  before(async () => {
    const source = readFileSync(samplePath, 'utf8');
    sourceLines = source.split(/\r?\n/);
    lines = tokenize(await loadGrammar(), source);
  });

  /** Scopes of the exact token `text` on the first line that contains `lineText` (nth match on that line). */
  function scopes(lineText: string, text: string, nth = 0): string[] {
    const index = sourceLines.findIndex((l) => l.includes(lineText));
    assert.ok(index >= 0, `sample.c has a line with "${lineText}"`);
    const matches = lines[index].filter((t) => t.text === text);
    assert.ok(
      matches[nth],
      `line ${index + 1} has token "${text}" #${nth}; tokens: ${lines[index].map((t) => JSON.stringify(t.text)).join(' ')}`,
    );
    return matches[nth].scopes;
  }
  /** Innermost scope at the first occurrence of `text` on the line containing `lineText` (tokens may be longer). */
  function scopeCovering(lineText: string, text: string): string | undefined {
    const index = sourceLines.findIndex((l) => l.includes(lineText));
    const start = sourceLines[index].indexOf(text);
    assert.ok(start >= 0, `"${text}" is on line ${index + 1}`);
    let offset = 0;
    for (const token of lines[index]) {
      const end = offset + token.text.length;
      if (start >= offset && start + text.length <= end) return token.scopes.at(-1);
      offset = end;
    }
    assert.fail(`"${text}" is split over several tokens on line ${index + 1}`);
  }
  /** The innermost scope of a token. */
  const scopeOf = (lineText: string, text: string, nth = 0) => scopes(lineText, text, nth).at(-1);

  it('the manifest injects the grammar into source.c and source.cpp under its scope name', () => {
    const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    const grammar = JSON.parse(readFileSync(injectionPath, 'utf8'));
    assert.deepEqual(manifest.contributes.grammars, [
      {
        scopeName: 'kmdf.injection',
        path: './syntaxes/kmdf.injection.tmLanguage.json',
        injectTo: ['source.c', 'source.cpp'],
      },
    ]);
    assert.equal(grammar.scopeName, 'kmdf.injection');
    assert.equal(grammar.injectionSelector, 'L:source.c -comment -string, L:source.cpp -comment -string');
  });

  it('SAL annotations, with and without arguments', () => {
    assert.deepEqual(scopes('_IRQL_requires_max_(DISPATCH_LEVEL)', '_IRQL_requires_max_'), [
      'source.c',
      'storage.modifier.sal.kmdf',
    ]);
    assert.equal(scopeOf('_Out_writes_(Length) PUCHAR Target', '_Out_writes_'), 'storage.modifier.sal.kmdf');
    assert.equal(scopeOf('_In_reads_(Length)', '_In_reads_'), 'storage.modifier.sal.kmdf');
    assert.equal(scopeOf('_In_ ULONG Length', '_In_'), 'storage.modifier.sal.kmdf');
    assert.equal(scopeOf('_Inout_opt_ PVOID Context', '_Inout_opt_'), 'storage.modifier.sal.kmdf');
    assert.equal(scopeOf('_Use_decl_annotations_', '_Use_decl_annotations_'), 'storage.modifier.sal.kmdf');
    assert.equal(scopeOf('__drv_maxIRQL(PASSIVE_LEVEL)', '__drv_maxIRQL'), 'storage.modifier.sal.legacy.kmdf');
  });

  it('an identifier that only starts like SAL is not SAL', () => {
    assert.equal(scopeCovering('ULONG _In_range = 0;', '_In_range'), 'source.c');
  });

  it('IRQL levels, including DIRQL and HIGH_LEVEL', () => {
    assert.equal(scopeOf('_IRQL_requires_max_(DISPATCH_LEVEL)', 'DISPATCH_LEVEL'), 'constant.language.irql.kmdf');
    assert.equal(scopeOf('__drv_maxIRQL(PASSIVE_LEVEL)', 'PASSIVE_LEVEL'), 'constant.language.irql.kmdf');
    assert.equal(scopeOf('Irql == HIGH_LEVEL', 'HIGH_LEVEL'), 'constant.language.irql.kmdf');
    assert.equal(scopeOf('Irql == HIGH_LEVEL', 'DIRQL'), 'constant.language.irql.kmdf');
  });

  it('WDF handle types, PWDFDEVICE_INIT, and no match inside a longer name', () => {
    assert.equal(scopeOf('    WDFDRIVER Driver,', 'WDFDRIVER'), 'support.type.handle.wdf.kmdf');
    assert.equal(scopeOf('PWDFDEVICE_INIT DeviceInit', 'PWDFDEVICE_INIT'), 'support.type.handle.wdf.kmdf');
    assert.equal(scopeOf('SampleEvtIoStop(WDFQUEUE Queue', 'WDFQUEUE'), 'support.type.handle.wdf.kmdf');
    assert.equal(scopeOf('SampleEvtIoStop(WDFQUEUE Queue', 'WDFREQUEST'), 'support.type.handle.wdf.kmdf');
    assert.equal(scopeOf('WDFDMATRANSACTION Transaction, KIRQL', 'WDFDMATRANSACTION'), 'support.type.handle.wdf.kmdf');
    assert.equal(scopeCovering('? _In_range : WDFDEVICEX', 'WDFDEVICEX'), 'source.c');
  });

  it('role types and WDF structures', () => {
    assert.equal(
      scopeOf('EVT_WDF_DRIVER_DEVICE_ADD SampleEvtDeviceAdd;', 'EVT_WDF_DRIVER_DEVICE_ADD'),
      'support.type.role.kmdf',
    );
    assert.equal(
      scopeOf('EVT_WDF_IO_QUEUE_IO_STOP SampleEvtIoStop;', 'EVT_WDF_IO_QUEUE_IO_STOP'),
      'support.type.role.kmdf',
    );
    assert.equal(scopeOf('DRIVER_INITIALIZE DriverEntry;', 'DRIVER_INITIALIZE'), 'support.type.role.kmdf');
    assert.equal(scopeOf('WDF_IO_QUEUE_CONFIG queueConfig;', 'WDF_IO_QUEUE_CONFIG'), 'support.type.wdf.kmdf');
    assert.equal(scopeOf('PWDF_OBJECT_ATTRIBUTES Attributes', 'PWDF_OBJECT_ATTRIBUTES'), 'support.type.wdf.kmdf');
  });

  it('Wdf method calls, structure initializers, WDF constants, enum values and macros', () => {
    assert.equal(scopeOf('status = WdfDeviceCreate(', 'WdfDeviceCreate'), 'support.function.wdf.kmdf');
    assert.equal(
      scopeOf('WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig', 'WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE'),
      'support.function.initializer.wdf.kmdf',
    );
    assert.equal(
      scopeOf('WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig', 'WdfIoQueueDispatchSequential'),
      'support.constant.enum.wdf.kmdf',
    );
    assert.equal(scopeOf('status = WdfIoQueueCreate(', 'WDF_NO_HANDLE'), 'support.constant.wdf.kmdf');
    assert.equal(scopeOf('status = WdfDeviceCreate(', 'WDF_NO_OBJECT_ATTRIBUTES'), 'support.constant.wdf.kmdf');
    assert.equal(
      scopeOf('if (ActionFlags & WdfRequestStopActionSuspend)', 'WdfRequestStopActionSuspend'),
      'support.constant.enum.wdf.kmdf',
    );
    assert.equal(scopeOf('    PAGED_CODE();', 'PAGED_CODE'), 'support.function.macro.kmdf');
    assert.equal(scopeOf('if (!NT_SUCCESS(status))', 'NT_SUCCESS'), 'support.function.macro.kmdf');
  });

  it('NTSTATUS codes', () => {
    assert.equal(scopeOf('return status == STATUS_SUCCESS', 'STATUS_SUCCESS', 0), 'support.constant.ntstatus.kmdf');
    assert.equal(scopeOf('return status == STATUS_SUCCESS', 'STATUS_UNSUCCESSFUL'), 'support.constant.ntstatus.kmdf');
    assert.equal(
      scopeOf('WdfRequestComplete(Request, STATUS_CANCELLED)', 'STATUS_CANCELLED'),
      'support.constant.ntstatus.kmdf',
    );
  });

  it('leaves the base grammar alone where nothing KMDF-specific is', () => {
    assert.equal(scopeOf('    return status;', 'return'), 'keyword.control.c');
    assert.equal(scopeOf('SampleEvtIoStop(WDFQUEUE Queue', 'SampleEvtIoStop'), 'entity.name.function.c');
    assert.equal(scopeOf('#pragma alloc_text(PAGE, SampleEvtDeviceAdd)', 'pragma'), 'keyword.control.directive.c');
  });

  it('nothing inside comments is highlighted', () => {
    const comment = sourceLines.findIndex((l) => l.includes('/* WdfIoQueueCreate with WDFQUEUE'));
    const commentTokens = lines[comment].filter((t) => t.text.trim());
    assert.equal(
      commentTokens.map((t) => t.text).join(''),
      '/* WdfIoQueueCreate with WDFQUEUE at DISPATCH_LEVEL returns STATUS_SUCCESS: not highlighted here */',
    );
    for (const token of commentTokens) assert.deepEqual(token.scopes, ['source.c', 'comment.block.c'], token.text);
    assert.deepEqual(
      scopes('// requeue: WdfRequestComplete is not called', ' requeue: WdfRequestComplete is not called'),
      ['source.c', 'comment.line.double-slash.c'],
    );
    // The call before the comment on that line is still highlighted.
    assert.equal(
      scopeOf('// requeue: WdfRequestComplete is not called', 'WdfRequestStopAcknowledge'),
      'support.function.wdf.kmdf',
    );
  });

  it('nothing inside strings is highlighted', () => {
    const index = sourceLines.findIndex((l) => l.includes('DbgPrint("WdfIoQueueCreate'));
    const inString = lines[index].filter((t) => t.scopes.includes('string.quoted.double.c'));
    assert.deepEqual(
      inString.map((t) => [t.text, t.scopes.at(-1)]),
      [
        ['"', 'string.quoted.double.c'],
        ['WdfIoQueueCreate _In_ PASSIVE_LEVEL STATUS_UNSUCCESSFUL %x', 'string.quoted.double.c'],
        ['\\n', 'constant.character.escape.c'],
        ['"', 'string.quoted.double.c'],
      ],
    );
  });

  it('every WDF handle type in the KMDF and UMDF header facts is highlighted as a handle', async () => {
    const shared = path.resolve(repoRoot, '../shared/wdf-signatures');
    const handles = new Set<string>();
    for (const file of ['kmdf-1.33.json', 'umdf-2.33.json']) {
      const facts = JSON.parse(readFileSync(path.join(shared, file), 'utf8'));
      for (const entry of [...facts.callbacks, ...facts.methods]) {
        for (const type of [entry.returns, ...entry.params.map((p: { type: string }) => p.type)]) {
          for (const word of String(type).replace(/\*/g, ' ').split(/\s+/))
            if (/^P?WDF[A-Z0-9]+(_INIT)?$/.test(word)) handles.add(word);
        }
      }
    }
    assert.ok(handles.size >= 30, `found ${handles.size} handle types`);
    const grammar = await loadGrammar();
    const names = [...handles].sort();
    const tokens = tokenize(grammar, names.join(' '))[0].filter((t) => t.text.trim());
    assert.deepEqual(
      tokens.map((t) => [t.text, t.scopes.at(-1)]),
      names.map((n) => [n, 'support.type.handle.wdf.kmdf']),
    );
  });
});
