// Concurrent spends on one points balance, on local workerd: one shopper whose balance is
// BENCH_LOTS (100) lots sends BENCH_SPENDS (1,000) points-mall exchanges (a coupon item priced in
// points) over BENCH_CONNECTIONS (200) keep-alive connections at once — more than the balance
// pays for — against the same number of exchanges by as many shoppers holding one price each (the
// same route and batch without contention on one balance), and the bare route, driven the same
// way in the same run. Then checked in D1: exactly ⌊balance / price⌋ exchanges, every other
// answer 422 insufficient_points, the balance = what was left, the journal = the lots = the takes.
//
//   npm run bench:points
//   BENCH_SPENDS=5000 BENCH_LOTS=500 BENCH_CONNECTIONS=400 npm run bench:points
//
// A benchmark, not a test: it exits non-zero when an answer is unexpected or a check fails, never
// because a figure is low.
import { runSql, type LocalWorker } from '../scripts/local-worker';
import { buildSeedSql } from '../scripts/seed-data';
import { seedBuyers, signInMerchant, type Buyer } from './lib/accounts';
import { burst, type Burst } from './lib/burst';
import { query } from './lib/d1';
import { withLocalWorker } from './lib/harness';
import { coreCount, loadAverage, machineLine, miniflareVersion } from './lib/machine';
import { positiveNumber } from './lib/settings';
import { formatTable } from './lib/table';

process.env.WRANGLER_SEND_METRICS = 'false';

const spends = Math.ceil(positiveNumber('BENCH_SPENDS', 1_000));
const lots = Math.ceil(positiveNumber('BENCH_LOTS', 100));
const connections = Math.ceil(positiveNumber('BENCH_CONNECTIONS', 200));
const PRICE = 300;
const LOT = 1_000;
const JWT = { kid: 'bench', keys: JSON.stringify({ bench: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url') }) };
const MERCHANT = { username: 'bench_owner', password: `bench-${crypto.randomUUID()}` };
const HOUR = 3_600_000;

async function admin(worker: LocalWorker, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${worker.directUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as any;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** A coupon item priced in points, with stock and limits that never stop a spend (the balance must). */
async function couponItem(worker: LocalWorker, token: string): Promise<string> {
  const now = Date.now();
  const template = await admin(worker, token, 'POST', '/admin/api/coupons', {
    name: '积分兑换券',
    kind: 'no_threshold',
    amount_off_fen: 500,
    scope: { kind: 'all' },
    total_quantity: null,
    in_centre: false,
    claim_starts_at: new Date(now - HOUR).toISOString(),
    claim_ends_at: new Date(now + 24 * HOUR).toISOString(),
    validity: { kind: 'relative', days: 7 },
  });
  await admin(worker, token, 'POST', `/admin/api/coupons/${template.id}/activate`);
  const item = await admin(worker, token, 'POST', '/admin/api/points-mall/items', {
    kind: 'coupon',
    title: '5 元券',
    coupon_template_id: template.id,
    points_price: PRICE,
    stock: 1_000_000,
    per_shopper_limit: 1000,
  });
  return item.id;
}

/** `count` merchant grants (one lot each, as many journal entries), sent a few at a time. */
async function grant(worker: LocalWorker, token: string, userIds: string[], points: number) {
  for (let i = 0; i < userIds.length; i += 20) {
    await Promise.all(userIds.slice(i, i + 20).map((id) => admin(worker, token, 'POST', `/admin/api/shoppers/${id}/points`, { points, reason: 'bench' })));
  }
}

const exchangeRequest = (itemId: string, buyerOf: (i: number) => Buyer, run: string) => (i: number) => ({
  method: 'POST',
  path: `/points-mall/items/${itemId}/exchange`,
  headers: { authorization: `Bearer ${buyerOf(i).token}`, 'idempotency-key': `bench-${run}-${i}`, 'content-type': 'application/json' },
  body: '{}',
});

async function main() {
  await withLocalWorker({ bindings: { JWT_KEYS: JWT.keys, JWT_ACTIVE_KID: JWT.kid }, fakeWeChat: false }, async (worker) => {
    await runSql(worker, buildSeedSql({ now: Date.now() }));
    const token = await signInMerchant(worker, MERCHANT);
    const itemId = await couponItem(worker, token);
    const [hot, ...others] = await seedBuyers(worker, 1 + spends + 100, JWT);
    const [spreads, warmers] = [others.slice(0, spends), others.slice(spends)];
    const balance = lots * LOT;
    await grant(worker, token, Array.from({ length: lots }, () => hot!.id), LOT);
    await grant(worker, token, [...spreads, ...warmers].map((b) => b.id), PRICE);
    console.log(`
Machine:    ${machineLine()}
Worker:     production bundle on workerd (Miniflare ${miniflareVersion()}), workerd's own socket; in-memory D1
One balance: ${spends} POST /points-mall/items/:id/exchange (a coupon for ${PRICE} points) by ONE shopper holding ${balance} points in
            ${lots} lots: ${Math.floor(balance / PRICE)} can be paid; autocannon, ${connections} keep-alive connections, all at once
Baselines:  as many exchanges by ${spends} shoppers holding ${PRICE} points each (no contention on a balance); GET /healthz/live
Note:       the load generator and workerd share the same ${coreCount()} cores: figures compare within this run, not capacity.
`);
    // Warm-up (not reported).
    await burst(worker.directUrl, 50, 1_000, () => ({ method: 'GET', path: '/healthz/live' }));
    await burst(worker.directUrl, 50, warmers.length, exchangeRequest(itemId, (i) => warmers[i]!, 'warm'));

    const route = await burst(worker.directUrl, connections, spends, () => ({ method: 'GET', path: '/healthz/live' }));
    const spread = await burst(worker.directUrl, connections, spends, exchangeRequest(itemId, (i) => spreads[i]!, 'spread'));
    const oneBalance = await burst(worker.directUrl, connections, spends, exchangeRequest(itemId, () => hot!, 'hot'));

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
        row('GET /healthz/live', route),
        row('exchange, one balance each', spread),
        row('exchange, ONE balance', oneBalance),
      ]),
    );
    console.log(
      `  one balance: ${(oneBalance.requestsPerSecond / spread.requestsPerSecond).toFixed(2)}× the req/s of spends spread over shoppers, ${(oneBalance.requestsPerSecond / route.requestsPerSecond).toFixed(2)}× the bare route's\n`,
    );
    const failed = await checkExactness(worker, hot!, spreads, balance, oneBalance, spread);
    console.log(`  load average at end: ${loadAverage()}`);
    if (failed) process.exitCode = 1;
  });
}

async function checkExactness(worker: LocalWorker, hot: Buyer, spreads: Buyer[], balance: number, oneBalance: Burst, spread: Burst): Promise<boolean> {
  const affordable = Math.floor(balance / PRICE);
  const [lotsNow] = await query<{ held: number; negative: number }>(worker, 'SELECT coalesce(sum(remaining), 0) AS held, coalesce(sum(remaining < 0), 0) AS negative FROM point_lots WHERE user_id = ?', hot.id);
  const [journal] = await query<{ net: number; debits: number; spent: number }>(
    worker,
    "SELECT coalesce(sum(delta + frozen_delta), 0) AS net, coalesce(sum(kind = 'debit'), 0) AS debits, coalesce(-sum(CASE WHEN kind = 'debit' THEN delta END), 0) AS spent FROM point_entries WHERE user_id = ?",
    hot.id,
  );
  const [takes] = await query<{ taken: number }>(worker, 'SELECT coalesce(sum(t.amount), 0) AS taken FROM point_takes t JOIN point_lots l ON l.id = t.lot_id WHERE l.user_id = ?', hot.id);
  const [exchanges] = await query<{ n: number }>(worker, 'SELECT count(*) AS n FROM mall_exchanges WHERE user_id = ?', hot.id);
  const [spreadLeft] = await query<{ n: number }>(
    worker,
    'SELECT count(*) AS n FROM point_lots WHERE remaining != 0 AND user_id BETWEEN ? AND ?',
    spreads[0]!.id,
    spreads.at(-1)!.id,
  );
  const won = oneBalance.statuses.get(201) ?? 0;
  const checks = [
    { name: `exactly ⌊${balance} / ${PRICE}⌋ spends paid (201 answers)`, ok: won === affordable, detail: `${won} of ${affordable}` },
    { name: 'exactly as many exchange rows', ok: exchanges!.n === affordable, detail: `${exchanges!.n}` },
    {
      name: 'every other answer 422 insufficient_points',
      ok: (oneBalance.codes.get('422 insufficient_points') ?? 0) === spends - affordable && oneBalance.codes.size === (spends > affordable ? 1 : 0),
      detail: [...oneBalance.codes].map(([k, n]) => `${n}× ${k}`).join(', ') || 'none',
    },
    { name: 'the balance holds what was left, no lot below 0', ok: lotsNow!.held === balance - affordable * PRICE && lotsNow!.negative === 0, detail: `${lotsNow!.held} left` },
    { name: 'journal = lots, debits = takes = spends × price', ok: journal!.net === lotsNow!.held && journal!.debits === affordable && journal!.spent === takes!.taken && takes!.taken === affordable * PRICE, detail: `journal ${journal!.net}, ${journal!.debits} debits, taken ${takes!.taken}` },
    { name: 'spread over shoppers: every spend paid, every balance 0', ok: (spread.statuses.get(201) ?? 0) === spreads.length && spreadLeft!.n === 0, detail: `${spread.statuses.get(201) ?? 0} of ${spreads.length}, ${spreadLeft!.n} lots left over` },
    { name: 'every request answered', ok: oneBalance.errors + oneBalance.timeouts + spread.errors + spread.timeouts === 0, detail: `${oneBalance.errors + spread.errors} errors, ${oneBalance.timeouts + spread.timeouts} timeouts` },
  ];
  console.log('Exactness:');
  for (const c of checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
  return checks.some((c) => !c.ok);
}

main().catch((error) => {
  console.error('bench:points failed:', error);
  process.exitCode = 1;
});
