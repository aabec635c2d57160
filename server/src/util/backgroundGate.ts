/**
 * When background work (the workspace-wide re-check) may take its next slice: once the editor has
 * been quiet for a moment (no request or edit arrived for `quietMs`), as editors schedule idle work,
 * so that a client sending requests back to back (hovers while the mouse moves, completion after
 * each key) is not answered between slices of the re-check. Never held more than `maxHoldMs` in a
 * row: then the work goes on for `runMs` (giving way only to requests already queued) before it waits
 * again, so under requests that never pause it still gets runMs / (maxHoldMs + runMs) of the time,
 * and under requests `quietMs` or more apart it runs between them. Times are passed in, so the
 * policy is tested without timers.
 */
export class BackgroundGate {
  /** When the current hold began (undefined: not held). */
  private heldSince: number | undefined;
  /** Until then the work runs whatever arrives (its turn after a full hold). */
  private runUntil = -Infinity;

  constructor(
    private readonly quietMs: number,
    private readonly maxHoldMs: number,
    private readonly runMs: number,
  ) {}

  /**
   * Milliseconds the work should wait at `now`, the editor's last request or edit having arrived at
   * `lastActivity`; 0: go on now.
   */
  wait(now: number, lastActivity: number): number {
    if (now < this.runUntil) return 0;
    const quietAt = lastActivity + this.quietMs;
    if (now >= quietAt) {
      this.heldSince = undefined;
      return 0;
    }
    this.heldSince ??= now;
    const releasedAt = this.heldSince + this.maxHoldMs;
    if (now >= releasedAt) {
      this.heldSince = undefined;
      this.runUntil = now + this.runMs;
      return 0;
    }
    return Math.min(quietAt, releasedAt) - now;
  }

  /** Resolves when the work may go on (`lastActivity()` is asked again after each wait). */
  async whenQuiet(lastActivity: () => number, now: () => number = () => performance.now()): Promise<void> {
    for (let ms = this.wait(now(), lastActivity()); ms > 0; ms = this.wait(now(), lastActivity()))
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(ms)));
  }
}
