// Refusals that stay true for a while (a flash shard sold out, a group room full or closed, a
// bargain at its floor or already helped by this shopper, a coupon template claimed out), kept in
// isolate memory so that the crowd behind the first refused shopper is refused without a D1 read or an
// object call. Each entry may name who is exempt — a shopper the refusal does not apply to (a
// winner retrying with the same Idempotency-Key, a member of the full room) — and those go on to
// the object (or D1) as before. How long an entry lasts is the engine's call: as long as the refusal
// cannot stop being true (a closed room), or a second when it can (a released seat).
//
// When an entry that can stop being true lapses, the whole crowd would ask the object at once
// until the first answer came back. With `probeMs`, one caller asks (the probe) and the others
// keep the refusal for up to probeMs meanwhile; the probe's answer renews the entry, or its
// success forgets it.

type Entry<R extends string> = { reason: R; until: number; exempt: ReadonlySet<string>; probingUntil: number };

/** Entries kept per isolate before the memory starts over (a burst needs a handful). */
const MAX_ENTRIES = 10_000;

export class RefusalMemory<R extends string> {
  private readonly entries = new Map<string, Entry<R>>();

  constructor(private readonly opts: { probeMs?: number } = {}) {}

  remember(key: string, reason: R, until: number, exempt: Iterable<string> = []): void {
    if (this.entries.size >= MAX_ENTRIES && !this.entries.has(key)) this.entries.clear();
    this.entries.set(key, { reason, until, exempt: new Set(exempt), probingUntil: 0 });
  }

  /** The refusal no longer holds (the object said yes): everyone asks again. */
  forget(key: string): void {
    this.entries.delete(key);
  }

  /** The refusal `who` gets from memory now, or null when the object must be asked. */
  recall(key: string, who: string, now: number): R | null {
    const entry = this.entries.get(key);
    if (!entry || entry.exempt.has(who)) return null;
    if (entry.until > now) return entry.reason;
    const probeMs = this.opts.probeMs ?? 0;
    if (probeMs === 0) return null;
    if (entry.probingUntil > now) return entry.reason;
    entry.probingUntil = now + probeMs;
    return null;
  }

  /**
   * Whether `who` was refused under the key until a moment ago: the entry has lapsed (recall just
   * said the object must be asked) and does not spare them. Worth a cheap check of the refusal
   * before the whole request is run.
   */
  lapsedFor(key: string, who: string): boolean {
    const entry = this.entries.get(key);
    return !!entry && !entry.exempt.has(who);
  }

  /** Whether a refusal is remembered for the key at all (tests wait for it). */
  holds(key: string, now: number): boolean {
    return (this.entries.get(key)?.until ?? 0) > now;
  }
}
