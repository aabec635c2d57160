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

  constructor(
    readonly entries: readonly IndexEntry[],
    readonly sources: readonly string[] = [],
  ) {
    for (const e of entries) {
      this.byName.set(e.name, e);
      this.byLowerName.set(e.name.toLowerCase(), e);
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

  /** The callback fields of a config structure, with their role types. */
  fieldsOf(structType: string): { field: string; callback: IndexEntry | undefined }[] {
    const s = this.byName.get(structType.replace(/^P(?=WDF_)/, ''));
    return (s?.callbackFields ?? []).map((f) => ({
      field: f.field,
      callback: this.byName.get(f.callback) ?? this.byPfn.get(f.pfn),
    }));
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
