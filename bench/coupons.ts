// Coupons under load on local workerd:
//  1. the claim burst (the workers test runs it at a tenth): 10,000 POST /coupons/:id/claim from 3,000 shoppers for 1,000
//     coupons, limit 2 each, against the bare route driven the same way in the same run; then
//     checked in D1: exactly 1,000 claimed, nobody above 2;
//  2. POST /checkout/quote for shoppers holding 30 coupons each with two promotions running
//     (a tiered 满减 and a 限时折扣 on the quoted product), at a fixed arrival rate (open model),
//     against GET /healthz/live at the same rate: p50 / p99.
//
//   npm run bench:coupons
//   BENCH_CLAIMS=20000 BENCH_COUPONS=2000 BENCH_CONNECTIONS=100 BENCH_QUOTE_RATE=100 BENCH_SECONDS=30 npm run bench:coupons
//
// A benchmark, not a test: it exits non-zero when an answer is unexpected or a check fails, never
// because a figure is low.
import { tieredActivityBody } from '../scripts/dev-coupons';
import { runSql, type LocalWorker } from '../scripts/local-worker';
import { buildSeedSql } from '../scripts/seed-data';
import { seedBuyers, signInMerchant, type Buyer } from './lib/accounts';
import { percentile, Recorder, runArrivals } from './lib/arrivals';
import { burst, type Burst } from './lib/burst';
import { query } from './lib/d1';
import { withLocalWorker } from './lib/harness';
import { coreCount, loadAverage, machineLine, miniflareVersion } from './lib/machine';
import { positiveNumber } from './lib/settings';
import { formatTable } from './lib/table';

process.env.WRANGLER_SEND_METRICS = 'false';

const claims = Math.ceil(positiveNumber('BENCH_CLAIMS', 10_000));
const coupons = Math.ceil(positiveNumber('BENCH_COUPONS', 1_000));
const claimers = Math.ceil(positiveNumber('BENCH_CLAIMERS', 3_000));
const connections = Math.ceil(positiveNumber('BENCH_CONNECTIONS', 100));
const quoteRate = positiveNumber('BENCH_QUOTE_RATE', 20);
const seconds = positiveNumber('BENCH_SECONDS', 20);
const WALLET = 30;
const QUOTERS = 50;
const JWT = { kid: 'bench', keys: JSON.stringify({ bench: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url') }) };
const MERCHANT = { username: 'bench_owner', password: `bench-${crypto.randomUUID()}` };
const HOUR = 3_600_000;

async function admin(worker: LocalWorker, token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${worker.directUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as any;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function activeTemplate(worker: LocalWorker, token: string, overrides: Record<string, unknown>) {
  const now = Date.now();
  const { id } = await admin(worker, token, 'POST', '/admin/api/coupons', {
    name: 'bench',
    kind: 'threshold',
    threshold_fen: 10000,
    amount_off_fen: 1000,
    scope: { kind: 'all' },
    claim_starts_at: new Date(now - HOUR).toISOString(),
    claim_ends_at: new Date(now + 24 * HOUR).toISOString(),
    validity: { kind: 'relative', days: 7 },
    ...overrides,
  });
  await admin(worker, token, 'POST', `/admin/api/coupons/${id}/activate`);
  return id as string;
}

const claimRequest = (templateId: string, buyers: Buyer[], run: string) => (i: number) => ({
  method: 'POST',
  path: `/coupons/${templateId}/claim`,
  headers: { authorization: `Bearer ${buyers[i % buyers.length]!.token}`, 'idempotency-key': `bench-${run}-${i}` },
});

/** Quoters each hold WALLET coupons (issued by the merchant, of mixed kinds and thresholds); two promotions run on the SKU. */
async function prepareQuotes(worker: LocalWorker, token: string, quoters: Buyer[]) {
  const [sku] = await query<{ id: string; product_id: string }>(
    worker,
    "SELECT s.id, s.product_id FROM skus s JOIN products p ON p.id = s.product_id WHERE p.status = 'published' AND s.active = 1 AND s.stock > 10 ORDER BY s.id LIMIT 1",
  );
  const now = Date.now();
  const window = { starts_at: new Date(now - HOUR).toISOString(), ends_at: new Date(now + 24 * HOUR).toISOString() };
  await admin(worker, token, 'POST', '/admin/api/promotions', { ...tieredActivityBody('满100减10 满200减30'), ...window });
  await admin(worker, token, 'POST', '/admin/api/promotions', { type: 'timed_discount', name: '限时9折', product_id: sku!.product_id, kind: 'percent_off', value: 10, ...window });
  for (let k = 0; k < WALLET; k++) {
    const kind =
      k % 3 === 0
        ? { kind: 'percent', threshold_fen: 0, percent_off: 5 + (k % 20), cap_fen: 5000 }
        : k % 3 === 1
          ? { kind: 'no_threshold', amount_off_fen: 100 + k }
          : { kind: 'threshold', threshold_fen: 5000 * (1 + (k % 8)), amount_off_fen: 500 + k };
    const templateId = await activeTemplate(worker, token, { name: `钱包券 ${k}`, total_quantity: null, ...kind });
    await admin(worker, token, 'POST', `/admin/api/coupons/${templateId}/issues`, { user_ids: quoters.map((q) => q.id) }, { 'idempotency-key': `bench-wallet-${k}` });
  }
  return sku!.id;
}

async function main() {
  await withLocalWorker({ bindings: { JWT_KEYS: JWT.keys, JWT_ACTIVE_KID: JWT.kid }, fakeWeChat: false }, async (worker) => {
    await runSql(worker, buildSeedSql({ now: Date.now() }));
    const token = await signInMerchant(worker, MERCHANT);
    const buyers = await seedBuyers(worker, claimers + QUOTERS, JWT);
    const [claimBuyers, quoters] = [buyers.slice(0, claimers), buyers.slice(claimers)];
    const skuId = await prepareQuotes(worker, token, quoters);
    console.log(`
Machine:    ${machineLine()}
Worker:     production bundle on workerd (Miniflare ${miniflareVersion()}), workerd's own socket; in-memory D1
Claims:     ${claims} POST /coupons/:id/claim (no body, Idempotency-Key each) from ${claimers} shoppers for ${coupons} coupons, limit 2
            per shopper; baseline GET /healthz/live, as many requests; autocannon, ${connections} keep-alive connections
Quote:      POST /checkout/quote {items: [2 units of one SKU]} by ${QUOTERS} shoppers holding ${WALLET} coupons each, with a tiered
            满减 and a 限时折扣 on the SKU running; ${quoteRate} arrivals/s for ${seconds} s (open model), baseline GET /healthz/live
Note:       the load generator and workerd share the same ${coreCount()} cores: figures compare within this run, not capacity.
`);
    // Warm-up (not reported).
    const warm = await activeTemplate(worker, token, { total_quantity: 50, per_shopper_limit: 2 });
    await burst(worker.directUrl, 50, 1_000, () => ({ method: 'GET', path: '/healthz/live' }));
    await burst(worker.directUrl, 50, 500, claimRequest(warm, claimBuyers, 'warm'));

    const templateId = await activeTemplate(worker, token, { total_quantity: coupons, per_shopper_limit: 2 });
    const baseline = await burst(worker.directUrl, connections, claims, () => ({ method: 'GET', path: '/healthz/live' }));
    const claimed = await burst(worker.directUrl, connections, claims, claimRequest(templateId, claimBuyers, 'run'));

    const quoteBody = JSON.stringify({ items: [{ sku_id: skuId, quantity: 2 }] });
    const measureArrivals = async (quote: boolean) => {
      const rec = new Recorder();
      let i = 0;
      const run = await runArrivals(quoteRate, seconds, async () => {
        const q = quoters[i++ % quoters.length]!;
        if (quote)
          await rec.request('quote', `${worker.directUrl}/checkout/quote`, { method: 'POST', headers: { authorization: `Bearer ${q.token}`, 'content-type': 'application/json' }, body: quoteBody });
        else await rec.request('baseline', `${worker.directUrl}/healthz/live`);
      });
      return { rec, run, latency: rec.steps.get(quote ? 'quote' : 'baseline')?.latencyMs ?? [] };
    };
    await measureArrivals(true); // warm-up of the quote path
    const quoteBaseline = await measureArrivals(false);
    const quotes = await measureArrivals(true);
    const sample = await (
      await fetch(`${worker.directUrl}/checkout/quote`, { method: 'POST', headers: { authorization: `Bearer ${quoters[0]!.token}`, 'content-type': 'application/json' }, body: quoteBody })
    ).json();

    const row = (name: string, b: Burst) => [
      name,
      b.requestsPerSecond.toFixed(0),
      `${b.p50Ms} / ${b.p99Ms}`,
      String(b.statuses.get(201) ?? 0),
      [...b.codes].map(([k, n]) => `${n}× ${k}`).join(', ') || '–',
      String(b.errors + b.timeouts),
    ];
    console.log(formatTable([['claim burst', 'req/s', 'p50 / p99 ms', '201', 'refusals', 'unanswered'], row('GET /healthz/live', baseline), row('POST /coupons/:id/claim', claimed)]));
    console.log(`  claim req/s vs baseline: ${(claimed.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)}×\n`);
    const qrow = (name: string, m: Awaited<ReturnType<typeof measureArrivals>>) => [
      name,
      `${quoteRate}/s`,
      m.run.achievedRate.toFixed(1),
      String(m.latency.length),
      percentile(m.latency, 50).toFixed(1),
      percentile(m.latency, 99).toFixed(1),
      [...m.rec.failures].map(([k, n]) => `${n}× ${k}`).join(', ') || '–',
    ];
    console.log(formatTable([['open model', 'rate', 'achieved', 'ok', 'p50 ms', 'p99 ms', 'failures'], qrow('GET /healthz/live', quoteBaseline), qrow('POST /checkout/quote', quotes)]));
    console.log(
      `  quote: ${sample.coupons.usable.length} usable + ${sample.coupons.unusable.length} unusable coupons listed; promotion ${sample.promotion?.saving_fen} fen, coupon ${sample.coupon?.saving_fen} fen`,
    );
    console.log(`  load average at end: ${loadAverage()}`);

    const [held] = await query<{ n: number; most: number }>(
      worker,
      'SELECT count(*) AS n, coalesce(max(c), 0) AS most FROM (SELECT count(*) AS c FROM shopper_coupons WHERE template_id = ? GROUP BY user_id)',
      templateId,
    );
    const [total] = await query<{ n: number }>(worker, 'SELECT count(*) AS n FROM shopper_coupons WHERE template_id = ?', templateId);
    const checks = [
      { name: 'claimed = coupons, exactly (201 answers)', ok: (claimed.statuses.get(201) ?? 0) === coupons, detail: `${claimed.statuses.get(201) ?? 0} of ${coupons}` },
      { name: 'claimed = coupons, exactly (rows in D1)', ok: total!.n === coupons, detail: `${total!.n} rows` },
      { name: 'nobody above the limit of 2', ok: held!.most <= 2, detail: `most held by one shopper: ${held!.most}` },
      { name: 'only the expected refusals', ok: [...claimed.codes.keys()].every((k) => k === '409 coupon_sold_out' || k === '422 claim_limit'), detail: [...claimed.codes.keys()].join(', ') },
      {
        name: `every quote listed the ${WALLET} coupons`,
        ok: sample.coupons.usable.length + sample.coupons.unusable.length === WALLET,
        detail: `${sample.coupons.usable.length + sample.coupons.unusable.length}`,
      },
    ];
    console.log('\nConsistency:');
    for (const c of checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
    if (checks.some((c) => !c.ok) || quotes.rec.failures.size) process.exitCode = 1;
  });
}

main().catch((error) => {
  console.error('bench:coupons failed:', error);
  process.exitCode = 1;
});
