// Storefront throughput on local workerd: cache hits and misses of the public catalog routes,
// each against a bare route measured in the same run (issue target: hits ≥ 0.8× the baseline).
//
//   npm run bench:catalog                      10 s per scenario, 50 connections
//   BENCH_DURATION=30 BENCH_CONNECTIONS=100 BENCH_WARMUP=3 npm run bench:catalog
//
// A benchmark, not a test: it exits non-zero only when the worker cannot start or a request
// fails (non-2xx, socket error, timeout), never because a figure is low.
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { runSql, startLocalWorker, type LocalWorker } from '../scripts/local-worker';
import { buildSeedSql } from '../scripts/seed-data';
import { formatTable, rotate, runLoad, type Measurement, type Scenario } from './lib/load';
import { childWorkerdPids, isAlive } from './lib/processes';

process.env.WRANGLER_SEND_METRICS = 'false';

const durationSeconds = positiveNumber('BENCH_DURATION', 10);
const connections = positiveNumber('BENCH_CONNECTIONS', 50);
const warmupSeconds = positiveNumber('BENCH_WARMUP', 2);
const productCount = 200;
const HIT_TARGET = 0.8;

function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

type Row = Record<string, unknown>;
async function query<T extends Row>(worker: LocalWorker, sql: string): Promise<T[]> {
  return ((await worker.db.prepare(sql).run()) as { results: T[] }).results;
}

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
    const results: Measurement[] = [];
    for (const scenario of scenarios(productIds, terms)) {
      // Warm-up with the same generator (miss scenarios keep counting, so measured URLs stay new):
      // JIT-compiles the path in workerd and fills the cache for the hit scenarios.
      await runLoad(worker.url, scenario, { durationSeconds: warmupSeconds, connections });
      const measured = await runLoad(worker.url, scenario, { durationSeconds, connections });
      results.push(measured);
      console.log(`  done: ${scenario.name} (${Math.round(measured.requestsPerSecond)} req/s)`);
    }
    const failed = printResults(results);
    if (failed) process.exitCode = 1;
  } finally {
    // Looked up here rather than after start, so a start that failed half-way is covered too.
    const started = childWorkerdPids();
    await stop();
    await assertNoWorkerdLeft(started);
  }
}

function printHeader(publishedCount: number) {
  const cpu = cpus();
  const miniflare = JSON.parse(readFileSync(new URL('../node_modules/miniflare/package.json', import.meta.url), 'utf8')).version;
  console.log(`
Machine:    ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, ${process.platform}/${process.arch}, load average ${loadAverage()} at start
Worker:     production bundle (wrangler deploy --dry-run) on workerd via Miniflare ${miniflare}'s HTTP entry, in-memory D1 and cache
Catalog:    ${productCount} seeded products (${publishedCount} published)
Parameters: ${durationSeconds} s per scenario after a ${warmupSeconds} s warm-up, ${connections} connections, autocannon, run one after another
Note:       autocannon (this Node process) and workerd share the same ${cpu.length} cores: figures are for comparison within this run, not capacity.
`);
}

// Other work on the machine (a test run, a build) takes cores from both sides: show it.
const loadAverage = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** Prints the table; returns true when any scenario had failed requests. */
function printResults(results: Measurement[]): boolean {
  const baseline = results[0]!.requestsPerSecond;
  const ratio = (m: Measurement) => m.requestsPerSecond / baseline;
  const rows = [
    ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'vs baseline', 'X-Cache'],
    ...results.map((m) => [
      m.scenario.name,
      m.requestsPerSecond.toFixed(0),
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

  const failures = results.filter((m) => m.non2xx > 0 || m.errors > 0);
  for (const m of failures) console.error(`FAILED: ${m.scenario.name}: ${m.non2xx} non-2xx responses, ${m.errors} errors/timeouts`);
  return failures.length > 0;
}

/** Miniflare's dispose should end workerd; check, and end any straggler we started, by pid. */
async function assertNoWorkerdLeft(pids: number[]) {
  const deadline = Date.now() + 5_000;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const left = pids.filter(isAlive);
  if (left.length === 0) return;
  for (const pid of left) process.kill(pid, 'SIGKILL');
  console.error(`workerd (pid ${left.join(', ')}) was still running after dispose; killed it`);
  process.exitCode = 1;
}

main().catch((error) => {
  console.error('bench:catalog failed:', error);
  process.exitCode = 1;
});
