/** Comparing C signatures the way the role rules need: types normalised (SAL, `const`, `PX` ≡ `X*`), `VOID` parameter lists. */
import type { IndexEntry } from '../../knowledge/types';

/** Normalise a C type for comparison: no SAL, `const`, spaces; `PX` ≡ `X*` for WDF-style pointer typedefs; void ≡ VOID. */
export function normalizeType(type: string): string {
  let t = type
    .replace(/\b(const|volatile|struct|enum|IN|OUT|OPTIONAL)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/\s*\*\s*/g, '*')
    .trim();
  const aliases: Record<string, string> = {
    void: 'VOID',
    PVOID: 'VOID*',
    SIZE_T: 'size_t',
    ULONG_PTR: 'size_t',
    BOOL: 'BOOLEAN',
  };
  t = aliases[t] ?? t;
  // PWDF_X / PWDFDEVICE_INIT / PULONG → X*; only for upper-case typedef names, which is how the headers spell them.
  const m = /^P([A-Z][A-Z0-9_]*)(\**)$/.exec(t);
  if (m && !['POWER_ACTION'].includes(t.slice(0, -m[2].length || undefined))) t = `${m[1]}*${m[2]}`;
  return t;
}

/** Whether two signatures (return type + parameter types) are the same. */
export function sameSignature(a: IndexEntry, b: IndexEntry): boolean {
  if (!a.returns || !b.returns) return true;
  if (normalizeType(a.returns) !== normalizeType(b.returns)) return false;
  const pa = realParams(a);
  const pb = realParams(b);
  return pa.length === pb.length && pa.every((p, i) => normalizeType(p.type) === normalizeType(pb[i].type));
}

/** Parameters without a lone `VOID`. */
export function realParams(entry: IndexEntry): IndexEntry['params'] {
  return entry.params.filter((p) => p.type && normalizeType(p.type) !== 'VOID');
}

/** Whether the index entry has a usable signature (return type and typed parameters). */
export function hasSignature(entry: IndexEntry): boolean {
  return !!entry.returns && entry.params.every((p) => !!p.type);
}

/** "EVT_WDF_IO_QUEUE_IO_READ (VOID, 3 parameters)" style short description of a signature. */
export function signatureText(entry: IndexEntry): string {
  const params = realParams(entry);
  return `${entry.returns ?? '?'} (${params.map((p) => p.type).join(', ') || 'VOID'})`;
}
