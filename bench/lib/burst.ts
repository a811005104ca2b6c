// A closed-model burst: `count` requests over `connections` keep-alive connections (autocannon),
// with every answer's status and error code counted. Used by bench:flash and bench:coupons.
import autocannon from 'autocannon';

export type Burst = {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  seconds: number;
  statuses: Map<number, number>;
  codes: Map<string, number>;
  errors: number;
  timeouts: number;
  lastWinAtMs: number | null;
};

/** `count` requests over `connections` keep-alive connections; what `request(i)` returns is sent as the i-th. */
export async function burst(
  url: string,
  connections: number,
  count: number,
  request: (i: number) => { method: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<Burst> {
  const statuses = new Map<number, number>();
  const codes = new Map<string, number>();
  let sent = 0;
  let lastWinAtMs: number | null = null;
  const startedAt = performance.now();
  const result = await autocannon({
    url,
    connections,
    amount: count,
    timeout: 30,
    requests: [
      {
        setupRequest: (base) => ({ ...base, ...request(sent++) }),
        onResponse: (status, body) => {
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status === 201) lastWinAtMs = performance.now() - startedAt;
          if (status >= 400) {
            const code = (JSON.parse(body) as { error?: { code?: string } }).error?.code ?? 'unknown';
            codes.set(`${status} ${code}`, (codes.get(`${status} ${code}`) ?? 0) + 1);
          }
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    seconds: result.duration,
    statuses,
    codes,
    errors: result.errors,
    timeouts: result.timeouts,
    lastWinAtMs,
  };
}
