/**
 * SARIF 2.1.0 output of `kmdf lint --format sarif`: one run, the rules' metadata (title, default level,
 * the text of our rule page as `help.markdown`, the documentation each rule rests on) and one result per finding, with
 * related locations (registration, call chain), the enclosing function as a logical location, and the
 * quick fixes as SARIF fixes.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as sarif from 'sarif';
import type { Span } from '../analysis/model';
import { rulePageMarkdown } from '../rules/help';
import type { Finding, RuleMeta, Severity } from '../rules/types';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL: Record<Severity, sarif.Result.level> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

export interface SarifOptions {
  /** The folder relative URIs are resolved against (`%SRCROOT%`); usually the current directory. */
  baseDir: string;
  toolVersion: string;
  /** File URI or path of a finding → path on disk. */
  toPath?: (uri: string) => string;
}

/** Build the SARIF log of a lint run. `rules` are all rules that ran (metadata is listed even without results). */
export function toSarif(findings: readonly Finding[], rules: readonly RuleMeta[], options: SarifOptions): sarif.Log {
  const toPath = options.toPath ?? ((uri: string) => uri);
  const base = path.resolve(options.baseDir);
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const artifact = (uri: string): sarif.ArtifactLocation => {
    const file = path.resolve(toPath(uri));
    const rel = path.relative(base, file);
    // Inside the base folder: a relative URI against %SRCROOT% keeps the log portable; outside: absolute.
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel))
      return { uri: rel.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: 'SRCROOT' };
    return { uri: pathToFileURL(file).href };
  };
  const results: sarif.Result[] = findings.map((f) => {
    const result: sarif.Result = {
      ruleId: f.ruleId,
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [
        {
          physicalLocation: { artifactLocation: artifact(f.uri), region: region(f.span) },
          ...(f.function ? { logicalLocations: [{ name: f.function, kind: 'function' }] } : {}),
        },
      ],
    };
    const index = ruleIndex.get(f.ruleId);
    if (index !== undefined) result.ruleIndex = index;
    if (f.related?.length) {
      result.relatedLocations = f.related.map((r, i) => ({
        id: i,
        message: { text: r.message },
        physicalLocation: { artifactLocation: artifact(r.uri), region: region(r.span) },
      }));
    }
    // A fix that writes the project's .kmdf.json has no edit of the file to describe.
    const fixes = f.fixes?.filter((fix) => fix.edits.length);
    if (fixes?.length) {
      result.fixes = fixes.map((fix) => {
        const byUri = new Map<string, sarif.Replacement[]>();
        for (const e of fix.edits) {
          const list = byUri.get(e.uri) ?? [];
          list.push({ deletedRegion: region(e.span, true), insertedContent: { text: e.newText } });
          byUri.set(e.uri, list);
        }
        return {
          description: { text: fix.title },
          artifactChanges: [...byUri].map(([uri, replacements]) => ({ artifactLocation: artifact(uri), replacements })),
        };
      });
    }
    // SARIF has one "note" level for both; keep ours so consumers can tell info from hint.
    if (f.severity === 'info' || f.severity === 'hint') result.properties = { severity: f.severity };
    if (f.references?.length) result.properties = { ...result.properties, references: f.references };
    return result;
  });
  return {
    version: '2.1.0',
    $schema: SARIF_SCHEMA,
    runs: [
      {
        tool: {
          driver: {
            name: 'kmdf',
            fullName: 'KMDF Assist',
            version: options.toolVersion,
            rules: rules.map(ruleDescriptor),
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(base + path.sep).href } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

function ruleDescriptor(meta: RuleMeta): sarif.ReportingDescriptor {
  const docs = meta.documentation.map((d) => (d.url ? `- ${d.title}: ${d.url}` : `- ${d.title}`)).join('\n');
  const page = rulePageMarkdown(meta.id);
  return {
    id: meta.id,
    name: meta.name,
    shortDescription: { text: meta.title },
    // The page itself rather than a link: a SARIF viewer in CI has no copy of the extension to open.
    help: {
      text: `${meta.title}.${docs ? `\nBased on:\n${docs}` : ''}`,
      ...(page ? { markdown: page } : {}),
    },
    defaultConfiguration: {
      level: LEVEL[meta.defaultSeverity],
      ...(meta.defaultSeverity === 'hint' || meta.defaultSeverity === 'info'
        ? { rank: meta.defaultSeverity === 'hint' ? 10 : 30 }
        : {}),
    },
    properties: {
      defaultSeverity: meta.defaultSeverity,
      documentation: meta.documentation,
      // The Code Analysis warnings (as "C28121"), SDV rules and CodeQL queries that check the same contract.
      ...(meta.mirrors
        ? {
            mirrors: {
              ...meta.mirrors,
              ...(meta.mirrors.codeAnalysis ? { codeAnalysis: meta.mirrors.codeAnalysis.map((n) => `C${n}`) } : {}),
            },
          }
        : {}),
      ...(meta.certainty ? { certainty: meta.certainty } : {}),
    },
  };
}

/** SARIF regions are 1-based; an insertion (empty span) keeps its start and a zero-length char range. */
function region(span: Span, forReplacement = false): sarif.Region {
  const r: sarif.Region = {
    startLine: span.start.line + 1,
    startColumn: span.start.character + 1,
    endLine: span.end.line + 1,
    endColumn: span.end.character + 1,
  };
  if (forReplacement) {
    r.charOffset = span.startOffset;
    r.charLength = span.endOffset - span.startOffset;
  }
  return r;
}
