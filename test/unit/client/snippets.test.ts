/**
 * snippets/c.json: valid JSON in the naming convention of snippets/README.md, well-formed tab
 * stops, and bodies whose WDF names and signatures match ../shared/wdf-signatures (KMDF 1.33).
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkWdfUsage, loadKmdf } from './wdfCheck';
import { repoRoot } from '../../support/paths';

interface Snippet {
  prefix: string | string[];
  description: string;
  body: string | string[];
}

/** A parsed snippet body: its text with each tab stop replaced by its default, and what is wrong with it. */
export interface ExpandedSnippet {
  text: string;
  tabStops: Map<number, string>;
  problems: string[];
}

/** Expand VS Code snippet syntax: `$1`, `${1}`, `${1:default}`, `${1|a,b|}`, escapes `\$ \} \\`. */
export function expandSnippet(body: string): ExpandedSnippet {
  const problems: string[] = [];
  const tabStops = new Map<number, string>();
  let text = '';
  const record = (n: number, value: string, explicit: boolean) => {
    const known = tabStops.get(n);
    if (known === undefined || (known === '' && explicit)) tabStops.set(n, value);
    else if (explicit && known !== value) problems.push(`tab stop ${n} has two defaults: "${known}" and "${value}"`);
    text += tabStops.get(n) ?? value;
  };
  let i = 0;
  while (i < body.length) {
    const ch = body[i];
    if (ch === '\\' && '$}\\'.includes(body[i + 1] ?? '')) {
      text += body[i + 1];
      i += 2;
    } else if (ch === '$' && /\d/.test(body[i + 1] ?? '')) {
      const digits = /^\d+/.exec(body.slice(i + 1))![0];
      record(Number(digits), '', false);
      i += 1 + digits.length;
    } else if (ch === '$' && body[i + 1] === '{') {
      const m = /^\$\{(\d+)(?:(\})|:((?:[^$}\\]|\\.)*)\}|\|([^|]*)\|\})/.exec(body.slice(i));
      if (!m) {
        problems.push(`malformed tab stop at "${body.slice(i, i + 20)}"`);
        text += ch;
        i++;
        continue;
      }
      const n = Number(m[1]);
      if (m[4] !== undefined) {
        const choices = m[4].split(',');
        if (choices.some((c) => !c.trim())) problems.push(`tab stop ${n} has an empty choice`);
        record(n, choices[0], true);
      } else record(n, (m[3] ?? '').replace(/\\(.)/g, '$1'), m[3] !== undefined);
      i += m[0].length;
    } else if (ch === '$') {
      problems.push(`unescaped $ at "${body.slice(i, i + 20)}" (variables are not used in these snippets)`);
      text += ch;
      i++;
    } else {
      text += ch;
      i++;
    }
  }
  const numbers = [...tabStops.keys()].filter((n) => n > 0).sort((a, b) => a - b);
  numbers.forEach((n, index) => {
    if (n !== index + 1) problems.push(`tab stops are not numbered 1..${numbers.length}: ${numbers.join(', ')}`);
  });
  return { text, tabStops, problems: [...new Set(problems)] };
}

const snippetsPath = path.join(repoRoot, 'snippets/c.json');
const raw = readFileSync(snippetsPath, 'utf8');
const kmdf = loadKmdf();

describe('client: snippet syntax checker', () => {
  it('expands defaults and choices and mirrors repeated tab stops', () => {
    const { text, problems, tabStops } = expandSnippet('${1:Echo}Evt(${2|A,B|}) ${1:Echo} $3 \\$ $0');
    assert.deepEqual(problems, []);
    assert.equal(text, 'EchoEvt(A) Echo  $ ');
    assert.deepEqual([...tabStops.keys()], [1, 2, 3, 0]);
  });
  it('reports conflicting defaults, gaps, malformed stops and stray $', () => {
    assert.deepEqual(expandSnippet('${1:A} ${1:B}').problems, ['tab stop 1 has two defaults: "A" and "B"']);
    assert.deepEqual(expandSnippet('$1 $3').problems, ['tab stops are not numbered 1..2: 1, 3']);
    assert.deepEqual(expandSnippet('${x}').problems, ['malformed tab stop at "${x}"']);
    assert.deepEqual(expandSnippet('a $b').problems, [
      'unescaped $ at "$b" (variables are not used in these snippets)',
    ]);
  });
});

describe('client: snippets/c.json', () => {
  const snippets = JSON.parse(raw) as Record<string, Snippet>;
  const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));

  it('is the snippet file for both c and cpp in package.json', () => {
    assert.deepEqual(manifest.contributes.snippets, [
      { language: 'c', path: './snippets/c.json' },
      { language: 'cpp', path: './snippets/c.json' },
    ]);
  });

  it('has the documented snippets, named and prefixed by the convention', () => {
    const prefixes = Object.values(snippets).map((s) => (Array.isArray(s.prefix) ? s.prefix[0] : s.prefix));
    assert.deepEqual(prefixes.sort(), [
      'kmdf-deviceadd',
      'kmdf-dmaenabler',
      'kmdf-dmaenabler-selfmanagedio',
      'kmdf-driverentry',
      'kmdf-iostop',
      'kmdf-pnppower',
      'kmdf-pnppower-decl',
      'kmdf-selfmanagedio',
    ]);
    for (const [name, snippet] of Object.entries(snippets)) {
      assert.match(name, /^KMDF /);
      assert.match(Array.isArray(snippet.prefix) ? snippet.prefix[0] : snippet.prefix, /^kmdf-[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.ok(snippet.description.length > 20, `${name} description`);
      assert.ok(Array.isArray(snippet.body) && snippet.body.length > 1, `${name} body`);
      for (const line of snippet.body) assert.doesNotMatch(line, /^ +\S/, `${name}: indent with tabs: "${line}"`);
    }
  });

  const roles = new Map<string, string>();
  const results = new Map(
    Object.entries(snippets).map(([name, snippet]) => [name, expandSnippet([snippet.body].flat().join('\n'))]),
  );
  const expanded = new Map([...results].map(([name, result]) => [name, result.text]));
  for (const [name, result] of results) {
    it(`${name}: tab stops are well formed`, () => assert.deepEqual(result.problems, []));
  }

  it('every body uses existing role types and methods with exact signatures and argument counts', () => {
    assert.equal(expanded.size, Object.keys(snippets).length);
    // Declarations from any snippet count (kmdf-pnppower-decl declares what kmdf-pnppower registers).
    for (const text of expanded.values()) for (const [fn, role] of checkWdfUsage(text, kmdf).roles) roles.set(fn, role);
    const problems: string[] = [];
    const calls = new Set<string>();
    const registrations: string[] = [];
    for (const [name, text] of expanded) {
      const report = checkWdfUsage(text, kmdf, roles);
      problems.push(...report.problems.map((p) => `${name}: ${p}`));
      report.calls.forEach((c) => calls.add(c));
      registrations.push(...report.registrations);
    }
    assert.deepEqual(problems, []);
    assert.deepEqual([...calls].sort(), [
      'WdfDeviceCreate',
      'WdfDeviceInitSetPnpPowerEventCallbacks',
      'WdfDmaEnablerCreate',
      'WdfDriverCreate',
      'WdfIoQueueCreate',
      'WdfRequestComplete',
      'WdfRequestStopAcknowledge',
      'WdfRequestUnmarkCancelable',
    ]);
    assert.ok(
      registrations.includes(
        'WDF_DMA_ENABLER_CONFIG.EvtDmaEnablerSelfManagedIoStart=EchoEvtDmaEnablerSelfManagedIoStart',
      ),
    );
    assert.ok(
      registrations.includes(
        'WDF_DMA_ENABLER_CONFIG.EvtDmaEnablerSelfManagedIoStop=EchoEvtDmaEnablerSelfManagedIoStop',
      ),
    );
    assert.ok(registrations.includes('WDF_IO_QUEUE_CONFIG.EvtIoStop=EchoEvtIoStop'));
  });

  it('the checker catches a wrong signature, an unknown method, a bad argument count and a mismatched registration', () => {
    const bad = [
      'EVT_WDF_IO_QUEUE_IO_STOP EchoEvtIoStop;',
      'EVT_WDF_DEVICE_D0_ENTRY EchoEvtDeviceD0Entry;',
      '_Use_decl_annotations_ VOID EchoEvtIoStop(WDFQUEUE Queue, WDFREQUEST Request) { WdfRequestComplete(Request); WdfRequestFinish(Request); }',
      'void f(void) { WDF_IO_QUEUE_CONFIG q; q.EvtIoStop = EchoEvtDeviceD0Entry; }',
    ].join('\n');
    assert.deepEqual(checkWdfUsage(bad, kmdf).problems, [
      'EchoEvtIoStop: parameters (WDFQUEUE Queue, WDFREQUEST Request), EVT_WDF_IO_QUEUE_IO_STOP has (WDFQUEUE Queue, WDFREQUEST Request, ULONG ActionFlags)',
      'WdfRequestComplete: 1 arguments, it takes 2',
      'unknown method WdfRequestFinish',
      'WDF_IO_QUEUE_CONFIG.EvtIoStop takes EVT_WDF_IO_QUEUE_IO_STOP, EchoEvtDeviceD0Entry is declared EVT_WDF_DEVICE_D0_ENTRY',
    ]);
  });

  it('the EvtIoStop snippet unmarks a cancelable request before requeueing or completing it', () => {
    const text = [...expanded.entries()].find(([name]) => name === 'KMDF EvtIoStop')![1];
    const unmark = text.indexOf('WdfRequestUnmarkCancelable(Request)');
    assert.ok(text.indexOf('ActionFlags & WdfRequestStopRequestCancelable') < unmark && unmark > 0);
    assert.ok(unmark < text.indexOf('WdfRequestStopAcknowledge(Request, TRUE)'));
    assert.ok(unmark < text.indexOf('WdfRequestComplete(Request, STATUS_CANCELLED)'));
  });
});
