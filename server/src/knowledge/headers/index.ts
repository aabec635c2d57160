/**
 * WDK headers as a source of the knowledge index: callback role types, `Wdf…` methods, config
 * structures and enumerations read from `Include/wdf/{kmdf,umdf}/<version>/*.h`, plus the
 * wdf-signatures facts files in the same shape.
 */
import { createParser } from '../../syntax/treeSitter';
import type { HeaderDecl } from '../types';
import { parseHeaderRaw } from './parseHeader';
import { resolveHeaders } from './resolve';

export { readHeaderFolders, MAX_HEADER_BYTES, type HeaderFolderResult } from './readFolders';
export { findWdk, compareVersions, type FindWdkOptions, type WdkLocation, type WdkFrameworkFolder } from './findWdk';
export { signaturesFromJson, type SignatureFile } from './signatures';
export { paramFacts } from './salFacts';

/**
 * Parse one header's text on its own. `fileName` becomes each declaration's `location` (and its
 * base name the `header`). `PFN_…` fields resolve only against typedefs in this text; use
 * `readHeaderFolders` to resolve across a whole header set. Unparsable regions are reported in
 * `problems` with their line; the declarations around them are still read.
 */
export async function parseHeaderText(
  text: string,
  fileName: string,
): Promise<{ decls: HeaderDecl[]; problems: string[] }> {
  const parser = await createParser('c');
  try {
    const raw = parseHeaderRaw(parser, text, fileName);
    return { decls: resolveHeaders([raw]), problems: raw.problems };
  } finally {
    parser.delete();
  }
}
