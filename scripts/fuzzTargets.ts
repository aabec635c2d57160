/**
 * Property-based fuzz targets (issue 11, "Done means"): each one an input generator written with
 * fast-check and the code path a user's data takes through the product. The property of every target
 * is the same: it returns, without throwing (errors the API documents, such as StubError, aside),
 * and `scripts/fuzz.ts` also bounds the time of each input. The inputs are real-looking: the repository's
 * own fixtures (and ../shared/seeds when present), mutated by inserting, deleting and duplicating tokens
 * and bytes, so that most inputs stay close to what the parsers and the analysis were written for.
 *
 * Used by `npm run fuzz` (long runs, timings) and by test/unit/robustness/fuzz.test.ts (a small fixed-seed
 * run inside `npm test`).
 */
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../server/src/analysis/parse';
import { WorkspaceModel } from '../server/src/analysis/workspace';
import type { DocumentModel } from '../server/src/analysis/model';
import { absolutizeLinks, trimMarkdown } from '../server/src/docsText/links';
import { pageNameOf, toDocText } from '../server/src/docsText/provider';
import { sanitizeHoverMarkdown } from '../server/src/docsText/sanitize';
import { hoverMarkdown } from '../server/src/features/hoverContent';
import { parseDocText } from '../server/src/knowledge/docs/folder';
import { parseHeaderText } from '../server/src/knowledge/headers';
import { KnowledgeIndex } from '../server/src/knowledge/knowledgeIndex';
import { mergeSources } from '../server/src/knowledge/merge';
import type { Flag, IndexEntry, Param } from '../server/src/knowledge/types';
import { parseProjectConfig } from '../server/src/project/projectConfig';
import { parseSourcesText, parseVcxprojText } from '../server/src/project/projectFile';
import { runRules } from '../server/src/rules/engine';
import { generateStub, StubError } from '../server/src/stubs/stub';

const root = path.resolve(__dirname, '..');
const fixtures = path.join(root, 'test/fixtures');
const sharedSeeds = path.resolve(root, '../shared/seeds');

export interface FuzzTarget<T = unknown> {
  name: string;
  /** What is fuzzed and through which code, for the report. */
  what: string;
  arbitrary: fc.Arbitrary<T>;
  /** Process one input (sync or async); a throw is a failure. */
  run(input: T): unknown;
  /** A short description of an input for a failure report. */
  describe(input: T): string;
}

/** A target of any input type in the list of targets (each one's run and describe take its own inputs). */
const target = <T>(t: FuzzTarget<T>): FuzzTarget => t;

interface Seed {
  /** Repository-relative path (or `shared/seeds/…`). */
  name: string;
  text: string;
}

/** One mutation of a token list; positions are taken modulo the list's length when applied. */
type Mutation =
  | { op: 'insert'; at: number; token: string }
  /** The `from`-th token of the current text inserted at `at` (an identifier out of place, a brace too many). */
  | { op: 'copy'; at: number; from: number }
  | { op: 'delete'; at: number; count: number }
  | { op: 'duplicate'; at: number; count: number; to: number }
  | { op: 'bytes'; at: number; bytes: number[] };

export interface Mutated {
  seed: string;
  text: string;
  mutations: Mutation[];
}

function readSeeds(files: string[]): Seed[] {
  return files.map((file) => ({
    name: path.relative(root, file).replace(/^\.\.\//, ''),
    text: fs.readFileSync(file, 'utf8'),
  }));
}

function filesUnder(dir: string, pattern: RegExp): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const item of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, item.name);
    if (item.isDirectory()) out.push(...filesUnder(full, pattern));
    else if (pattern.test(item.name)) out.push(full);
  }
  return out;
}

/** C tokens: identifiers, numbers, blank runs, comment and string pieces, single punctuation characters. */
const C_TOKEN = /[A-Za-z_]\w*|\d\w*|[^\S\n]+|\n|\/\/|\/\*|\*\/|"|'|[^\w\s]/g;
/** Text tokens for pages and project files: words, blank runs, line breaks, single other characters. */
const TEXT_TOKEN = /\w+|[^\S\n]+|\n|[^\w\s]/g;

const tokensOf = (text: string, pattern: RegExp) => text.match(pattern) ?? [];

/** Tokens that break structure: brackets, comment and string openers, preprocessor lines, odd characters. */
// prettier-ignore
const COMMON_POOL = [
  '\0', '\r', '\r\n', '\t', '\uFFFD', '\ud800', '\udc00', '\u202e', '\u001b]8;;', '\u00a0', ' '.repeat(64),
];
// prettier-ignore
const C_POOL = [
  '{', '}', '(', ')', '[', ']', ';', ',', '*', '&', '=', '->', '.', '#', '\\\n', '/*', '*/', '//', '"', "'",
  '#if 0\n', '#ifdef DBG\n', '#else\n', '#endif\n', '#define EVT(x) x##Evt\n', '#pragma alloc_text(PAGE, ',
  '#pragma warning(suppress: 28118)\n', '#pragma code_seg("PAGE")\n', '#include "', 'goto Exit;', 'Exit:', '__try {',
  '} __except (EXCEPTION_EXECUTE_HANDLER) {', 'return', 'if (', 'else', 'while (', 'switch (', 'case 1:', 'default:',
  'break;', 'do', 'sizeof(', 'typedef', 'struct', 'extern "C"', 'static', 'VOID', 'NTSTATUS',
  '_Use_decl_annotations_', '_IRQL_requires_max_(DISPATCH_LEVEL)', '_Must_inspect_result_', 'PAGED_CODE();',
  'EVT_WDF_IO_QUEUE_IO_STOP', 'EVT_WDF_DRIVER_DEVICE_ADD', 'WdfRequestComplete(Request, STATUS_SUCCESS);',
  'WdfRequestCompleteWithInformation(Request, status, 0);', 'WdfSpinLockAcquire(lock);', 'WdfSpinLockRelease(lock);',
  'KeAcquireSpinLock(&lock, &irql);', 'WdfIoQueueCreate(device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, &queue);',
  'queueConfig.EvtIoStop = ', 'WDF_IO_QUEUE_CONFIG_INIT(&queueConfig, WdfIoQueueDispatchParallel);',
  'WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &pnp);', 'WdfRequestSend(Request, target, NULL);',
  '// kmdf-ignore KMDF2001\n', 'constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty', 'Request', 'Queue',
  'Device', 'status', 'NT_SUCCESS(', 'STATUS_SUCCESS',
];
// prettier-ignore
const DOC_POOL = [
  '](', '[', ']', '(', ')', '<', '>', '<a href="', '</a>', '<a href="javascript:x">', '<img src=x onerror=y>',
  '<div class="code">', '</div>', '<pre>', '</pre>', '<br>', '<p>', '<table>', '<td>', '```', '```cpp\n', '~~~', '`',
  '---\n', '\n## -description\n', '\n## -parameters\n', '\n### -param Request [in]\n', '\n## -returns\n',
  '\n## -remarks\n', '\n## -see-also\n', '\n## -prototype\n', '\n## -syntax\n', '\nRequirements\n', '\nParameters\n',
  '\nReturn value\n', '\nRemarks\n', '[Applies to KMDF and UMDF]', '[Applies to KMDF only]',
  '<p class="CCE_Message">', '&lt;', '&gt;', '&amp;', '&#x3c;script&#x3e;', '&#', '&', '*', '**', '_', '|',
  '\n| --- | --- |\n', '\n\n', '\n \n', '- ', '1. ', '> ', 'command:evil', 'data:text/html,', 'file:///etc/passwd',
  'http://', 'https://', '../../', 'UID: NC:wdfio.EVT_WDF_IO_QUEUE_IO_STOP\n', 'title: ',
  'req.irql: <= DISPATCH_LEVEL\n', 'req.header: wdfio.h\n', 'api_name:\n - ', 'req.kmdf-ver: 1.9\n', 'IRQL', '<=',
  'DISPATCH_LEVEL', 'PASSIVE_LEVEL', 'must not', 'EvtIoStop', 'callback function (wdfio.h)', 'constructor', 'valueOf',
  '__proto__', 'toString',
  'EVT_WDF_IO_QUEUE_IO_STOP', 'NTSTATUS', 'VOID', '_In_', '_Out_opt_', '...',
];
// prettier-ignore
const XML_POOL = [
  '<', '>', '</', '/>', '<!--', '-->', '<![CDATA[', ']]>', '<?xml version="1.0"?>', '<!DOCTYPE x [<!ENTITY a "b">]>',
  '&amp;', '&lt;', '&#x41;', '&#', '&a;', '"', "'", '=', '==', '!=', ' and ', ' or ', '!', '(', ')', '<Project>',
  '</Project>', '<PropertyGroup>', '</PropertyGroup>', '<PropertyGroup Condition="',
  "'$(Configuration)|$(Platform)'=='Debug|x64'", "Exists('$(SolutionDir)drivers.props')", '">', '<DriverType>',
  '</DriverType>', 'KMDF', 'UMDF', 'WDM', '<KMDF_VERSION_MAJOR>', '</KMDF_VERSION_MAJOR>', '<KMDF_VERSION_MINOR>',
  '<UMDF_VERSION_MAJOR>', '<TargetVersion>', '<Import Project="', '<ClCompile Include="', '<ClInclude Include="',
  '<ItemGroup>', '</ItemGroup>', '<ItemDefinitionGroup>', '<PreprocessorDefinitions>', '</PreprocessorDefinitions>',
  '%(PreprocessorDefinitions)', ';', '$(', '$(Foo)', '$(Foo', '$([System.IO.Path]::Combine(', '@(', '%(', '\\', 'constructor',
  '__proto__', 'valueOf',
  '*.c', '**', '..\\', 'DBG=1;', 'NDIS_WDM', '1', '33', '.', ' '.repeat(200),
  // `sources` (the older build system).
  'TARGETNAME=', 'TARGETTYPE=DRIVER', 'KMDF_VERSION_MAJOR=1', 'KMDF_VERSION_MINOR=', 'UMDF_VERSION_MAJOR=2',
  'SOURCES=', 'C_DEFINES=', '$(C_DEFINES) -DX', '\\\n', '!if', '!endif', '#',
];
// prettier-ignore
const JSON_POOL = [
  '{', '}', '[', ']', ':', ',', '"', '\\', '\\u0000', '\\ud800', 'null', 'true', 'false', '0', '-1', '1e999',
  '"rules"', '"target"', '"KMDF2001"', '"KMDF9"', '"off"', '"error"', '"loud"', '"framework"', '"KMDF"', '"UMDF"',
  '"kmdfVersion"', '"1.33"', '"1.x"', '"__proto__"', '"constructor"', '{"a":'.repeat(50), ']'.repeat(50),
];

/** A token list mutated by 1–6 insertions, deletions, duplications and raw byte splices; kept as a record so it shrinks. */
function mutatedArbitrary(seeds: Seed[], tokenPattern: RegExp, pool: readonly string[]): fc.Arbitrary<Mutated> {
  if (!seeds.length) throw new Error('a fuzz target has no seed inputs');
  const tokenized = seeds.map((s) => tokensOf(s.text, tokenPattern));
  const fromPool = fc.constantFrom(...pool, ...COMMON_POOL);
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ op: fc.constant('insert' as const), at: fc.nat(), token: fromPool }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('copy' as const), at: fc.nat(), from: fc.nat() }) },
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant('delete' as const),
        at: fc.nat(),
        count: fc.integer({ min: 1, max: 40 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant('duplicate' as const),
        at: fc.nat(),
        count: fc.integer({ min: 1, max: 200 }),
        to: fc.nat(),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('bytes' as const),
        at: fc.nat(),
        bytes: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 8 }),
      }),
    },
  );
  return fc
    .record({ seed: fc.nat({ max: seeds.length - 1 }), mutations: fc.array(mutation, { minLength: 1, maxLength: 6 }) })
    .map(({ seed, mutations }) => ({
      seed: seeds[seed].name,
      mutations,
      text: applyMutations(tokenized[seed], mutations),
    }));
}

/** Apply mutations to a copy of `tokens` and join them; a `bytes` splice goes through UTF-8 as a file read would. */
export function applyMutations(source: readonly string[], mutations: readonly Mutation[]): string {
  let tokens = [...source];
  for (const m of mutations) {
    const at = m.at % (tokens.length + 1);
    switch (m.op) {
      case 'insert':
        tokens.splice(at, 0, m.token);
        break;
      case 'copy':
        if (tokens.length) tokens.splice(at, 0, tokens[m.from % tokens.length]);
        break;
      case 'delete':
        tokens.splice(at, m.count);
        break;
      case 'duplicate': {
        const span = tokens.slice(at, at + m.count);
        tokens.splice(m.to % (tokens.length + 1), 0, ...span);
        break;
      }
      case 'bytes': {
        const text = tokens.join('');
        const buffer = Buffer.from(text, 'utf8');
        const offset = m.at % (buffer.length + 1);
        const spliced = Buffer.concat([buffer.subarray(0, offset), Buffer.from(m.bytes), buffer.subarray(offset)]);
        tokens = tokensOf(spliced.toString('utf8'), /[\s\S]/g);
        break;
      }
    }
  }
  return tokens.join('');
}

const describeMutated = (m: Mutated) =>
  `${m.seed} with ${m.mutations.map((x) => JSON.stringify(x)).join(', ')} (${m.text.length} characters)`;

let catalogIndex: KnowledgeIndex | undefined;
function index(): KnowledgeIndex {
  catalogIndex ??= KnowledgeIndex.fromCatalog();
  return catalogIndex;
}

const STOP = 'EVT_WDF_IO_QUEUE_IO_STOP';

/** A docs page through everything a page feeds: the parser, the merge into the index, the hover and its sanitiser. */
function runDocsPage(text: string, location: string): void {
  pageNameOf(text.slice(0, 2048));
  const result = parseDocText(text, location);
  if (!('page' in result)) return;
  const page = result.page;
  const known = index().get(page.name);
  const merged = mergeSources({ base: known ? [known] : [], docs: [{ label: 'fuzz', pages: [page] }] });
  const entry = merged.find((e) => e.name === page.name) ?? index().get(STOP)!;
  const docText = toDocText(page, { ...entry, docsPath: entry.docsPath ?? location });
  const markdown = hoverMarkdown(entry, { kind: 'entry' }, index(), docText);
  sanitizeHoverMarkdown(absolutizeLinks(trimMarkdown(markdown, 1200, 'https://learn.microsoft.com/x'), 'wdfio'));
  for (const e of merged) stubFor(e, `Fuzz${e.name.replace(/\W/g, '')}`);
}

/** A stub, or the StubError the generator documents for an entry it cannot make one from. */
function stubFor(entry: IndexEntry, functionName: string, options?: { indent?: string; eol?: string }): void {
  if (entry.kind !== 'callback') return;
  try {
    generateStub(entry, functionName, options, (name) => index().get(name));
  } catch (error) {
    if (!(error instanceof StubError)) throw error;
  }
}

interface DriverSeed {
  folder: string;
  files: Seed[];
  /** Models of the folder's files as they are, for the files not mutated in an input. */
  models: Map<string, DocumentModel>;
}

async function driverSeeds(): Promise<DriverSeed[]> {
  const folders = [
    'drivers/echo',
    'drivers/dma',
    'drivers/control',
    'drivers/legacy',
    'drivers/branches',
    'projects/gauge/core',
  ];
  const out: DriverSeed[] = [];
  for (const folder of folders) {
    const files = readSeeds(filesUnder(path.join(fixtures, folder), /\.(c|cpp|h|c\.txt)$/));
    const models = new Map<string, DocumentModel>();
    for (const file of files) models.set(file.name, await analyzeText(uriOf(file.name), file.text));
    out.push({ folder, files, models });
  }
  return out;
}

const uriOf = (name: string) => `file:///fuzz/${name.replace(/\.txt$/, '')}`;

/** The fuzz targets, with their seeds read (and the unmutated drivers analysed) once. */
export async function fuzzTargets(): Promise<FuzzTarget[]> {
  const shared = readSeeds(filesUnder(sharedSeeds, /\.txt$/));
  const docs = (sub: string) => readSeeds(filesUnder(path.join(fixtures, 'docs', sub), /\.(md|txt|html)$/));
  const isMarkdown = (s: Seed) => s.text.trimStart().startsWith('---');
  const has2018Prototype = (s: Seed) => /\n## -(prototype|syntax)\b/.test(s.text);
  const markdownSeeds = [...docs('markdown'), ...shared.filter((s) => isMarkdown(s) && !has2018Prototype(s))];
  const markdown2018Seeds = [...docs('markdown-2018'), ...shared.filter((s) => isMarkdown(s) && has2018Prototype(s))];
  const renderedSeeds = [...docs('rendered'), ...shared.filter((s) => !isMarkdown(s))];

  const headerSeeds = readSeeds(filesUnder(path.join(fixtures, 'headers'), /\.h$/));
  const projectSeeds = readSeeds(filesUnder(path.join(fixtures, 'projects'), /(\.vcxproj|\.props|^sources)$/));
  const configSeeds = [
    ...readSeeds(filesUnder(path.join(fixtures, 'projects'), /^\.kmdf\.json$/)),
    {
      name: 'fuzz/full.kmdf.json',
      text: '{\n  "rules": { "KMDF2001": "off", "KMDF3001": "error" },\n  "target": { "framework": "UMDF", "umdfVersion": "2.15" }\n}\n',
    },
  ];
  const drivers = await driverSeeds();
  const callbacks = index().all('callback');

  const docsTarget = (name: string, what: string, seeds: Seed[]): FuzzTarget<Mutated> => ({
    name,
    what,
    arbitrary: mutatedArbitrary(seeds, TEXT_TOKEN, DOC_POOL),
    run: (input) => runDocsPage(input.text, input.seed.replace(/^.*?docs\/(markdown(-2018)?|rendered)\//, '')),
    describe: describeMutated,
  });

  const driverInput = fc
    .record({ driver: fc.nat({ max: drivers.length - 1 }), file: fc.nat(), mutated: fc.constant(0) })
    .chain(({ driver, file }) => {
      const seed = drivers[driver].files[file % drivers[driver].files.length];
      return mutatedArbitrary([seed], C_TOKEN, C_POOL).map((m) => ({ driver, ...m }));
    });

  const param: fc.Arbitrary<Param> = fc.record({
    name: fc.oneof(
      fc.constantFrom('Queue', 'Request', 'ActionFlags', '', 'VOID', '...', 'a b', 'Request,'),
      fc.string({ maxLength: 12 }),
    ),
    type: fc.oneof(
      fc.constantFrom(
        'WDFQUEUE',
        'WDFREQUEST',
        'ULONG',
        'VOID',
        'PVOID',
        '',
        'PFN_WDF_IO_QUEUE_IO_STOP',
        'const char *',
        'int[4]',
        '...',
      ),
      fc.string({ maxLength: 16 }),
    ),
  });
  const flag: fc.Arbitrary<Flag> = fc
    .constantFrom('not-pageable', 'must-return-success', 'kmdf-only', 'umdf-only', 'called-after', 'bogus')
    .map((id) => ({ id }) as unknown as Flag);
  const stubInput = fc.record({
    base: fc.nat({ max: callbacks.length - 1 }),
    name: fc.option(
      fc.oneof(
        fc.constantFrom('EVT_X', '', 'EVT_WDF_REQUEST_CANCEL', 'EVT_WDF_IO_QUEUE_IO_STOP'),
        fc.string({ maxLength: 30 }),
      ),
    ),
    returns: fc.option(
      fc.oneof(fc.constantFrom('VOID', 'NTSTATUS', 'BOOLEAN', '', 'VOID *', 'struct x'), fc.string({ maxLength: 12 })),
    ),
    params: fc.option(fc.array(param, { maxLength: 8 })),
    flags: fc.option(fc.array(flag, { maxLength: 3 })),
    irql: fc.option(
      fc.record({
        max: fc.option(fc.constantFrom('PASSIVE_LEVEL', 'APC_LEVEL', 'DISPATCH_LEVEL', 'DIRQL', 'HIGH_LEVEL', 'x'), {
          nil: undefined,
        }),
      }),
    ),
    roleName: fc.option(fc.oneof(fc.constantFrom('EvtIoStop', 'EvtIoRead', '', 'Evt'), fc.string({ maxLength: 12 }))),
    functionName: fc.oneof(fc.constantFrom('EchoEvtIoStop', '_x', 'A1', ''), fc.string({ maxLength: 20 })),
    indent: fc.option(fc.constantFrom('\t', '  ', '', '\n')),
    eol: fc.option(fc.constantFrom('\r\n', '\n', '\r', '')),
  });

  return [
    target(
      docsTarget(
        'docs-markdown',
        'docs-repository Markdown pages → parser, index merge, hover, sanitiser, stubs',
        markdownSeeds,
      ),
    ),
    target(
      docsTarget('docs-markdown-2018', '2018-layout Markdown pages (## -prototype) → the same path', markdown2018Seeds),
    ),
    target(docsTarget('docs-rendered', 'rendered pages (text and HTML) → the same path', renderedSeeds)),
    target({
      name: 'headers',
      what: 'WDF headers → tree-sitter header reader, merge, stubs of every callback typedef',
      arbitrary: mutatedArbitrary(headerSeeds, C_TOKEN, C_POOL),
      run: async (input) => {
        const { decls } = await parseHeaderText(input.text, path.basename(input.seed));
        const merged = mergeSources({ headers: [{ label: 'fuzz', framework: 'KMDF', decls }] });
        for (const e of merged) stubFor(e, 'FuzzCallback');
      },
      describe: describeMutated,
    }),
    target({
      name: 'project-files',
      what: '.vcxproj / .props (MSBuild evaluation, imports beside the fixture) and `sources` files',
      arbitrary: mutatedArbitrary(projectSeeds, TEXT_TOKEN, XML_POOL),
      run: (input) => {
        const file = path.join(root, input.seed);
        if (/sources$/.test(input.seed)) parseSourcesText(input.text, file);
        else parseVcxprojText(input.text, file);
      },
      describe: describeMutated,
    }),
    target({
      name: 'kmdf-json',
      what: '.kmdf.json: mutated project configs, arbitrary JSON values and configs of the right shape with wrong values',
      arbitrary: fc.oneof(
        mutatedArbitrary(configSeeds, TEXT_TOKEN, JSON_POOL),
        fc.jsonValue().map((v) => ({ seed: 'fc.jsonValue', mutations: [], text: JSON.stringify(v) ?? 'null' })),
        fc
          .record({
            rules: fc.dictionary(
              fc.oneof(fc.constantFrom('KMDF2001', 'KMDF1', '__proto__'), fc.string()),
              fc.jsonValue(),
            ),
            target: fc.oneof(fc.jsonValue(), fc.record({ framework: fc.jsonValue(), kmdfVersion: fc.jsonValue() })),
          })
          .map((v) => ({ seed: 'shaped', mutations: [], text: JSON.stringify(v) })),
      ),
      run: (input) => parseProjectConfig(input.text, '/fuzz/.kmdf.json'),
      describe: describeMutated,
    }),
    target({
      name: 'c-analysis',
      what: 'driver sources (one file of a fixture driver mutated, the rest as they are) → analysis and all rules',
      arbitrary: driverInput,
      run: async (input: Mutated & { driver: number }) => {
        const driver = drivers[input.driver];
        const workspace = new WorkspaceModel();
        const texts = new Map<string, string>();
        for (const file of driver.files) {
          const uri = uriOf(file.name);
          if (file.name === input.seed) {
            workspace.update(await analyzeText(uri, input.text));
            texts.set(uri, input.text);
          } else {
            workspace.update(driver.models.get(file.name)!);
            texts.set(uri, file.text);
          }
        }
        const ruleErrors: string[] = [];
        runRules({
          workspace,
          index: index(),
          target: { framework: 'KMDF', kmdfVersion: '1.33', source: 'default' },
          texts: (uri) => texts.get(uri),
          uris: [uriOf(input.seed)],
          onRuleError: (ruleId, _uri, error) =>
            ruleErrors.push(`${ruleId}: ${(error as Error)?.stack ?? String(error)}`),
        });
        if (ruleErrors.length) throw new Error(`rules threw:\n${ruleErrors.join('\n')}`);
      },
      describe: describeMutated,
    }),
    target({
      name: 'stubs',
      what: 'the stub generator on catalog callbacks with names, return types, parameters, flags and IRQL replaced',
      arbitrary: stubInput,
      run: (input) => {
        const base = callbacks[input.base];
        const entry: IndexEntry = {
          ...base,
          ...(input.name !== null ? { name: input.name } : {}),
          ...(input.returns !== null ? { returns: input.returns } : {}),
          ...(input.params !== null ? { params: input.params } : {}),
          ...(input.flags !== null ? { flags: input.flags } : {}),
          ...(input.irql !== null ? { irql: input.irql } : {}),
          ...(input.roleName !== null ? { roleName: input.roleName } : {}),
        };
        stubFor(entry, input.functionName, {
          ...(input.indent !== null ? { indent: input.indent } : {}),
          ...(input.eol !== null ? { eol: input.eol } : {}),
        });
      },
      describe: (input) => JSON.stringify({ ...input, base: callbacks[input.base].name }),
    }),
  ];
}
