/**
 * A small MSBuild evaluator for `.vcxproj` files: enough of the language to tell, per configuration
 * ("Debug|x64"), which properties, item definitions (compiler and linker settings) and project
 * references apply. It follows MSBuild's order (properties and imports first, then item definitions,
 * then items), expands `$(Property)` and `%(Metadata)`, and evaluates the usual conditions
 * (`'$(Configuration)|$(Platform)'=='Debug|x64'`, `and`, `or`, `!`, `Exists`). What it cannot know
 * (properties the WDK or Visual Studio define, such as `$(IntDir)`) stays as written, and callers
 * report it instead of guessing.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import * as path from 'node:path';
import { lookupTable } from '../util/lookupTable';

/** One XML element, with its text content (child text nodes joined) and child elements. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
  // Entities are decoded below (the five XML ones and character references): quicker than the
  // parser's general entity support, and MSBuild files use no others.
  processEntities: false,
});

const NAMED_ENTITIES: Readonly<Record<string, string>> = lookupTable({
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
});

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (whole, ref: string) => {
    if (ref[0] !== '#') return NAMED_ENTITIES[ref] ?? whole;
    const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

type RawNode = Record<string, unknown>;

function toElement(name: string, raw: RawNode): XmlElement {
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries((raw[':@'] ?? {}) as Record<string, unknown>))
    attrs[k] = decodeEntities(String(v));
  const children: XmlElement[] = [];
  let text = '';
  for (const child of (raw[name] ?? []) as RawNode[]) {
    const key = Object.keys(child).find((k) => k !== ':@');
    if (!key) continue;
    if (key === '#text') text += decodeEntities(String(child[key]));
    else children.push(toElement(key, child));
  }
  return { name, attrs, children, text };
}

/** Parse MSBuild XML: the root element, or the reason the text is not well-formed XML. */
export function parseMsbuildXml(text: string): { root: XmlElement } | { error: string } {
  const clean = text.replace(/^\uFEFF/, '');
  const valid = XMLValidator.validate(clean);
  if (valid !== true)
    return { error: `not well-formed XML (line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg})` };
  let nodes: RawNode[];
  try {
    nodes = parser.parse(clean) as RawNode[];
  } catch (error) {
    // The validator passes some texts the parser then refuses (a `<?` whose attribute value holds `?>`).
    return { error: `not well-formed XML (${error instanceof Error ? error.message : String(error)})` };
  }
  for (const node of nodes) {
    const key = Object.keys(node).find((k) => k !== ':@' && k !== '#text');
    if (key) return { root: toElement(key, node) };
  }
  return { error: 'no root element' };
}

// --- Properties and conditions -------------------------------------------------------------

/** Property values by lower-cased name; `lazy` computes a value the first time it is asked for. */
export class Properties {
  private readonly values = new Map<string, string>();
  private readonly globals = new Set<string>();
  constructor(private readonly lazy: Record<string, () => string> = {}) {}

  get(name: string): string | undefined {
    const key = name.toLowerCase();
    const value = this.values.get(key);
    if (value !== undefined) return value;
    const compute = this.lazy[key];
    if (!compute) return undefined;
    const computed = compute();
    this.values.set(key, computed);
    return computed;
  }

  /** Set a property; a global property (Configuration, Platform) keeps its value, as in MSBuild. */
  set(name: string, value: string): void {
    const key = name.toLowerCase();
    if (!this.globals.has(key)) this.values.set(key, value);
  }

  setGlobal(name: string, value: string): void {
    this.values.set(name.toLowerCase(), value);
    this.globals.add(name.toLowerCase());
  }

  clone(): Properties {
    const copy = new Properties(this.lazy);
    for (const [k, v] of this.values) copy.values.set(k, v);
    for (const g of this.globals) copy.globals.add(g);
    return copy;
  }
}

const PROPERTY_REF = /\$\(([A-Za-z_][\w-]*)\)/g;

/**
 * Expand `$(Name)` references. Unknown names stay as written (`$(IntDir)`) so callers can tell a
 * value they could not resolve; `unknownAsEmpty` gives MSBuild's own rule (an undefined property is
 * empty), which conditions need. `metadata` expands `%(Name)` (item definitions).
 */
export function expand(
  value: string,
  props: Properties,
  options: { unknownAsEmpty?: boolean; metadata?: (name: string) => string } = {},
): string {
  let out = value.replace(
    PROPERTY_REF,
    (whole, name: string) => props.get(name) ?? (options.unknownAsEmpty ? '' : whole),
  );
  if (options.metadata) {
    const metadata = options.metadata;
    out = out.replace(/%\(([A-Za-z_][\w-]*)\)/g, (_whole, name: string) => metadata(name));
  }
  return out;
}

/** The `$(...)` references a value still holds after expansion (properties we cannot know). */
export function unresolvedMacros(value: string): string[] {
  return [...value.matchAll(/\$\([^)]*\)?/g)].map((m) => m[0]);
}

type Token = { kind: 'str'; value: string } | { kind: 'op'; value: string } | { kind: 'word'; value: string };

function tokenize(condition: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < condition.length) {
    const c = condition[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      const end = condition.indexOf("'", i + 1);
      if (end < 0) return undefined;
      tokens.push({ kind: 'str', value: condition.slice(i + 1, end) });
      i = end + 1;
    } else if (c === '$' && condition[i + 1] === '(') {
      // An unquoted property reference: `$(Flag) == 'true'`.
      const end = condition.indexOf(')', i);
      if (end < 0) return undefined;
      tokens.push({ kind: 'str', value: condition.slice(i, end + 1) });
      i = end + 1;
    } else {
      const op = /^(==|!=|<=|>=|<|>|!|\(|\)|,)/.exec(condition.slice(i));
      if (op) {
        tokens.push({ kind: 'op', value: op[1] });
        i += op[1].length;
        continue;
      }
      const word = /^[A-Za-z0-9_.:\-\\/]+/.exec(condition.slice(i));
      if (!word) return undefined;
      tokens.push({ kind: 'word', value: word[0] });
      i += word[0].length;
    }
  }
  return tokens;
}

/** Compare two numbers or dotted versions ("10.0.16299.0") as MSBuild does; undefined when either is neither. */
function compareNumbers(a: string, b: string): number | undefined {
  const parts = (s: string) => (/^\s*\d+(\.\d+)*\s*$/.test(s) ? s.trim().split('.').map(Number) : undefined);
  const pa = parts(a);
  const pb = parts(b);
  if (!pa || !pb) return undefined;
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** A value that is true, false, or unknown (a condition we cannot evaluate, such as `Exists`). */
export type Tri = boolean | undefined;

/**
 * Evaluate an MSBuild condition. Comparisons are case-insensitive, as in MSBuild. `Exists(...)` and
 * functions we do not model give undefined, and undefined spreads through `and`/`or` only where
 * the other side does not decide.
 */
export function evaluateCondition(condition: string, props: Properties): Tri {
  const tokens = tokenize(condition);
  if (!tokens) return undefined;
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (t: Token | undefined, w: string) => t?.kind === 'word' && t.value.toLowerCase() === w;
  const isOp = (t: Token | undefined, o: string) => t?.kind === 'op' && t.value === o;
  let failed = false;

  const operand = (): string | undefined => {
    const t = tokens[pos++];
    if (!t) {
      failed = true;
      return undefined;
    }
    if (t.kind === 'str') return expand(t.value, props, { unknownAsEmpty: true });
    if (t.kind === 'word') {
      if (isOp(peek(), '(')) {
        // A function call: skip its arguments; only HasTrailingSlash is simple enough to model.
        pos++;
        const args: (string | undefined)[] = [];
        while (pos < tokens.length && !isOp(peek(), ')')) {
          if (isOp(peek(), ',')) pos++;
          else args.push(operand());
        }
        pos++;
        if (t.value.toLowerCase() === 'hastrailingslash' && args.length === 1 && args[0] !== undefined)
          return /[\\/]$/.test(args[0]) ? 'true' : 'false';
        return undefined;
      }
      return t.value;
    }
    failed = true;
    return undefined;
  };

  const comparison = (): Tri => {
    if (isOp(peek(), '!')) {
      pos++;
      const v = comparison();
      return v === undefined ? undefined : !v;
    }
    if (isOp(peek(), '(')) {
      pos++;
      const v = orExpr();
      if (!isOp(peek(), ')')) failed = true;
      pos++;
      return v;
    }
    const left = operand();
    const op = peek();
    if (op?.kind === 'op' && ['==', '!=', '<', '>', '<=', '>='].includes(op.value)) {
      pos++;
      const right = operand();
      if (left === undefined || right === undefined) return undefined;
      if (op.value === '==') return left.toLowerCase() === right.toLowerCase();
      if (op.value === '!=') return left.toLowerCase() !== right.toLowerCase();
      const d = compareNumbers(left, right);
      if (d === undefined) return undefined;
      return op.value === '<' ? d < 0 : op.value === '>' ? d > 0 : op.value === '<=' ? d <= 0 : d >= 0;
    }
    if (left === undefined) return undefined;
    const bool = left.toLowerCase();
    return bool === 'true' ? true : bool === 'false' ? false : undefined;
  };

  const andExpr = (): Tri => {
    let v = comparison();
    while (isWord(peek(), 'and')) {
      pos++;
      const r = comparison();
      v = v === false || r === false ? false : v === undefined || r === undefined ? undefined : true;
    }
    return v;
  };

  const orExpr = (): Tri => {
    let v = andExpr();
    while (isWord(peek(), 'or')) {
      pos++;
      const r = andExpr();
      v = v === true || r === true ? true : v === undefined || r === undefined ? undefined : false;
    }
    return v;
  };

  const result = orExpr();
  return failed || pos < tokens.length ? undefined : result;
}

// --- Evaluation ------------------------------------------------------------------------------

/** A parsed MSBuild file and where it lies (for `$(MSBuildThisFileDirectory)` and relative imports). */
export interface MsbuildDocument {
  file: string;
  root: XmlElement;
}

/** Reads an imported file: its document, or why it was not read. */
export type ImportReader = (file: string) => MsbuildDocument | { skipped: string };

/** The facts of one configuration, after evaluation (values expanded; unknown macros kept as written). */
export interface EvaluatedConfiguration {
  /** "Debug|x64", or "" when the project declares no configurations. */
  name: string;
  properties: Properties;
  /** Final item-definition metadata by "ItemType.Name" (lower case): "clcompile.preprocessordefinitions". */
  metadata: Map<string, string>;
  /** `ProjectReference Include` values, expanded, in order. */
  projectReferences: string[];
  /** `ClCompile Include` values (the sources the compiler is given), expanded, in order. */
  compileItems: string[];
  /** `ClInclude Include` values (the headers the project lists), expanded, in order. */
  headerItems: string[];
}

export interface EvaluationResult {
  configurations: EvaluatedConfiguration[];
  /** Imports that were read, and those that were not (with the reason). */
  imports: { file: string; read: boolean; reason?: string }[];
  notes: string[];
}

const attr = (e: XmlElement, name: string): string | undefined => {
  const key = Object.keys(e.attrs).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : e.attrs[key];
};
const is = (e: XmlElement, name: string) => e.name.toLowerCase() === name.toLowerCase();

/** The configurations a project declares (`ProjectConfiguration Include="Debug|x64"`), in order. */
export function declaredConfigurations(root: XmlElement): { name: string; configuration: string; platform: string }[] {
  const out: { name: string; configuration: string; platform: string }[] = [];
  for (const group of root.children.filter((c) => is(c, 'ItemGroup'))) {
    for (const item of group.children.filter((c) => is(c, 'ProjectConfiguration'))) {
      const include = attr(item, 'Include')?.trim();
      if (!include || out.some((o) => o.name.toLowerCase() === include.toLowerCase())) continue;
      const child = (n: string) => item.children.find((c) => is(c, n))?.text.trim();
      const [conf, plat] = include.split('|');
      out.push({
        name: include,
        configuration: child('Configuration') ?? conf ?? '',
        platform: child('Platform') ?? plat ?? '',
      });
    }
  }
  return out;
}

const MAX_IMPORT_DEPTH = 8;

/**
 * Evaluate a project once per declared configuration. `solutionDir` is computed only when a value
 * refers to `$(SolutionDir)` (a project built on its own has none; callers approximate it).
 */
export function evaluateProject(
  project: MsbuildDocument,
  options: { solutionDir: () => string; readImport: ImportReader },
): EvaluationResult {
  const notes = new Set<string>();
  const imports = new Map<string, { file: string; read: boolean; reason?: string }>();
  const projectDir = path.dirname(project.file);
  const withSep = (dir: string) => (dir.endsWith(path.sep) ? dir : dir + path.sep);
  const projectName = path.basename(project.file).replace(/\.[^.]+$/, '');
  const documents = new Map<string, MsbuildDocument | { skipped: string }>();
  const load = (file: string) => {
    let doc = documents.get(file);
    if (!doc) documents.set(file, (doc = options.readImport(file)));
    return doc;
  };
  let solutionDir: string | undefined;
  const solution = () => (solutionDir ??= options.solutionDir());
  const declared = declaredConfigurations(project.root);
  const configs = declared.length ? declared : [{ name: '', configuration: '', platform: '' }];

  const evaluateOne = (config: { name: string; configuration: string; platform: string }): EvaluatedConfiguration => {
    const props: Properties = new Properties({
      projectdir: () => withSep(projectDir),
      msbuildprojectdirectory: () => projectDir,
      msbuildprojectfullpath: () => project.file,
      msbuildprojectname: () => projectName,
      msbuildprojectfile: () => path.basename(project.file),
      projectname: () => projectName,
      solutiondir: () => withSep(solution()),
      platformname: (): string => props.get('Platform') ?? '',
    });
    if (declared.length) {
      props.setGlobal('Configuration', config.configuration);
      props.setGlobal('Platform', config.platform);
    }
    const holds = (e: XmlElement, where: string): boolean => {
      const condition = attr(e, 'Condition');
      if (condition === undefined || !condition.trim()) return true;
      const value = evaluateCondition(condition, props);
      if (value === undefined && where)
        notes.add(`${where}: condition not understood, not applied: ${condition.trim()}`);
      return value === true;
    };

    // Pass 1: properties, following imports in place. Top-level elements are kept, in order, with their file.
    const flat: { element: XmlElement; file: string }[] = [];
    const walkProperties = (doc: MsbuildDocument, depth: number) => {
      const thisDir = withSep(path.dirname(doc.file));
      for (const element of doc.root.children) {
        props.set('MSBuildThisFileDirectory', thisDir);
        props.set('MSBuildThisFile', path.basename(doc.file));
        if (is(element, 'PropertyGroup')) {
          if (!holds(element, relative(doc.file))) continue;
          for (const prop of element.children) {
            if (!holds(prop, relative(doc.file))) continue;
            props.set(prop.name, expand(prop.text.trim(), props));
          }
        } else if (is(element, 'Import') || is(element, 'ImportGroup')) {
          const list = is(element, 'Import')
            ? [element]
            : holds(element, relative(doc.file))
              ? element.children.filter((c) => is(c, 'Import'))
              : [];
          for (const imp of list) importOne(imp, doc, depth);
        } else if (is(element, 'Choose')) {
          notes.add(`${relative(doc.file)}: <Choose> blocks are not evaluated`);
        } else {
          flat.push({ element, file: doc.file });
        }
      }
    };
    const importOne = (imp: XmlElement, from: MsbuildDocument, depth: number) => {
      const spec = attr(imp, 'Project');
      if (!spec) return;
      // Conditions on imports mostly test Exists(...) of files outside the tree; an unknown one means "not read".
      const condition = attr(imp, 'Condition');
      if (condition?.trim() && evaluateCondition(condition, props) !== true) return;
      const target = expand(spec, props);
      if (unresolvedMacros(target).length) {
        if (!imports.has(target))
          imports.set(target, {
            file: spec,
            read: false,
            reason: `unknown macro ${unresolvedMacros(target).join(', ')}`,
          });
        return;
      }
      const file = resolveAgainst(path.dirname(from.file), target);
      if (depth >= MAX_IMPORT_DEPTH) {
        imports.set(file, { file, read: false, reason: 'imports nested too deeply' });
        return;
      }
      const doc = load(file);
      if ('skipped' in doc) {
        imports.set(file, { file, read: false, reason: doc.skipped });
        return;
      }
      if (!imports.has(file)) imports.set(file, { file, read: true });
      walkProperties(doc, depth + 1);
    };
    const relative = (file: string) =>
      file === project.file ? path.basename(file) : path.relative(projectDir, file) || path.basename(file);
    walkProperties(project, 0);

    // Pass 2: item definitions (compiler, linker, librarian settings), with the final properties.
    const metadata = new Map<string, string>();
    for (const { element, file } of flat) {
      if (!is(element, 'ItemDefinitionGroup') || !holds(element, relative(file))) continue;
      for (const item of element.children) {
        if (!holds(item, relative(file))) continue;
        for (const meta of item.children) {
          if (!holds(meta, relative(file))) continue;
          const key = `${item.name}.${meta.name}`.toLowerCase();
          const value = expand(meta.text.trim(), props, {
            metadata: (name) =>
              name.toLowerCase() === meta.name.toLowerCase()
                ? (metadata.get(key) ?? '')
                : (metadata.get(`${item.name}.${name}`.toLowerCase()) ?? ''),
          });
          metadata.set(key, value);
        }
      }
    }

    // Pass 3: the items we need (project references, compiled sources, listed headers).
    const items: Record<'projectreference' | 'clcompile' | 'clinclude', Set<string>> = {
      projectreference: new Set(),
      clcompile: new Set(),
      clinclude: new Set(),
    };
    for (const { element, file } of flat) {
      if (!is(element, 'ItemGroup') || !holds(element, relative(file))) continue;
      for (const item of element.children) {
        const list = items[item.name.toLowerCase() as keyof typeof items];
        if (!list || !holds(item, relative(file))) continue;
        for (const part of expand(attr(item, 'Include') ?? '', props).split(';')) {
          const value = part.trim();
          if (value) list.add(value);
        }
      }
    }
    return {
      name: config.name,
      properties: props,
      metadata,
      projectReferences: [...items.projectreference],
      compileItems: [...items.clcompile],
      headerItems: [...items.clinclude],
    };
  };

  const configurations = configs.map(evaluateOne);
  return { configurations, imports: [...imports.values()], notes: [...notes] };
}

/**
 * A path from a project file resolved against `dir`: Windows separators become `/`, and a drive
 * path (`C:\WinDDK\inc`) is kept as written, since it names nothing on another machine.
 */
export function resolveAgainst(dir: string, value: string): string {
  const trimmed = value.trim().replace(/^"(.*)"$/, '$1');
  if (/^[A-Za-z]:[\\/]/.test(trimmed) && process.platform !== 'win32')
    return trimmed.replace(/\//g, '\\').replace(/[\\]+$/, '');
  const resolved = path.resolve(dir, trimmed.replace(/\\/g, '/'));
  return resolved.length > 1 ? resolved.replace(/[\\/]+$/, '') : resolved;
}
