/**
 * The KMDF Driver Map (DriverMapRequest): per driver project of the workspace, its target and where
 * that came from, then DriverEntry → the driver's callbacks → EvtDriverDeviceAdd → the objects the
 * driver configures (device PnP/power callbacks, each queue, timer, DPC, work item, interrupt and DMA
 * enabler) with their callbacks. Each callback shows its role, the IRQL it runs at, where it is
 * registered and its definition; each node counts the findings under it. Built from the project's
 * analysis model (no parsing here); the client asks again on DriverMapChangedNotification.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'vscode-languageserver';
import {
  DriverMapChangedNotification,
  DriverMapRequest,
  type DriverMapNode,
  type DriverMapNodeKind,
  type MapLocation,
} from '../../../shared/protocol';
import type { WorkspaceModel } from '../analysis';
import type { CallModel, DocumentModel, FunctionModel, RegistrationModel, Span } from '../analysis/model';
import type { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import type { DriverProject } from '../project/projectModel';
import type { Finding } from '../rules/types';
import { IrqlFacts, describeLevel, variableOf } from '../rules/facts/irql';
import type { ServerProjects } from '../session/serverProjects';
import { callbackBaseName } from '../stubs/naming';
import { toRange } from '../session/lsp';
import type { FeatureContext } from '../session/context';
import type { RulesRunner } from '../session/analysisSession';
import { lookupTable } from '../util/lookupTable';

/** How long after the last model change the client is told to refresh. */
const CHANGE_DELAY_MS = 500;

/** Config structures and the object kind they configure. */
const KIND_OF_STRUCT: Readonly<Record<string, DriverMapNodeKind | 'driver'>> = lookupTable({
  WDF_DRIVER_CONFIG: 'driver',
  WDF_PNPPOWER_EVENT_CALLBACKS: 'device',
  WDF_POWER_POLICY_EVENT_CALLBACKS: 'device',
  WDF_FILEOBJECT_CONFIG: 'device',
  WDF_PDO_EVENT_CALLBACKS: 'device',
  WDF_IO_QUEUE_CONFIG: 'queue',
  WDF_TIMER_CONFIG: 'timer',
  WDF_DPC_CONFIG: 'dpc',
  WDF_WORKITEM_CONFIG: 'workItem',
  WDF_INTERRUPT_CONFIG: 'interrupt',
  WDF_DMA_ENABLER_CONFIG: 'dmaEnabler',
});

/** The create method that takes each kind's config (and the object attributes with its cleanup callbacks). */
const CREATE_OF_KIND: Partial<Record<DriverMapNodeKind | 'driver', string>> = {
  driver: 'WdfDriverCreate',
  device: 'WdfDeviceCreate',
  queue: 'WdfIoQueueCreate',
  timer: 'WdfTimerCreate',
  dpc: 'WdfDpcCreate',
  workItem: 'WdfWorkItemCreate',
  interrupt: 'WdfInterruptCreate',
  dmaEnabler: 'WdfDmaEnablerCreate',
};

const LABEL_OF_KIND: Record<DriverMapNodeKind | 'driver', string> = {
  project: 'Project',
  looseFiles: 'Files outside any driver project',
  target: 'Target',
  callback: 'Callback',
  driver: 'Driver',
  device: 'Device',
  queue: 'Queue',
  timer: 'Timer',
  dpc: 'DPC',
  workItem: 'Work item',
  interrupt: 'Interrupt',
  dmaEnabler: 'DMA enabler',
  other: 'Other callbacks',
};

/** Display order of the object groups under EvtDriverDeviceAdd. */
const ORDER: (DriverMapNodeKind | 'driver')[] = [
  'device',
  'queue',
  'interrupt',
  'dpc',
  'timer',
  'workItem',
  'dmaEnabler',
  'other',
];

/** The registrations made on one config variable in one function: one object of the driver. */
interface ObjectGroup {
  kind: DriverMapNodeKind | 'driver';
  uri: string;
  inFunction?: string;
  object?: string;
  registrations: { uri: string; registration: RegistrationModel }[];
  /** The `…_CONFIG_INIT` call that set it up, if any. */
  init?: CallModel;
}

export class DriverMapFeature {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private connection?: Connection;

  constructor(
    private readonly ctx: FeatureContext,
    private readonly projects: ServerProjects,
    /** Every model the server has (open documents over scanned files). */
    private readonly all: WorkspaceModel,
    /** The rules runner over the given texts (this feature reads unopened files from disk). */
    rulesOver: (texts: (uri: string) => string | undefined) => RulesRunner,
  ) {
    this.rules = rulesOver((uri) => ctx.documents.text(uri) ?? diskText(uri));
  }

  private readonly rules: RulesRunner;

  register(connection: Connection): void {
    this.connection = connection;
    connection.onRequest(DriverMapRequest.method, () => this.map());
    this.ctx.documents.onModel(() => this.changed());
  }

  /** Tell the client (once things settle) that the map may have changed. */
  changed(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connection?.sendNotification(DriverMapChangedNotification.method, {});
    }, CHANGE_DELAY_MS);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  /** One node per driver project that has analysed files, in project order. */
  async map(): Promise<DriverMapNode[]> {
    const model = this.projects.model();
    const out: DriverMapNode[] = [];
    // The driver projects first, then the folders of files that belong to none.
    const projects = [...model.projects()].sort((a, b) => Number(a.kind === 'loose') - Number(b.kind === 'loose'));
    for (const project of projects) {
      const workspace = this.projects.workspaces.workspaceFor(model, project, (u) => this.all.get(u));
      const uris = model
        .checkedFiles(project)
        .map((f) => this.projects.workspaces.uriOf(f))
        .filter((u) => workspace.get(u));
      if (!uris.length) continue;
      const findings = ((await this.rules(uris, this.ctx.settings())) ?? []).filter((f) => f.severity !== 'hint');
      const target = model.targetFor(project, fileURLToPath(uris[0]), { settings: this.ctx.settings().target });
      out.push(
        projectNode(project, workspace, this.ctx.index(), findings, {
          label:
            `${target.framework} ${target.framework === 'UMDF' ? (target.umdfVersion ?? '') : (target.kmdfVersion ?? '')}`.trim(),
          source: target.source,
        }),
      );
    }
    return out;
  }
}

/** The map of one project. Exported for unit tests. */
export function projectNode(
  project: Pick<DriverProject, 'id' | 'root' | 'kind'>,
  workspace: WorkspaceModel,
  index: KnowledgeIndex,
  findings: readonly Finding[],
  target: { label: string; source: string },
): DriverMapNode {
  const facts = new IrqlFacts(workspace, index);
  const findingsIn = (name: string) => findings.filter((f) => f.function === name).length;
  const groups = objectGroups(workspace);
  const callback = (uri: string, registration: RegistrationModel): DriverMapNode =>
    callbackNode(workspace, index, facts, uri, registration, findingsIn(registration.functionName));

  const driverGroups = groups.filter((g) => g.kind === 'driver');
  const deviceAdds = new Set(
    driverGroups.flatMap((g) =>
      g.registrations
        .filter((r) => workspace.roleOfRegistration(r.registration) === 'EVT_WDF_DRIVER_DEVICE_ADD')
        .map((r) => r.registration.functionName),
    ),
  );
  const objectNodes = ORDER.flatMap((kind) =>
    groups.filter((g) => g.kind === kind).map((g) => groupNode(g, workspace, callback)),
  );
  const driverCallbacks = driverGroups.flatMap((g) =>
    g.registrations.map((r) => {
      const node = callback(r.uri, r.registration);
      // The objects are created under EvtDriverDeviceAdd (or the helpers it calls).
      if (deviceAdds.has(r.registration.functionName)) node.children = objectNodes;
      return withTotals(node);
    }),
  );
  const children: DriverMapNode[] = [
    {
      kind: 'target',
      label: target.label,
      description: `from ${describeSource(target.source, project.root)}`,
      findings: 0,
    },
  ];
  const entry = workspace.definitions('DriverEntry')[0];
  if (entry) {
    children.push(
      withTotals({
        kind: 'callback',
        label: 'DriverEntry',
        functionName: 'DriverEntry',
        role: 'DriverEntry',
        irql: '= PASSIVE_LEVEL',
        description: 'DRIVER_INITIALIZE · IRQL = PASSIVE_LEVEL',
        definition: location(entry.uri, entry.fn.nameSpan),
        findings: findingsIn('DriverEntry'),
        children: driverCallbacks,
      }),
    );
  } else {
    children.push(...driverCallbacks);
  }
  // Without a DeviceAdd to hang them on (a non-PnP or partial driver), the objects go under the project.
  if (!deviceAdds.size) children.push(...objectNodes);
  // Loose files are no driver: said as such, named by their folder, rather than passed off as a project.
  if (project.kind === 'loose')
    return {
      kind: 'looseFiles',
      label: LABEL_OF_KIND.looseFiles,
      description: `${path.basename(project.root)}/`,
      findings: findings.length,
      children,
    };
  return {
    kind: 'project',
    label: path.basename(project.root),
    description: describeSource(project.id, project.root),
    findings: findings.length,
    children,
  };
}

/** Group the registrations of a project by the config variable (and function) they are made on. */
function objectGroups(workspace: WorkspaceModel): ObjectGroup[] {
  const groups = new Map<string, ObjectGroup>();
  for (const model of [...workspace.models()].sort((a, b) => (a.uri < b.uri ? -1 : 1))) {
    for (const registration of model.registrations) {
      const fn = registration.inFunction
        ? model.functions.find((f) => f.isDefinition && f.name === registration.inFunction)
        : undefined;
      const object =
        registration.kind === 'field'
          ? registration.object
          : registration.callee && /_INIT/.test(registration.callee)
            ? variableOf(callOf(fn, registration)?.args[0]?.text ?? '')
            : undefined;
      let kind = kindOf(model, fn, registration, object);
      if (kind === 'other' && registration.callee?.startsWith('WdfDeviceInit')) kind = 'device';
      const key = `${model.uri}|${registration.inFunction ?? ''}|${object ?? registration.callee ?? registration.functionName}|${kind}`;
      let group = groups.get(key);
      if (!group) {
        group = {
          kind,
          uri: model.uri,
          ...(registration.inFunction ? { inFunction: registration.inFunction } : {}),
          ...(object ? { object } : {}),
          registrations: [],
          init: fn?.calls.find((c) => /_INIT/.test(c.callee) && object && variableOf(c.args[0]?.text ?? '') === object),
        };
        groups.set(key, group);
      }
      if (!group.registrations.some((r) => r.registration.functionName === registration.functionName))
        group.registrations.push({ uri: model.uri, registration });
    }
  }
  // Objects created without any callback (a DMA enabler, a queue the driver only forwards to) still show.
  const creates = new Map(
    (Object.entries(CREATE_OF_KIND) as [DriverMapNodeKind | 'driver', string][]).map(([kind, create]) => [
      create,
      kind,
    ]),
  );
  for (const model of workspace.models()) {
    for (const fn of model.functions) {
      if (!fn.isDefinition) continue;
      for (const call of fn.calls) {
        const kind = creates.get(call.callee);
        if (!kind || kind === 'driver' || kind === 'device') continue;
        const object = call.args
          .map((a) => variableOf(a.text))
          .find((v) => {
            const type = model.variables.find((x) => x.name === v && x.inFunction === fn.name)?.type;
            return type !== undefined && KIND_OF_STRUCT[type] === kind;
          });
        if (!object) continue;
        const key = `${model.uri}|${fn.name}|${object}|${kind}`;
        if (groups.has(key)) continue;
        groups.set(key, {
          kind,
          uri: model.uri,
          inFunction: fn.name,
          object,
          registrations: [],
          init: fn.calls.find((c) => /_INIT/.test(c.callee) && variableOf(c.args[0]?.text ?? '') === object),
        });
      }
    }
  }
  // The device's PnP/power, file-object and WdfDeviceInitSet… callbacks are one device node.
  const out: ObjectGroup[] = [];
  let device: ObjectGroup | undefined;
  for (const group of groups.values()) {
    if (group.kind !== 'device') out.push(group);
    else if (!device) out.push((device = { ...group, object: undefined, init: undefined }));
    else device.registrations.push(...group.registrations);
  }
  return out;
}

/** What object a registration configures: from the config structure, or the object its attributes are given to. */
function kindOf(
  model: DocumentModel,
  fn: FunctionModel | undefined,
  registration: RegistrationModel,
  object: string | undefined,
): DriverMapNodeKind | 'driver' {
  const struct =
    registration.structType ??
    (object ? model.variables.find((v) => v.name === object && v.inFunction === fn?.name)?.type : undefined) ??
    /^(WDF_[A-Z0-9_]+?)_INIT/.exec(registration.callee ?? '')?.[1];
  const byStruct = struct ? KIND_OF_STRUCT[struct.replace(/^P(?=WDF_)/, '').replace(/\s*\*$/, '')] : undefined;
  if (byStruct) return byStruct;
  if (struct === 'WDF_OBJECT_ATTRIBUTES' && fn && object) {
    // Cleanup/destroy callbacks belong to the object whose create call takes these attributes.
    const create = fn.calls.find(
      (c) => c.args.some((a) => variableOf(a.text) === object) && /^Wdf\w+Create$/.test(c.callee),
    );
    const kind = (Object.keys(CREATE_OF_KIND) as (DriverMapNodeKind | 'driver')[]).find(
      (k) => CREATE_OF_KIND[k] === create?.callee,
    );
    if (kind) return kind;
  }
  return 'other';
}

function callOf(fn: FunctionModel | undefined, registration: RegistrationModel): CallModel | undefined {
  return fn?.calls.find(
    (c) =>
      c.callee === registration.callee &&
      c.span.startOffset <= registration.span.startOffset &&
      registration.span.endOffset <= c.span.endOffset,
  );
}

/** A node for one object: its kind, the facts of its configuration, its callbacks. */
function groupNode(
  group: ObjectGroup,
  workspace: WorkspaceModel,
  callback: (uri: string, registration: RegistrationModel) => DriverMapNode,
): DriverMapNode {
  const fn = group.inFunction
    ? workspace.definitions(group.inFunction).find((d) => d.uri === group.uri)?.fn
    : undefined;
  const facts = objectFacts(group, fn);
  const first = group.registrations[0]?.registration;
  const at = group.init?.span ?? first?.span;
  return withTotals({
    kind: group.kind === 'driver' ? 'other' : group.kind,
    label: LABEL_OF_KIND[group.kind],
    description: [...facts, group.inFunction && `in ${group.inFunction}`].filter(Boolean).join(' · '),
    ...(at ? { registeredAt: location(group.uri, at) } : {}),
    findings: 0,
    children: group.registrations.map((r) => callback(r.uri, r.registration)),
  });
}

/** Dispatch type, default queue and power management of a queue; period of a timer; DMA profile; passive interrupts. */
function objectFacts(group: ObjectGroup, fn: FunctionModel | undefined): string[] {
  const init = group.init;
  const assigned = (field: string) =>
    fn?.assignments.find((a) => a.object === group.object && a.field === field)?.value.trim();
  const out: string[] = [];
  switch (group.kind) {
    case 'queue': {
      if (init?.callee.endsWith('_DEFAULT_QUEUE')) out.push('default');
      const dispatch = init?.args[1]?.text.replace(/^WdfIoQueueDispatch/, '');
      if (dispatch) out.push(dispatch.toLowerCase());
      const power = assigned('PowerManaged');
      out.push(power === 'WdfFalse' ? 'not power-managed' : 'power-managed');
      break;
    }
    case 'timer':
      if (init?.callee.endsWith('_PERIODIC')) out.push(`periodic${init.args[2] ? `, ${init.args[2].text} ms` : ''}`);
      else if (init) out.push('one-shot');
      break;
    case 'interrupt':
      if (/\bTRUE\b/.test(assigned('PassiveHandling') ?? '')) out.push('passive-level');
      break;
    case 'dmaEnabler': {
      const profile = init?.args[1]?.text.replace(/^WdfDmaProfile/, '');
      if (profile) out.push(profile);
      break;
    }
    default:
      break;
  }
  return out;
}

function callbackNode(
  workspace: WorkspaceModel,
  index: KnowledgeIndex,
  facts: IrqlFacts,
  uri: string,
  registration: RegistrationModel,
  findings: number,
): DriverMapNode {
  const name = registration.functionName;
  const roleType = workspace.roleOfRegistration(registration);
  const entry = roleType ? index.get(roleType) : undefined;
  const role = entry ? callbackBaseName(entry) : registration.field;
  const reached = facts.irqlOf(name);
  const irql = reached ? describeLevel(reached) : undefined;
  const definition = workspace.definitions(name)[0];
  return {
    kind: 'callback',
    label: name,
    functionName: name,
    ...(roleType ? { roleType } : {}),
    ...(role ? { role } : {}),
    ...(irql ? { irql } : {}),
    description: [role, irql && `IRQL ${irql}`, !definition && 'not defined'].filter(Boolean).join(' · '),
    registeredAt: location(uri, registration.valueSpan),
    ...(definition ? { definition: location(definition.uri, definition.fn.nameSpan) } : { missing: true }),
    findings,
  };
}

/** A node's findings: its own plus its children's. */
function withTotals(node: DriverMapNode): DriverMapNode {
  const below = (node.children ?? []).reduce((sum, c) => sum + c.findings, 0);
  return { ...node, findings: node.findings + below };
}

function location(uri: string, span: Pick<Span, 'start' | 'end'>): MapLocation {
  return { uri, range: toRange(span) };
}

/** A file's text as on disk, undefined when it cannot be read. */
function diskText(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fs.readFileSync(fileURLToPath(uri), 'utf8');
  } catch {
    return undefined;
  }
}

/** "beacon.vcxproj" for a file in the project folder, a relative path otherwise; settings/default as they are. */
function describeSource(source: string, root: string): string {
  if (!path.isAbsolute(source)) return source;
  const rel = path.relative(root, source);
  return rel && !rel.startsWith('..') ? rel.split(path.sep).join('/') : source;
}
