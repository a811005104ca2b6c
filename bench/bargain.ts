// Bargain helps under a steady stream of friends on local workerd: many sessions helped at once
// (open model, bench/lib/arrivals.ts), each rate against the bare routes driven the same way in
// the same run — GET /healthz/live (no I/O) and GET /healthz (one D1 read) — then proof that
// every answered cut is in its session, the cuts add up, and D1's help rows match once the work
// queue has written them.
//
//   npm run bench:bargain                          200, 500 and 1,000 helps/s, 10 s each
//   BENCH_RATES=50,150 BENCH_DURATION=20 npm run bench:bargain
//
// Each help is one POST /bargains/sessions/:id/help: one D1 read (the helper's name and "new to
// the shop"; the session once per isolate), the ticket in the helper's ShopperTickets object
// (daily limit), and the cut in the session's BargainSession object; D1's help row follows
// through the work queue, off the reply path. Each
// rate gets its own campaign and fresh sessions, so that every arrival is a help that must be
// accepted (arrival n: session n mod S, helper n mod P; P is prime and larger than the helpers
// a session needs, so no pair repeats and no session is helped past its floor).
//
// A benchmark, not a test: it exits non-zero when something cannot start, a help gets a
// non-2xx answer or a consistency check fails — never because a figure is low.
import { runSql, type LocalWorker } from '../scripts/local-worker';
import { buildSeedSql } from '../scripts/seed-data';
import { percentile, Recorder, runArrivals, type ArrivalRun } from './lib/arrivals';
import { query } from './lib/d1';
import { withLocalWorker } from './lib/harness';
import { coreCount, loadAverage, machineLine, miniflareVersion } from './lib/machine';
import { positiveNumber, positiveNumbers } from './lib/settings';
import { setupPost, signInShoppers, type Shopper } from './lib/shoppers';
import { formatTable } from './lib/table';

process.env.WRANGLER_SEND_METRICS = 'false';

const rates = positiveNumbers('BENCH_RATES', [200, 500, 1000]);
const durationSeconds = positiveNumber('BENCH_DURATION', 10);
const warmupSeconds = positiveNumber('BENCH_WARMUP', 2);
const HELPERS_NEEDED = 10;
/** Helpers: a prime above HELPERS_NEEDED, so (n mod P, n mod S) never repeats within a rate. */
const HELPER_POOL = 101;
/** Owners: each launches up to LAUNCHES_PER_OWNER sessions per campaign. */
const OWNER_POOL = 10;
const LAUNCHES_PER_OWNER = 100;
const runId = Date.now().toString(36);

type Scenario = 'live' | 'healthz' | 'help' | 'repeat';
type SessionRef = { id: string; owner: Shopper; campaignId: string };
/** One help arrival: a 201 with its cut, or no answer (timeout, reset, 5xx), whose cut may or may not have been made. */
type Cut = { sessionId: string; cutFen: number } | { sessionId: string; unanswered: true };
type Result = { name: string; scenario: Scenario; rate: number; run: ArrivalRun; rec: Recorder; sessions: SessionRef[]; cuts: Cut[] };
type Check = { name: string; ok: boolean; detail: string };

const scenarioNames: Record<Scenario, string> = {
  live: 'baseline  GET /healthz/live',
  healthz: 'baseline  GET /healthz (D1 read)',
  help: 'help      POST …/sessions/:id/help',
  repeat: 'refused   the same helps again (already helped)',
};

class BargainBench {
  constructor(
    readonly worker: LocalWorker,
    readonly helpers: Shopper[],
    readonly owners: Shopper[],
    readonly sku: { id: string; productId: string; priceFen: number },
  ) {}

  /** A campaign written straight to D1 (set-up, not measured), live now, limits that the run stays under. */
  async newCampaign(): Promise<string> {
    const id = `bgn_bench${runId}${Math.random().toString(36).slice(2, 8)}`;
    const now = Date.now();
    await query(
      this.worker,
      `INSERT INTO bargain_campaigns (id, title, product_id, sku_id, start_price_fen, floor_price_fen, helpers_needed, session_minutes, launches_per_shopper, helps_per_day, buy_before_floor, new_helper_bonus_pct, starts_at, ends_at, status, created_by, created_at, updated_at)
       VALUES (?, 'bench', ?, ?, ?, 1, ?, 1440, ?, 100, 0, 50, ?, ?, 'scheduled', 'bench', ?, ?)`,
      id,
      this.sku.productId,
      this.sku.id,
      this.sku.priceFen,
      HELPERS_NEEDED,
      LAUNCHES_PER_OWNER,
      now - 60_000,
      now + 86_400_000,
      now,
      now,
    );
    return id;
  }

  /** Enough fresh sessions for `helps` helps, launched through the API ten at a time. */
  async launchSessions(helps: number): Promise<SessionRef[]> {
    const campaignId = await this.newCampaign();
    const count = Math.ceil(helps / HELPERS_NEEDED);
    if (count > OWNER_POOL * LAUNCHES_PER_OWNER) throw new Error(`${count} sessions needed; at most ${OWNER_POOL * LAUNCHES_PER_OWNER} per campaign`);
    const sessions: SessionRef[] = [];
    for (let i = 0; i < count; i += 10) {
      const batch = Array.from({ length: Math.min(10, count - i) }, async (_, j) => {
        const owner = this.owners[(i + j) % this.owners.length]!;
        const { session } = await setupPost(this.worker.directUrl, `/bargains/${campaignId}/sessions`, {}, owner.token, { 'idempotency-key': `bench-${runId}-${campaignId}-${i + j}` });
        return { id: session.id as string, owner, campaignId };
      });
      sessions.push(...(await Promise.all(batch)));
    }
    return sessions;
  }

  /** `helped`: for "repeat", the help run whose helps are sent again, pair for pair (each one refused). */
  async measure(scenario: Scenario, rate: number, seconds: number, helped?: Result): Promise<Result> {
    const rec = new Recorder();
    const sessions = scenario === 'help' ? await this.launchSessions(Math.round(rate * seconds)) : (helped?.sessions ?? []);
    const cuts: Cut[] = [];
    let n = 0;
    const run = await runArrivals(rate, seconds, async (dueAt) => {
      const i = n++;
      if (scenario === 'live' || scenario === 'healthz') {
        if ((await rec.request(scenario, `${this.worker.directUrl}${scenario === 'live' ? '/healthz/live' : '/healthz'}`)).ok) rec.flowDone(dueAt);
        return;
      }
      const session = sessions[i % sessions.length]!;
      const helper = this.helpers[i % this.helpers.length]!;
      const url = `${this.worker.directUrl}/bargains/sessions/${session.id}/help`;
      if (scenario === 'repeat') {
        if ((await rec.request('repeat', url, { method: 'POST', headers: { authorization: `Bearer ${helper.token}` } }, { status: 409, code: 'already_helped' })).ok) rec.flowDone(dueAt);
        return;
      }
      const answer = await rec.request('help', url, { method: 'POST', headers: { authorization: `Bearer ${helper.token}` } });
      if (answer.status === 0 || answer.status >= 500) cuts.push({ sessionId: session.id, unanswered: true });
      if (!answer.ok) return;
      cuts.push({ sessionId: session.id, cutFen: answer.body.cut_fen });
      rec.flowDone(dueAt);
    });
    return { name: scenarioNames[scenario], scenario, rate, run, rec, sessions, cuts };
  }
}

async function main() {
  await withLocalWorker({ fakeWeChat: true }, async (worker) => {
    const sku = await seedSku(worker);
    const shoppers = await signInShoppers(worker.directUrl, HELPER_POOL + OWNER_POOL, `bargain_${runId}`);
    const bench = new BargainBench(worker, shoppers.slice(0, HELPER_POOL), shoppers.slice(HELPER_POOL), sku);

    printHeader();
    // Warm-up (not reported): JIT-compiles every path in workerd; its helps are checked too.
    const warmups: Result[] = [];
    for (const scenario of ['live', 'healthz', 'help'] as const) warmups.push(await bench.measure(scenario, rates[0]!, warmupSeconds));

    const results: Result[] = [];
    for (const rate of rates) {
      for (const scenario of ['live', 'healthz', 'help', 'repeat'] as const) {
        const helped = results.find((r) => r.rate === rate && r.scenario === 'help');
        const result = await bench.measure(scenario, rate, durationSeconds, helped);
        results.push(result);
        console.log(`  done: ${result.name} at ${rate}/s (${result.rec.flowMs.length} of ${result.run.started} ok)`);
      }
    }
    const failed = printResults(results);
    await untilAnswering(worker);
    const checks = await consistencyChecks(
      worker,
      [...warmups, ...results].filter((r) => r.scenario === 'help'),
    );
    console.log('\nConsistency (every help arrival, warm-up included):');
    for (const c of checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
    if (failed || checks.some((c) => !c.ok)) process.exitCode = 1;
  });
}

/** The demo catalog; the bargained SKU gets plenty of stock (launching checks it is on sale). */
async function seedSku(worker: LocalWorker) {
  await runSql(worker, buildSeedSql({ now: Date.now() }));
  const [sku] = await query<{ id: string; product_id: string; price_fen: number }>(
    worker,
    `SELECT s.id, s.product_id, s.price_fen FROM skus s JOIN products p ON p.id = s.product_id
     WHERE p.status = 'published' AND s.active = 1 AND s.price_fen >= ? ORDER BY s.id LIMIT 1`,
    HELPERS_NEEDED + 1,
  );
  if (!sku) throw new Error('the seed has no published SKU to bargain on');
  await query(worker, 'UPDATE skus SET stock = 100000 WHERE id = ?', sku.id);
  return { id: sku.id, productId: sku.product_id, priceFen: sku.price_fen };
}

function printHeader() {
  console.log(`
Machine:    ${machineLine()}
Worker:     production bundle (wrangler deploy --dry-run) on workerd via Miniflare ${miniflareVersion()}'s HTTP entry, in-memory D1,
            SQLite-backed BargainSession and ShopperTickets objects, the work queue on Miniflare's local Queues
Shop:       demo catalog; ${HELPER_POOL} helpers and ${OWNER_POOL} owners signed in through the fake WeChat; sessions need ${HELPERS_NEEDED} helpers
Parameters: arrival rates ${rates.join(', ')}/s, ${durationSeconds} s each after one ${warmupSeconds} s warm-up per scenario; open model
            (arrivals start on a timetable whatever earlier ones are doing), fetch with keep-alive, 10 s request timeout;
            each rate: GET /healthz/live, GET /healthz, helps spread over rate × ${durationSeconds} ÷ ${HELPERS_NEEDED} fresh sessions,
            then the same helps again (each refused: already helped)
Note:       the load generator, the fake WeChat and workerd share the same ${coreCount()} cores (and this machine is shared
            with other work): figures are for comparison within this run, not capacity.
`);
}

const ms = (values: number[]) => (values.length ? `${percentile(values, 50).toFixed(1)} / ${percentile(values, 99).toFixed(1)}` : '–');
const doneRate = (r: Result) => r.rec.flowMs.length / r.run.elapsedSeconds;

/** Prints the table and the ratios; returns true when any request got a non-2xx answer. */
function printResults(results: Result[]): boolean {
  const rows = [
    ['scenario', 'target/s', 'achieved/s', 'lag p99', 'request p50/p99', 'flow p50/p99', 'non-2xx', 'errors', 'done/s'],
    ...results.map((r) => [
      r.name,
      String(r.rate),
      r.run.achievedRate.toFixed(1),
      percentile(r.run.startLagMs, 99).toFixed(1),
      ms(r.rec.stats(r.scenario).latencyMs),
      ms(r.rec.flowMs),
      String(r.rec.non2xx),
      String(r.rec.errors),
      doneRate(r).toFixed(1),
    ]),
  ];
  console.log(`\n${formatTable(rows)}\n`);
  console.log("  latencies in ms; flow = from the arrival's due time to its answer (so it includes the start lag);");
  console.log("  lag = how late the generator started arrivals; done/s = answered 2xx ÷ the scenario's length");
  console.log(`  load average at end: ${loadAverage()}\n`);

  for (const rate of rates) {
    const of = (s: Scenario) => results.find((r) => r.rate === rate && r.scenario === s)!;
    const help = of('help');
    const repeat = of('repeat');
    console.log(
      `Refused (already helped) at ${rate}/s: ${doneRate(repeat).toFixed(1)} done/s = ${(doneRate(repeat) / doneRate(of('live'))).toFixed(2)}× /healthz/live (target 0.8×), p99 ${percentile(repeat.rec.flowMs, 99).toFixed(1)} ms vs ${percentile(of('live').rec.flowMs, 99).toFixed(1)} ms`,
    );
    for (const base of ['live', 'healthz'] as const) {
      const b = of(base);
      console.log(
        `Help vs ${base === 'live' ? '/healthz/live' : '/healthz'} at ${rate}/s: throughput ${(doneRate(help) / doneRate(b)).toFixed(2)}× ` +
          `(${doneRate(help).toFixed(1)} vs ${doneRate(b).toFixed(1)} done/s), p50 ${(percentile(help.rec.flowMs, 50) / percentile(b.rec.flowMs, 50)).toFixed(1)}×, ` +
          `p99 ${(percentile(help.rec.flowMs, 99) / percentile(b.rec.flowMs, 99)).toFixed(1)}× the bare route's`,
      );
    }
  }
  for (const r of results.filter((x) => x.rec.non2xx > 0 || x.rec.errors > 0)) {
    console.error(`FAILED: ${r.name} at ${r.rate}/s: ${[...r.rec.failures].map(([kind, n]) => `${n}× ${kind}`).join('; ')}`);
  }
  return results.some((r) => r.rec.non2xx > 0 || r.rec.errors > 0);
}

/**
 * Every answered cut is in its session's ledger; the ledger holds nothing else but cuts whose
 * answer was lost (timeouts: the server may have made them); the ledger adds up; and D1's help
 * rows match the ledgers (one per recorded cut) once the work queue has written them.
 */
async function consistencyChecks(worker: LocalWorker, runs: Result[]): Promise<Check[]> {
  let sessions = 0;
  let missing = 0;
  let fromNowhere = 0;
  let priceMismatch = 0;
  let overFloor = 0;
  let rowMismatch = 0;
  let answered = 0;
  let unanswered = 0;
  let recordedTotal = 0;
  for (const run of runs) {
    let recordedInCampaign = 0;
    for (const s of run.sessions) {
      sessions++;
      const response = await fetch(`${worker.directUrl}/bargains/sessions/${s.id}`, { headers: { authorization: `Bearer ${s.owner.token}` } });
      const view = (await response.json()) as { helps: { cut_fen: number }[]; cut_total_fen: number; start_price_fen: number; current_price_fen: number; floor_price_fen: number };
      const mine = run.cuts.filter((c) => c.sessionId === s.id);
      const lost = mine.filter((c) => 'unanswered' in c).length;
      const recorded = view.helps.map((h) => h.cut_fen);
      const left = [...recorded];
      for (const c of mine) {
        if ('unanswered' in c) continue;
        const at = left.indexOf(c.cutFen);
        if (at < 0) missing++;
        else left.splice(at, 1);
      }
      if (left.length > lost) fromNowhere++;
      recordedInCampaign += recorded.length;
      if (view.cut_total_fen !== recorded.reduce((a, b) => a + b, 0) || view.current_price_fen !== view.start_price_fen - view.cut_total_fen) priceMismatch++;
      if (recorded.length > HELPERS_NEEDED || view.current_price_fen < view.floor_price_fen || (recorded.length === HELPERS_NEEDED && view.current_price_fen !== view.floor_price_fen)) overFloor++;
    }
    answered += run.cuts.filter((c) => !('unanswered' in c)).length;
    unanswered += run.cuts.filter((c) => 'unanswered' in c).length;
    recordedTotal += recordedInCampaign;
    const campaignId = run.sessions[0]?.campaignId;
    if (campaignId && (await helpRowsOnceDrained(worker, campaignId, recordedInCampaign)) !== recordedInCampaign) rowMismatch++;
  }
  return [
    { name: 'every 201 cut is in its session', ok: missing === 0, detail: `${answered} cuts answered across ${sessions} sessions; ${missing} missing` },
    {
      name: 'no cut in a ledger beyond the 201s and the unanswered helps',
      ok: fromNowhere === 0,
      detail: `${recordedTotal} cuts recorded; ${unanswered} helps got no answer; ${fromNowhere} sessions with unexplained cuts`,
    },
    { name: 'cut_total = Σ cuts and current = start − cut_total', ok: priceMismatch === 0, detail: `${priceMismatch} sessions off` },
    { name: 'no session below its floor; a full session exactly on it', ok: overFloor === 0, detail: `${overFloor} sessions off` },
    { name: 'D1 help rows = cuts recorded, per campaign, once the queue has drained', ok: rowMismatch === 0, detail: `${rowMismatch} of ${runs.length} campaigns differ` },
  ];
}

/** After an overloaded rate, the worker may still be working through the backlog: wait (up to 2 minutes) until it answers again. */
async function untilAnswering(worker: LocalWorker) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ok = await fetch(`${worker.directUrl}/healthz/live`, { signal: AbortSignal.timeout(5_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** D1's help rows of the campaign once they reach `expected` or stop growing for 5 s (the queue has drained). */
async function helpRowsOnceDrained(worker: LocalWorker, campaignId: string, expected: number): Promise<number> {
  let last = -1;
  let stableSince = Date.now();
  for (;;) {
    const [{ n } = { n: 0 }] = await query<{ n: number }>(worker, 'SELECT count(*) AS n FROM bargain_helps WHERE campaign_id = ?', campaignId);
    if (n >= expected) return n;
    if (n !== last) [last, stableSince] = [n, Date.now()];
    if (Date.now() - stableSince > 5_000) return n;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

main().catch((error) => {
  console.error('bench:bargain failed:', error);
  process.exitCode = 1;
});
