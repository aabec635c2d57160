/**
 * `npm run precision -- DIR...`: how trustworthy the rules are on real driver trees.
 *
 * Lints each tree as `kmdf lint` does and prints, per rule and severity, the count and the rate per
 * 10,000 lines of C/C++, then every error and warning with its code line (they must all be read), then
 * a seeded random sample of the info and hint findings. The trees are kept outside the repository; no
 * test depends on them.
 *
 *   --sample N   how many info/hint findings to show (default 20)
 *   --seed S     sample seed (default 1)
 *   --json FILE  also write the counts as JSON (for before/after tables)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KnowledgeIndex } from '../server/src/knowledge/knowledgeIndex';
import { analyzeDriver, lintDriver } from '../server/src/session/treeAnalysis';
import type { Finding, Severity } from '../server/src/rules/types';

const SEVERITIES: Severity[] = ['error', 'warning', 'info', 'hint'];

interface Args {
  dirs: string[];
  sample: number;
  seed: number;
  json?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { dirs: [], sample: 20, seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--sample') args.sample = Number(argv[++i]);
    else if (a === '--seed') args.seed = Number(argv[++i]);
    else if (a === '--json') args.json = argv[++i];
    else args.dirs.push(a);
  }
  if (!args.dirs.length || !Number.isFinite(args.sample) || !Number.isFinite(args.seed)) {
    console.error('usage: npm run precision -- [--sample N] [--seed S] [--json FILE] DIR...');
    process.exit(2);
  }
  return args;
}

/** mulberry32: a small seeded generator, so a sample can be read again. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function countLines(texts: Iterable<string>): number {
  let n = 0;
  for (const t of texts) n += t.split('\n').length;
  return n;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const index = KnowledgeIndex.fromCatalog();
  const all: { tree: string; finding: Finding; file: string; line: string }[] = [];
  const perTree: Record<string, { lines: number; files: number; counts: Record<string, number> }> = {};
  let totalLines = 0;
  for (const dir of args.dirs) {
    const tree = path.basename(path.resolve(dir));
    const driver = await analyzeDriver([dir], index);
    const result = lintDriver(driver, { index });
    const lines = countLines(driver.texts.values());
    totalLines += lines;
    const counts: Record<string, number> = {};
    for (const f of result.findings) {
      const key = `${f.ruleId} ${f.severity}`;
      counts[key] = (counts[key] ?? 0) + 1;
      const file = driver.paths.get(f.uri) ?? f.uri;
      const text = driver.texts.get(f.uri) ?? '';
      all.push({
        tree,
        finding: f,
        file: path.relative(path.resolve(dir, '..'), file),
        line: (text.split('\n')[f.span.start.line] ?? '').trim(),
      });
    }
    for (const e of result.ruleErrors) console.error(`rule error: ${e}`);
    perTree[tree] = { lines, files: driver.texts.size, counts };
  }

  const rate = (n: number, lines: number) => (lines ? ((n * 10000) / lines).toFixed(2) : '–');
  console.log(
    `\n${args.dirs.length} tree(s), ${Object.values(perTree).reduce((s, t) => s + t.files, 0)} files, ${totalLines} lines\n`,
  );
  console.log('| tree | lines | ' + SEVERITIES.map((s) => `${s} (/10 KLOC)`).join(' | ') + ' |');
  console.log('|---|---:|' + SEVERITIES.map(() => '---:').join('|') + '|');
  const totals: Record<Severity, number> = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const [tree, t] of Object.entries(perTree)) {
    const bySeverity = SEVERITIES.map((s) =>
      Object.entries(t.counts)
        .filter(([k]) => k.endsWith(` ${s}`))
        .reduce((n, [, c]) => n + c, 0),
    );
    bySeverity.forEach((n, i) => (totals[SEVERITIES[i]] += n));
    console.log(`| ${tree} | ${t.lines} | ${bySeverity.map((n) => `${n} (${rate(n, t.lines)})`).join(' | ')} |`);
  }
  console.log(
    `| **all** | ${totalLines} | ${SEVERITIES.map((s) => `${totals[s]} (${rate(totals[s], totalLines)})`).join(' | ')} |`,
  );

  const byRule = new Map<string, number>();
  for (const { finding } of all)
    byRule.set(`${finding.ruleId} ${finding.severity}`, (byRule.get(`${finding.ruleId} ${finding.severity}`) ?? 0) + 1);
  console.log('\n| rule | severity | count | /10 KLOC |\n|---|---|---:|---:|');
  for (const [key, n] of [...byRule].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const [rule, severity] = key.split(' ');
    console.log(`| ${rule} | ${severity} | ${n} | ${rate(n, totalLines)} |`);
  }

  const show = (items: typeof all) => {
    for (const { finding: f, file, line } of items) {
      console.log(`${file}:${f.span.start.line + 1}: ${f.severity} ${f.ruleId} [${f.function ?? '-'}] ${f.message}`);
      console.log(`    ${line.slice(0, 160)}`);
    }
  };
  const serious = all.filter((x) => x.finding.severity === 'error' || x.finding.severity === 'warning');
  console.log(`\n## Every error and warning (${serious.length})\n`);
  show(serious);
  const rest = all.filter((x) => x.finding.severity === 'info' || x.finding.severity === 'hint');
  const next = random(args.seed);
  const sample = [...rest]
    .map((x) => [next(), x] as const)
    .sort((a, b) => a[0] - b[0])
    .slice(0, args.sample)
    .map(([, x]) => x);
  console.log(`\n## A sample of ${sample.length} of ${rest.length} info/hint findings (seed ${args.seed})\n`);
  show(sample);

  if (args.json)
    fs.writeFileSync(
      args.json,
      JSON.stringify({ lines: totalLines, perTree, byRule: Object.fromEntries(byRule) }, null, 2) + '\n',
    );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
