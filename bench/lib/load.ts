// A thin layer over autocannon: one scenario = a function that yields the next path, run for a
// fixed time at a fixed number of connections, summarised as requests/s, latency and what the
// worker said about its cache (X-Cache) so a "hit" scenario cannot silently be a miss.
import autocannon from 'autocannon';

// Kept here too so existing importers (bench/catalog.ts) need not change.
export { formatTable } from './table';

export type Scenario = {
  name: string;
  nextPath: () => string;
  note?: string;
  /** Expected to be answered from the cache: held to the hit target. */
  cacheHit?: boolean;
};
export type LoadOptions = { durationSeconds: number; connections: number };

export type Measurement = {
  scenario: Scenario;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  /** Non-2xx responses, socket errors and timeouts: any of them fails the benchmark. */
  non2xx: number;
  errors: number;
  /** X-Cache header values seen (HIT, MISS, or "none" for uncached routes). */
  cache: Record<string, number>;
  /** The first few non-2xx answers (status, path, body), so a failure can be diagnosed. */
  failureSamples: string[];
};

const FAILURE_SAMPLES = 5;

export async function runLoad(baseUrl: string, scenario: Scenario, opts: LoadOptions): Promise<Measurement> {
  const cache: Record<string, number> = {};
  const failureSamples: string[] = [];
  // Every scenario, the baseline included, goes through the same setupRequest/onResponse hooks,
  // so the load generator (which shares the CPU with workerd) does the same work per request.
  const result = await autocannon({
    url: baseUrl,
    connections: opts.connections,
    duration: opts.durationSeconds,
    timeout: 10,
    requests: [
      {
        setupRequest: (request, context) => {
          const path = scenario.nextPath();
          context.path = path;
          return { ...request, path };
        },
        onResponse: (status, body, context, headers) => {
          if ((status < 200 || status >= 300) && failureSamples.length < FAILURE_SAMPLES) failureSamples.push(`${status} ${String(context.path ?? '')} ${String(body).slice(0, 300)}`);
          const value = String(headerValue(headers, 'x-cache') ?? 'none');
          cache[value] = (cache[value] ?? 0) + 1;
        },
      },
    ],
  });
  return {
    scenario,
    // Completed requests over the measured wall time, not autocannon's per-second sample mean,
    // which drops the partial last second.
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts + result.mismatches,
    cache,
    failureSamples,
  };
}

/** autocannon hands over raw header names, in whatever case the server sent them. */
function headerValue(headers: Record<string, string | string[]>, name: string) {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** Cycles through a fixed list of paths. */
export function rotate(paths: string[]): () => string {
  let i = 0;
  return () => paths[i++ % paths.length]!;
}
