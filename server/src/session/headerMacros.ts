/**
 * The macros a file gets from the headers it includes (ProjectModel.includeClosure): a code-segment
 * macro (`#define PAGED_CODE_SEG __declspec(code_seg("PAGE"))`), an IRQL annotation macro or an empty
 * trace macro defined in `driver.h` means the same in every file that includes it. Each header's
 * definitions are read once per text (analysis/prepass.ts headerMacroDefinitions, with the defines of
 * its projects); a file's table is rebuilt only when a header of its closure changed.
 */
import * as path from 'node:path';
import type { MacroDefinition, MacroDefinitions } from '../analysis/macros';
import { headerMacroDefinitions } from '../analysis/prepass';
import type { ProjectModel } from '../project/projectModel';

export class HeaderMacros {
  private readonly perHeader = new Map<string, MacroDefinition[]>();
  private readonly perFile = new Map<string, MacroDefinitions | undefined>();
  /** The model the caches were filled with: a new one may give a header other defines. */
  private model?: ProjectModel;

  /** `textOf`: a header's current text (an open document's, else the file's), undefined when unreadable. */
  constructor(private readonly textOf: (file: string) => string | undefined) {}

  /**
   * A file's text changed: when it is a header whose definitions were read and they differ now, the
   * tables of the files that include it are rebuilt (typing in a header's functions changes nothing).
   */
  changed(file: string): void {
    const full = path.resolve(file);
    const before = this.perHeader.get(full);
    if (!before || !this.model) return;
    const text = this.textOf(full);
    const now = text === undefined ? [] : headerMacroDefinitions(text, this.model.definesFor(full));
    if (sameDefinitions(before, now)) return;
    this.perHeader.set(full, now);
    this.perFile.clear();
  }

  /** The definitions a file sees from its headers (later headers over earlier ones); undefined when none. */
  tableFor(model: ProjectModel, file: string): MacroDefinitions | undefined {
    if (model !== this.model) {
      this.model = model;
      this.perHeader.clear();
      this.perFile.clear();
    }
    const full = path.resolve(file);
    if (this.perFile.has(full)) return this.perFile.get(full);
    let table: Map<string, MacroDefinition> | undefined;
    for (const header of model.includeClosure(full)) {
      for (const def of this.definitionsOf(model, header)) (table ??= new Map()).set(def.name, def);
    }
    this.perFile.set(full, table);
    return table;
  }

  private definitionsOf(model: ProjectModel, header: string): MacroDefinition[] {
    let defs = this.perHeader.get(header);
    if (!defs) {
      const text = this.textOf(header);
      defs = text === undefined ? [] : headerMacroDefinitions(text, model.definesFor(header));
      this.perHeader.set(header, defs);
    }
    return defs;
  }
}

function sameDefinitions(a: readonly MacroDefinition[], b: readonly MacroDefinition[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (d, i) => d.name === b[i].name && d.body === b[i].body && (d.params ?? []).join() === (b[i].params ?? []).join(),
    )
  );
}
