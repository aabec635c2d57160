import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mapItemView, missingCallbacks } from '../../../client/src/driverMapText';
import type { DriverMapNode } from '../../../shared/protocol';
import { repoRoot } from '../../support/paths';

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const at = (file: string, line: number) => ({
  uri: `file:///drv/${file}`,
  range: { start: { line, character: 4 }, end: { line, character: 12 } },
});

describe('client: driver map items', () => {
  const stop: DriverMapNode = {
    kind: 'callback',
    label: 'TideEvtIoStop',
    functionName: 'TideEvtIoStop',
    roleType: 'EVT_WDF_IO_QUEUE_IO_STOP',
    irql: '≤ DISPATCH_LEVEL',
    description: 'EvtIoStop · IRQL ≤ DISPATCH_LEVEL · not defined',
    registeredAt: at('device.c', 69),
    missing: true,
    findings: 0,
  };
  const read: DriverMapNode = {
    kind: 'callback',
    label: 'TideEvtIoRead',
    roleType: 'EVT_WDF_IO_QUEUE_IO_READ',
    irql: '≤ DISPATCH_LEVEL',
    registeredAt: at('device.c', 68),
    definition: at('queue.c', 20),
    findings: 120,
  };
  const queue: DriverMapNode = { kind: 'queue', label: 'Queue', findings: 120, children: [read, stop] };

  it('a missing callback: warning icon, the context value its menu keys on, a tooltip that says so', () => {
    assert.deepEqual(mapItemView(stop, 3), {
      label: 'TideEvtIoStop',
      description: 'EvtIoStop · IRQL ≤ DISPATCH_LEVEL · not defined',
      tooltip:
        '**TideEvtIoStop**\n\n`EVT_WDF_IO_QUEUE_IO_STOP` · IRQL ≤ DISPATCH_LEVEL\n\nRegistered at device.c:70\n\n' +
        'Registered but not defined: right-click to generate it.',
      icon: 'warning',
      contextValue: 'kmdf.callback.missing',
      expanded: false,
    });
  });

  it('a defined callback with findings: the badge caps at 99+', () => {
    const view = mapItemView(read, 3);
    assert.equal(view.contextValue, 'kmdf.callback');
    assert.equal(view.icon, 'symbol-method');
    assert.equal(view.badge, '99+');
    assert.ok(view.tooltip.includes('Defined at queue.c:21\n\n120 findings'), view.tooltip);
    assert.deepEqual(
      [mapItemView(queue, 2).icon, mapItemView(queue, 2).expanded, mapItemView(queue, 4).expanded],
      ['list-ordered', true, false],
    );
  });

  it('collects the missing callbacks of every project for the palette', () => {
    const project: DriverMapNode = { kind: 'project', label: 'tide', findings: 0, children: [queue] };
    assert.deepEqual(
      missingCallbacks([project]).map((n) => n.label),
      ['TideEvtIoStop'],
    );
  });

  it('the manifest contributes the view in the Explorer and its menus key on the context values', () => {
    assert.deepEqual(manifest.contributes.views.explorer[0], {
      id: 'kmdf.driverMap',
      name: 'KMDF Driver Map',
      icon: '$(circuit-board)',
      contextualTitle: 'KMDF Assist',
    });
    const itemMenus = manifest.contributes.menus['view/item/context'] as { command: string; when: string }[];
    assert.ok(itemMenus.every((m) => m.when.includes(`viewItem == ${mapItemView(stop, 3).contextValue}`)));
    const source = fs.readFileSync(path.join(repoRoot, 'client/src/driverMap.ts'), 'utf8');
    assert.ok(source.includes(`createTreeView('${manifest.contributes.views.explorer[0].id}'`));
  });
});
