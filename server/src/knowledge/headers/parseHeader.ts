/**
 * Reading one WDK header with tree-sitter: callback role types (`typedef … VOID EVT_X(…);`),
 * their `PFN_…` pointer typedefs, the `FORCEINLINE` `Wdf…` method wrappers, config structures with
 * callback fields, and enumerations.
 *
 * SAL is blanked first (sal.ts) because the C grammar cannot read it; the recorded annotations are
 * then given back to the declaration or parameter they sit in front of, by offset. Resolving a
 * structure field's `PFN_…` type to its role type needs every header of the set (the typedef can
 * live in another file), so this module returns the raw facts and `resolve.ts` finishes the job.
 */
import * as path from 'node:path';
import { blankAnnotations, type Annotation } from '../../syntax/sal';
import type { Node, Parser } from '../../syntax/treeSitter';
import { irqlFromAnnotations } from '../irql';
import type { HeaderDecl, Param } from '../types';
import { isFactAnnotation, normalizeAnnotationText, normalizeType, paramFacts } from './salFacts';

/** A structure field whose type may be a callback pointer; kept until the PFN typedefs of all files are known. */
export interface FieldCandidate {
  field: string;
  type: string;
}

/** What one header yields before cross-file resolution. */
export interface RawHeader {
  /** Callbacks, methods and enumerations (final), and structures (their `callbackFields` still empty). */
  decls: HeaderDecl[];
  /** Structure name → fields that may take a callback. */
  structFields: Map<string, FieldCandidate[]>;
  /** `typedef EVT_X *PFN_X;` → PFN_X → EVT_X. */
  pfnTargets: Map<string, string>;
  /** Readable notes on what could not be read (line numbers are 1-based). */
  problems: string[];
}

/** Containers whose children are read like file-scope declarations. */
const CONTAINERS = new Set([
  'translation_unit',
  'preproc_if',
  'preproc_ifdef',
  'preproc_else',
  'preproc_elif',
  'preproc_elifdef',
  'linkage_specification',
  'declaration_list',
  'ERROR',
]);

/** Method names: the `Wdf…` functions a driver calls (not the `WDF_…_INIT` helpers or other inline code). */
const METHOD_NAME = /^Wdf[A-Z0-9]/;

/** The parameter every WDF function-table entry takes first; the wrapper hides it. */
const DRIVER_GLOBALS_TYPE = 'PWDF_DRIVER_GLOBALS';

/**
 * Parse one header's text with a parser the caller owns (`createParser('c')`). `filePath` becomes
 * each declaration's `location`; its base name is the `header`.
 */
export function parseHeaderRaw(parser: Parser, text: string, filePath: string): RawHeader {
  const blanked = blankAnnotations(text);
  const reader = new HeaderReader(text, blanked.text, blanked.annotations, filePath);
  const tree = parser.parse(blanked.text);
  if (!tree) return { ...reader.result(), problems: [`${filePath}: the parser returned no tree`] };
  try {
    reader.visitContainer(tree.rootNode);
  } finally {
    tree.delete();
  }
  return reader.result();
}

class HeaderReader {
  private readonly decls: HeaderDecl[] = [];
  private readonly seen = new Set<string>();
  private readonly structFields = new Map<string, FieldCandidate[]>();
  private readonly pfnTargets = new Map<string, string>();
  private readonly problems: string[] = [];
  private readonly header: string;
  /** Annotation start offsets, sorted (they come in source order), for range look-ups. */
  private readonly starts: number[];

  constructor(
    private readonly original: string,
    private readonly blanked: string,
    private readonly annotations: Annotation[],
    private readonly location: string,
  ) {
    this.header = path.basename(location);
    this.starts = annotations.map((a) => a.start);
  }

  result(): RawHeader {
    return {
      decls: this.decls,
      structFields: this.structFields,
      pfnTargets: this.pfnTargets,
      problems: this.problems,
    };
  }

  visitContainer(node: Node): void {
    if (node.type === 'ERROR') this.problem(node, 'could not parse');
    for (const child of node.namedChildren) {
      if (CONTAINERS.has(child.type)) this.visitContainer(child);
      else if (child.type === 'type_definition') this.typeDefinition(child);
      else if (child.type === 'function_definition' || child.type === 'declaration') this.functionDeclaration(child);
      else if (child.isMissing) this.problem(child, `missing ${child.type}`);
    }
  }

  // --- typedefs: role types, PFN pointers, structures, enumerations ---------------------------

  private typeDefinition(node: Node): void {
    const type = node.childForFieldName('type');
    const declarators = node.childrenForFieldName('declarator');
    if (!type) return;
    if ((type.type === 'struct_specifier' || type.type === 'union_specifier') && type.childForFieldName('body')) {
      this.structure(type, declarators);
      return;
    }
    if (type.type === 'enum_specifier' && type.childForFieldName('body')) {
      this.enumeration(type, declarators);
      return;
    }
    for (const declarator of declarators) {
      if (declarator.type === 'function_declarator') {
        const inner = declarator.childForFieldName('declarator');
        // `typedef T (NTAPI *PFN_X)(…)` (a function-table entry type) names no role type: skipped.
        if (inner?.type === 'type_identifier') this.callback(node, type, declarator, inner);
      } else if (declarator.type === 'pointer_declarator' && type.type === 'type_identifier') {
        // `typedef EVT_X *PFN_X;`
        const inner = declarator.childForFieldName('declarator');
        if (inner?.type === 'type_identifier') this.pfnTargets.set(inner.text, type.text);
      }
    }
  }

  private callback(node: Node, type: Node, declarator: Node, nameNode: Node): void {
    const name = nameNode.text;
    const params = declarator.childForFieldName('parameters');
    const decl: HeaderDecl = {
      name,
      kind: 'callback',
      header: this.header,
      returns: this.typeText(type.startIndex, nameNode.startIndex, true),
      params: params ? this.parameters(params, false) : [],
      location: this.location,
    };
    this.addAnnotations(decl, this.annotationsBefore(node, nameNode.startIndex, params));
    this.add(decl);
  }

  private structure(specifier: Node, declarators: Node[]): void {
    const name = typedefName(declarators) ?? specifier.childForFieldName('name')?.text.replace(/^_+/, '');
    if (!name) return;
    const fields: FieldCandidate[] = [];
    collectFields(specifier.childForFieldName('body')!, fields);
    if (this.add({ name, kind: 'structure', header: this.header, callbackFields: [], location: this.location })) {
      this.structFields.set(name, fields);
    }
  }

  private enumeration(specifier: Node, declarators: Node[]): void {
    const name = typedefName(declarators) ?? specifier.childForFieldName('name')?.text.replace(/^_+/, '');
    if (!name) return;
    const body = specifier.childForFieldName('body')!;
    const members = body.namedChildren
      .filter((c) => c.type === 'enumerator')
      .map((c) => c.childForFieldName('name')!.text);
    this.add({ name, kind: 'enumeration', header: this.header, members, location: this.location });
  }

  // --- methods -------------------------------------------------------------------------------

  private functionDeclaration(node: Node): void {
    const type = node.childForFieldName('type');
    if (!type) return;
    for (const declarator of node.childrenForFieldName('declarator')) {
      // `PVOID* WdfX(…)` nests the function declarator in pointer declarators.
      let fn: Node | null = declarator;
      while (fn && fn.type === 'pointer_declarator') fn = fn.childForFieldName('declarator');
      if (fn?.type !== 'function_declarator') continue;
      const nameNode = fn.childForFieldName('declarator');
      if (nameNode?.type !== 'identifier' || !METHOD_NAME.test(nameNode.text)) continue;
      const params = fn.childForFieldName('parameters');
      const decl: HeaderDecl = {
        name: nameNode.text,
        kind: 'method',
        header: this.header,
        returns: this.typeText(type.startIndex, nameNode.startIndex, false),
        params: params ? this.parameters(params, true) : [],
        location: this.location,
      };
      this.addAnnotations(decl, this.annotationsBefore(node, nameNode.startIndex, params));
      this.add(decl);
    }
  }

  // --- parameters ----------------------------------------------------------------------------

  private parameters(list: Node, dropDriverGlobals: boolean): Param[] {
    const params: Param[] = [];
    let from = list.startIndex + 1; // after '('
    for (const child of list.children) {
      if (child.type !== 'parameter_declaration') {
        if (child.type === ',') from = child.endIndex;
        continue;
      }
      const declarator = child.childForFieldName('declarator');
      const nameNode = innermostNameNode(declarator);
      const sal = this.annotationsIn(from, child.endIndex)
        .filter((a) => isFactAnnotation(a.name))
        .map((a) => normalizeAnnotationText(a.text));
      from = child.endIndex;
      if (!nameNode) {
        // `(VOID)` or an unnamed parameter: only a lone VOID means "no parameters".
        const type = this.typeText(child.startIndex, child.endIndex, false);
        if (type === 'VOID' || type === 'void') continue;
        params.push({ name: '', type, ...(sal.length ? { sal } : {}), ...paramFacts(sal) });
        continue;
      }
      const suffix = normalizeType(this.cleanSlice(nameNode.endIndex, declarator!.endIndex));
      const type = this.typeText(child.startIndex, nameNode.startIndex, false) + suffix;
      params.push({ name: nameNode.text, type, ...(sal.length ? { sal } : {}), ...paramFacts(sal) });
    }
    if (dropDriverGlobals && params[0]?.type === DRIVER_GLOBALS_TYPE) params.shift();
    return params;
  }

  // --- annotations by offset -----------------------------------------------------------------

  /**
   * Annotations of a declaration: those between the end of whatever precedes it (a previous
   * declaration, a comment, an `#if` line) and its name, minus any inside the parameter list.
   */
  private annotationsBefore(node: Node, nameStart: number, params: Node | null): Annotation[] {
    // Comments between the annotations and the declaration do not end the annotation run. A node
    // starts at its first token, after any blanked annotations, so a first child looks past its
    // parent to whatever precedes that (or to the start of the file).
    const before = (n: Node): Node | null => {
      let previous = n.previousSibling;
      while (previous?.type === 'comment') previous = previous.previousSibling;
      return previous;
    };
    let anchor: Node | null = node;
    while (anchor && !before(anchor)) anchor = anchor.parent;
    const from = anchor ? before(anchor)!.endIndex : 0;
    return this.annotationsIn(from, nameStart).filter(
      (a) => !params || a.end <= params.startIndex || a.start >= params.endIndex,
    );
  }

  private annotationsIn(from: number, to: number): Annotation[] {
    const out: Annotation[] = [];
    for (let i = lowerBound(this.starts, from); i < this.annotations.length && this.annotations[i].start < to; i++) {
      out.push(this.annotations[i]);
    }
    return out;
  }

  private addAnnotations(decl: HeaderDecl, found: Annotation[]): void {
    const facts = found.filter((a) => isFactAnnotation(a.name));
    if (facts.length) decl.annotations = facts.map((a) => normalizeAnnotationText(a.text));
    const irql = irqlFromAnnotations(facts);
    if (irql) decl.irql = irql;
  }

  // --- text ----------------------------------------------------------------------------------

  /** Original text with blanked annotations as spaces (CONST stays CONST, unlike the blanked text). */
  private cleanSlice(from: number, to: number): string {
    let out = '';
    for (let i = from; i < to; i++) {
      const b = this.blanked[i];
      out += b === ' ' && this.original[i] !== ' ' ? ' ' : this.original[i];
    }
    return withoutComments(out);
  }

  /** A type as written between two offsets, normalised; storage classes and `typedef` dropped. */
  private typeText(from: number, to: number, isTypedef: boolean): string {
    let text = normalizeType(this.cleanSlice(from, to));
    if (isTypedef) text = text.replace(/^typedef\s+/, '');
    // DECLSPEC_… macros (DECLSPEC_DEPRECATED_DDK, DECLSPEC_NORETURN) decorate, they are not the type.
    return text.replace(/\bDECLSPEC_\w+\s*/g, '').replace(/^((static|inline|extern|__inline|typedef)\s+)+/, '');
  }

  private add(decl: HeaderDecl): boolean {
    const key = `${decl.kind}:${decl.name}`;
    // Both branches of an `#if … #else` may declare the same name: the first one wins.
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    this.decls.push(decl);
    return true;
  }

  private problem(node: Node, what: string): void {
    const snippet = this.original
      .slice(node.startIndex, Math.min(node.endIndex, node.startIndex + 60))
      .replace(/\s+/g, ' ')
      .trim();
    this.problems.push(`${this.location}:${node.startPosition.row + 1}: ${what}${snippet ? ` near "${snippet}"` : ''}`);
  }
}

/** The typedef name of a struct/enum: the first declarator that is a plain name (not `*PWDF_X`). */
function typedefName(declarators: Node[]): string | undefined {
  return declarators.find((d) => d.type === 'type_identifier')?.text;
}

/** Fields of a structure body, descending into nested anonymous or named structs and unions. */
function collectFields(body: Node, out: FieldCandidate[]): void {
  for (const field of body.namedChildren) {
    if (
      field.type === 'preproc_if' ||
      field.type === 'preproc_ifdef' ||
      field.type === 'preproc_else' ||
      field.type === 'preproc_elif'
    ) {
      collectFields(field, out);
      continue;
    }
    if (field.type !== 'field_declaration') continue;
    const type = field.childForFieldName('type');
    if (!type) continue;
    const nested = type.childForFieldName('body');
    if ((type.type === 'struct_specifier' || type.type === 'union_specifier') && nested) {
      collectFields(nested, out);
      continue;
    }
    if (type.type !== 'type_identifier') continue;
    for (const declarator of field.childrenForFieldName('declarator')) {
      if (declarator.type === 'field_identifier') out.push({ field: declarator.text, type: type.text });
    }
  }
}

function innermostNameNode(node: Node | null): Node | null {
  let current = node;
  while (current) {
    if (current.type === 'identifier' || current.type === 'type_identifier' || current.type === 'field_identifier')
      return current;
    current =
      current.childForFieldName('declarator') ??
      current.namedChildren.find((c) => c.type.endsWith('declarator') || c.type.endsWith('identifier')) ??
      null;
  }
  return null;
}

function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Text with each block and line comment as one space, in one pass. (The regex form rescans to the end
 * of the text from every opening of a block comment that is never closed.)
 */
function withoutComments(text: string): string {
  const out: string[] = [];
  let copied = 0;
  let blockCloses = true;
  for (let i = text.indexOf('/'); i >= 0 && i < text.length - 1; i = text.indexOf('/', i)) {
    const next = text[i + 1];
    let end = -1;
    if (next === '/') {
      end = text.indexOf('\n', i + 2);
      if (end < 0) end = text.length;
    } else if (next === '*' && blockCloses) {
      const close = text.indexOf('*/', i + 2);
      // Unclosed: no later block comment can close either; line comments after it still count.
      if (close >= 0) end = close + 2;
      else blockCloses = false;
    }
    if (end < 0) {
      i++;
      continue;
    }
    out.push(text.slice(copied, i), ' ');
    copied = end;
    i = end;
  }
  out.push(text.slice(copied));
  return out.join('');
}
