/**
 * Finishing a set of parsed headers: which function typedefs are callback role types, each role
 * type's `PFN_…` name, and which role type each config-structure field takes. These need the whole
 * header set, because a structure in one file often uses a `PFN_…` typedef from another.
 */
import type { CallbackField, HeaderDecl } from '../types';
import type { RawHeader } from './parseHeader';

/** Annotation names that mark a function typedef as a callback role type. */
const FUNCTION_CLASS = /^(_Function_class_|__drv_functionClass)\(/;

/**
 * Combine raw headers into the final declarations, in file order.
 *
 * A function typedef is kept as a callback when it is named `EVT_…`, carries a function-class
 * annotation, or is the target of a `typedef X *PFN;` anywhere in the set. A structure field is a
 * callback field when its type is such a PFN typedef; a `PFN_…` type whose typedef names no role
 * type (e.g. a direct function-pointer typedef) maps by the WDF naming convention `PFN_X` → `EVT_X`.
 */
export function resolveHeaders(raws: RawHeader[]): HeaderDecl[] {
  const pfnTargets = new Map<string, string>();
  for (const raw of raws)
    for (const [pfn, target] of raw.pfnTargets) if (!pfnTargets.has(pfn)) pfnTargets.set(pfn, target);
  const roleTargets = new Set(pfnTargets.values());
  const pfnOf = new Map<string, string>();
  for (const [pfn, target] of pfnTargets) if (!pfnOf.has(target)) pfnOf.set(target, pfn);

  const decls: HeaderDecl[] = [];
  for (const raw of raws) {
    for (const decl of raw.decls) {
      if (decl.kind === 'callback') {
        const isRole =
          decl.name.startsWith('EVT_') ||
          roleTargets.has(decl.name) ||
          decl.annotations?.some((a) => FUNCTION_CLASS.test(a));
        if (!isRole) continue;
        const pfn = pfnOf.get(decl.name);
        decls.push(pfn ? { ...decl, pfn } : decl);
      } else if (decl.kind === 'structure') {
        const callbackFields: CallbackField[] = [];
        for (const { field, type } of raw.structFields.get(decl.name) ?? []) {
          const callback = pfnTargets.get(type) ?? (type.startsWith('PFN_') ? `EVT_${type.slice(4)}` : undefined);
          if (callback) callbackFields.push({ field, pfn: type, callback });
        }
        decls.push({ ...decl, callbackFields });
      } else {
        decls.push(decl);
      }
    }
  }
  return decls;
}
