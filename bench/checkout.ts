// Checkout under a steady stream of shoppers on local workerd: quote → create order → WeChat Pay
// prepay, started at fixed arrival rates (open model, bench/lib/arrivals.ts), each rate against
// a bare route driven the same way in the same run; then proof that no order was lost or
// duplicated and that stock moved by exactly what was ordered.
//
//   npm run bench:checkout                     20 and 50 checkouts/s, 15 s each, 50 shoppers
//   BENCH_RATES=10,30,60 BENCH_DURATION=30 BENCH_SHOPPERS=200 npm run bench:checkout
//
// WeChat is the local fake (test/fakes), started in this process with real keys: every prepay
// is signed by the worker, verified by the fake, answered signed and verified again.
//
// A benchmark, not a test: it exits non-zero when something cannot start, a request gets a
// non-2xx answer or a consistency check fails — never because a figure is low.
import { runSql, type LocalWorker } from '../scripts/local-worker';
import { buildSeedSql } from '../scripts/seed-data';
import { percentile, Recorder, runArrivals, type Answer, type ArrivalRun } from './lib/arrivals';
import { query } from './lib/d1';
import { withLocalWorker } from './lib/harness';
import { coreCount, loadAverage, machineLine, miniflareVersion } from './lib/machine';
import { positiveNumber, positiveNumbers } from './lib/settings';
import { signInShoppers, type Shopper } from './lib/shoppers';
import { formatTable } from './lib/table';

process.env.WRANGLER_SEND_METRICS = 'false';

const rates = positiveNumbers('BENCH_RATES', [20, 50]);
const durationSeconds = positiveNumber('BENCH_DURATION', 15);
const warmupSeconds = positiveNumber('BENCH_WARMUP', 2);
const shopperCount = Math.ceil(positiveNumber('BENCH_SHOPPERS', 50));
const retrySampleSize = Math.ceil(positiveNumber('BENCH_RETRY_SAMPLE', 50));
const SKU_COUNT = 8;
const BENCH_STOCK = 100_000;
// Nothing is paid in this run, so WeChat Pay never sends a notification; the origin only has to
// be one the prepay accepts as notify_url (https).
const PUBLIC_BASE_URL = 'https://bench.shop.test';
const runId = Date.now().toString(36);

type Item = { sku_id: string; quantity: number };
/** One POST /orders: "unanswered" (no answer, or a 5xx) may or may not have created the order. */
type OrderAttempt = { key: string; shopper: Shopper; items: Item[]; outcome: 'created' | 'refused' | 'unanswered'; orderId?: string };
type Result = { name: string; rate: number; checkout: boolean; run: ArrivalRun; rec: Recorder; ordersCreated: number };
type Check = { name: string; ok: boolean; detail: string };

const steps = ['quote', 'order', 'pay'] as const;

class CheckoutBench {
  readonly attempts: OrderAttempt[] = [];
  paysOk = 0;
  private arrivals = 0;

  constructor(
    readonly worker: LocalWorker,
    readonly shoppers: Shopper[],
    readonly skuIds: string[],
  ) {}

  /** A POST as the given shopper, timed under `step`. */
  call(rec: Recorder, step: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    return rec.request(step, this.worker.directUrl + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** One or two lines, 1–3 units each, varying with the arrival so SKUs and shoppers rotate. */
  basket(n: number): Item[] {
    const items = [{ sku_id: this.skuIds[n % this.skuIds.length]!, quantity: 1 + (n % 3) }];
    if (n % 2 === 1) items.push({ sku_id: this.skuIds[(n + 3) % this.skuIds.length]!, quantity: 1 });
    return items;
  }

  async baselineArrival(rec: Recorder, dueAt: number) {
    const answer = await rec.request('live', `${this.worker.directUrl}/healthz/live`);
    if (answer.ok) rec.flowDone(dueAt);
  }

  async checkoutArrival(rec: Recorder, dueAt: number) {
    const n = this.arrivals++; // global across scenarios, so every Idempotency-Key is new
    const shopper = this.shoppers[n % this.shoppers.length]!;
    const items = this.basket(n);
    if (!(await this.call(rec, 'quote', '/checkout/quote', shopper.token, { items })).ok) return;

    const attempt: OrderAttempt = { key: `bench-${runId}-${n}`, shopper, items, outcome: 'unanswered' };
    this.attempts.push(attempt);
    const order = await this.call(rec, 'order', '/orders', shopper.token, { items }, { 'idempotency-key': attempt.key });
    if (!order.ok) {
      // A 4xx is a definite "no" (bad input never leaves a partial write); anything else is unknown.
      if (order.status >= 400 && order.status < 500) attempt.outcome = 'refused';
      return;
    }
    attempt.outcome = 'created';
    attempt.orderId = order.body.id;

    if (!(await this.call(rec, 'pay', `/orders/${attempt.orderId}/pay`, shopper.token)).ok) return;
    this.paysOk++;
    rec.flowDone(dueAt);
  }

  async measure(name: string, rate: number, seconds: number, checkout: boolean): Promise<Result> {
    const rec = new Recorder();
    const createdBefore = this.createdCount();
    const run = await runArrivals(rate, seconds, (dueAt) => (checkout ? this.checkoutArrival(rec, dueAt) : this.baselineArrival(rec, dueAt)));
    return { name, rate, checkout, run, rec, ordersCreated: this.createdCount() - createdBefore };
  }

  createdCount() {
    return this.attempts.filter((a) => a.outcome === 'created').length;
  }
}

async function main() {
  await withLocalWorker({ bindings: { PUBLIC_BASE_URL }, fakeWeChat: true }, async (worker) => {
    const skuIds = await seedCatalog(worker);
    const bench = new CheckoutBench(worker, await signInShoppers(worker.directUrl, shopperCount, `bench_${runId}`), skuIds);

    printHeader(skuIds.length);
    // Warm-up (not reported): JIT-compiles both paths in workerd and the fake. Its orders are
    // real and are part of the consistency checks like all the others.
    await bench.measure('warm-up', rates[0]!, warmupSeconds, false);
    await bench.measure('warm-up', rates[0]!, warmupSeconds, true);

    const results: Result[] = [];
    for (const rate of rates) {
      for (const checkout of [false, true]) {
        const name = checkout ? 'checkout  quote → order → pay' : 'baseline  GET /healthz/live';
        const result = await bench.measure(name, rate, durationSeconds, checkout);
        results.push(result);
        console.log(`  done: ${name} at ${rate}/s (${result.rec.flowMs.length} of ${result.run.started} ok)`);
      }
    }
    const requestsFailed = printResults(results);
    const checks = await consistencyChecks(bench);
    printChecks(checks);
    if (requestsFailed || checks.some((c) => !c.ok)) process.exitCode = 1;
  });
}

/** The demo catalog, with plenty of stock on the SKUs bought here so stock is never the limit. */
async function seedCatalog(worker: LocalWorker): Promise<string[]> {
  await runSql(worker, buildSeedSql({ now: Date.now() }));
  const skus = await query<{ id: string }>(
    worker,
    `SELECT s.id FROM skus s JOIN products p ON p.id = s.product_id
     WHERE p.status = 'published' AND s.active = 1 ORDER BY s.id LIMIT ?`,
    SKU_COUNT,
  );
  if (skus.length < 4) throw new Error('the seed produced too few active SKUs of published products');
  const ids = skus.map((s) => s.id);
  const list = ids.map(() => '?').join(', ');
  await query(worker, `UPDATE skus SET stock = ? WHERE id IN (${list})`, BENCH_STOCK, ...ids);
  // Keep the product's denormalised total in step, as a merchant stock change would.
  await query(worker, `UPDATE products SET total_stock = (SELECT SUM(stock) FROM skus WHERE product_id = products.id) WHERE id IN (SELECT product_id FROM skus WHERE id IN (${list}))`, ...ids);
  return ids;
}

function printHeader(skuCount: number) {
  console.log(`
Machine:    ${machineLine()}
Worker:     production bundle (wrangler deploy --dry-run) on workerd via Miniflare ${miniflareVersion()}'s HTTP entry, in-memory D1
WeChat:     local fake (test/fakes) in this Node process, real RSA keys and signatures; PUBLIC_BASE_URL=${PUBLIC_BASE_URL}
Shop:       demo catalog (buildSeedSql); ${skuCount} SKUs with stock set to ${BENCH_STOCK}; ${shopperCount} shoppers signed in, one address each
Parameters: arrival rates ${rates.join(', ')}/s, ${durationSeconds} s each after one ${warmupSeconds} s warm-up per scenario type; open model
            (arrivals start on a timetable whatever earlier ones are doing), fetch with keep-alive, 10 s request timeout;
            each rate: the baseline (GET /healthz/live per arrival), then checkout (quote, POST /orders with a new
            Idempotency-Key, POST /orders/:id/pay per arrival; a flow stops at its first failed step)
Note:       the load generator, the fake WeChat and workerd share the same ${coreCount()} cores: figures are for comparison
            within this run, not capacity.
`);
}

const ms = (values: number[]) => (values.length ? `${percentile(values, 50).toFixed(1)} / ${percentile(values, 99).toFixed(1)}` : '–');

/** Prints the table; returns true when any request got a non-2xx answer. */
function printResults(results: Result[]): boolean {
  const rows = [
    ['scenario', 'target/s', 'achieved/s', 'lag p99', ...steps.map((s) => `${s} p50/p99`), 'flow p50/p99', 'non-2xx', 'errors', 'done/s', 'orders/s'],
    ...results.map(({ name, rate, checkout, run, rec, ordersCreated }) => [
      name,
      String(rate),
      run.achievedRate.toFixed(1),
      percentile(run.startLagMs, 99).toFixed(1),
      ...steps.map((s) => (checkout ? ms(rec.stats(s).latencyMs) : '–')),
      ms(rec.flowMs),
      String(rec.non2xx),
      String(rec.errors),
      (rec.flowMs.length / run.elapsedSeconds).toFixed(1),
      checkout ? (ordersCreated / run.elapsedSeconds).toFixed(1) : '–',
    ]),
  ];
  console.log(`\n${formatTable(rows)}\n`);
  console.log("  latencies in ms; flow = from the arrival's due time to its last answer (so it includes the start lag);");
  console.log('  lag = how late the generator started arrivals; done/s, orders/s = flows without error, orders created');
  console.log("  ÷ the scenario's length (arrivals ÷ rate, or until the last answer if that came later)");
  console.log(`  load average at end: ${loadAverage()}\n`);

  for (const rate of rates) {
    const [baseline, checkout] = results.filter((r) => r.rate === rate);
    const doneRate = (r: Result) => r.rec.flowMs.length / r.run.elapsedSeconds;
    console.log(
      `Checkout vs baseline at ${rate}/s: throughput ${(doneRate(checkout!) / doneRate(baseline!)).toFixed(2)}× ` +
        `(${doneRate(checkout!).toFixed(1)} vs ${doneRate(baseline!).toFixed(1)} done/s), ` +
        `p50 latency ${(percentile(checkout!.rec.flowMs, 50) / percentile(baseline!.rec.flowMs, 50)).toFixed(1)}× the bare route's`,
    );
  }

  const failed = results.filter((r) => r.rec.non2xx > 0 || r.rec.errors > 0);
  for (const r of failed) {
    const kinds = [...r.rec.failures].map(([kind, n]) => `${n}× ${kind}`).join('; ');
    console.error(`${r.rec.non2xx > 0 ? 'FAILED' : 'errors'}: ${r.name} at ${r.rate}/s: ${kinds}`);
  }
  return results.some((r) => r.rec.non2xx > 0);
}

/**
 * After the load: retry every order request whose outcome is unknown and a sample of the
 * created ones with the same key and body, then compare D1 with what the shoppers were told.
 */
async function consistencyChecks(bench: CheckoutBench): Promise<Check[]> {
  const rec = new Recorder();
  const retryOrder = (a: OrderAttempt) => bench.call(rec, 'retry', '/orders', a.shopper.token, { items: a.items }, { 'idempotency-key': a.key });

  // A client that got no answer retries; whatever it gets now is that key's outcome.
  const unanswered = bench.attempts.filter((a) => a.outcome === 'unanswered');
  for (const attempt of unanswered) {
    const answer = await retryOrder(attempt);
    if (answer.ok) {
      attempt.outcome = 'created';
      attempt.orderId = answer.body.id;
    } else if (answer.status >= 400 && answer.status < 500) attempt.outcome = 'refused';
  }

  const created = bench.attempts.filter((a) => a.outcome === 'created');
  const sample = created.filter((_, i) => i % Math.max(1, Math.floor(created.length / retrySampleSize)) === 0).slice(0, retrySampleSize);
  let sameOrder = 0;
  for (const attempt of sample) {
    const answer = await retryOrder(attempt);
    if (answer.status === 201 && answer.body.id === attempt.orderId && answer.headers?.get('idempotent-replayed') === 'true') sameOrder++;
  }

  const rows = await query<{ id: string; user_id: string; idempotency_key: string | null }>(bench.worker, 'SELECT id, user_id, idempotency_key FROM orders');
  // Keys are unique per shopper (the unique index is on user_id, idempotency_key).
  const keyOf = (userId: string, key: string | null) => `${userId} ${key}`;
  const byKey = new Map<string, string[]>();
  for (const row of rows) {
    const k = keyOf(row.user_id, row.idempotency_key);
    byKey.set(k, [...(byKey.get(k) ?? []), row.id]);
  }
  const ordersOf = (a: OrderAttempt) => byKey.get(keyOf(a.shopper.userId, a.key)) ?? [];
  const sentKeys = new Set(bench.attempts.map((a) => keyOf(a.shopper.userId, a.key)));
  const createdMismatch = created.filter((a) => ordersOf(a).length !== 1 || ordersOf(a)[0] !== a.orderId).length;
  const refusedWithOrder = bench.attempts.filter((a) => a.outcome === 'refused' && ordersOf(a).length > 0).length;
  const duplicatedKeys = [...byKey.values()].filter((ids) => ids.length > 1).length;
  const strays = [...byKey.keys()].filter((k) => !sentKeys.has(k)).length;

  const ordered = new Map<string, number>();
  for (const a of created) for (const item of a.items) ordered.set(item.sku_id, (ordered.get(item.sku_id) ?? 0) + item.quantity);
  const list = bench.skuIds.map(() => '?').join(', ');
  const stock = await query<{ id: string; stock: number }>(bench.worker, `SELECT id, stock FROM skus WHERE id IN (${list})`, ...bench.skuIds);
  const lines = await query<{ sku_id: string; quantity: number }>(bench.worker, 'SELECT sku_id, SUM(quantity) AS quantity FROM order_items GROUP BY sku_id');
  const lineTotal = new Map(lines.map((l) => [l.sku_id, l.quantity]));
  const stockOff = stock.filter((s) => BENCH_STOCK - s.stock !== (ordered.get(s.id) ?? 0) || (lineTotal.get(s.id) ?? 0) !== (ordered.get(s.id) ?? 0));
  const unitsSold = stock.reduce((n, s) => n + BENCH_STOCK - s.stock, 0);
  const unitsOrdered = [...ordered.values()].reduce((a, b) => a + b, 0);

  const prepared = (await query<{ n: number }>(bench.worker, 'SELECT COUNT(*) AS n FROM payments WHERE prepay_id IS NOT NULL'))[0]!.n;

  return [
    {
      name: 'orders in D1 = successful POST /orders',
      ok: rows.length === created.length,
      detail: `${rows.length} in D1, ${created.length} answered 201 (${unanswered.length} first unanswered, then retried)`,
    },
    {
      name: 'no request left with an unknown outcome',
      ok: bench.attempts.every((a) => a.outcome !== 'unanswered'),
      detail: `${bench.attempts.filter((a) => a.outcome === 'unanswered').length} of ${bench.attempts.length}`,
    },
    {
      name: 'each Idempotency-Key ↔ exactly one order, the one answered',
      ok: createdMismatch + refusedWithOrder + duplicatedKeys + strays === 0,
      detail: `${created.length - createdMismatch}/${created.length} keys match; ${duplicatedKeys} keys with >1 order, ${refusedWithOrder} refused keys with an order, ${strays} orders under unknown keys`,
    },
    { name: 'retry with the same key → same order id (Idempotent-Replayed)', ok: sample.length > 0 && sameOrder === sample.length, detail: `${sameOrder}/${sample.length} sampled retries` },
    {
      name: 'stock decreased by exactly the ordered quantity',
      ok: stockOff.length === 0 && unitsSold === unitsOrdered,
      detail: `${unitsSold} units off stock, ${unitsOrdered} ordered, across ${stock.length} SKUs (${stockOff.length} SKUs differ)`,
    },
    { name: 'every successful pay has its prepay in D1', ok: prepared === bench.paysOk, detail: `${prepared} payments with a prepay_id, ${bench.paysOk} pays answered 2xx` },
  ];
}

function printChecks(checks: Check[]) {
  console.log('\nConsistency (all checkout arrivals, warm-up included):');
  for (const c of checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
}

main().catch((error) => {
  console.error('bench:checkout failed:', error);
  process.exitCode = 1;
});
