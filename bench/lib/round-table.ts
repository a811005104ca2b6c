// The table bench:group and bench:bargain print: per round, the two bare routes (wrk baselines)
// and the round's bursts of distinct POSTs, each with its answers counted by kind and its rate
// as a ratio of /healthz/live measured in the same round.
import { formatTable } from './table';
import type { WrkMeasurement } from './wrk';
import type { PostBurst } from './wrk-posts';

export type RoundRow = { label: string; live: WrkMeasurement; healthz: WrkMeasurement; bursts: { name: string; requests: number; burst: PostBurst }[] };

const ms = (b: { p50Ms: number; p99Ms: number }) => `${b.p50Ms.toFixed(1)} / ${b.p99Ms.toFixed(1)}`;

/** "800× 201, 798× 409 room_full, 2 unanswered" */
const answersOf = (b: PostBurst) => [`${b.created}× 201`, ...[...b.refusals].map(([kind, n]) => `${n}× ${kind}`), ...(b.unanswered ? [`${b.unanswered} unanswered`] : [])].join(', ');

export function roundTable(rounds: RoundRow[]): string {
  const rows = [['scenario', 'requests', 'answers/s', 'p50 / p99 ms', 'vs /healthz/live', 'answers']];
  for (const r of rounds) {
    const vsLive = (perSecond: number) => `${(perSecond / r.live.requestsPerSecond).toFixed(2)}×`;
    const baseline = (name: string, m: WrkMeasurement) => [
      `${r.label} ${name}`,
      String(m.total),
      m.requestsPerSecond.toFixed(0),
      ms(m),
      vsLive(m.requestsPerSecond),
      `${m.non2xx} non-2xx, ${m.errors} errors`,
    ];
    rows.push(baseline('GET /healthz/live', r.live), baseline('GET /healthz (D1 read)', r.healthz));
    for (const b of r.bursts) rows.push([`${r.label} ${b.name}`, String(b.requests), b.burst.requestsPerSecond.toFixed(0), ms(b.burst), vsLive(b.burst.requestsPerSecond), answersOf(b.burst)]);
  }
  return formatTable(rows);
}
