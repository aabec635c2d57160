/**
 * The lock walks a run shares between its lookups (heldLocks.ts: a function that calls no function
 * of the driver walks the same under every lookup) are the walks each lookup makes alone: on the rule
 * fixtures and on lock helpers, walked under two lookups of one run that know different functions
 * (the whole file, or nothing), in both orders, each lookup's walks equal those of a lookup of its
 * own with nothing shared.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText, languageOf } from '../../../server/src/analysis';
import type { FunctionModel } from '../../../server/src/analysis/model';
import type { DriverLookup } from '../../../server/src/rules/facts/driverLookup';
import { lockWalk, type LockWalk } from '../../../server/src/rules/facts/heldLocks';
import { repoRoot } from '../../support/paths';

/** A lookup over `functions` (a definition before a prototype), in run `run` when given. */
function lookupOver(functions: readonly FunctionModel[], run?: object): DriverLookup {
  const named = new Map<string, FunctionModel>();
  for (const fn of functions) if (fn.isDefinition && !named.has(fn.name)) named.set(fn.name, fn);
  for (const fn of functions) if (!named.has(fn.name)) named.set(fn.name, fn);
  return { key: {}, ...(run ? { run } : {}), functionNamed: (name) => named.get(name), textOf: () => undefined };
}

/** What a walk found, as text: each exit's held locks, the states before each call, the calls reached unlocked. */
function shown(walk: LockWalk | undefined): string {
  if (!walk) return 'none';
  const state = (s: readonly { family: string; key: string; call: { span: { startOffset: number } } }[]) =>
    s.map((l) => `${l.family}:${l.key}@${l.call.span.startOffset}`).join(';');
  const exits = walk.exits.map((e) => `${e.offset}: ${e.states.map(state).join(' | ')}`);
  const before = [...walk.before].map(([call, states]) => `${call.span.startOffset}< ${states.map(state).join(' | ')}`);
  return [...exits, ...before, [...walk.unlocked].sort((a, b) => a - b).join(',')].join('\n');
}

const HELPERS = `
typedef struct _CTX { WDFSPINLOCK Lock; KSPIN_LOCK Spin; } CTX, *PCTX;
VOID TakeLock(PCTX Ctx) { WdfSpinLockAcquire(Ctx->Lock); }
VOID DropLock(PCTX Ctx) { WdfSpinLockRelease(Ctx->Lock); }
_Acquires_lock_(Ctx->Spin) VOID TakeSpin(PCTX Ctx);
VOID UsesHelpers(PCTX Ctx, int x)
{
    TakeLock(Ctx);
    if (x) { DropLock(Ctx); return; }
    TakeSpin(Ctx);
    WdfSpinLockRelease(Ctx->Lock);
}
VOID KernelOnly(PCTX Ctx, int x)
{
    KIRQL irql;
    KeAcquireSpinLock(&Ctx->Spin, &irql);
    if (x) return;
    KeReleaseSpinLock(&Ctx->Spin, irql);
}
`;

describe('lock walks shared by a run', () => {
  it('gives every lookup the walks it makes alone, whichever lookup walks first', async () => {
    const dir = path.join(repoRoot, 'test/fixtures/rules');
    const files = fs
      .readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(c|cpp)$/.test(f))
      .sort();
    const sources: [string, string, 'c' | 'cpp'][] = files.map((f) => {
      const full = path.join(dir, f);
      return [f, fs.readFileSync(full, 'utf8'), languageOf(full)];
    });
    sources.push(['helpers.c', HELPERS, 'c']);
    let walked = 0;
    let differ = 0;
    for (const [file, text, language] of sources) {
      const functions = (await analyzeText(`file:///${file}`, text, language)).functions;
      for (const wholeFirst of [true, false]) {
        const run = {};
        const whole = lookupOver(functions, run);
        const blind = lookupOver([], run);
        const order = wholeFirst ? [whole, blind] : [blind, whole];
        const walks = new Map<DriverLookup, string[]>();
        for (const lookup of order)
          walks.set(
            lookup,
            functions.map((fn) => shown(lockWalk(lookup, fn))),
          );
        const alone = (known: readonly FunctionModel[]) =>
          functions.map((fn) => shown(lockWalk(lookupOver(known), fn)));
        const wholeAlone = alone(functions);
        const blindAlone = alone([]);
        assert.deepEqual(walks.get(whole), wholeAlone, file);
        assert.deepEqual(walks.get(blind), blindAlone, file);
        walked += wholeAlone.filter((w) => w !== 'none').length;
        differ += wholeAlone.filter((w, i) => w !== blindAlone[i]).length;
      }
    }
    // Walks were made, and some depend on what the lookup knows (the helpers'): sharing those would show.
    assert.ok(walked > 20, `only ${walked} walks`);
    assert.ok(differ > 0, 'no walk depends on the lookup');
  });
});
