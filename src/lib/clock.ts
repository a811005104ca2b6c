// The one source of "now". Production uses the system clock; tests inject a clock they move.
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that stands still until told to move; for tests of time-based rules. */
export class ManualClock implements Clock {
  constructor(private current: number) {}
  now() {
    return this.current;
  }
  advance(ms: number) {
    this.current += ms;
  }
}

export const toIso = (epochMs: number | null | undefined) => (epochMs == null ? null : new Date(epochMs).toISOString());
