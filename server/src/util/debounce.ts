/** Per-key debouncing with cancellation: a new request for a key cancels the pending and the running one. */

export interface RunToken {
  readonly cancelled: boolean;
}

export class KeyedDebouncer {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly tokens = new Map<string, { cancelled: boolean }>();

  constructor(private readonly delayMs: number) {}

  /** Run `task` for `key` after the delay (the constructor's by default), unless another `schedule(key)` comes first. */
  schedule(key: string, task: (token: RunToken) => Promise<void> | void, delayMs = this.delayMs): void {
    this.cancel(key);
    const token = { cancelled: false };
    this.tokens.set(key, token);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void Promise.resolve()
          .then(() => task(token))
          .finally(() => {
            if (this.tokens.get(key) === token) this.tokens.delete(key);
          });
      }, delayMs),
    );
  }

  /** Cancel the pending task of a key, if it has not started (a running one goes on). */
  cancelPending(key: string): void {
    const timer = this.timers.get(key);
    if (!timer) return;
    clearTimeout(timer);
    this.timers.delete(key);
    const token = this.tokens.get(key);
    if (token) token.cancelled = true;
    this.tokens.delete(key);
  }

  /** Cancel the pending and running task of a key. */
  cancel(key: string): void {
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
    const token = this.tokens.get(key);
    if (token) token.cancelled = true;
    this.tokens.delete(key);
  }

  dispose(): void {
    for (const key of [...this.timers.keys(), ...this.tokens.keys()]) this.cancel(key);
  }
}
