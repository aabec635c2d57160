/**
 * The `#include` lines of a source, and where the compiler finds each: the headers a project sees.
 * Lines are read as written, whatever `#if` they sit in (a header included only in one build still
 * belongs to the project), which is what a project's extent needs.
 */
import * as path from 'node:path';
import { hashLines } from '../util/hashLines';
import { ownString } from '../util/ownString';

/** One `#include "name"` or `#include <name>`. */
export interface IncludeDirective {
  name: string;
  /** `"…"`: looked for beside the including file first. */
  quoted: boolean;
}

const INCLUDE_LINE = /^[ \t]*#[ \t]*include[ \t]*(?:"([^"\r\n]+)"|<([^>\r\n]+)>)/;

/** The include directives of a text, in order (on every version of an open document: see hashLines). */
export function scanIncludes(text: string): IncludeDirective[] {
  const out: IncludeDirective[] = [];
  for (const [start, end] of hashLines(text, isNewline)) {
    const m = INCLUDE_LINE.exec(text.slice(start, Math.min(end, start + 1024)));
    // Copied out: the project model keeps these names, and a slice would keep the whole text.
    if (m) out.push({ name: ownString((m[1] ?? m[2]).trim()), quoted: m[1] !== undefined });
  }
  return out;
}

const isNewline = (code: number) => code === 10;

/**
 * Known files by a case-folded absolute path: Windows builds find `..\DMF\Framework\Dmf.h` in
 * `Dmf/Framework/dmf.h`, so lookups ignore case wherever the tree lives.
 */
export class KnownFiles {
  private readonly byKey = new Map<string, string>();

  constructor(files: Iterable<string> = []) {
    for (const f of files) this.add(f);
  }

  add(file: string): void {
    const full = path.resolve(file);
    this.byKey.set(full.toLowerCase(), full);
  }

  /** The known file at a path (any case), if any. */
  get(file: string): string | undefined {
    return this.byKey.get(path.resolve(file).toLowerCase());
  }

  get size(): number {
    return this.byKey.size;
  }
}

/** Where an include was found: the known file, and which of the compiler's places held it. */
export interface ResolvedInclude {
  file: string;
  via: string;
}

/**
 * Where the compiler finds an include among the known files. `"name"`: the including file's folder,
 * then the folder of the source being compiled, then the include path; `<name>`: the include path only.
 * Undefined when it is not a known file (a WDK or SDK header, or a folder we were not given).
 *
 * Each lookup is kept, for one set of known files (the include path's folders given as the same array
 * each time): a project model resolves the same lines of the same headers for every source that
 * reaches them (each source of a DMF library reaches some two hundred headers), and every try joins,
 * resolves and case-folds a path. Lookups are kept by folder and name, and by include path and name.
 */
export class IncludeResolver {
  private readonly inFolders = new Map<string, string | null>();
  private readonly onPaths = new WeakMap<readonly string[], Map<string, ResolvedInclude | null>>();

  constructor(private readonly known: KnownFiles) {}

  resolve(
    include: IncludeDirective,
    includer: string,
    source: string,
    includePath: readonly string[],
  ): ResolvedInclude | undefined {
    const name = include.name.replace(/\\/g, '/');
    if (path.isAbsolute(name)) {
      const hit = this.known.get(name);
      return hit ? { file: hit, via: 'an absolute path' } : undefined;
    }
    if (include.quoted) {
      const here = this.inFolderOf(includer, name, "the including file's folder");
      if (here) return here;
      if (source !== includer) {
        const beside = this.inFolderOf(source, name, "the compiled source's folder");
        if (beside) return beside;
      }
    }
    let onPath = this.onPaths.get(includePath);
    if (!onPath) this.onPaths.set(includePath, (onPath = new Map<string, ResolvedInclude | null>()));
    let found = onPath.get(name);
    if (found === undefined) onPath.set(name, (found = this.onIncludePath(includePath, name)));
    return found ?? undefined;
  }

  private onIncludePath(includePath: readonly string[], name: string): ResolvedInclude | null {
    for (const dir of includePath) {
      const hit = this.known.get(path.join(dir, name));
      if (hit) return { file: hit, via: `include folder ${dir}` };
    }
    return null;
  }

  /** The known file `name` names in the folder of `file` (kept by the file and the name: no dirname per call). */
  private inFolderOf(file: string, name: string, via: string): ResolvedInclude | undefined {
    const key = `${file}\u0000${name}`;
    let hit = this.inFolders.get(key);
    if (hit === undefined) this.inFolders.set(key, (hit = this.known.get(path.join(path.dirname(file), name)) ?? null));
    return hit === null ? undefined : { file: hit, via };
  }
}
