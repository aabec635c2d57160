/**
 * Reading the wdf-signatures facts files (../shared/wdf-signatures/*.json, one per framework
 * version) into the same `HeaderDecl` shape the header parser produces, so the catalog generator
 * and a user's WDK headers feed the index the same way.
 */
import { z } from 'zod';
import { irqlFromAnnotations, normalizeLevel } from '../irql';
import type { HeaderDecl, Irql, Param } from '../types';
import { paramFacts, splitAnnotation } from './salFacts';

const ParamSchema = z.object({ sal: z.array(z.string()).default([]), type: z.string(), name: z.string() });
const IrqlSchema = z.object({ max: z.string(), min: z.string(), exact: z.string(), same: z.boolean() }).partial();
const FunctionSchema = z.object({
  name: z.string().min(1),
  header: z.string(),
  returns: z.string(),
  annotations: z.array(z.string()).default([]),
  irql: IrqlSchema.optional(),
  params: z.array(ParamSchema),
  pfn: z.string().optional(),
});
const StructSchema = z.object({
  name: z.string().min(1),
  header: z.string(),
  callbackFields: z.array(z.object({ field: z.string(), pfn: z.string(), callback: z.string() })).default([]),
});
const SignatureFileSchema = z.object({
  framework: z.enum(['KMDF', 'UMDF']),
  version: z.string(),
  callbacks: z.array(FunctionSchema).default([]),
  methods: z.array(FunctionSchema).default([]),
  structs: z.array(StructSchema).default([]),
});

export type SignatureFile = z.infer<typeof SignatureFileSchema>;

/**
 * Declarations from one parsed wdf-signatures file (`JSON.parse` of kmdf-1.33.json and the like).
 * `location` is "wdf-signatures:<framework>-<version>", e.g. "wdf-signatures:kmdf-1.33".
 *
 * Two repairs make the facts equal what the header parser reads from the same declaration:
 * - `__drv_aliasesMem` split into a SAL entry "__drv_" and a type "aliasesMem PVOID" is joined again;
 * - `irql` gains what the annotations say but the recorded object left out (the files record no
 *   `exact` for `_IRQL_requires_(DISPATCH_LEVEL)`), its levels are normalised (`DISPATCH_LEVEL + 1` →
 *   DIRQL), and an empty `irql` is dropped.
 * Callbacks get `pfn` from the structure fields that use them, else by the `EVT_X` → `PFN_X` convention.
 *
 * @throws Error with the first schema problem when the input is not a signatures file.
 */
export function signaturesFromJson(json: unknown): HeaderDecl[] {
  const parsed = SignatureFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Not a wdf-signatures file: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const file = parsed.data;
  const location = `wdf-signatures:${file.framework.toLowerCase()}-${file.version}`;
  const pfnOf = new Map<string, string>();
  for (const s of file.structs)
    for (const f of s.callbackFields) if (!pfnOf.has(f.callback)) pfnOf.set(f.callback, f.pfn);

  const fn =
    (kind: 'callback' | 'method') =>
    (entry: z.infer<typeof FunctionSchema>): HeaderDecl => {
      const decl: HeaderDecl = {
        name: entry.name,
        kind,
        header: entry.header,
        returns: entry.returns,
        params: entry.params.map(repairParam),
        location,
      };
      if (entry.annotations.length) decl.annotations = entry.annotations;
      const irql = completeIrql(entry.irql, entry.annotations);
      if (irql) decl.irql = irql;
      if (kind === 'callback') decl.pfn = entry.pfn ?? pfnOf.get(entry.name) ?? entry.name.replace(/^EVT_/, 'PFN_');
      return decl;
    };
  return [
    ...file.callbacks.map(fn('callback')),
    ...file.methods.map(fn('method')),
    ...file.structs.map((s) => ({
      name: s.name,
      kind: 'structure' as const,
      header: s.header,
      callbackFields: s.callbackFields,
      location,
    })),
  ];
}

function repairParam(p: z.infer<typeof ParamSchema>): Param {
  let { sal, type } = p;
  const split = sal.indexOf('__drv_');
  const word = /^(\w+)\s+(\S.*)$/.exec(type);
  if (split >= 0 && word) {
    sal = sal.map((s, i) => (i === split ? `__drv_${word[1]}` : s));
    type = word[2];
  }
  return { name: p.name, type, ...(sal.length ? { sal } : {}), ...paramFacts(sal) };
}

function completeIrql(recorded: Irql | undefined, annotations: string[]): Irql | undefined {
  const fromAnnotations = irqlFromAnnotations(annotations.map(splitAnnotation));
  const irql: Irql = { ...fromAnnotations, ...recorded };
  // The recorded levels are copied from the SAL as written ("DISPATCH_LEVEL + 1"): normalise them as the
  // annotations are, keeping an unreadable one as written.
  for (const key of ['max', 'min', 'exact'] as const) {
    const value = irql[key];
    if (value !== undefined) irql[key] = normalizeLevel(value) ?? value.trim();
  }
  return Object.keys(irql).length ? irql : undefined;
}
