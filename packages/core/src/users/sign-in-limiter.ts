/**
 * Failed sign-ins, counted per username and per address, in this process's memory: after
 * `max` failures within `windowMs` for either, further attempts are refused without checking
 * the password until the oldest failure leaves the window. Several web/gateway processes
 * each keep their own count (an attacker gets `max` tries per process), and a restart forgets
 * them: enough to stop guessing at the speed of a loop, not a substitute for strong passwords.
 */
export class SignInLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    readonly max = 5,
    readonly windowMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** Null when an attempt may go ahead; otherwise what is blocked and for how many seconds. */
  blocked(username: string, address: string | null): { what: string; waitSeconds: number } | null {
    for (const [key, what] of this.keys(username, address)) {
      const list = this.recent(key);
      if (list.length >= this.max) return { what, waitSeconds: Math.max(1, Math.ceil((list[0]! + this.windowMs - this.now()) / 1000)) };
    }
    return null;
  }

  fail(username: string, address: string | null): void {
    for (const [key] of this.keys(username, address)) this.failures.set(key, [...this.recent(key), this.now()]);
  }

  succeed(username: string, address: string | null): void {
    for (const [key] of this.keys(username, address)) this.failures.delete(key);
  }

  private keys(username: string, address: string | null): [string, string][] {
    const k: [string, string][] = [[`u:${username.toLowerCase()}`, username]];
    if (address) k.push([`a:${address}`, address]);
    return k;
  }
}

/** This process's limiter, used by login(). */
export const signInLimiter = new SignInLimiter();
