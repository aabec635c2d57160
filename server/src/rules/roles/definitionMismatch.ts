/**
 * KMDF1002: a definition whose return type, parameter count or parameter types differ from the role
 * type it is declared with. The compiler rejects most of these; the editor shows them earlier and
 * names what differs.
 */
import { inExclusiveBranches } from '../../analysis/conditionals';
import type { FunctionModel } from '../../analysis/model';
import { WDF_SCALAR_TYPEDEFS } from '../../knowledge/typedefs';
import type { IndexEntry } from '../../knowledge/types';
import type { FixEdit, Rule, RuleContext } from '../types';
import { hasSignature, normalizeType, realParams, signatureText } from '../facts/signatures';
import { lines } from '../fixes/lineEdits';
import { meta } from '../ruleMeta';
import { checkedFunctions } from '../findingsReuse';

export const definitionMismatch: Rule = {
  meta: meta({
    id: 'KMDF1002',
    name: 'definition-mismatches-role-type',
    title: 'Definition does not match its role type',
    defaultSeverity: 'error',
    documentation: [
      {
        title: 'Declaring functions by using function role types for KMDF drivers',
        url: 'https://learn.microsoft.com/windows-hardware/drivers/devtest/declaring-functions-using-function-role-types-for-kmdf-drivers',
      },
    ],
    mirrors: { codeAnalysis: [28208] },
    certainty:
      'Certain when the role type comes from the WDK headers (the header facts or your include path): the return type, the parameter count or a parameter type of the definition differs from it (compared without SAL, const, and with PX read as X*); an error. ' +
      "When the role type's signature is known only from its reference page (no header facts), a hint: several documented prototypes carry typos.",
  }),
  perFunction: true,
  check(ctx) {
    for (const fn of checkedFunctions(ctx)) {
      if (!fn.isDefinition) continue;
      // A declaration in another branch of an undecided `#if` group is never compiled with this definition.
      const decl = ctx.workspace
        .roleDeclarations(fn.name)
        .find(
          (d) =>
            !(
              d.uri === ctx.document.uri &&
              inExclusiveBranches(ctx.document.undecidedBranches, d.decl.span.startOffset, fn.span.startOffset)
            ),
        );
      const roleType = decl?.decl.roleType ?? fn.functionClass;
      const entry = roleType ? ctx.index.get(roleType) : undefined;
      if (!entry || entry.kind !== 'callback' || !hasSignature(entry)) continue;
      const problems = differences(fn, entry, typeResolver(ctx));
      if (!problems.length) continue;
      const fix = fixEdits(ctx, fn, entry);
      const fromHeader = hasHeaderFacts(entry);
      ctx.report({
        message: `${fn.name} is declared as ${entry.name} but its definition differs: ${problems.join('; ')}. The role type expects ${signatureText(entry)}${fromHeader ? '' : ' (as its reference page writes it; no header facts confirm it)'}.`,
        ...(fromHeader ? {} : { severity: 'hint' as const }),
        span: fn.nameSpan,
        function: fn.name,
        ...(decl
          ? { related: [{ uri: decl.uri, span: decl.nameSpan, message: `declared as ${entry.name} here` }] }
          : {}),
        ...(fix ? { fixes: [{ title: `Use the signature of ${entry.name}`, preferred: true, edits: fix }] } : {}),
      });
    }
  },
};

/**
 * Whether a role type's signature comes from a header: the wdf-signatures facts of the catalog or
 * the WDK headers of the include path. Otherwise only a reference page gave it.
 */
export function hasHeaderFacts(entry: IndexEntry): boolean {
  return entry.sources.some((s) => /^(?:wdf-signatures|headers?)(?::|$)/.test(s));
}

/**
 * A type in the form signatures are compared in: normalised, then typedefs resolved (the WDF
 * headers' scalar typedefs such as `WDFCONTEXT` = `PVOID`, and the driver's own `typedef`s), so
 * that two names of one type compare equal, as they do for the compiler.
 */
export function typeResolver(ctx: RuleContext): (type: string) => string {
  const typedefs = new Map(WDF_SCALAR_TYPEDEFS);
  for (const model of ctx.workspace.models())
    for (const t of model.typedefs ?? []) if (!typedefs.has(t.name)) typedefs.set(t.name, t.type);
  return (type) => {
    let t = normalizeType(type);
    // A few steps at most: typedef chains in drivers are short, and a cycle must not loop.
    for (let step = 0; step < 4; step++) {
      const m = /^([A-Za-z_]\w*)(\**)$/.exec(t);
      const target = m ? typedefs.get(m[1]) : undefined;
      if (!m || target === undefined) break;
      const next = normalizeType(target) + m[2];
      if (next === t) break;
      t = next;
    }
    return t;
  };
}

/** What differs, in words ("returns VOID, expected NTSTATUS"; "2 parameters, expected 3"; "parameter 2 is ULONG, expected WDFREQUEST"). */
export function differences(
  fn: FunctionModel,
  entry: IndexEntry,
  resolve: (type: string) => string = normalizeType,
): string[] {
  const out: string[] = [];
  if (entry.returns && resolve(fn.returnType) !== resolve(entry.returns))
    out.push(`returns ${fn.returnType}, expected ${entry.returns}`);
  const expected = realParams(entry);
  const actual = fn.params.filter((p) => normalizeType(p.type) !== 'VOID' || p.name);
  if (actual.length !== expected.length)
    out.push(`${actual.length} parameter${actual.length === 1 ? '' : 's'}, expected ${expected.length}`);
  else {
    actual.forEach((p, i) => {
      if (resolve(p.type) !== resolve(expected[i].type))
        out.push(`parameter ${i + 1} (${p.name || 'unnamed'}) is ${p.type}, expected ${expected[i].type}`);
    });
  }
  return out;
}

/** Edits replacing the return type and the parameter list with the role type's, keeping the author's parameter names where the count matches. */
function fixEdits(ctx: RuleContext, fn: FunctionModel, entry: IndexEntry): FixEdit[] | undefined {
  const edits: FixEdit[] = [];
  const li = lines(ctx);
  const text = ctx.text;
  if (entry.returns && normalizeType(fn.returnType) !== normalizeType(entry.returns)) {
    const head = text.slice(fn.span.startOffset, fn.nameSpan.startOffset);
    const words = fn.returnType.split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    const re = new RegExp(`\\b${words.join('\\s*')}(?![\\w])`, 'g');
    let last: RegExpExecArray | undefined;
    for (let m = re.exec(head); m; m = re.exec(head)) last = m;
    if (!last) return undefined;
    const start = fn.span.startOffset + last.index;
    edits.push({ uri: ctx.document.uri, span: li.span(start, start + last[0].length), newText: entry.returns });
  }
  // The parameter list: between the parentheses after the name.
  const open = text.indexOf('(', fn.nameSpan.endOffset);
  if (open < 0 || (fn.body && open > fn.body.startOffset)) return undefined;
  let depth = 0;
  let close = -1;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) {
      close = i;
      break;
    }
  }
  if (close < 0) return undefined;
  const expected = realParams(entry);
  const keepNames = fn.params.length === expected.length;
  const params = expected.map((p, i) => `${p.type} ${keepNames && fn.params[i].name ? fn.params[i].name : p.name}`);
  const current = text.slice(open + 1, close);
  const multiline = /\n/.test(current);
  const indent = multiline ? (/\n([ \t]*)\S/.exec(current)?.[1] ?? '    ') : '';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const newList = !params.length
    ? 'VOID'
    : multiline
      ? eol + params.map((p) => indent + p).join(',' + eol) + eol + (/\n([ \t]*)$/.exec(current)?.[1] ?? '')
      : params.join(', ');
  if (
    newList !== current &&
    normalizeType(current.replace(/\s+/g, ' ')) !== normalizeType(newList.replace(/\s+/g, ' '))
  ) {
    edits.push({ uri: ctx.document.uri, span: li.span(open + 1, close), newText: newList });
  }
  return edits.length ? edits : undefined;
}
