/**
 * A small checker of WDF usage in C text, against the header facts in ../shared/wdf-signatures.
 * Used by the snippet and example-driver tests. Regex-based on purpose: it reads code we wrote
 * in a known layout (role declarations, `_Use_decl_annotations_` definitions), not arbitrary C.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedDir } from '../../support/paths';

interface Param {
  sal: string[];
  type: string;
  name: string;
}
interface Signature {
  name: string;
  returns: string;
  params: Param[];
  /** IRQL facts from the annotations: max / min / exact level, same. */
  irql?: { max?: string; min?: string; exact?: string; same?: boolean };
}
interface SignatureFile {
  callbacks: Signature[];
  methods: Signature[];
  structs: Array<{ name: string; callbackFields: Array<{ field: string; pfn: string; callback: string }> }>;
}

/** KMDF 1.33 header facts. */
export function loadKmdf(): SignatureFile {
  return JSON.parse(readFileSync(path.join(sharedDir, 'wdf-signatures/kmdf-1.33.json'), 'utf8'));
}

/** WDM role types a KMDF driver uses that the WDF headers do not define. */
const WDM_ROLES: Record<string, Signature> = {
  DRIVER_INITIALIZE: {
    name: 'DRIVER_INITIALIZE',
    returns: 'NTSTATUS',
    params: [
      { sal: ['_In_'], type: 'PDRIVER_OBJECT', name: 'DriverObject' },
      { sal: ['_In_'], type: 'PUNICODE_STRING', name: 'RegistryPath' },
    ],
  },
};

/** Split a call's argument text at top-level commas. */
export function splitArguments(text: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    if (ch === ')' || ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      args.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) args.push(current.trim());
  return args;
}

/** The text between the parenthesis at `open` and its match. */
function parenthesized(text: string, open: number): string | undefined {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(open + 1, i);
  }
  return undefined;
}

/** Comments and string literals blanked, so names inside them are not checked. */
function codeOnly(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/\/\/[^\n]*/g, (m) => ' '.repeat(m.length))
    .replace(/"(?:[^"\\\n]|\\.)*"/g, (m) => `"${' '.repeat(m.length - 2)}"`);
}

export interface UsageReport {
  problems: string[];
  /** function name → role type, from `ROLE Name;` declarations. */
  roles: Map<string, string>;
  /** Names of the Wdf methods called. */
  calls: Set<string>;
  /** Functions defined with `_Use_decl_annotations_`. */
  definitions: Set<string>;
  /** `struct.field = function` registrations checked. */
  registrations: string[];
}

/**
 * Check role declarations, `_Use_decl_annotations_` definitions, Wdf method calls and callback
 * registrations in `source`. `knownRoles` adds declarations made in other files (a header).
 */
export function checkWdfUsage(
  source: string,
  facts: SignatureFile,
  knownRoles = new Map<string, string>(),
): UsageReport {
  const code = codeOnly(source);
  const callbacks = new Map(facts.callbacks.map((c) => [c.name, c]));
  const methods = new Map(facts.methods.map((m) => [m.name, m]));
  const structs = new Map(facts.structs.map((s) => [s.name, s]));
  const problems: string[] = [];
  const roles = new Map(knownRoles);
  const calls = new Set<string>();
  const definitions = new Set<string>();
  const registrations: string[] = [];

  for (const m of code.matchAll(
    /^[ \t]*((?:EVT|PFN)_[A-Z0-9_]+|DRIVER_INITIALIZE|DRIVER_UNLOAD)[ \t]+(\w+)[ \t]*;/gm,
  )) {
    const [, role, name] = m;
    if (!callbacks.has(role) && !WDM_ROLES[role]) problems.push(`unknown role type ${role} (declaring ${name})`);
    roles.set(name, role);
  }

  for (const m of code.matchAll(/_Use_decl_annotations_\s+(\w+)\s+(\w+)\s*\(/g)) {
    const [whole, returns, name] = m;
    definitions.add(name);
    const paramText = parenthesized(code, (m.index ?? 0) + whole.length - 1) ?? '';
    const role = roles.get(name);
    if (!role) continue; // a helper declared with SAL in a header
    const signature = callbacks.get(role) ?? WDM_ROLES[role];
    if (!signature) continue;
    if (returns !== signature.returns)
      problems.push(`${name}: returns ${returns}, ${role} returns ${signature.returns}`);
    const got = splitArguments(paramText)
      .map((p) => p.replace(/\s+/g, ' ').trim())
      .filter((p) => p !== 'VOID');
    const want = signature.params.map((p) => `${p.type} ${p.name}`.replace(/\s+/g, ' '));
    if (got.join(', ') !== want.join(', '))
      problems.push(`${name}: parameters (${got.join(', ')}), ${role} has (${want.join(', ')})`);
  }

  for (const m of code.matchAll(/\b(Wdf[A-Z]\w*)\s*\(/g)) {
    const name = m[1];
    const method = methods.get(name);
    if (!method) {
      problems.push(`unknown method ${name}`);
      continue;
    }
    calls.add(name);
    const args = parenthesized(code, (m.index ?? 0) + m[0].length - 1);
    if (args === undefined) continue;
    const count = splitArguments(args).length;
    if (count !== method.params.length) problems.push(`${name}: ${count} arguments, it takes ${method.params.length}`);
  }

  // Variables of config structure types, then `var.EvtX = Function;` registrations.
  const variableTypes = new Map<string, string>();
  for (const m of code.matchAll(/\b(WDF_[A-Z0-9_]+)\s+(\w+)\s*;/g)) variableTypes.set(m[2], m[1]);
  for (const m of code.matchAll(/\b(\w+)\s*(?:\.|->)\s*(Evt\w+)\s*=\s*(\w+)\s*;/g)) {
    const [, variable, field, fn] = m;
    const type = variableTypes.get(variable);
    if (!type) {
      problems.push(`${variable}.${field}: the variable's WDF structure type is not declared here`);
      continue;
    }
    const entry = structs.get(type)?.callbackFields.find((f) => f.field === field);
    if (!entry) {
      problems.push(`${type} has no callback field ${field}`);
      continue;
    }
    const role = roles.get(fn);
    if (role && role !== entry.callback)
      problems.push(`${type}.${field} takes ${entry.callback}, ${fn} is declared ${role}`);
    if (!role && !fn.endsWith(field))
      problems.push(`${fn} assigned to ${type}.${field} has no role declaration and does not follow <prefix>${field}`);
    registrations.push(`${type}.${field}=${fn}`);
  }

  // WDF_X_INIT…(&var, …): the initializer must belong to the variable's structure type.
  for (const m of code.matchAll(/\b(WDF_[A-Z0-9_]+?)_INIT(?:_[A-Z0-9_]+)?\s*\(\s*&\s*(\w+)/g)) {
    const [, struct, variable] = m;
    const type = variableTypes.get(variable);
    if (type && type !== struct) problems.push(`${m[0]}…: ${variable} is a ${type}`);
  }
  return { problems, roles, calls, definitions, registrations };
}
