// Check-in (签到) under the morning rush, on local workerd: BENCH_SHOPPERS (10,000) shoppers check
// in at once at 09:00 shop time — each one tapping BENCH_TAPS (2) times, the taps of one shopper
// on different connections side by side — driven by autocannon over BENCH_CONNECTIONS keep-alive
// connections, against the bare route (GET /healthz/live) of the same worker and workerd running
// one Hono route (bench/workers/bare-hono.ts), driven the same way in the same run. Then checked
// in D1: exactly one check-in row and one grant per shopper, every other tap a 409
// already_checked_in, each balance = the base reward, the journal = the lots.
//
//   npm run bench:checkin
//   BENCH_SHOPPERS=20000 BENCH_TAPS=3 BENCH_CONNECTIONS=200 npm run bench:checkin
//
// "At 09:00": the worker's day is the shop's (SHOP_TIME_ZONE); the run binds it to the whole-hour
// zone where the wall clock now reads 09:xx, so the burst lands at 09:00 shop time whenever it runs.
// A benchmark, not a test: it exits non-zero when an answer is unexpected or a check fails, never
// because a figure is low.
import { runSql, type LocalWorker } from '../scripts/local-worker';
import { buildSeedSql } from '../scripts/seed-data';
import { seedBuyers, signInMerchant, type Buyer } from './lib/accounts';
import { startBareWorker } from './lib/bare-worker';
import { burst, type Burst } from './lib/burst';
import { query } from './lib/d1';
import { withLocalWorker } from './lib/harness';
import { coreCount, loadAverage, machineLine, miniflareVersion } from './lib/machine';
import { positiveNumber } from './lib/settings';
import { formatTable } from './lib/table';

process.env.WRANGLER_SEND_METRICS = 'false';

const shoppers = Math.ceil(positiveNumber('BENCH_SHOPPERS', 10_000));
const taps = Math.ceil(positiveNumber('BENCH_TAPS', 2));
const connections = Math.ceil(positiveNumber('BENCH_CONNECTIONS', 100));
const WARM_SHOPPERS = 500;
const BASE_POINTS = 5;
const JWT = { kid: 'bench', keys: JSON.stringify({ bench: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url') }) };
const MERCHANT = { username: 'bench_owner', password: `bench-${crypto.randomUUID()}` };

/** The whole-hour zone where it is now 09:xx (Etc/GMT-N is UTC+N: POSIX signs are inverted). */
function zoneAtNineNow(): { zone: string; localTime: string } {
  const offset = (((9 - new Date().getUTCHours()) % 24) + 24) % 24;
  const hours = offset > 14 ? offset - 24 : offset;
  const zone = hours === 0 ? 'Etc/GMT' : `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}`;
  const localTime = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(new Date());
  return { zone, localTime };
}

/** The i-th request is a tap of shopper ⌊i / taps⌋: one shopper's taps go out back to back on different connections. */
const checkInRequest = (buyers: Buyer[]) => (i: number) => ({
  method: 'POST',
  path: '/me/check-ins',
  headers: { authorization: `Bearer ${buyers[Math.floor(i / taps) % buyers.length]!.token}` },
});

async function main() {
  const { zone, localTime } = zoneAtNineNow();
  await withLocalWorker({ bindings: { JWT_KEYS: JWT.keys, JWT_ACTIVE_KID: JWT.kid, SHOP_TIME_ZONE: zone }, fakeWeChat: false }, async (worker) => {
    await runSql(worker, buildSeedSql({ now: Date.now() }));
    const token = await signInMerchant(worker, MERCHANT);
    await settings(worker, token);
    const buyers = await seedBuyers(worker, shoppers + WARM_SHOPPERS, JWT);
    const [runners, warmers] = [buyers.slice(0, shoppers), buyers.slice(shoppers)];
    console.log(`
Machine:    ${machineLine()}
Worker:     production bundle on workerd (Miniflare ${miniflareVersion()}), workerd's own socket; in-memory D1
Check-in:   ${shoppers} shoppers × ${taps} taps of POST /me/check-ins (no body) at ${localTime} shop time (SHOP_TIME_ZONE=${zone}),
            base reward ${BASE_POINTS} points; autocannon, ${connections} keep-alive connections, ${shoppers * taps} requests
Baselines:  GET /healthz/live of the same worker and of workerd running one Hono route, as many requests the same way
Note:       the load generator and workerd share the same ${coreCount()} cores: figures compare within this run, not capacity.
`);
    const bare = await startBareWorker();
    try {
      const total = shoppers * taps;
      // Warm-up (not reported).
      await burst(bare.directUrl, 50, 1_000, () => ({ method: 'GET', path: '/healthz/live' }));
      await burst(worker.directUrl, 50, 1_000, () => ({ method: 'GET', path: '/healthz/live' }));
      await burst(worker.directUrl, 50, WARM_SHOPPERS * taps, checkInRequest(warmers));

      const bareRun = await burst(bare.directUrl, connections, total, () => ({ method: 'GET', path: '/healthz/live' }));
      const route = await burst(worker.directUrl, connections, total, () => ({ method: 'GET', path: '/healthz/live' }));
      const checkIns = await burst(worker.directUrl, connections, total, checkInRequest(runners));
      report(bareRun, route, checkIns);
      const failed = await checkExactness(worker, runners, checkIns);
      console.log(`  load average at end: ${loadAverage()}`);
      if (failed) process.exitCode = 1;
    } finally {
      await bare.dispose();
    }
  });
}

async function settings(worker: LocalWorker, token: string) {
  const res = await fetch(`${worker.directUrl}/admin/api/loyalty/settings`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ check_in_base_points: BASE_POINTS, check_in_cycle: 'monthly' }),
  });
  if (!res.ok) throw new Error(`loyalty settings: ${res.status} ${await res.text()}`);
}

function report(bare: Burst, route: Burst, checkIns: Burst) {
  const row = (name: string, b: Burst) => [
    name,
    b.requestsPerSecond.toFixed(0),
    `${b.p50Ms} / ${b.p99Ms}`,
    String(b.statuses.get(201) ?? b.statuses.get(200) ?? 0),
    [...b.codes].map(([k, n]) => `${n}× ${k}`).join(', ') || '–',
    String(b.errors + b.timeouts),
  ];
  console.log(
    formatTable([
      ['burst', 'req/s', 'p50 / p99 ms', '2xx', 'refusals', 'unanswered'],
      row('bare Hono GET /healthz/live', bare),
      row('GET /healthz/live', route),
      row('POST /me/check-ins', checkIns),
    ]),
  );
  console.log(
    `  check-in req/s: ${(checkIns.requestsPerSecond / route.requestsPerSecond).toFixed(2)}× the bare route's, ${(checkIns.requestsPerSecond / bare.requestsPerSecond).toFixed(2)}× bare Hono's; p99 ${(checkIns.p99Ms / Math.max(route.p99Ms, 1)).toFixed(1)}× the bare route's\n`,
  );
}

/** Exactly one check-in and one grant per shopper; every other tap refused; balances and the ledger agree. */
async function checkExactness(worker: LocalWorker, runners: Buyer[], checkIns: Burst): Promise<boolean> {
  const ids = `SELECT id FROM users WHERE id >= '${runners[0]!.id}' AND id <= '${runners.at(-1)!.id}'`;
  const [rows] = await query<{ n: number; users: number }>(worker, `SELECT count(*) AS n, count(DISTINCT user_id) AS users FROM check_ins WHERE user_id IN (${ids})`);
  const [grants] = await query<{ n: number; total: number }>(
    worker,
    `SELECT count(*) AS n, coalesce(sum(delta), 0) AS total FROM point_entries WHERE source = 'check_in' AND kind = 'credit' AND user_id IN (${ids})`,
  );
  const [off] = await query<{ n: number }>(
    worker,
    `SELECT count(*) AS n FROM (SELECT u.id, (SELECT coalesce(sum(remaining), 0) FROM point_lots l WHERE l.user_id = u.id) AS held FROM (${ids}) u) WHERE held != ${BASE_POINTS}`,
  );
  const [ledger] = await query<{ journal: number; lots: number }>(
    worker,
    `SELECT (SELECT coalesce(sum(delta + frozen_delta), 0) FROM point_entries WHERE user_id IN (${ids})) AS journal, (SELECT coalesce(sum(remaining), 0) FROM point_lots WHERE user_id IN (${ids})) AS lots`,
  );
  const refusedTaps = checkIns.codes.get('409 already_checked_in') ?? 0;
  const checks = [
    { name: 'one check-in per shopper (201 answers)', ok: (checkIns.statuses.get(201) ?? 0) === runners.length, detail: `${checkIns.statuses.get(201) ?? 0} of ${runners.length}` },
    { name: 'one check-in row per shopper', ok: rows!.n === runners.length && rows!.users === runners.length, detail: `${rows!.n} rows, ${rows!.users} shoppers` },
    { name: 'one grant per shopper, the base reward each', ok: grants!.n === runners.length && grants!.total === runners.length * BASE_POINTS, detail: `${grants!.n} grants, ${grants!.total} points` },
    { name: 'every other tap 409 already_checked_in', ok: refusedTaps === runners.length * (taps - 1) && checkIns.codes.size === (taps > 1 ? 1 : 0), detail: `${refusedTaps}; ${[...checkIns.codes.keys()].join(', ') || 'no refusals'}` },
    { name: `every balance = ${BASE_POINTS}`, ok: off!.n === 0, detail: `${off!.n} shoppers off` },
    { name: 'journal = lots', ok: ledger!.journal === ledger!.lots, detail: `${ledger!.journal} = ${ledger!.lots}` },
    { name: 'every request answered', ok: checkIns.errors + checkIns.timeouts === 0, detail: `${checkIns.errors} errors, ${checkIns.timeouts} timeouts` },
  ];
  console.log('Exactness:');
  for (const c of checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
  return checks.some((c) => !c.ok);
}

main().catch((error) => {
  console.error('bench:checkin failed:', error);
  process.exitCode = 1;
});
