import type { Command } from 'commander';
import { buildIndex, SourceError } from '../knowledge/buildIndex';
import { formatFactsLine, formatFlags, formatRegistration, formatSignature } from '../knowledge/format';
import type { DocPage, IndexEntry } from '../knowledge/types';
import { collect, requireFolders, UsageError } from './usage';

interface ShowOptions {
  docs: string[];
  headers: string[];
  catalog: boolean;
  json?: boolean;
}

/** The public JSON shape of `kmdf show --json` (more fields are fine; these are stable). */
export function entryToJson(entry: IndexEntry, page?: DocPage): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: entry.name,
    kind: entry.kind,
    header: entry.header ?? null,
    returns: entry.returns ?? null,
    params: entry.params.map((p) => ({
      name: p.name,
      type: p.type,
      direction: p.direction ?? null,
      ...(p.sal ? { sal: p.sal } : {}),
    })),
    irql: entry.irql ?? {},
  };
  if (entry.kmdf) out.kmdf = entry.kmdf;
  if (entry.umdf) out.umdf = entry.umdf;
  out.frameworks = entry.frameworks;
  out.flags = entry.flags;
  if (entry.docsUrl) out.docsUrl = entry.docsUrl;
  if (page?.description) out.description = page.description;
  out.sources = entry.sources;
  if (entry.roleName) out.roleName = entry.roleName;
  if (entry.minWindows) out.minWindows = entry.minWindows;
  if (entry.registeredThrough?.length) out.registeredThrough = entry.registeredThrough;
  if (entry.ddiCompliance?.length) out.ddiCompliance = entry.ddiCompliance;
  if (entry.callbackFields?.length) out.callbackFields = entry.callbackFields;
  if (entry.conflicts?.length) out.conflicts = entry.conflicts;
  return out;
}

function entryToText(entry: IndexEntry, page?: DocPage): string {
  const lines = [`${entry.name}  (${entry.kind}${entry.header ? `, ${entry.header}` : ''})`];
  const signature = formatSignature(entry);
  if (signature) lines.push(...signature.split('\n').map((l) => `  ${l}`));
  const facts = formatFactsLine(entry);
  if (facts) lines.push(`  ${facts}`);
  if (entry.roleName) lines.push(`  role name: ${entry.roleName}`);
  for (const r of entry.registeredThrough ?? []) lines.push(`  registered through ${formatRegistration(r)}`);
  for (const f of entry.callbackFields ?? []) lines.push(`  field ${f.field}: ${f.callback}`);
  const flags = formatFlags(entry);
  if (flags.length) lines.push(`  flags: ${flags.join('; ')}`);
  if (entry.ddiCompliance?.length) lines.push(`  DDI compliance rules: ${entry.ddiCompliance.join(', ')}`);
  for (const c of entry.conflicts ?? [])
    lines.push(`  conflict in ${c.field}: ${c.values.map((v) => `${v.value} (${v.source})`).join(' vs ')}`);
  if (page?.description) lines.push('', ...page.description.split('\n').map((l) => `  ${l}`), '');
  if (entry.docsUrl) lines.push(`  docs: ${entry.docsUrl}`);
  lines.push(`  sources: ${entry.sources.join(', ')}`);
  return lines.join('\n');
}

export function registerShowCommand(program: Command): void {
  program
    .command('show')
    .description('Print index entries (callback role types, methods, structures, enumerations) by name.')
    .argument('<names...>', 'names such as EVT_WDF_IO_QUEUE_IO_STOP, PFN_WDF_IO_QUEUE_IO_STOP, WdfRequestComplete')
    .option('--docs <dir>', 'docs folder to read as well; repeatable', collect, [])
    .option('--headers <dir>', 'WDK include folder to read as well; repeatable', collect, [])
    .option('--no-catalog', 'look only in the given sources, without the embedded catalog')
    .option('--json', 'print an array of entries as JSON')
    .action(async (names: string[], opts: ShowOptions) => {
      requireFolders(opts.docs, '--docs');
      requireFolders(opts.headers, '--headers');
      const { index, pages } = await buildIndex({
        docs: opts.docs,
        headers: opts.headers,
        catalog: opts.catalog,
      }).catch((e) => {
        throw e instanceof SourceError ? new UsageError(e.message) : e;
      });
      const found: { entry: IndexEntry; page?: DocPage }[] = [];
      const missing: string[] = [];
      for (const name of names) {
        const entry = index.find(name);
        if (entry) found.push({ entry, page: pages.get(entry.name) });
        else missing.push(name);
      }
      if (opts.json)
        process.stdout.write(
          JSON.stringify(
            found.map((f) => entryToJson(f.entry, f.page)),
            null,
            2,
          ) + '\n',
        );
      else if (found.length) process.stdout.write(found.map((f) => entryToText(f.entry, f.page)).join('\n\n') + '\n');
      for (const name of missing) {
        const near = index.nearest(name, 5);
        process.stderr.write(
          `kmdf: no entry named ${name}${near.length ? `; did you mean: ${near.join(', ')}?` : ''}\n`,
        );
      }
      if (missing.length) process.exitCode = 1;
    });
}
