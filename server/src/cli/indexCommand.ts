import type { Command } from 'commander';
import * as fs from 'node:fs';
import { buildIndex, SourceError } from '../knowledge/buildIndex';
import { toCatalogEntry } from '../knowledge/catalog';
import { collect, requireFolders, UsageError } from './usage';

interface IndexOptions {
  docs: string[];
  headers: string[];
  catalog: boolean;
  json?: boolean;
  out?: string;
}

export function registerIndexCommand(program: Command): void {
  program
    .command('index')
    .description(
      'Build an index from docs folders and WDK header folders on top of the embedded catalog; print counts and skipped files.',
    )
    .option('--docs <dir>', 'docs folder (docs-repository Markdown or rendered pages); repeatable', collect, [])
    .option('--headers <dir>', 'WDK include folder, e.g. …/Include/wdf/kmdf/1.33; repeatable', collect, [])
    .option('--no-catalog', 'index the given sources alone, without the embedded catalog')
    .option('--json', 'print {"callbacks","methods","structs","enums","skipped","ms"} as JSON')
    .option('--out <file>', 'also write the index entries (facts) to FILE as JSON')
    .action(async (opts: IndexOptions) => {
      requireFolders(opts.docs, '--docs');
      requireFolders(opts.headers, '--headers');
      const result = await buildIndex({ docs: opts.docs, headers: opts.headers, catalog: opts.catalog }).catch((e) => {
        throw e instanceof SourceError ? new UsageError(e.message) : e;
      });
      const counts = result.index.counts();
      if (opts.out) {
        try {
          fs.writeFileSync(opts.out, JSON.stringify(result.index.all().map(toCatalogEntry), null, 1) + '\n');
        } catch (e) {
          throw new UsageError(`--out ${opts.out}: ${(e as Error).message}`);
        }
      }
      if (opts.json) {
        const { callbacks, methods, structs, enums } = counts;
        process.stdout.write(
          JSON.stringify({ callbacks, methods, structs, enums, skipped: result.skipped, ms: result.ms }) + '\n',
        );
        return;
      }
      const lines = [
        `sources: ${result.index.sources.join(', ') || '(none)'}`,
        `callbacks: ${counts.callbacks}`,
        `methods:   ${counts.methods}`,
        `structs:   ${counts.structs}`,
        `enums:     ${counts.enums}`,
        ...(counts.macros ? [`macros:    ${counts.macros}`] : []),
        `skipped:   ${result.skipped.length}`,
        ...result.skipped.map((s) => `  ${s.file}: ${s.reason}`),
        `time:      ${result.ms} ms`,
      ];
      if (opts.out) lines.push(`wrote ${opts.out}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
