/**
 * What a name under the cursor means to KMDF Assist: an index entry (role type, PFN_, method,
 * structure, enumeration), a value of a WDF enumeration, a config field of a WDF structure, a driver
 * function with a role type, or a WDF handle type (`WDFDEVICE`) as the methods use it.
 */
import type { DocumentModel } from '../analysis/model';
import type { KnowledgeIndex } from '../knowledge/knowledgeIndex';
import type { IndexEntry } from '../knowledge/types';
import { wordAt } from '../session/lsp';
import { functionAt, type ProjectView } from '../session/projectView';

export type SymbolMeaning =
  | { kind: 'entry'; entry: IndexEntry }
  | { kind: 'field'; entry: IndexEntry; struct?: string; field: string }
  | { kind: 'function'; entry: IndexEntry; functionName: string }
  | { kind: 'enumValue'; entry: IndexEntry; value: string }
  | { kind: 'handle'; name: string; creators: IndexEntry[]; takers: IndexEntry[] };

export interface SymbolAt {
  word: string;
  start: number;
  end: number;
  meaning: SymbolMeaning;
}

/** The structure type of a variable as seen from `offset` (a local of the enclosing function first, then a global). */
export function structTypeOf(model: DocumentModel, variable: string, offset: number): string | undefined {
  const fn = functionAt(model, offset);
  const candidates = model.variables.filter((v) => v.name === variable);
  const local =
    candidates.find((v) => fn && v.inFunction === fn.name) ?? candidates.find((v) => !v.inFunction) ?? candidates[0];
  if (local) return local.type.replace(/\s*\*+$/, '').replace(/^P(?=WDF_)/, '');
  // A parameter of the enclosing function (`PWDF_IO_QUEUE_CONFIG Config`).
  const param = fn?.params.find((p) => p.name === variable);
  return param
    ? param.type
        .replace(/\bconst\b/g, '')
        .replace(/\s*\*+$/, '')
        .trim()
        .replace(/^P(?=WDF_)/, '')
    : undefined;
}

/** The member access ending just before `start`: `config.` / `pConfig->` → "config". */
export function memberObjectBefore(text: string, start: number): string | undefined {
  const m = /([A-Za-z_]\w*)\s*(?:\.|->)\s*$/.exec(text.slice(Math.max(0, start - 200), start));
  return m?.[1];
}

export function symbolAt(
  text: string,
  offset: number,
  model: DocumentModel | undefined,
  index: KnowledgeIndex,
  project: ProjectView,
): SymbolAt | undefined {
  const word = wordAt(text, offset);
  if (!word) return undefined;
  const at = (meaning: SymbolMeaning): SymbolAt => ({ ...word, meaning });

  const object = memberObjectBefore(text, word.start);
  if (object !== undefined) {
    const struct = model ? structTypeOf(model, object, word.start) : undefined;
    const entry = index.callbackForField(struct, word.word);
    if (entry)
      return at({ kind: 'field', entry, struct: struct ?? index.structsWithField(word.word)[0], field: word.word });
    return undefined;
  }

  const entry = index.get(word.word);
  if (entry) return at({ kind: 'entry', entry });
  const enumeration = index.enumOfValue(word.word);
  if (enumeration) return at({ kind: 'enumValue', entry: enumeration, value: word.word });

  const role = project.roleOf(word.word);
  if (role) return at({ kind: 'function', entry: role.entry, functionName: word.word });
  const handle = index.handleType(word.word);
  if (handle) return at({ kind: 'handle', name: word.word, ...handle });
  return undefined;
}
