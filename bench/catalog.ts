// Storefront throughput on local workerd: cache hits and misses of the public catalog routes,
// each against a bare route measured in the same run (issue target: hits ≥ 0.8× the baseline).
//
//   npm run bench:catalog                      10 s per scenario, 50 connections
//   BENCH_DURATION=30 BENCH_CONNECTIONS=100 BENCH_WARMUP=3 BENCH_ROUNDS=5 npm run bench:catalog
//
// A benchmark, not a test: it exits non-zero only when the worker cannot start or a request
// fails (non-2xx, socket error, timeout), never because a figure is low.
import { runSql, startLocalWorker, type LocalWorker } from '../scripts/local-worker';
import { buildSeedSql } from '../scripts/seed-data';
import { query } from './lib/d1';
import { formatTable, rotate, runLoad, type Measurement, type Scenario } from './lib/load';
import { coreCount, loadAverage, machineLine, miniflareVersion } from './lib/machine';
import { childWorkerdPids, endedByThemselves } from './lib/processes';
import { positiveNumber } from './lib/settings';

process.env.WRANGLER_SEND_METRICS = 'false';

const durationSeconds = positiveNumber('BENCH_DURATION', 10);
const connections = positiveNumber('BENCH_CONNECTIONS', 50);
const warmupSeconds = positiveNumber('BENCH_WARMUP', 2);
const rounds = Math.ceil(positiveNumber('BENCH_ROUNDS', 3));
const productCount = 200;
const HIT_TARGET = 0.8;

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

function scenarios(productIds: string[], terms: string[]): Scenario[] {
  let minPrice = 0;
  let searchCount = 0;
  return [
    { name: 'baseline  GET /healthz/live', nextPath: () => '/healthz/live', note: 'bare route, no I/O' },
    { name: 'list hit  GET /products?limit=20', nextPath: () => '/products?limit=20', cacheHit: true },
    {
      name: 'detail hit  GET /products/:id',
      cacheHit: true,
      nextPath: rotate(productIds.map((id) => `/products/${id}`)),
      note: `rotating over ${productIds.length} published ids`,
    },
    {
      // Every URL is new, so every request misses, runs the D1 query and stores the result.
      name: 'list miss  GET /products?…&min_price=n',
      nextPath: () => `/products?limit=20&min_price=${++minPrice}`,
      note: 'min_price increases by 1 per request: every URL distinct',
    },
    {
      // Distinct queries, each seen for the first time. Once every term has been asked, the terms
      // come round again with another limit= so the URL (and the cache key) is still new.
      name: 'search miss  GET /search?q=…',
      nextPath: () => {
        const n = searchCount++;
        const round = Math.floor(n / terms.length);
        const limit = ((20 + round - 1) % 50) + 1;
        return `/search?q=${encodeURIComponent(terms[n % terms.length]!)}&limit=${limit}`;
      },
      note: `${terms.length} distinct 1–4 char Han terms from the seeded titles, first time asked (misses)`,
    },
  ];
}

async function main() {
  let worker: LocalWorker | undefined;
  const stop = async () => {
    await worker?.dispose();
    worker = undefined;
  };
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));

  try {
    console.log('Building dist/ (wrangler deploy --dry-run) and starting it on workerd through Miniflare …');
    worker = await startLocalWorker();
    await runSql(worker, buildSeedSql({ productCount, now: Date.now() }));

    const published = await query<{ id: string; title: string }>(worker, "SELECT id, title FROM products WHERE status = 'published' ORDER BY id");
    if (published.length === 0) throw new Error('the seed produced no published products');
    const productIds = published.slice(0, 20).map((p) => p.id);
    const terms = searchTermsFrom(published.map((p) => p.title));

    printHeader(published.length);
    const all = scenarios(productIds, terms);
    // Warm-up with the same generator (miss scenarios keep counting, so measured URLs stay new):
    // JIT-compiles each path in workerd and fills the cache for the hit scenarios.
    for (const scenario of all) await runLoad(worker.directUrl, scenario, { durationSeconds: warmupSeconds, connections });
    // The baseline and the hits are measured in interleaved rounds and each is reported by its
    // median round, so a burst of other work on the machine cannot favour one of them.
    const runs = new Map<Scenario, Measurement[]>(all.map((scenario) => [scenario, []]));
    for (let round = 1; round <= rounds; round++) {
      for (const scenario of all.filter((s) => s.cacheHit || s === all[0] || round === 1)) {
        const measured = await runLoad(worker.directUrl, scenario, { durationSeconds, connections });
        runs.get(scenario)!.push(measured);
        console.log(`  round ${round}: ${scenario.name} (${Math.round(measured.requestsPerSecond)} req/s)`);
      }
    }
    const results = [...runs.values()].map(medianRun);
    const failed = printResults(results);
    if (failed) process.exitCode = 1;
  } finally {
    // Looked up here rather than after start, so a start that failed half-way is covered too.
    const started = childWorkerdPids();
    await stop();
    if (!(await endedByThemselves(started))) process.exitCode = 1;
  }
}

function printHeader(publishedCount: number) {
  console.log(`
Machine:    ${machineLine()}
Worker:     production bundle (wrangler deploy --dry-run) on workerd (Miniflare ${miniflareVersion()}), loaded on a socket of
            workerd's own bound straight to the worker (not Miniflare's HTTP entry); in-memory D1 and cache
Catalog:    ${productCount} seeded products (${publishedCount} published)
Parameters: ${durationSeconds} s per scenario and round after a ${warmupSeconds} s warm-up each, ${connections} connections, autocannon;
            baseline and hits in ${rounds} interleaved rounds (median reported), misses once
Note:       autocannon (this Node process) and workerd share the same ${coreCount()} cores: figures are for comparison within this run, not capacity.
`);
}

type Result = Measurement & { rounds: Measurement[] };

/** The round with the median requests/s (the lower middle one for an even count), with all rounds kept. */
function medianRun(measurements: Measurement[]): Result {
  const sorted = [...measurements].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return { ...sorted[Math.floor((sorted.length - 1) / 2)]!, rounds: measurements };
}

/** Prints the table; returns true when any scenario had failed requests. */
function printResults(results: Result[]): boolean {
  const baseline = results[0]!.requestsPerSecond;
  const ratio = (m: Measurement) => m.requestsPerSecond / baseline;
  const rows = [
    ['scenario', 'req/s', 'rounds req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'vs baseline', 'X-Cache'],
    ...results.map((m) => [
      m.scenario.name,
      m.requestsPerSecond.toFixed(0),
      m.rounds.map((r) => r.requestsPerSecond.toFixed(0)).join(' '),
      m.p50Ms.toFixed(1),
      m.p99Ms.toFixed(1),
      String(m.non2xx),
      String(m.errors),
      `${ratio(m).toFixed(2)}×`,
      Object.entries(m.cache)
        .map(([k, n]) => `${k} ${((100 * n) / m.total).toFixed(0)}%`)
        .join(', '),
    ]),
  ];
  console.log(`\n${formatTable(rows)}\n`);
  console.log(`  load average at end: ${loadAverage()}`);
  for (const { scenario } of results) if (scenario.note) console.log(`  ${scenario.name}: ${scenario.note}`);

  const hits = results.filter((m) => m.scenario.cacheHit);
  const verdict = hits.map((m) => `${m.scenario.name.split('  ')[0]} ${ratio(m).toFixed(2)}×`).join(', ');
  const met = hits.every((m) => ratio(m) >= HIT_TARGET);
  console.log(`\nTarget: cache hits ≥ ${HIT_TARGET}× baseline — ${met ? 'MET' : 'NOT MET'} (${verdict})`);

  const failures = results.flatMap((r) => r.rounds).filter((m) => m.non2xx > 0 || m.errors > 0);
  for (const m of failures) {
    console.error(`FAILED: ${m.scenario.name}: ${m.non2xx} non-2xx responses, ${m.errors} errors/timeouts`);
    for (const sample of m.failureSamples) console.error(`  ${sample}`);
  }
  return failures.length > 0;
}

main().catch((error) => {
  console.error('bench:catalog failed:', error);
  process.exitCode = 1;
});
