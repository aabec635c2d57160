/**
 * Writes WDK-style headers from a wdf-signatures facts file, laid out the way the framework headers
 * are (one file per `header`, role type + PFN typedef, function-table typedef + FORCEINLINE wrapper,
 * config structures), so the header parser can be checked against the facts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface FactParam {
  sal: string[];
  type: string;
  name: string;
}
export interface FactFunction {
  name: string;
  header: string;
  returns: string;
  annotations: string[];
  irql?: Record<string, string | boolean>;
  params: FactParam[];
}
export interface FactStruct {
  name: string;
  header: string;
  callbackFields: { field: string; pfn: string; callback: string }[];
}
export interface FactFile {
  framework: 'KMDF' | 'UMDF';
  version: string;
  callbacks: FactFunction[];
  methods: FactFunction[];
  structs: FactStruct[];
}

/**
 * The facts files split `__drv_aliasesMem PVOID Buffer` into SAL "__drv_" and type
 * "aliasesMem PVOID"; a header spells it whole.
 */
export function headerSpelling(p: FactParam): { sal: string[]; type: string } {
  const at = p.sal.indexOf('__drv_');
  const m = /^(\w+)\s+(.+)$/.exec(p.type);
  if (at < 0 || !m) return { sal: p.sal, type: p.type };
  return { sal: p.sal.map((s, i) => (i === at ? `__drv_${m[1]}` : s)), type: m[2] };
}

function paramLines(params: FactParam[], first?: string): string {
  const lines: string[] = [];
  if (first) lines.push(`    _In_\n    ${first}`);
  for (const p of params) {
    const { sal, type } = headerSpelling(p);
    lines.push(`${sal.map((s) => `    ${s}\n`).join('')}    ${type} ${p.name}`);
  }
  return lines.length ? `${lines.join(',\n')}\n    ` : '    VOID\n    ';
}

/** Write one folder of headers for `facts`; returns the number of files written. */
export function writeHeaders(facts: FactFile, dir: string): number {
  fs.mkdirSync(dir, { recursive: true });
  const files = new Map<string, string[]>();
  const out = (header: string, text: string) => {
    if (!files.has(header)) files.set(header, []);
    files.get(header)!.push(text);
  };
  const callbackNames = new Set(facts.callbacks.map((c) => c.name));
  const pfnOf = new Map<string, string>();
  for (const s of facts.structs) for (const f of s.callbackFields) pfnOf.set(f.callback, f.pfn);

  for (const c of facts.callbacks) {
    const pfn = pfnOf.get(c.name) ?? c.name.replace(/^EVT_/, 'PFN_');
    out(
      c.header,
      `typedef\n${c.annotations.map((a) => `${a}\n`).join('')}${c.returns}\nNTAPI\n${c.name}(\n${paramLines(c.params)});\n\n` +
        `typedef ${c.name} *${pfn};\n`,
    );
  }
  for (const m of facts.methods) {
    const table = `PFN_${m.name.toUpperCase()}`;
    const args = ['WdfDriverGlobals', ...m.params.map((p) => p.name)].join(', ');
    out(
      m.header,
      `//\n// WDF Function: ${m.name}\n//\ntypedef\n${m.annotations.map((a) => `${a}\n`).join('')}WDFAPI\n${m.returns}\n` +
        `(NTAPI *${table})(\n${paramLines(m.params, 'PWDF_DRIVER_GLOBALS DriverGlobals')});\n\n` +
        `${m.annotations.map((a) => `${a}\n`).join('')}FORCEINLINE\n${m.returns}\n${m.name}(\n${paramLines(m.params)})\n` +
        `{\n    ${m.returns === 'VOID' ? '' : 'return '}((${table}) WdfFunctions[${m.name}TableIndex])(${args});\n}\n`,
    );
  }
  for (const s of facts.structs) {
    const fields = s.callbackFields.map(
      (f) => `    ${f.pfn.padEnd(50)} ${f.field};\n\n    ULONG Reserved${f.field};\n`,
    );
    // A PFN whose role type the facts do not list is a direct function-pointer typedef in the headers.
    const direct = s.callbackFields
      .filter((f) => !callbackNames.has(f.callback))
      .map((f) => `typedef\nPVOID\n(__cdecl *${f.pfn})(\n    VOID\n    );\n\n`);
    out(
      s.header,
      `${direct.join('')}typedef struct _${s.name} {\n    ULONG Size;\n\n${fields.join('\n')}} ${s.name}, *P${s.name};\n`,
    );
  }
  for (const [header, parts] of files) {
    const guard = `_${header.replace(/\W/g, '_').toUpperCase()}_`;
    const text =
      `/* ${header}: generated for the header round-trip test from the wdf-signatures facts. */\n\n` +
      `#ifndef ${guard}\n#define ${guard}\n\nWDF_EXTERN_C_START\n\n#if (NTDDI_VERSION >= NTDDI_WIN2K)\n\n` +
      `${parts.join('\n')}\n#endif // (NTDDI_VERSION >= NTDDI_WIN2K)\n\nWDF_EXTERN_C_END\n\n#endif // ${guard}\n`;
    fs.writeFileSync(path.join(dir, header), text);
  }
  return files.size;
}
