// Open-model load: arrivals start on a fixed timetable (N per second) whether or not earlier
// ones have finished, the way shoppers turn up. autocannon (load.ts) is a closed loop: when the
// server slows down, so does the generator, which hides the queue a real crowd would build.
// Requests go through Node's fetch (keep-alive, no connection limit), timed per named step.

export type ArrivalRun = {
  started: number;
  /** Arrivals started per second, measured from the first start to the last. */
  achievedRate: number;
  /** The timetable's length (count ÷ rate), or longer when the last arrivals finish after it. */
  elapsedSeconds: number;
  /** How late each arrival started against the timetable: the generator's own lag on a busy CPU. */
  startLagMs: number[];
};

/**
 * Starts `arrive` rate × durationSeconds times, the i-th at t0 + i/rate, then waits for all to
 * finish. An arrival that comes due while the event loop was busy starts late rather than being
 * skipped or bunched into a later slot, and its lag is recorded; `arrive` gets the due time, so
 * a latency measured from it includes that lag (no coordinated omission).
 */
export async function runArrivals(rate: number, durationSeconds: number, arrive: (dueAt: number) => Promise<void>): Promise<ArrivalRun> {
  const count = Math.max(1, Math.round(rate * durationSeconds));
  const intervalMs = 1000 / rate;
  const inFlight: Promise<void>[] = [];
  const startLagMs: number[] = [];
  const t0 = performance.now();
  let lastStart = t0;
  for (let i = 0; i < count; i++) {
    const dueAt = t0 + i * intervalMs;
    const wait = dueAt - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    lastStart = performance.now();
    startLagMs.push(Math.max(0, lastStart - dueAt));
    // A failing arrival must not stop the timetable; the callback records its own failures.
    inFlight.push(arrive(dueAt).catch((error) => console.error('arrival failed:', error)));
  }
  await Promise.all(inFlight);
  return {
    started: count,
    achievedRate: count > 1 ? (count - 1) / ((lastStart - t0) / 1000) : rate,
    // Not "first start to last answer": that is one interval short, and would credit a server
    // that keeps up with more than the offered rate.
    elapsedSeconds: Math.max(count * intervalMs, performance.now() - t0) / 1000,
    startLagMs,
  };
}

export type Answer = { ok: boolean /** 0 when no answer came (socket error, timeout). */; status: number; headers?: Headers; body?: any };
type StepStats = { latencyMs: number[]; non2xx: number; errors: number };

/** Latency of each step (2xx answers only) and of whole flows, and what went wrong, by kind. */
export class Recorder {
  readonly steps = new Map<string, StepStats>();
  readonly flowMs: number[] = [];
  /** e.g. "order: 422 insufficient_stock" → count, so failures are described, not just counted. */
  readonly failures = new Map<string, number>();

  constructor(private readonly timeoutMs = 10_000) {}

  /** `expected`: a non-2xx answer the scenario is about (a refusal), timed and not counted as a failure. */
  async request(step: string, url: string, init: RequestInit = {}, expected?: { status: number; code: string }): Promise<Answer> {
    const stats = this.stats(step);
    const started = performance.now();
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
      const text = await response.text(); // always read, so the connection is reused
      const body = text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
      const isExpected = !!expected && response.status === expected.status && body?.error?.code === expected.code;
      if (response.ok || isExpected) stats.latencyMs.push(performance.now() - started);
      else {
        stats.non2xx++;
        this.fail(`${step}: ${response.status} ${body?.error?.code ?? ''}`.trim());
      }
      return { ok: response.ok || isExpected, status: response.status, headers: response.headers, body };
    } catch (error) {
      stats.errors++;
      this.fail(`${step}: ${(error as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : String((error as Error).cause ?? error)}`);
      return { ok: false, status: 0 };
    }
  }

  /** A flow (or a single-request arrival) finished well: its latency counts from its due time. */
  flowDone(dueAt: number) {
    this.flowMs.push(performance.now() - dueAt);
  }

  stats(step: string): StepStats {
    const known = this.steps.get(step);
    if (known) return known;
    const stats: StepStats = { latencyMs: [], non2xx: 0, errors: 0 };
    this.steps.set(step, stats);
    return stats;
  }

  get non2xx() {
    return [...this.steps.values()].reduce((n, s) => n + s.non2xx, 0);
  }

  get errors() {
    return [...this.steps.values()].reduce((n, s) => n + s.errors, 0);
  }

  private fail(kind: string) {
    this.failures.set(kind, (this.failures.get(kind) ?? 0) + 1);
  }
}

/** Nearest-rank percentile (p in 0–100); NaN for no values. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
