// One table for the loyalty benchmarks: wrk baselines (bench/lib/wrk.ts) and wrk bursts of
// distinct POSTs (bench/lib/wrk-posts.ts) side by side, with the ratio of each burst to a baseline.
import type { WrkMeasurement } from './wrk';
import type { PostBurst } from './wrk-posts';
import { formatTable } from './table';

export type Row = { name: string; baseline: WrkMeasurement } | { name: string; burst: PostBurst };

const ms = (n: number) => n.toFixed(1);
const times = (r: number) => `${r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}×`;

export function burstTable(rows: Row[], ratioTo: WrkMeasurement): string {
  return formatTable([
    ['', 'req/s', 'vs baseline', 'p50 / p99 ms', '2xx', 'refusals', 'unanswered'],
    ...rows.map((r) =>
      'baseline' in r
        ? [
            r.name,
            r.baseline.requestsPerSecond.toFixed(0),
            times(r.baseline.requestsPerSecond / ratioTo.requestsPerSecond),
            `${ms(r.baseline.p50Ms)} / ${ms(r.baseline.p99Ms)}`,
            String(r.baseline.total - r.baseline.non2xx),
            '–',
            String(r.baseline.errors),
          ]
        : [
            r.name,
            r.burst.requestsPerSecond.toFixed(0),
            times(r.burst.requestsPerSecond / ratioTo.requestsPerSecond),
            `${ms(r.burst.p50Ms)} / ${ms(r.burst.p99Ms)}`,
            String(r.burst.created),
            r.burst.other ? `${r.burst.other}× ${r.burst.otherCode}` : '–',
            String(r.burst.unanswered),
          ],
    ),
  ]);
}
