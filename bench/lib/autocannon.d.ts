// The slice of autocannon's programmatic API the benchmarks use (the package ships no types).
declare module 'autocannon' {
  type Request = {
    /** Called before every request; returns the request to send (path, method, headers…). */
    setupRequest?: (request: { path: string } & Record<string, unknown>, context: Record<string, unknown>) => { path: string } & Record<string, unknown>;
    onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string | string[]>) => void;
  };
  /** `amount`: stop after this many requests (instead of after `duration` seconds). */
  type Options = { url: string; connections?: number; duration?: number; amount?: number; requests?: Request[]; timeout?: number };
  type Histogram = { average: number; mean: number; p50: number; p99: number; max: number; total: number };
  export type Result = {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    mismatches: number;
    statusCodeStats: Record<string, { count: number }>;
    latency: Histogram;
    requests: Histogram & { sent: number };
  };
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
