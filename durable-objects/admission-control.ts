// Admission control for one object: at most ATTEMPTS_PER_WINDOW attempts per user per window,
// counted on the object's real clock, in memory (lost on restart, by design: it only keeps one
// shopper from taking the object's time from everyone else).
const ATTEMPTS_PER_WINDOW = 5;
const ATTEMPT_WINDOW_MS = 5_000;
/** Users whose last attempt is out of the window are forgotten every this many attempts. */
const PRUNE_EVERY = 1_000;

export class AdmissionControl {
  private readonly attempts = new Map<string, number[]>();
  private attemptsSincePrune = 0;

  constructor(private readonly now: () => number) {}

  /** Counts an attempt; null when it is admitted, else how long (ms) until the user may try again. */
  refusal(userId: string): number | null {
    const now = this.now();
    const since = now - ATTEMPT_WINDOW_MS;
    const recent = (this.attempts.get(userId) ?? []).filter((t) => t > since);
    if (++this.attemptsSincePrune >= PRUNE_EVERY) this.prune(since);
    if (recent.length >= ATTEMPTS_PER_WINDOW) {
      this.attempts.set(userId, recent);
      return Math.max(1, recent[0]! + ATTEMPT_WINDOW_MS - now);
    }
    recent.push(now);
    this.attempts.set(userId, recent);
    return null;
  }

  private prune(since: number) {
    this.attemptsSincePrune = 0;
    for (const [user, stamps] of this.attempts) if (stamps[stamps.length - 1]! <= since) this.attempts.delete(user);
  }
}
