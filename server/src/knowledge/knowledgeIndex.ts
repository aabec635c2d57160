/**
 * The knowledge index the features and rules query: entries by name, callbacks by config field or
 * `PFN_…` argument, and nearest names for "did you mean".
 */
import { distance } from 'fastest-levenshtein';
import { loadEmbeddedCatalog } from './catalog';
import type { EntryKind, IndexEntry, Registration } from './types';

export interface IndexCounts {
  callbacks: number;
  methods: number;
  structs: number;
  enums: number;
  macros: number;
}

export class KnowledgeIndex {
  private readonly byName = new Map<string, IndexEntry>();
  private readonly byLowerName = new Map<string, IndexEntry>();
  private readonly byPfn = new Map<string, IndexEntry>();
  private readonly byRoleName = new Map<string, IndexEntry[]>();
  /** "STRUCT.Field" and ".Field" → role type. */
  private readonly byField = new Map<string, IndexEntry[]>();
  /** Enumeration value (`WdfIoQueueDispatchSequential`) → its enumeration. */
  private readonly byEnumValue = new Map<string, IndexEntry>();
  /** Handle type (`WDFDEVICE`) → the methods that create one (an out parameter) and those that take one first. */
  private handleMethods?: Map<string, { creators: IndexEntry[]; takers: IndexEntry[] }>;

  constructor(
    readonly entries: readonly IndexEntry[],
    readonly sources: readonly string[] = [],
  ) {
    for (const e of entries) {
      this.byName.set(e.name, e);
      this.byLowerName.set(e.name.toLowerCase(), e);
      if (e.kind === 'enumeration')
        for (const m of e.members ?? []) if (!this.byEnumValue.has(m)) this.byEnumValue.set(m, e);
      if (e.kind !== 'callback') continue;
      if (e.pfn) this.byPfn.set(e.pfn, e);
      this.byPfn.set(e.name.replace(/^EVT_/, 'PFN_'), e);
      if (e.roleName) push(this.byRoleName, e.roleName, e);
      for (const r of e.registeredThrough ?? []) {
        if (!r.field) continue;
        push(this.byField, `${r.struct}.${r.field}`, e);
        push(this.byField, `.${r.field}`, e);
      }
    }
  }

  /** The index of the embedded catalog alone. */
  static fromCatalog(): KnowledgeIndex {
    const catalog = loadEmbeddedCatalog();
    return new KnowledgeIndex(catalog.entries, ['catalog']);
  }

  /** An entry by exact name; a `PFN_…` name resolves to its callback role type. */
  get(name: string): IndexEntry | undefined {
    return this.byName.get(name) ?? this.byPfn.get(name);
  }

  /** Case-insensitive lookup (for the CLI). */
  find(name: string): IndexEntry | undefined {
    return this.get(name) ?? this.byLowerName.get(name.toLowerCase());
  }

  all(kind?: EntryKind): IndexEntry[] {
    return kind ? this.entries.filter((e) => e.kind === kind) : [...this.entries];
  }

  counts(): IndexCounts {
    const c: IndexCounts = { callbacks: 0, methods: 0, structs: 0, enums: 0, macros: 0 };
    for (const e of this.entries) {
      if (e.kind === 'callback') c.callbacks++;
      else if (e.kind === 'method') c.methods++;
      else if (e.kind === 'structure') c.structs++;
      else if (e.kind === 'enumeration') c.enums++;
      else c.macros++;
    }
    return c;
  }

  /** Callback role types with this role name ("EvtIoStop"). */
  byRole(roleName: string): IndexEntry[] {
    return this.byRoleName.get(roleName) ?? [];
  }

  /**
   * The role type a config field takes. With the structure type known it is exact; without it the
   * field name alone decides when it is unambiguous (`EvtIoStop` is only in WDF_IO_QUEUE_CONFIG).
   */
  callbackForField(structType: string | undefined, field: string): IndexEntry | undefined {
    if (structType) {
      const exact = this.byField.get(`${structType.replace(/^P(?=WDF_)/, '')}.${field}`);
      if (exact?.length) return exact[0];
    }
    const candidates = this.byField.get(`.${field}`) ?? [];
    const distinct = new Set(candidates.map((c) => c.name));
    return distinct.size === 1 ? candidates[0] : undefined;
  }

  /** Config structures that have this callback field. */
  structsWithField(field: string): string[] {
    return [
      ...new Set(
        (this.byField.get(`.${field}`) ?? []).flatMap((e) =>
          (e.registeredThrough ?? []).filter((r) => r.field === field).map((r) => r.struct!),
        ),
      ),
    ];
  }

  /** The role type a `PFN_…` parameter of `callee` takes at `argIndex` (`WDF_DRIVER_CONFIG_INIT(&c, Fn)` → EVT_WDF_DRIVER_DEVICE_ADD). */
  callbackForArgument(callee: string, argIndex: number): IndexEntry | undefined {
    const method = this.byName.get(callee);
    const param = method?.params[argIndex];
    if (!param || !/^PFN_/.test(param.type)) return undefined;
    return this.byPfn.get(param.type);
  }

  /**
   * Every field of a structure (`WDF_IO_QUEUE_CONFIG`, or a pointer `PWDF_…` to one): those that take
   * callbacks first, with their role types, then the others, each group in the structure's order.
   */
  fieldsOf(structType: string): { field: string; callback: IndexEntry | undefined }[] {
    const s = this.byName.get(structType.replace(/^P(?=WDF_)/, ''));
    const callbacks = new Map((s?.callbackFields ?? []).map((f) => [f.field, f]));
    const order = s?.fields ?? [];
    // The fields that take callbacks first (what a driver sets on a config), then the others.
    const callbackFields = [
      ...order.filter((f) => callbacks.has(f)),
      ...[...callbacks.keys()].filter((f) => !order.includes(f)),
    ];
    return [
      ...callbackFields.map((field) => {
        const f = callbacks.get(field)!;
        return { field, callback: this.byName.get(f.callback) ?? this.byPfn.get(f.pfn) };
      }),
      ...order.filter((f) => !callbacks.has(f)).map((field) => ({ field, callback: undefined })),
    ];
  }

  /** The enumeration a value belongs to (`WdfIoQueueDispatchSequential` → WDF_IO_QUEUE_DISPATCH_TYPE). */
  enumOfValue(value: string): IndexEntry | undefined {
    return this.byEnumValue.get(value);
  }

  /** The `…_INIT` helpers of a structure (`WDF_IO_QUEUE_CONFIG_INIT`, `WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE`). */
  initializersOf(structType: string): IndexEntry[] {
    const name = structType.replace(/^P(?=WDF_)/, '');
    return this.entries.filter(
      (e) => e.kind === 'method' && (e.name === `${name}_INIT` || e.name.startsWith(`${name}_INIT_`)),
    );
  }

  /**
   * A WDF handle type as the methods see it: those that create one (`WDFDEVICE*` out parameter,
   * `WdfDeviceCreate`) and those whose first parameter is one; undefined for a name no method uses.
   */
  handleType(name: string): { creators: IndexEntry[]; takers: IndexEntry[] } | undefined {
    if (!this.handleMethods) {
      this.handleMethods = new Map();
      const of = (handle: string) => {
        let uses = this.handleMethods!.get(handle);
        if (!uses) this.handleMethods!.set(handle, (uses = { creators: [], takers: [] }));
        return uses;
      };
      for (const e of this.entries) {
        if (e.kind !== 'method') continue;
        for (const p of e.params) {
          const created = /^(WDF[A-Z0-9]+)\s*\*$/.exec(p.type);
          if (created && p.direction === 'out') of(created[1]).creators.push(e);
        }
        const first = e.params[0]?.type;
        if (first && /^WDF[A-Z0-9]+$/.test(first)) of(first).takers.push(e);
      }
    }
    const uses = /^WDF[A-Z0-9]+$/.test(name) ? this.handleMethods.get(name) : undefined;
    if (!uses) return undefined;
    // The object's own methods first (WDFDEVICE: WdfDevice…), then other Wdf… methods, then the macros.
    const own = `wdf${name.slice(3).toLowerCase()}`;
    const rank = (e: IndexEntry) => (e.name.toLowerCase().startsWith(own) ? 0 : /^Wdf/.test(e.name) ? 1 : 2);
    const order = (list: IndexEntry[]) =>
      [...list].sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { creators: order(uses.creators), takers: order(uses.takers) };
  }

  /** The primary registration of a role type, for "registered through X.Field (Method)". */
  primaryRegistration(roleType: string): Registration | undefined {
    const regs = this.byName.get(roleType)?.registeredThrough ?? [];
    return regs.find((r) => r.field) ?? regs[0];
  }

  /** Up to `limit` known names nearest to `name` (edit distance, case-insensitive, substring matches first). */
  nearest(name: string, limit = 5): string[] {
    const needle = name.toLowerCase();
    const scored = this.entries.map((e) => {
      const hay = e.name.toLowerCase();
      const sub = hay.includes(needle) || needle.includes(hay) ? 0 : 1;
      return { name: e.name, sub, d: distance(needle, hay) };
    });
    scored.sort((a, b) => a.sub - b.sub || a.d - b.d || a.name.localeCompare(b.name));
    return scored.slice(0, limit).map((s) => s.name);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) {
    if (!list.includes(value)) list.push(value);
  } else map.set(key, [value]);
}
