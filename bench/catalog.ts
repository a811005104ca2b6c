// Storefront throughput on local workerd: cache hits and misses of the public catalog routes,
// each against a bare route measured in the same run (issue target: hits ≥ 0.8× the baseline),
// and that bare route of ours against workerd running one Hono route and nothing else (target:
// ≥ 0.8×: what our middleware chain costs).
//
//   npm run bench:catalog                      10 s per scenario, 50 connections
//   BENCH_DURATION=30 BENCH_CONNECTIONS=100 BENCH_WARMUP=3 BENCH_ROUNDS=5 npm run bench:catalog
//
// A benchmark, not a test: it exits non-zero only when the worker cannot start or a request
// fails (non-2xx, socket error, timeout), never because a figure is low.
import { runSql, type LocalWorker } from '../scripts/local-worker';
import { buildSeedSql } from '../scripts/seed-data';
import { query } from './lib/d1';
import { withLocalWorker } from './lib/harness';
import { startBareWorker, type BareWorker } from './lib/bare-worker';
import { formatTable } from './lib/table';
import { requireWrk, runWrk, type WrkMeasurement } from './lib/wrk';
import { coreCount, loadAverage, machineLine, miniflareVersion } from './lib/machine';
import { positiveNumber } from './lib/settings';

process.env.WRANGLER_SEND_METRICS = 'false';

const durationSeconds = positiveNumber('BENCH_DURATION', 10);
const connections = positiveNumber('BENCH_CONNECTIONS', 50);
const threads = Math.ceil(positiveNumber('BENCH_THREADS', 2));
const warmupSeconds = positiveNumber('BENCH_WARMUP', 2);
const rounds = Math.ceil(positiveNumber('BENCH_ROUNDS', 3));
const productCount = 200;
const HIT_TARGET = 0.8;
const MIDDLEWARE_TARGET = 0.8;

/** Every 1–4 character run of Han characters in the titles: real words and fragments shoppers type. */
function searchTermsFrom(titles: string[]): string[] {
  const terms = new Set<string>();
  for (const title of titles) {
    for (const run of title.match(/\p{Script=Han}+/gu) ?? []) {
      const chars = [...run];
      for (let len = 1; len <= 4; len++) {
        for (let i = 0; i + len <= chars.length; i++) terms.add(chars.slice(i, i + len).join(''));
      }
    }
  }
  // Interleave lengths so short (gram table) and long (FTS trigram) lookups are mixed throughout.
  return [...terms].sort((a, b) => hash(a) - hash(b));
}

const hash = (s: string) => [...s].reduce((h, ch) => Math.imul(h ^ ch.codePointAt(0)!, 0x01000193) >>> 0, 0x811c9dc5);

/**
 * A scenario's paths for one run (warm-up or measured round): wrk sends them in order. Hits
 * repeat a few URLs; a miss scenario gives every run URLs no run has asked before.
 */
type Scenario = { name: string; paths: (run: number) => string[]; cacheHit?: boolean; note?: string };

/** Distinct URLs per run of a miss scenario: far more than one run can send. */
const MISS_PATHS_PER_RUN = 20_000;

function scenarios(productIds: string[], terms: string[]): Scenario[] {
  const block = (run: number) => Array.from({ length: MISS_PATHS_PER_RUN }, (_, i) => run * MISS_PATHS_PER_RUN + i);
  return [
    { name: 'baseline  GET /healthz/live', paths: () => ['/healthz/live'], note: 'bare route, no I/O' },
    { name: 'list hit  GET /products?limit=20', paths: () => ['/products?limit=20'], cacheHit: true },
    {
      name: 'detail hit  GET /products/:id',
      cacheHit: true,
      paths: () => productIds.map((id) => `/products/${id}`),
      note: `rotating over ${productIds.length} published ids`,
    },
    {
      // Every URL is new, so every request misses, runs the D1 query and stores the result.
      name: 'list miss  GET /products?…&min_price=n',
      paths: (run) => block(run).map((n) => `/products?limit=20&min_price=${n + 1}`),
      note: 'min_price increases by 1 per request: every URL distinct',
    },
    {
      // Distinct queries, each seen for the first time: every term, then the terms again with
      // another limit= so the URL (and the cache key) is still new.
      name: 'search miss  GET /search?q=…',
      paths: (run) => block(run).map((n) => `/search?q=${encodeURIComponent(terms[n % terms.length]!)}&limit=${(Math.floor(n / terms.length) % 50) + 1}`),
      note: `${terms.length} distinct 1–4 char Han terms from the seeded titles, first time asked (misses)`,
    },
  ];
}

type Result = WrkMeasurement & { scenario: Scenario; rounds: WrkMeasurement[]; cache: string };

/** What the cache says now for each distinct path of a hit scenario (they must all be HITs). */
async function sampleCache(baseUrl: string, paths: string[]): Promise<string> {
  const seen = new Map<string, number>();
  for (const path of new Set(paths)) {
    const res = await fetch(baseUrl + path);
    await res.arrayBuffer();
    const value = res.headers.get('X-Cache') ?? 'none';
    seen.set(value, (seen.get(value) ?? 0) + 1);
  }
  return [...seen].map(([k, n]) => `${k} ${n}`).join(', ');
}

async function main() {
  await requireWrk();
  await withLocalWorker({ fakeWeChat: false }, async (worker) => {
    // Stopped inside the harness's run, so its cleanup check sees no workerd of the baseline's left.
    const bare = await startBareWorker();
    try {
      await measure(worker, bare);
    } finally {
      await bare.dispose();
    }
  });
}

async function measure(worker: LocalWorker, bare: BareWorker) {
  await runSql(worker, buildSeedSql({ productCount, now: Date.now() }));
  const published = await query<{ id: string; title: string }>(worker, "SELECT id, title FROM products WHERE status = 'published' ORDER BY id");
  if (published.length === 0) throw new Error('the seed produced no published products');
  const productIds = published.slice(0, 20).map((p) => p.id);
  const terms = searchTermsFrom(published.map((p) => p.title));

  printHeader(published.length);
  const all = scenarios(productIds, terms);
  const load = { connections, threads, durationSeconds };
  // Warm-up (run 0): JIT-compiles each path in workerd and fills the cache for the hit scenarios.
  await runWrk(bare.directUrl, ['/healthz/live'], { ...load, durationSeconds: warmupSeconds });
  for (const scenario of all) await runWrk(worker.directUrl, scenario.paths(0), { ...load, durationSeconds: warmupSeconds });
  const bareRounds: WrkMeasurement[] = [];
  // The baseline and the hits are measured in interleaved rounds and each is reported by its
  // median round, so a burst of other work on the machine cannot favour one of them.
  const runs = new Map<Scenario, WrkMeasurement[]>(all.map((scenario) => [scenario, []]));
  for (let round = 1; round <= rounds; round++) {
    bareRounds.push(await runWrk(bare.directUrl, ['/healthz/live'], load));
    console.log(`  round ${round}: bare workerd + Hono (${Math.round(bareRounds.at(-1)!.requestsPerSecond)} req/s)`);
    for (const scenario of all.filter((s) => s.cacheHit || s === all[0] || round === 1)) {
      const measured = await runWrk(worker.directUrl, scenario.paths(round), load);
      runs.get(scenario)!.push(measured);
      console.log(`  round ${round}: ${scenario.name} (${Math.round(measured.requestsPerSecond)} req/s)`);
    }
  }
  const results: Result[] = [];
  for (const [scenario, measured] of runs) {
    const cache = scenario.cacheHit ? await sampleCache(worker.directUrl, scenario.paths(1)) : scenario === all[0] ? 'none' : 'MISS (new URLs)';
    results.push({ ...medianRun(measured), scenario, rounds: measured, cache });
  }
  if (printResults(results, medianRun(bareRounds))) process.exitCode = 1;
}

function printHeader(publishedCount: number) {
  console.log(`
Machine:    ${machineLine()}
Worker:     production bundle (wrangler deploy --dry-run) on workerd (Miniflare ${miniflareVersion()}), loaded on a socket of
            workerd's own bound straight to the worker (not Miniflare's HTTP entry); in-memory D1 and cache
Catalog:    ${productCount} seeded products (${publishedCount} published)
Parameters: ${durationSeconds} s per scenario and round after a ${warmupSeconds} s warm-up each, ${connections} connections, wrk with ${threads} threads;
            baseline and hits in ${rounds} interleaved rounds (median reported), misses once
Note:       wrk and workerd share the same ${coreCount()} cores: figures are for comparison within this run, not capacity.
`);
}

/** The round with the median requests/s (the lower middle one for an even count). */
function medianRun(measurements: WrkMeasurement[]): WrkMeasurement {
  const sorted = [...measurements].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** Prints the table; returns true when any scenario had failed requests. */
function printResults(results: Result[], bare: WrkMeasurement): boolean {
  const baseline = results[0]!.requestsPerSecond;
  const ratio = (m: WrkMeasurement) => m.requestsPerSecond / baseline;
  const rows = [
    ['scenario', 'req/s', 'rounds req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'vs baseline', 'X-Cache after'],
    ...results.map((m) => [
      m.scenario.name,
      m.requestsPerSecond.toFixed(0),
      m.rounds.map((r) => r.requestsPerSecond.toFixed(0)).join(' '),
      m.p50Ms.toFixed(1),
      m.p99Ms.toFixed(1),
      String(m.non2xx),
      String(m.errors),
      `${ratio(m).toFixed(2)}×`,
      m.cache,
    ]),
  ];
  console.log(`\n${formatTable(rows)}\n`);
  console.log(`  load average at end: ${loadAverage()}`);
  for (const { scenario } of results) if (scenario.note) console.log(`  ${scenario.name}: ${scenario.note}`);

  const hits = results.filter((m) => m.scenario.cacheHit);
  const verdict = hits.map((m) => `${m.scenario.name.split('  ')[0]} ${ratio(m).toFixed(2)}×`).join(', ');
  const met = hits.every((m) => ratio(m) >= HIT_TARGET);
  console.log(`\nTarget: cache hits ≥ ${HIT_TARGET}× baseline — ${met ? 'MET' : 'NOT MET'} (${verdict})`);

  const chain = baseline / bare.requestsPerSecond;
  console.log(
    `Target: our bare route ≥ ${MIDDLEWARE_TARGET}× workerd's bare Hono route (${bare.requestsPerSecond.toFixed(0)} req/s, p99 ${bare.p99Ms.toFixed(1)} ms) — ${chain >= MIDDLEWARE_TARGET ? 'MET' : 'NOT MET'} (${chain.toFixed(2)}×)`,
  );

  const failures = results.filter((r) => r.rounds.some((m) => m.non2xx > 0 || m.errors > 0));
  for (const r of failures) console.error(`FAILED: ${r.scenario.name}: ${r.rounds.map((m) => `${m.non2xx} non-2xx, ${m.errors} socket errors/timeouts`).join('; ')} (worker log above)`);
  const notHits = results.filter((r) => r.scenario.cacheHit && !/^HIT \d+$/.test(r.cache));
  for (const r of notHits) console.error(`FAILED: ${r.scenario.name} was not served from the cache: ${r.cache}`);
  return failures.length + notHits.length > 0;
}

main().catch((error) => {
  console.error('bench:catalog failed:', error);
  process.exitCode = 1;
});
