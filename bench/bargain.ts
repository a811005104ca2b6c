// Bargain helps on local workerd, driven by wrk (bench/lib/wrk-posts.ts, the load generator of
// bench:flash and bench:group). Each round has its own campaign: owners launch BENCH_SESSIONS
// sessions (set-up, not measured); the bare routes are driven for a few seconds (GET
// /healthz/live, no I/O; GET /healthz, one D1 read); then HELPERS_NEEDED friends per session
// help it, each help sent once, a session's friends next to each other so they race for its
// cuts; then the same helps again (each refused: already helped, from the isolate's memory).
// Every helper is new to the shop, as a shared bargain link brings friends who are.
//
//   npm run bench:bargain                        400 sessions × 10 helpers, 2 rounds, 100 connections
//   BENCH_SESSIONS=800 BENCH_ROUNDS=3 BENCH_CONNECTIONS=200 npm run bench:bargain
//
// Each help is one POST /bargains/sessions/:id/help: one D1 read (the helper's name and "new to
// the shop"; the session once per isolate), the helper's daily ticket in the campaign's
// BargainHelpTickets shard, and the cut in the session's BargainSession object; D1's help row follows through the
// work queue, off the reply path. Until the fifth pass of issue 12 this bench sent helps at fixed
// arrival rates from Node's fetch, whose own cost on the two shared cores was the bound.
//
// A benchmark, not a test: it exits non-zero when something cannot start, a help gets an answer
// other than 201 (or 409 already_helped when sent again), or a consistency check fails — never
// because a figure is low. Helps that got no answer (a reset connection) are counted and printed.
import type { LocalWorker } from '../scripts/local-worker';
import { Crowd, seedBuyers } from './lib/accounts';
import { helpPosts, launchSessions, newBargainCampaign, seedBargainSku, type BargainSku, type SessionRef } from './lib/bargains';
import { query } from './lib/d1';
import { withLocalWorker } from './lib/harness';
import { coreCount, loadAverage, machineLine, miniflareVersion } from './lib/machine';
import { positiveNumber } from './lib/settings';
import { roundTable } from './lib/round-table';
import { requireWrk, runWrk, type WrkMeasurement } from './lib/wrk';
import { burstPosts, type PostBurst } from './lib/wrk-posts';

process.env.WRANGLER_SEND_METRICS = 'false';

const sessionCount = Math.ceil(positiveNumber('BENCH_SESSIONS', 400));
const rounds = Math.ceil(positiveNumber('BENCH_ROUNDS', 2));
const connections = Math.ceil(positiveNumber('BENCH_CONNECTIONS', 100));
const HELPERS_NEEDED = 10;
const BASELINE_SECONDS = 5;
const ROWS_WAIT_MS = 90_000;
const JWT_KID = 'bench';
const JWT_KEYS = JSON.stringify({ [JWT_KID]: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url') });

type Round = { label: string; campaignId: string; sessions: SessionRef[]; live: WrkMeasurement; healthz: WrkMeasurement; helps: PostBurst; repeats: PostBurst };
type Check = { name: string; ok: boolean; detail: string };

async function round(worker: LocalWorker, label: string, sku: BargainSku, crowd: Crowd): Promise<Round> {
  const campaignId = await newBargainCampaign(worker, sku, HELPERS_NEEDED);
  const sessions = await launchSessions(worker, campaignId, crowd.take(sessionCount));
  const helpers = crowd.take(sessionCount * HELPERS_NEEDED);
  const base = (path: string) => runWrk(worker.directUrl, [path], { connections, threads: 2, durationSeconds: BASELINE_SECONDS });
  const live = await base('/healthz/live');
  const healthz = await base('/healthz');
  const keyPrefix = `bench-${label.replace(/\W+/g, '-')}`;
  const helps = await burstPosts(worker.directUrl, helpPosts(sessions, helpers, HELPERS_NEEDED, `${keyPrefix}-help`), connections);
  const repeats = await burstPosts(worker.directUrl, helpPosts(sessions, helpers, HELPERS_NEEDED, `${keyPrefix}-again`), connections);
  return { label, campaignId, sessions, live, healthz, helps, repeats };
}

function printResults(results: Round[]) {
  const helps = sessionCount * HELPERS_NEEDED;
  const table = roundTable(
    results.map((r) => ({
      ...r,
      bursts: [
        { name: `help (${sessionCount} sessions × ${HELPERS_NEEDED})`, requests: helps, burst: r.helps },
        { name: 'the same helps again', requests: helps, burst: r.repeats },
      ],
    })),
  );
  console.log(`\n${table}\n`);
  console.log(`  wrk, ${connections} connections, 2 threads; baselines for ${BASELINE_SECONDS} s each; each help sent once; answers/s = answers ÷ (first request to last answer)`);
  console.log(`  load average at end: ${loadAverage()}\n`);
  for (const r of results) {
    console.log(`${r.label}: ${(r.helps.created / r.helps.seconds).toFixed(0)} helps/s (target 1,000) = ${(r.helps.requestsPerSecond / r.live.requestsPerSecond).toFixed(2)}× /healthz/live`);
    console.log(
      `${r.label}: already-helped refusals ${r.repeats.requestsPerSecond.toFixed(0)}/s = ${(r.repeats.requestsPerSecond / r.live.requestsPerSecond).toFixed(2)}× /healthz/live (target 0.8×)`,
    );
  }
}

/**
 * Every session's ledger adds up and stays on or above its floor; the cuts recorded are the 201s
 * (plus at most the unanswered helps, which the server may have made); nothing sent again was
 * accepted; and D1's help rows match the ledgers once the work queue has written them.
 */
async function consistencyChecks(worker: LocalWorker, results: Round[]): Promise<Check[]> {
  let sessions = 0;
  let priceMismatch = 0;
  let overFloor = 0;
  const rowsShort: string[] = [];
  let recorded = 0;
  for (const r of results) {
    let inCampaign = 0;
    for (const s of r.sessions) {
      sessions++;
      const response = await fetch(`${worker.directUrl}/bargains/sessions/${s.id}`, { headers: { authorization: `Bearer ${s.owner.token}` } });
      const view = (await response.json()) as { helps: { cut_fen: number }[]; cut_total_fen: number; start_price_fen: number; current_price_fen: number; floor_price_fen: number };
      const cuts = view.helps.map((h) => h.cut_fen);
      inCampaign += cuts.length;
      if (view.cut_total_fen !== cuts.reduce((a, b) => a + b, 0) || view.current_price_fen !== view.start_price_fen - view.cut_total_fen) priceMismatch++;
      if (cuts.length > HELPERS_NEEDED || view.current_price_fen < view.floor_price_fen || (cuts.length === HELPERS_NEEDED && view.current_price_fen !== view.floor_price_fen)) overFloor++;
    }
    recorded += inCampaign;
    const rows = await helpRowsWhenWritten(worker, r.campaignId, inCampaign);
    if (rows !== inCampaign) rowsShort.push(`${r.label}: ${rows} rows for ${inCampaign} cuts`);
  }
  // A help sent again is accepted only when its first try made no cut (a 5xx, no answer), so the
  // 201s of both bursts are distinct cuts: more 201s than cuts would be a help accepted twice.
  const answered = results.reduce((n, r) => n + r.helps.created + r.repeats.created, 0);
  const unanswered = results.reduce((n, r) => n + r.helps.unanswered + r.repeats.unanswered, 0);
  const serverErrors = results.reduce((n, r) => n + serverErrorsOf(r.helps) + serverErrorsOf(r.repeats), 0);
  const unexpected = results.reduce((n, r) => n + r.helps.refusals.size + [...r.repeats.refusals].filter(([k]) => k !== '409 already_helped').length, 0);
  return [
    { name: 'every help answered 201; every help sent again 409 already_helped', ok: unexpected === 0, detail: `${unexpected} other kinds of answer (${serverErrors} answers 5xx)` },
    {
      name: 'cuts recorded = the 201s (+ at most the helps answered 5xx or not at all, which may have cut)',
      ok: recorded >= answered && recorded <= answered + unanswered + serverErrors,
      detail: `${recorded} cuts in ${sessions} sessions; ${answered} answered 201, ${serverErrors} 5xx, ${unanswered} unanswered`,
    },
    { name: 'cut_total = Σ cuts and current = start − cut_total', ok: priceMismatch === 0, detail: `${priceMismatch} sessions off` },
    { name: 'no session below its floor; a full session exactly on it', ok: overFloor === 0, detail: `${overFloor} sessions off` },
    {
      name: 'D1 help rows = cuts recorded, per campaign (the queue, or the session alarm within a minute, writes them)',
      ok: rowsShort.length === 0,
      detail: rowsShort.length ? rowsShort.join('; ') : `${results.length} campaigns`,
    },
  ];
}

const serverErrorsOf = (b: PostBurst) => [...b.refusals].filter(([kind]) => kind.startsWith('5')).reduce((n, [, count]) => n + count, 0);

/** D1's help rows of the campaign once they reach `expected`, or after ROWS_WAIT_MS (the session alarm's minute and some). */
async function helpRowsWhenWritten(worker: LocalWorker, campaignId: string, expected: number): Promise<number> {
  const deadline = Date.now() + ROWS_WAIT_MS;
  for (;;) {
    const [{ n } = { n: 0 }] = await query<{ n: number }>(worker, 'SELECT count(*) AS n FROM bargain_helps WHERE campaign_id = ?', campaignId);
    if (n >= expected || Date.now() > deadline) return n;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function main() {
  await requireWrk();
  await withLocalWorker({ bindings: { JWT_KEYS, JWT_ACTIVE_KID: JWT_KID }, fakeWeChat: false }, async (worker) => {
    const sku = await seedBargainSku(worker, HELPERS_NEEDED);
    const crowd = new Crowd(await seedBuyers(worker, sessionCount * (1 + HELPERS_NEEDED) * (rounds + 1), { keys: JWT_KEYS, kid: JWT_KID }));
    console.log(`
Machine:    ${machineLine()}
Worker:     production bundle on workerd via Miniflare ${miniflareVersion()}, in-memory D1, SQLite-backed BargainSession and BargainHelpTickets
            objects, the work queue on Miniflare's local Queues
Parameters: a warm-up round (not reported), then ${rounds} round(s), each its own campaign: ${sessionCount} sessions × ${HELPERS_NEEDED} helpers, every owner and
            helper new to the shop; per round GET /healthz/live and GET /healthz (${BASELINE_SECONDS} s each), the helps, then the same helps again
Note:       wrk and workerd share the same ${coreCount()} cores: figures are for comparison within this run, not capacity.
`);
    const warmUp = await round(worker, 'warm-up', sku, crowd);
    console.log(`  warm-up done (${warmUp.helps.created} helps)`);
    const results: Round[] = [];
    for (let r = 1; r <= rounds; r++) results.push(await round(worker, `round ${r}`, sku, crowd));
    printResults(results);
    const checks = await consistencyChecks(worker, [warmUp, ...results]);
    console.log('\nConsistency (every help, warm-up included):');
    for (const c of checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
    if (checks.some((c) => !c.ok)) process.exitCode = 1;
  });
}

main().catch((error) => {
  console.error('bench:bargain failed:', error);
  process.exitCode = 1;
});
