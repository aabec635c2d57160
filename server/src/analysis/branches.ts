/**
 * Branch outline of a function body: for each call or return, the control-statement arms that
 * enclose it (outermost first). The path-sensitive contract rules read it to decide whether two
 * calls can run one after the other (server/src/rules/facts/callOrder.ts).
 *
 * The outline is all-or-nothing per function: when the body holds control flow the arms cannot
 * describe (goto, `__try`/`try`/`throw`, a parse error, a `case` outside its switch's block, or a
 * conditional break/continue that skips the rest of a block after a call), every site gets
 * `undefined`, so the rules stay silent there rather than guess.
 */
import type { Node } from 'web-tree-sitter';
import type { BranchArm } from './model';

/** The outline of one body: `arms[i]` for `sites[i]`, or undefined when the body cannot be outlined. */
export interface BodyOutline {
  hasGoto: boolean;
  arms?: BranchArm[][];
  /** Why the outline was left out (for tests and debugging). */
  reason?: string;
}

const LOOPS = new Set(['for_statement', 'while_statement', 'do_statement', 'for_range_loop']);
/** Control flow the arms cannot describe. */
const UNSTRUCTURED = new Set([
  'goto_statement',
  'seh_try_statement',
  'seh_leave_statement',
  'try_statement',
  'throw_statement',
]);

/**
 * Outline `sites` (call, return or other nodes inside `body`). `body` must be the `{ … }` node of
 * the function; sites outside it get no arms. `special` are the body's descendants of the types
 * OUTLINE_STATEMENTS lists (queries.ts), in document order.
 */
export function outlineBody(body: Node, sites: Node[], special: readonly Node[]): BodyOutline {
  const hasGoto = special.some((n) => n?.type === 'goto_statement');
  if (body.hasError || body.isMissing) return { hasGoto, reason: 'parse error in the body' };
  const unstructured = special.find((n) => n && UNSTRUCTURED.has(n.type));
  if (unstructured) return { hasGoto, reason: unstructured.type };
  for (const node of special) {
    if (node?.type !== 'case_statement') continue;
    if (node.parent?.type !== 'compound_statement' || node.parent.parent?.type !== 'switch_statement')
      return { hasGoto, reason: 'case label outside its switch block' };
  }
  // Sites share most of their ancestors: each ancestor's arms are read once (a switch's case index costs a scan of its cases).
  const memo = new Map<number, BranchArm[] | undefined>();
  const arms: BranchArm[][] = sites.map((s) => armsOf(s, body, memo)?.slice() ?? []);
  // A break/continue inside a branch of its loop or switch ends every path through an earlier site
  // in that branch, which the arms do not say: such a site and a later one in the same loop or
  // switch would look sequential. Only give up when that situation actually occurs.
  for (const jump of special) {
    if (jump?.type !== 'break_statement' && jump?.type !== 'continue_statement') continue;
    const target = jumpTarget(jump, body);
    if (!target) return { hasGoto, reason: `${jump.type} outside a loop or switch` };
    // The case arm of the switch a break leaves is the break's own block, not a branch it sits in.
    const inner = (armsOf(jump, target) ?? []).filter((x) => x.statement !== target.startIndex);
    if (!inner.length) continue;
    const jumpArms = armsOf(jump, body, memo) ?? [];
    const caught = sites.some(
      (s, i) => s.startIndex < jump.startIndex && within(s, target) && contains(arms[i], jumpArms),
    );
    if (caught) return { hasGoto, reason: `conditional ${jump.type} after a call in the same branch` };
  }
  return { hasGoto, arms };
}

/** Whether a body holds a goto, read from text (for bodies the grammar could not read). */
export function textHasGoto(bodyText: string): boolean {
  const code = bodyText.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g, ' ');
  return /\bgoto\s+[A-Za-z_]\w*\s*;/.test(code);
}

/**
 * The arms enclosing `site` below `top` (exclusive), outermost first; undefined if `site` is not inside `top`.
 * `memo` (node id → arms, for this `top` only) keeps the answers for ancestors; the lists in it are shared, not to be changed.
 */
function armsOf(site: Node, top: Node, memo?: Map<number, BranchArm[] | undefined>): BranchArm[] | undefined {
  if (!memo) {
    const out: BranchArm[] = [];
    let child = site;
    for (let parent = site.parent; parent; child = parent, parent = parent.parent) {
      if (parent.equals(top)) return out.reverse();
      const arm = armOf(parent, child);
      if (arm) out.push(arm);
    }
    return undefined;
  }
  // Climb to the nearest answered ancestor (or a child of `top`, or the root), then answer the nodes on the way down.
  const chain: Node[] = [];
  let node: Node = site;
  let base: BranchArm[] | undefined;
  /** The node the climb stopped at: the parent of `chain[start]`. */
  let stop: Node;
  let start: number;
  for (;;) {
    if (memo.has(node.id)) {
      base = memo.get(node.id);
      stop = node;
      start = chain.length - 1;
      break;
    }
    chain.push(node);
    const parent: Node | null = node.parent;
    if (!parent || parent.equals(top)) {
      base = parent ? [] : undefined;
      memo.set(node.id, base);
      stop = node;
      start = chain.length - 2;
      break;
    }
    node = parent;
  }
  for (let i = start; i >= 0; i--) {
    const child = chain[i];
    const parent = i + 1 < chain.length ? chain[i + 1] : stop;
    if (base) {
      const arm = armOf(parent, child);
      if (arm) base = [...base, arm];
    }
    memo.set(child.id, base);
  }
  return base;
}

/** The arm of `parent` that `child` (a direct child) lies in, if `parent` branches there. */
function armOf(parent: Node, child: Node): BranchArm | undefined {
  const is = (field: string) => parent.childForFieldName(field)?.equals(child) ?? false;
  switch (parent.type) {
    case 'if_statement':
      if (is('consequence')) return { statement: parent.startIndex, arm: 0, kind: 'if' };
      if (is('alternative')) return { statement: parent.startIndex, arm: 1, kind: 'if' };
      return undefined;
    case 'case_statement': {
      if (is('value')) return undefined;
      const block = parent.parent;
      const switchNode = block?.parent;
      if (!block || switchNode?.type !== 'switch_statement') return undefined;
      const index = block.namedChildren.filter((c) => c?.type === 'case_statement').findIndex((c) => c.equals(parent));
      return { statement: switchNode.startIndex, arm: index, kind: 'switch' };
    }
    case 'conditional_expression': {
      // Identified by the `?` token: the whole expression starts where its condition does, as do
      // `&&`/`||` expressions in that condition.
      const question = parent.children.find((c) => c?.type === '?');
      const statement = question?.startIndex ?? parent.startIndex;
      if (is('consequence')) return { statement, arm: 1, kind: 'conditional' };
      if (is('alternative')) return { statement, arm: 2, kind: 'conditional' };
      return undefined;
    }
    case 'binary_expression': {
      const operator = parent.childForFieldName('operator');
      if (!operator || (operator.type !== '&&' && operator.type !== '||')) return undefined;
      // Identified by the operator: `a && f() || g()` nests two expressions starting at `a`.
      return is('right') ? { statement: operator.startIndex, arm: 1, kind: 'logical' } : undefined;
    }
    default:
      if (LOOPS.has(parent.type) && (is('body') || is('update')))
        return { statement: parent.startIndex, arm: 0, kind: 'loop' };
      return undefined;
  }
}

/** The loop (or, for break, switch) a break/continue leaves, within `body`. */
function jumpTarget(jump: Node, body: Node): Node | undefined {
  for (let p = jump.parent; p && !p.equals(body); p = p.parent) {
    if (LOOPS.has(p.type)) return p;
    if (p.type === 'switch_statement' && jump.type === 'break_statement') return p;
  }
  return undefined;
}

function within(node: Node, outer: Node): boolean {
  return outer.startIndex <= node.startIndex && node.endIndex <= outer.endIndex;
}

/** Whether `outer` includes every arm of `inner`. */
function contains(outer: BranchArm[], inner: BranchArm[]): boolean {
  return inner.every((x) => outer.some((y) => y.statement === x.statement && y.arm === x.arm));
}
