/**
 * Every tree-sitter query the analysis runs, and the small tree helpers the model builder shares.
 * Kept in one module so a single test can check that each query compiles for both grammars
 * (node names differ slightly between tree-sitter-c and tree-sitter-cpp).
 *
 * Captures inside ERROR nodes are matched too: a query does not care where its pattern sits, which
 * is why the model still finds calls and definitions in code the grammar could not fully read.
 */
import { Query, type Language, type Node } from 'web-tree-sitter';
import type { GrammarId } from '../syntax/treeSitter';

/** Node types of the `outlineStatements` query (C has no try/throw: a grammar's query leaves out types it lacks). */
export const OUTLINE_STATEMENTS = [
  'goto_statement',
  'break_statement',
  'continue_statement',
  'case_statement',
  'seh_try_statement',
  'seh_leave_statement',
  'try_statement',
  'throw_statement',
] as const;

const OUTLINE_PLACEHOLDER = '<outline statements>';

/**
 * Query patterns by name, each capturing one node (captured under the query's name). Only the
 * subject is captured: every extra capture is one more node marshalled out of wasm.
 */
export const QUERY_PATTERNS = {
  /** Function bodies: `T name(params) { … }` (methods and `Class::method` in C++ too). */
  functions: '(function_definition)',
  /** Declarations anywhere: prototypes, role-type declarations, variables (file scope and locals). */
  declarations: '(declaration)',
  /** C++ member function declarations in a class body: `static VOID Callback(WDFWORKITEM WorkItem);`. */
  memberFunctions: '(field_declaration declarator: (function_declarator))',
  /** Calls: `callee(args)`; the callee can be any expression. */
  calls: '(call_expression function: (_) arguments: (argument_list))',
  /** Assignments `left = right` (the operator is checked in code: `+=` is captured too). */
  assignments: '(assignment_expression left: (_) right: (_))',
  returns: '(return_statement)',
  comments: '(comment)',
  /** Designated initialisers `{ .EvtIoRead = EchoEvtIoRead }`. */
  designatedFields: '(initializer_pair designator: (field_designator (field_identifier)) value: (_))',
  /** `typedef T name;` (the scalar and pointer ones are kept: declarations.ts). */
  typedefs: '(type_definition)',
  /**
   * The statements the branch outline looks for in a body (branches.ts): jumps, case labels and
   * exception handling. One alternation of OUTLINE_STATEMENTS, of the types the grammar has.
   */
  outlineStatements: OUTLINE_PLACEHOLDER,
} as const;

export type QueryName = keyof typeof QUERY_PATTERNS;

const QUERY_NAMES = Object.keys(QUERY_PATTERNS) as QueryName[];

/** Source of one query, or (no name) of all of them as one query with a pattern each, for a grammar. */
export function querySource(language: Language, name?: QueryName): string {
  return (name ? [name] : QUERY_NAMES).map((n) => `${patternOf(language, n)} @${n}`).join('\n');
}

function patternOf(language: Language, name: QueryName): string {
  const pattern: string = QUERY_PATTERNS[name];
  if (pattern !== OUTLINE_PLACEHOLDER) return pattern;
  const types = OUTLINE_STATEMENTS.filter((t) => language.idForNodeType(t, true) !== null);
  return `[${types.map((t) => `(${t})`).join(' ')}]`;
}

const compiled = new Map<Language, Map<QueryName | 'all', Query>>();

/**
 * The compiled query for a language (cached for the life of the language object); `all` is every
 * pattern in one query. Throws with the query name when a query does not compile (a grammar
 * upgrade renamed a node).
 */
export function getQuery(language: Language, name: QueryName | 'all'): Query {
  let byName = compiled.get(language);
  if (!byName) {
    byName = new Map();
    compiled.set(language, byName);
  }
  let query = byName.get(name);
  if (!query) {
    try {
      query = new Query(language, querySource(language, name === 'all' ? undefined : name));
    } catch (error) {
      throw new Error(
        `tree-sitter query "${name}" does not compile for ${language.name ?? 'this grammar'}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    byName.set(name, query);
  }
  return query;
}

/**
 * The nodes of every query over `root`, by query name, each list in document order. One walk of
 * the tree for all of them: on a large file each separate query costs a whole traversal.
 */
export function captureAll(
  language: Language,
  root: Node,
  /** Ranges [start, end) whose nodes are left out (sorted, not overlapping); nodes around them are kept. */
  excluded: readonly (readonly [number, number])[] = [],
): Record<QueryName, Node[]> {
  const out = Object.fromEntries(QUERY_NAMES.map((n) => [n, [] as Node[]])) as Record<QueryName, Node[]>;
  const query = getQuery(language, 'all');
  if (!excluded.length) {
    for (const c of query.captures(root)) out[c.name as QueryName]?.push(c.node);
    return out;
  }
  // The gaps between the excluded ranges, each queried alone; a node spanning several (the
  // definition around an excluded body) is met in each and kept from the first, where it starts.
  // A query range is in bytes of the parser's UTF-16 input (web-tree-sitter 0.27 passes it on as
  // it is), two per string index; a node is met when it overlaps the range.
  let from = 0;
  const gaps: { start: number; end?: number }[] = [];
  for (const [start, end] of excluded) {
    if (start > from) gaps.push({ start: from, end: start });
    from = Math.max(from, end);
  }
  gaps.push({ start: from });
  for (const gap of gaps) {
    const range = { startIndex: 2 * gap.start, ...(gap.end !== undefined ? { endIndex: 2 * gap.end } : {}) };
    for (const c of query.captures(root, range))
      if (c.node.startIndex >= gap.start) out[c.name as QueryName]?.push(c.node);
  }
  return out;
}

/** Drop compiled queries (tests; languages are never unloaded in the server). */
export function clearQueryCache(): void {
  for (const byName of compiled.values()) for (const q of byName.values()) q.delete();
  compiled.clear();
}

export type { GrammarId };

// ---------------------------------------------------------------------------------------------
// Declarators

/** What a declarator declares once pointers, arrays, parentheses and initialisers are peeled off. */
export interface DeclaratorInfo {
  /** The identifier node (identifier, field_identifier, qualified_identifier …); undefined for abstract declarators. */
  nameNode?: Node;
  /** Number of `*` (and `&` in C++) on the way to the name. */
  pointerDepth: number;
  isArray: boolean;
  /** Set when the declarator declares a function (not a pointer to one). */
  functionDeclarator?: Node;
  /** Set when the declarator is a pointer to a function (`(*pfn)(…)`). */
  isFunctionPointer: boolean;
  /** The `= value` of an init_declarator. */
  initializer?: Node;
}

const NAME_TYPES = new Set([
  'identifier',
  'field_identifier',
  'qualified_identifier',
  'destructor_name',
  'operator_name',
  'type_identifier',
  'template_function',
]);

/** Peel a declarator down to its name. */
export function unwrapDeclarator(node: Node | null | undefined): DeclaratorInfo {
  const info: DeclaratorInfo = { pointerDepth: 0, isArray: false, isFunctionPointer: false };
  let current: Node | null | undefined = node;
  for (let guard = 0; current && guard < 64; guard++) {
    const type = current.type;
    if (NAME_TYPES.has(type)) {
      info.nameNode = current;
      break;
    }
    switch (type) {
      case 'init_declarator':
        info.initializer = current.childForFieldName('value') ?? undefined;
        current = current.childForFieldName('declarator');
        break;
      case 'pointer_declarator':
      case 'abstract_pointer_declarator':
      case 'reference_declarator':
      case 'abstract_reference_declarator':
        info.pointerDepth++;
        current = current.childForFieldName('declarator') ?? lastNamedChild(current);
        break;
      case 'array_declarator':
      case 'abstract_array_declarator':
        info.isArray = true;
        current = current.childForFieldName('declarator');
        break;
      case 'parenthesized_declarator':
      case 'abstract_parenthesized_declarator':
        current = current.namedChildren.find((c) => c && c.type !== 'comment') ?? null;
        break;
      case 'function_declarator':
      case 'abstract_function_declarator': {
        const inner = current.childForFieldName('declarator');
        if (
          inner &&
          (inner.type === 'parenthesized_declarator' || inner.type === 'abstract_parenthesized_declarator')
        ) {
          info.isFunctionPointer = true;
        } else if (!info.functionDeclarator) {
          info.functionDeclarator = current;
        }
        current = inner;
        break;
      }
      case 'attributed_declarator':
        current = current.namedChildren.find((c) => c && c.type !== 'attribute_declaration') ?? null;
        break;
      default:
        current = null;
    }
  }
  return info;
}

function lastNamedChild(node: Node): Node | null {
  const children = node.namedChildren.filter(
    (c): c is Node => !!c && c.type !== 'type_qualifier' && c.type !== 'comment' && c.type !== 'ms_pointer_modifier',
  );
  return children[children.length - 1] ?? null;
}

/** All `declarator` field children of a declaration (several for `T a, b;`). */
export function declaratorsOf(node: Node): Node[] {
  return node.childrenForFieldName('declarator').filter((c): c is Node => !!c);
}

/** Storage-class and qualifier keywords written on a declaration (`static`, `extern`, `const`). */
export function specifiersOf(node: Node): string[] {
  const out: string[] = [];
  for (const child of node.namedChildren) {
    if (!child) continue;
    if (child.type === 'storage_class_specifier' || child.type === 'type_qualifier') out.push(child.text.trim());
  }
  return out;
}

/** Whitespace-normalised text. */
export function normalizeSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Strip `&`, casts and parentheses around an expression node: `(PFN_X)&Fn` → the `Fn` node. */
export function stripAddressAndCasts(node: Node): Node {
  let current = node;
  for (let guard = 0; guard < 16; guard++) {
    if (current.type === 'pointer_expression' && current.childForFieldName('operator')?.type === '&') {
      const arg = current.childForFieldName('argument');
      if (!arg) break;
      current = arg;
    } else if (current.type === 'cast_expression') {
      const value = current.childForFieldName('value');
      if (!value) break;
      current = value;
    } else if (current.type === 'parenthesized_expression') {
      const inner = current.namedChildren.find((c) => c && c.type !== 'comment');
      if (!inner) break;
      current = inner;
    } else break;
  }
  return current;
}

/** Count ERROR and MISSING nodes, descending only into subtrees that have errors. */
export function countErrors(root: Node): number {
  let count = 0;
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.isError) count++;
    else if (node.isMissing) {
      count++;
      continue;
    }
    if (!node.hasError && !node.isError) continue;
    for (const child of node.children) if (child) stack.push(child);
  }
  return count;
}

/** Whether a node lies inside an ERROR node. */
export function insideError(node: Node): boolean {
  for (let p = node.parent; p; p = p.parent) if (p.isError) return true;
  return false;
}
