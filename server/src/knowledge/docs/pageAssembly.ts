/**
 * The tail every docs page format shares: what the parsers read (front matter and sections, or the
 * rendered text's blocks) becomes a DocPage the same way — the IRQL from the requirement, else from
 * the prose; the flags mined from the prose plus the banner's KMDF-only/UMDF-only; the frameworks from
 * the versions and the banner; and the optional fields set only when present.
 */
import type { DocPage, EntryKind, Param } from '../types';
import { mineFlags } from './flags';
import type { Prototype } from './prototype';
import {
  frameworksOf,
  hasIrqlLevel,
  irqlFromProse,
  normalizeVersion,
  normalizeWindows,
  parseBanner,
  parseIrqlText,
} from './requirements';
import { toPlainText } from './text';

/** What a parser read from one page, before the facts every format derives the same way. */
export interface PageReading {
  name: string;
  kind: EntryKind;
  header: string | undefined;
  location: string;
  format: DocPage['format'];
  params: Param[];
  /** Whether the parameters pair one to one with the prototype's (meaningful with a prototype only). */
  paramsComplete: boolean;
  prototype: Prototype | undefined;
  seeAlso: DocPage['seeAlso'];
  /** The "[Applies to …]" banner's text. */
  banner: string | undefined;
  /** The requirements as written: minimum KMDF and UMDF versions, minimum client Windows, IRQL. */
  kmdfVersion: unknown;
  umdfVersion: unknown;
  minWindows: unknown;
  irqlText: string | undefined;
  /** The prose (description, parameters, return value, remarks) flags and a prose-only IRQL are read from. */
  prose: string;
  fields?: string[];
  members?: string[];
  roleName: string | undefined;
  description: string | undefined;
  returnText: string | undefined;
  remarks: string | undefined;
  ddiCompliance: string[];
  docsUrl: string | undefined;
}

/** The DocPage of a page read by any of the parsers. */
export function assemblePage(r: PageReading): DocPage {
  const bannerInfo = parseBanner(r.banner);
  const kmdf = normalizeVersion(r.kmdfVersion);
  const umdf = normalizeVersion(r.umdfVersion);
  const irql = irqlOf(r.irqlText, r.prose);
  const flags = mineFlags(r.prose, r.name);
  if (bannerInfo?.only === 'KMDF') flags.unshift({ id: 'kmdf-only' });
  if (bannerInfo?.only === 'UMDF') flags.unshift({ id: 'umdf-only' });

  const page: DocPage = {
    name: r.name,
    kind: r.kind,
    frameworks: frameworksOf(kmdf, umdf, bannerInfo),
    params: r.params,
    seeAlso: r.seeAlso,
    flags,
    location: r.location,
    format: r.format,
  };
  if (r.header) page.header = r.header;
  if (r.fields?.length) page.fields = r.fields;
  if (r.members?.length) page.members = r.members;
  if (irql && (hasIrqlLevel(irql) || irql.text)) page.irql = irql;
  if (kmdf) page.kmdf = kmdf;
  if (umdf) page.umdf = umdf;
  const minWindows = normalizeWindows(r.minWindows);
  if (minWindows) page.minWindows = minWindows;
  if (r.roleName) page.roleName = r.roleName;
  if (r.prototype?.returns) page.returns = r.prototype.returns;
  if (r.prototype) page.prototypeComplete = r.paramsComplete;
  if (r.returnText) page.returnText = r.returnText;
  if (r.description) page.description = r.description;
  if (r.remarks) page.remarks = r.remarks;
  if (r.ddiCompliance.length) page.ddiCompliance = r.ddiCompliance;
  if (r.docsUrl) page.docsUrl = r.docsUrl;
  return page;
}

/** The requirement's IRQL; when it names no level ("See Remarks section.", `_requires_same_`, nothing), the level the prose states, if any. */
function irqlOf(text: string | undefined, prose: string): DocPage['irql'] {
  const irql = parseIrqlText(text);
  if (irql?.max || irql?.exact || irql?.min) return irql;
  const fromProse = irqlFromProse(toPlainText(prose));
  if (!fromProse) return irql;
  return { ...fromProse, ...(irql?.same ? { same: true } : {}), text: irql?.text ?? fromProse.text };
}
