/**
 * IRQL normalisation: level names, numbers and the arithmetic the WDF headers use
 * (`_IRQL_requires_max_(DISPATCH_LEVEL + 1)` on WdfInterruptReleaseLock means "up to DIRQL"),
 * and how those levels reach the catalog.
 */
import { strict as assert } from 'node:assert';
import { parseIrqlText, irqlFromProse } from '../../../server/src/knowledge/docs/requirements';
import { signaturesFromJson } from '../../../server/src/knowledge/headers';
import {
  conditionalIrql,
  formatIrql,
  irqlFromAnnotations,
  levelRank,
  maxLevel,
  normalizeLevel,
} from '../../../server/src/knowledge/irql';
import { KnowledgeIndex } from '../../../server/src/knowledge/knowledgeIndex';
import { mergeSources } from '../../../server/src/knowledge/merge';
import type { DocPage, HeaderDecl } from '../../../server/src/knowledge/types';

describe('normalizeLevel', () => {
  const table: [string, string | undefined][] = [
    // Names and spellings.
    ['PASSIVE_LEVEL', 'PASSIVE_LEVEL'],
    ['LOW_LEVEL', 'PASSIVE_LEVEL'],
    ['Dispatch', 'DISPATCH_LEVEL'],
    [' (APC_LEVEL) ', 'APC_LEVEL'],
    ['DIRQL', 'DIRQL'],
    ['DEVICE_LEVEL', 'DIRQL'],
    ['SYNCH_LEVEL', 'DIRQL'],
    ['CLOCK_LEVEL', 'DIRQL'],
    ['IPI_LEVEL', 'DIRQL'],
    ['PROFILE_LEVEL', 'HIGH_LEVEL'],
    ['HIGH_LEVEL', 'HIGH_LEVEL'],
    // Numbers.
    ['0', 'PASSIVE_LEVEL'],
    ['1', 'APC_LEVEL'],
    ['2', 'DISPATCH_LEVEL'],
    ['0x2', 'DISPATCH_LEVEL'],
    ['3', 'DIRQL'],
    ['14', 'DIRQL'],
    // Sums.
    ['DISPATCH_LEVEL + 1', 'DIRQL'],
    ['DISPATCH_LEVEL+1', 'DIRQL'],
    ['(DISPATCH_LEVEL + 1)', 'DIRQL'],
    ['((DISPATCH_LEVEL) + 1)', 'DIRQL'],
    ['APC_LEVEL + 1', 'DISPATCH_LEVEL'],
    ['PASSIVE_LEVEL + 1', 'APC_LEVEL'],
    ['1 + APC_LEVEL', 'DISPATCH_LEVEL'],
    ['DISPATCH_LEVEL - 1', 'APC_LEVEL'],
    ['DISPATCH_LEVEL + 1 - 1', 'DISPATCH_LEVEL'],
    ['HIGH_LEVEL - 1', 'DIRQL'],
    ['HIGH_LEVEL-12', 'DIRQL'],
    ['DIRQL + 0', 'DIRQL'],
    ['2 - DISPATCH_LEVEL + 1', 'APC_LEVEL'],
    // Not readable: unknown, never the lowest level.
    ['', undefined],
    ['   ', undefined],
    ['MY_DRIVER_LEVEL', undefined],
    ['MY_DRIVER_LEVEL + 1', undefined],
    ['DISPATCH_LEVEL + FOO', undefined],
    ['PASSIVE_LEVEL - 1', undefined],
    ['-1', undefined],
    ['15', undefined],
    ['31', undefined],
    ['HIGH_LEVEL + 1', undefined],
    ['HIGH_LEVEL - 13', undefined],
    ['DIRQL + 1', undefined],
    ['DIRQL - 1', undefined],
    ['DIRQL + DIRQL', undefined],
    ['0 - HIGH_LEVEL', undefined],
    ['DISPATCH_LEVEL * 2', undefined],
    ['(DISPATCH_LEVEL + 1', undefined],
    ['DISPATCH_LEVEL + 1)', undefined],
    ['DISPATCH_LEVEL +', undefined],
    ['(KIRQL)2', undefined],
    ['2.5', undefined],
  ];
  for (const [text, want] of table) {
    it(`${JSON.stringify(text)} → ${want ?? 'unknown'}`, () => assert.equal(normalizeLevel(text), want));
  }

  it('ranks an unreadable level as unknown (-1), not as PASSIVE_LEVEL', () => {
    assert.equal(levelRank('MY_DRIVER_LEVEL + 1'), -1);
    assert.equal(levelRank('DISPATCH_LEVEL + 1'), levelRank('DIRQL'));
    assert.equal(maxLevel({ max: 'MY_DRIVER_LEVEL' }), undefined);
  });
});

describe('IRQL from annotations, signatures and docs text', () => {
  it('irqlFromAnnotations normalises sums and keeps an unreadable level as written (unknown)', () => {
    assert.deepEqual(irqlFromAnnotations([{ name: '_IRQL_requires_max_', args: 'DISPATCH_LEVEL + 1' }]), {
      max: 'DIRQL',
    });
    assert.deepEqual(irqlFromAnnotations([{ name: '_IRQL_requires_min_', args: '(APC_LEVEL+1)' }]), {
      min: 'DISPATCH_LEVEL',
    });
    const unread = irqlFromAnnotations([{ name: '_IRQL_requires_max_', args: ' MY_LEVEL ' }]);
    assert.deepEqual(unread, { max: 'MY_LEVEL' });
    assert.equal(maxLevel(unread), undefined);
  });

  it('conditionalIrql reads a sum inside _When_', () => {
    assert.deepEqual(conditionalIrql(['_When_(Wait == __false, _IRQL_requires_max_(DISPATCH_LEVEL + 1))']), [
      { condition: 'Wait == __false', max: 'DIRQL' },
    ]);
    assert.deepEqual(conditionalIrql(['_When_(Wait == __true, _IRQL_requires_max_(PASSIVE_LEVEL))']), [
      { condition: 'Wait == __true', max: 'PASSIVE_LEVEL' },
    ]);
  });

  it('signaturesFromJson normalises the recorded level ("DISPATCH_LEVEL + 1" → DIRQL)', () => {
    const decls = signaturesFromJson({
      framework: 'KMDF',
      version: '1.33',
      methods: [
        {
          name: 'WdfInterruptReleaseLock',
          header: 'wdfinterrupt.h',
          returns: 'VOID',
          annotations: ['_IRQL_requires_max_(DISPATCH_LEVEL + 1)'],
          irql: { max: 'DISPATCH_LEVEL + 1' },
          params: [{ sal: ['_In_'], type: 'WDFINTERRUPT', name: 'Interrupt' }],
        },
        {
          name: 'WdfObjectGetTypedContextWorker',
          header: 'wdfobject.h',
          returns: 'PVOID',
          annotations: ['_IRQL_requires_max_(DISPATCH_LEVEL+1)'],
          irql: { max: 'DISPATCH_LEVEL+1' },
          params: [],
        },
      ],
    });
    assert.deepEqual(
      decls.map((d) => [d.name, d.irql]),
      [
        ['WdfInterruptReleaseLock', { max: 'DIRQL' }],
        ['WdfObjectGetTypedContextWorker', { max: 'DIRQL' }],
      ],
    );
  });

  it('parseIrqlText reads a sum in a requirement text; irqlFromProse reads "at the device\'s DIRQL"', () => {
    assert.equal(parseIrqlText('<= DISPATCH_LEVEL + 1')?.max, 'DIRQL');
    assert.equal(parseIrqlText('<= DISPATCH_LEVEL (see Remarks section)')?.max, 'DISPATCH_LEVEL');
    assert.deepEqual(parseIrqlText('PASSIVE_LEVEL - DISPATCH_LEVEL'), {
      text: 'PASSIVE_LEVEL - DISPATCH_LEVEL',
      min: 'PASSIVE_LEVEL',
      max: 'DISPATCH_LEVEL',
    });
    assert.equal(
      irqlFromProse(
        "Releasing the lock returns the caller, which runs at the device's DIRQL while holding it. Passive interrupts differ.",
      )?.exact,
      'DIRQL',
    );
  });
});

describe('merging an IRQL expression from the header with the docs', () => {
  const releaseLock = (irql: HeaderDecl['irql'], annotations: string[]): HeaderDecl => ({
    name: 'WdfInterruptReleaseLock',
    kind: 'method',
    header: 'wdfinterrupt.h',
    returns: 'VOID',
    annotations,
    irql,
    params: [{ name: 'Interrupt', type: 'WDFINTERRUPT' }],
    location: 'wdfinterrupt.h',
  });
  const docs = (irql: DocPage['irql']): DocPage => ({
    name: 'WdfInterruptReleaseLock',
    kind: 'method',
    frameworks: ['KMDF'],
    params: [],
    seeAlso: [],
    flags: [],
    location: 'wdfinterrupt/nf-wdfinterrupt-wdfinterruptreleaselock.md',
    format: 'markdown',
    irql,
  });

  it('the header level (DISPATCH_LEVEL + 1 = DIRQL) wins over a page that reads PASSIVE_LEVEL, and the conflict is kept', () => {
    const [decl] = signaturesFromJson({
      framework: 'KMDF',
      version: '1.33',
      methods: [
        {
          name: 'WdfInterruptReleaseLock',
          header: 'wdfinterrupt.h',
          returns: 'VOID',
          annotations: ['_IRQL_requires_max_(DISPATCH_LEVEL + 1)'],
          irql: { max: 'DISPATCH_LEVEL + 1' },
          params: [],
        },
      ],
    });
    const [entry] = mergeSources({
      headers: [{ label: 'wdf-signatures:kmdf-1.33', framework: 'KMDF', decls: [decl] }],
      docs: [{ label: 'ddi-docs:current', pages: [docs({ exact: 'PASSIVE_LEVEL', text: 'See Remarks section.' })] }],
    });
    assert.deepEqual(entry.irql, { max: 'DIRQL', text: 'See Remarks section.' });
    assert.equal(entry.conflicts?.[0].field, 'irql');
    assert.deepEqual(
      entry.conflicts?.[0].values.map((v) => v.value),
      ['<= DIRQL', '= PASSIVE_LEVEL'],
    );
  });

  it('an unreadable header level is unknown: the docs level is used and the disagreement is kept', () => {
    const [entry] = mergeSources({
      headers: [
        {
          label: 'header:wdfinterrupt.h',
          decls: [releaseLock({ max: 'MY_LEVEL + 1' }, ['_IRQL_requires_max_(MY_LEVEL + 1)'])],
        },
      ],
      docs: [{ label: 'ddi-docs:current', pages: [docs({ max: 'DIRQL', text: '<= DIRQL' })] }],
    });
    assert.deepEqual(entry.irql, { max: 'DIRQL', text: '<= DIRQL' });
    assert.deepEqual(entry.conflicts, [
      {
        field: 'irql',
        values: [
          { source: 'header', value: '<= MY_LEVEL + 1' },
          { source: 'wdfinterrupt/nf-wdfinterrupt-wdfinterruptreleaselock.md', value: '<= DIRQL' },
        ],
      },
    ]);
  });

  it('an unreadable header level with no level in the docs stays as written, and no level is read from it', () => {
    const [entry] = mergeSources({
      headers: [
        {
          label: 'header:wdfinterrupt.h',
          decls: [releaseLock({ max: 'MY_LEVEL' }, ['_IRQL_requires_max_(MY_LEVEL)'])],
        },
      ],
      docs: [{ label: 'ddi-docs:current', pages: [docs({ text: 'See Remarks section.' })] }],
    });
    assert.deepEqual(entry.irql, { max: 'MY_LEVEL', text: 'See Remarks section.' });
    assert.equal(maxLevel(entry.irql), undefined);
    assert.equal(entry.conflicts, undefined);
  });
});

describe('embedded catalog: levels written as sums in the headers', () => {
  const index = KnowledgeIndex.fromCatalog();

  it('WdfInterruptReleaseLock and WdfInterruptAcquireLock may be called up to DIRQL (DISPATCH_LEVEL + 1)', () => {
    for (const name of ['WdfInterruptReleaseLock', 'WdfInterruptAcquireLock']) {
      const entry = index.get(name)!;
      assert.equal(entry.irql?.max, 'DIRQL', name);
      assert.equal(entry.irql?.exact, undefined, name);
      assert.equal(maxLevel(entry.irql), 'DIRQL', name);
    }
  });

  it('no method or callback keeps a level that normalizeLevel cannot read', () => {
    const unread: string[] = [];
    for (const e of index.all()) {
      for (const key of ['max', 'min', 'exact'] as const) {
        const value = e.irql?.[key];
        if (value !== undefined && normalizeLevel(value) !== value) unread.push(`${e.name}.${key} = ${value}`);
      }
      for (const b of e.irql?.when ?? []) {
        const value = b.exact ?? b.max ?? b.min;
        if (value !== undefined && normalizeLevel(value) !== value)
          unread.push(`${e.name} when ${b.condition} = ${value}`);
      }
    }
    assert.deepEqual(unread, []);
  });

  it('the header SAL wins for the interrupt and spin lock methods', () => {
    const levels = Object.fromEntries(
      [
        'WdfInterruptSynchronize',
        'WdfSpinLockAcquire',
        'WdfSpinLockRelease',
        'WdfObjectGetTypedContextWorker',
        'WdfObjectContextGetObject',
        'WdfDriverErrorReportApiMissing',
      ].map((n) => [n, maxLevel(index.get(n)?.irql)]),
    );
    assert.deepEqual(levels, {
      WdfInterruptSynchronize: 'DISPATCH_LEVEL',
      WdfSpinLockAcquire: 'DISPATCH_LEVEL',
      WdfSpinLockRelease: 'DISPATCH_LEVEL',
      WdfObjectGetTypedContextWorker: 'DIRQL',
      WdfObjectContextGetObject: 'DIRQL',
      WdfDriverErrorReportApiMissing: 'DIRQL',
    });
  });
});

describe('formatIrql on free text', () => {
  it('reads a written bound and shows no level for SAL wording that names none', () => {
    assert.equal(formatIrql({ text: '<=DISPATCH_LEVEL' }), '≤ DISPATCH_LEVEL');
    assert.equal(formatIrql({ text: '>= PASSIVE_LEVEL' }), '≥ PASSIVE_LEVEL');
    assert.equal(formatIrql({ text: 'DIRQL' }), '= DIRQL');
    assert.equal(formatIrql({ text: '_requires_same_' }), undefined);
    assert.equal(formatIrql({ text: 'Requires same' }), undefined);
    assert.equal(formatIrql({ text: 'See Remarks section.' }), undefined);
    assert.equal(formatIrql({ text: 'See Remarks section.', max: 'DISPATCH_LEVEL' }), '≤ DISPATCH_LEVEL');
  });
});
