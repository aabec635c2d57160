/**
 * `npm run catalog`: regenerate server/catalog/wdf-catalog.json from ../shared/ddi-docs and
 * ../shared/wdf-signatures. Facts only; `--check` exits 1 when the committed file is stale and says
 * which entries differ.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { catalogDifferences, generateCatalog } from './catalog-sources';

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const root = path.resolve(__dirname, '..');
  const { text, skipped, counts } = await generateCatalog(path.resolve(root, '../shared'));
  const target = path.join(root, 'server/catalog/wdf-catalog.json');
  if (check) {
    const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
    if (current !== text) {
      const d = catalogDifferences(current, text);
      console.error(`${target} is stale: run \`npm run catalog\` and commit the result.`);
      console.error(
        `  header differs: ${d.header}; added ${d.added.length}, removed ${d.removed.length}, changed ${d.changed.length}`,
      );
      for (const [what, names] of Object.entries({ added: d.added, removed: d.removed, changed: d.changed })) {
        if (names.length) console.error(`  ${what}: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}`);
      }
      process.exit(1);
    }
    console.log('catalog is up to date');
    return;
  }
  fs.writeFileSync(target, text);
  console.log(`wrote ${path.relative(root, target)}: ${JSON.stringify(counts)}; ${skipped.length} pages skipped`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
