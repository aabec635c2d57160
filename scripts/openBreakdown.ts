/**
 * Where the time of "didOpen → first diagnostics" goes (issue #10): the bench's opens (the generated
 * 1k, 3k and 20k files in one session with no workspace folder, then optionally a real tree's file in
 * its workspace after the scan), with the server run under `--cpu-prof`. Each open's window (from
 * sending didOpen to receiving its publishDiagnostics) is cut out of the profile and its samples are
 * put into phases by the innermost phase function on their stack.
 *
 *   node esbuild.mjs && npx tsx scripts/openBreakdown.ts [treeDir treeFile]
 *
 * Both clocks are the monotonic clock (V8's profile ticks and process.hrtime), so the client's
 * timestamps cut the server's profile. Sampling is every 100 µs: a phase below a millisecond is noise.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspSession } from './benchLsp';
import { generateFile } from './benchInputs';

const SEED = 20260601;
const root = path.resolve(__dirname, '..');

/** Phases by the functions that mark them (innermost listed function on a sample's stack wins). */
const PHASES: [phase: string, functions: string[]][] = [
  ['grammar load (wasm)', ['initTreeSitter', 'loadLanguage', 'loadWebAssemblyModule']],
  ['query compile', ['getQuery']],
  ['preprocessor blanking', ['blankSourceState']],
  ['tree-sitter parse', ['parseWithTimeout']],
  ['model build', ['buildModel']],
  ['project/workspace setup', ['projectRulesOptions', 'workspaceFor', 'buildInSteps', 'projectRuns']],
  ['IRQL propagation', ['propagate']],
  ['rules', ['rulesSteps', 'runRules']],
  ['diagnostics out', ['toDiagnostic', 'sendDiagnostics']],
  ['garbage collector', ['(garbage collector)']],
  ['idle', ['(idle)']],
];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

async function main(): Promise<void> {
  const [treeDir, treeFile] = process.argv.slice(2);
  const profDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmdf-open-prof-'));
  const server = [`--cpu-prof`, `--cpu-prof-dir=${profDir}`, path.join(root, 'dist/server.js'), '--stdio'];
  const windows: { name: string; from: number; to: number; clientMs: number }[] = [];
  const open = async (session: LspSession, name: string, file: string, text: string) => {
    const from = nowMicros();
    const wait = session.nextDiagnostics(pathToFileURL(file).href, 1);
    await session.open(file, text);
    await wait;
    const to = nowMicros();
    windows.push({ name, from, to, clientMs: (to - from) / 1000 });
  };

  // As the bench: project files in a world-writable folder are not read, so not under /tmp.
  const work = path.join(root, 'bench/work/files');
  fs.mkdirSync(work, { recursive: true });
  const generated = await LspSession.start('kmdf', process.execPath, server);
  for (const n of [1000, 3000, 20000]) {
    const file = path.join(work, `driver${n / 1000}k.c`);
    const text = generateFile(SEED + n, n);
    fs.writeFileSync(file, text);
    await open(generated, `${n / 1000}k`, file, text);
  }
  await generated.stop();

  if (treeDir && treeFile) {
    const session = await LspSession.start('kmdf-tree', process.execPath, server, treeDir);
    await new Promise<void>((resolve) =>
      session.onLog((m) => {
        if (/Scanned \d+ C\/C\+\+ files/.test(m)) resolve();
      }),
    );
    await open(session, path.basename(treeFile), treeFile, fs.readFileSync(treeFile, 'utf8'));
    await session.stop();
  }

  const profiles = fs
    .readdirSync(profDir)
    .map((f) => JSON.parse(fs.readFileSync(path.join(profDir, f), 'utf8')) as Profile);
  for (const w of windows) {
    const profile = profiles.find((p) => p.startTime <= w.from && w.from <= lastTick(p));
    if (!profile) {
      console.log(`${w.name}: no profile covers its window`);
      continue;
    }
    const phases = phasesIn(profile, w.from, w.to);
    const row = [...phases].map(([p, ms]) => `${p} ${ms.toFixed(1)}`).join(', ');
    console.log(`${w.name}: ${w.clientMs.toFixed(1)} ms at the client; ${row}`);
  }
  fs.rmSync(profDir, { recursive: true, force: true });
}

function lastTick(p: Profile): number {
  return p.timeDeltas.reduce((t, d) => t + d, p.startTime);
}

/** Milliseconds of samples in [from, to] by phase ('other': none of the phase functions on the stack). */
function phasesIn(p: Profile, from: number, to: number): Map<string, number> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const phaseOf = new Map<string, string>();
  for (const [phase, fns] of PHASES) for (const f of fns) phaseOf.set(f, phase);
  const out = new Map<string, number>(PHASES.map(([phase]) => [phase, 0]));
  out.set('other', 0);
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    if (t < from || t > to) continue;
    // A sample stands for the time until the next one.
    const ms = (p.timeDeltas[i + 1] ?? 0) / 1000;
    let phase = 'other';
    for (let n = byId.get(p.samples[i]); n; n = byId.get(parent.get(n.id) ?? -1)) {
      const found = phaseOf.get(n.callFrame.functionName);
      if (found) {
        phase = found;
        break;
      }
    }
    out.set(phase, out.get(phase)! + ms);
  }
  return out;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
