// Buying in a flash sale over HTTP: the stock objects, D1 orders, WeChat Pay (the fake) and the
// expiry alarm together. The counts must be exact at burst load.
import { abortAllDurableObjects, createExecutionContext, env, runDurableObjectAlarm } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../../src/app';
import { stockObjectName } from '../../../../src/domain/flash-sale';
import { isFlaggedSoldOut } from '../../../../src/marketing/flash-sale/purchase';
import { ManualClock } from '../../../../src/lib/clock';
import { markPaid } from '../../../fakes/wechat-control';
import { untilFlashOrders } from '../../../fixtures/flash-orders';
import { api, BASE, createCategory, createProduct, json, manyShoppers, newIdempotencyKey, tokenFor } from '../../../fixtures/helpers';
import { countedEnv, slowWriteBatches } from '../../../fixtures/counted-bindings';

let merchant: string;
let categoryId: string;

beforeAll(async () => {
  merchant = (await tokenFor('owner')).token;
  categoryId = await createCategory(merchant, '秒杀');
});

type Campaign = { id: string; items: { id: string; sku_id: string }[] };

type FlashSaleOptions = {
  stock: number;
  perUserLimit?: number;
  perOrderLimit?: number;
  shards?: number;
  startsAt?: number;
  endsAt?: number;
  paymentWindowMinutes?: number;
  shippingTemplateId?: string;
};

/** `post` lets a test create the campaign through an app whose clock it controls. */
async function createFlashSale(opts: FlashSaleOptions, post: (body: unknown) => Response | Promise<Response> = (body) => api('POST', '/admin/api/flash-sales', { token: merchant, body })) {
  const product = await createProduct(merchant, categoryId, {
    specs: [],
    skus: [{ spec_values: [], price_fen: 19900, original_price_fen: 29900, stock: opts.stock + 10 }],
    ...(opts.shippingTemplateId ? { shipping_template_id: opts.shippingTemplateId } : {}),
  });
  const res = await post({
    title: '整点秒杀',
    starts_at: new Date(opts.startsAt ?? Date.now() - 60_000).toISOString(),
    ends_at: new Date(opts.endsAt ?? Date.now() + 3_600_000).toISOString(),
    per_user_limit: opts.perUserLimit ?? 1,
    per_order_limit: opts.perOrderLimit ?? 1,
    payment_window_minutes: opts.paymentWindowMinutes ?? 5,
    shard_count: opts.shards ?? 1,
    items: [{ sku_id: product.skus[0].id, flash_price_fen: 990, flash_stock: opts.stock }],
  });
  if (res.status !== 201) throw new Error(`flash sale: ${res.status} ${await res.text()}`);
  const campaign = (await res.json()) as Campaign;
  return { campaign, skuId: product.skus[0].id as string, itemId: campaign.items[0]!.id };
}

const reserve = (token: string, flashSaleId: string, skuId: string, extra: Record<string, unknown> = {}, key = newIdempotencyKey()) =>
  api('POST', `/flash-sales/${flashSaleId}/reserve`, { token, body: { sku_id: skuId, ...extra }, headers: { 'Idempotency-Key': key } });

const stockObject = (itemId: string, shard = 0) => env.FLASH_SALE_STOCK.get(env.FLASH_SALE_STOCK.idFromName(stockObjectName(itemId, shard)));
const flashOrders = async (itemId: string) =>
  (await env.DB.prepare("SELECT status, count(*) AS n FROM orders WHERE source = 'flash_sale' AND source_ref LIKE ? GROUP BY status").bind(`${itemId}/%`).all<{ status: string; n: number }>()).results;
const orderNoOf = async (orderId: string) => (await env.DB.prepare('SELECT order_no FROM orders WHERE id = ?').bind(orderId).first<{ order_no: string }>())!.order_no;

describe('flash-sale purchase at burst load', () => {
  it('2,000 concurrent buyers for 100 units, limit 1: exactly 100 orders, nobody holds two', async () => {
    const { campaign, skuId, itemId } = await createFlashSale({ stock: 100 });
    // The requests go through the whole app (middleware, auth, validation, route, D1, objects)
    // in this isolate. Not through SELF.fetch: the pool's loopback slows down worse than linearly
    // with concurrency (500 concurrent GET /healthz took 320 s there, 8.6 s for 2,000 here).
    const app = createApp();
    const shoppers = await manyShoppers(2_000);
    const results = await Promise.all(
      shoppers.map(async (s) => {
        const init = {
          method: 'POST',
          headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json', 'Idempotency-Key': newIdempotencyKey() },
          body: JSON.stringify({ sku_id: skuId }),
        };
        const r = await app.request(`${BASE}/flash-sales/${campaign.id}/reserve`, init, env, createExecutionContext());
        return { status: r.status, body: (await r.json()) as any, shopper: s.id };
      }),
    );
    const won = results.filter((r) => r.status === 201);
    expect(won).toHaveLength(100);
    expect(results.filter((r) => r.status !== 201).every((r) => r.status === 409 && r.body.error.code === 'sold_out')).toBe(true);
    expect(new Set(won.map((r) => r.shopper)).size).toBe(100);
    expect(won.every((r) => r.body.items[0].unit_price_fen === 990 && r.body.status === 'pending_payment')).toBe(true);
    const snapshot = await stockObject(itemId).snapshot();
    // Never below zero: every unit is in exactly one place, and the ledger explains them all.
    expect(snapshot).toMatchObject({ available: 0, held: 100, paid: 0, ledger: { initial: 100, borrowedIn: 0, transferredOut: 0, released: 0, closedOut: 0 } });
    expect(new Set(snapshot.reservations.map((r) => r.userId)).size).toBe(100);
    // The orders follow through the work queue, one per reservation.
    await untilFlashOrders(itemId, 100);
    expect(await flashOrders(itemId)).toEqual([{ status: 'pending_payment', n: 100 }]);
    const reconciliation = await json(api('GET', `/admin/api/flash-sales/${campaign.id}/reconciliation`, { token: merchant }));
    expect(reconciliation).toMatchObject({ ok: true, totals: { held: 100, orders: 100 } });
  }, 300_000);

  it('70 pay, 30 expire unpaid: exactly 30 units come back (transactions closed first) and sell again', async () => {
    // The holds are taken an hour in the past, so they have expired by the time the alarm runs.
    const past = new ManualClock(Date.now() - 3_600_000);
    const app = createApp({ clock: past });
    const call = (path: string, token: string, body: unknown, headers: Record<string, string> = {}) =>
      app.request(
        `${BASE}${path}`,
        { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) },
        env,
        createExecutionContext(),
      );
    const { campaign, skuId, itemId } = await createFlashSale({ stock: 100, startsAt: past.now() + 1_000, endsAt: past.now() + 7_200_000 }, (body) => call('/admin/api/flash-sales', merchant, body));
    past.advance(2_000);
    const shoppers = await manyShoppers(100);
    const orders = await Promise.all(
      shoppers.map(async (s) => {
        const res = await call(`/flash-sales/${campaign.id}/reserve`, s.token, { sku_id: skuId }, { 'Idempotency-Key': newIdempotencyKey() });
        expect(res.status).toBe(201);
        return { shopper: s, order: (await res.json()) as any };
      }),
    );
    for (const { shopper, order } of orders.slice(0, 70)) {
      expect((await call(`/orders/${order.id}/pay`, shopper.token, {})).status).toBe(200);
      const { notification } = await markPaid(await orderNoOf(order.id), { nowMs: past.now() });
      const delivered = await app.request(`${BASE}/payments/wechat/notify`, { method: 'POST', headers: notification.headers, body: notification.body }, env, createExecutionContext());
      expect(delivered.status).toBe(204);
    }
    for (const { shopper, order } of orders.slice(70, 80)) expect((await call(`/orders/${order.id}/pay`, shopper.token, {})).status).toBe(200);
    expect(await stockObject(itemId).snapshot()).toMatchObject({ available: 0, held: 30, paid: 70 });
    await untilFlashOrders(itemId, 100);

    expect(await runDurableObjectAlarm(stockObject(itemId))).toBe(true);
    await runDurableObjectAlarm(stockObject(itemId)); // at-least-once: a second run changes nothing
    expect(await stockObject(itemId).snapshot()).toMatchObject({ available: 30, held: 0, paid: 70, released: 30 });
    const statuses = Object.fromEntries((await flashOrders(itemId)).map((r) => [r.status, r.n]));
    expect(statuses).toEqual({ paid: 70, cancelled: 30 });

    const late = await manyShoppers(40);
    const again = await Promise.all(late.map((s) => reserve(s.token, campaign.id, skuId).then((r) => r.status)));
    expect(again.filter((s) => s === 201)).toHaveLength(30);
    expect((await json(api('GET', `/admin/api/flash-sales/${campaign.id}/reconciliation`, { token: merchant }))).ok).toBe(true);
  }, 180_000);

  it('resetting the stock objects mid-sale loses or duplicates nothing', async () => {
    const { campaign, skuId, itemId } = await createFlashSale({ stock: 60, shards: 3 });
    const first = await manyShoppers(40);
    const firstOrders = await Promise.all(first.map(async (s) => ({ shopper: s, res: await reserve(s.token, campaign.id, skuId) })));
    expect(firstOrders.filter((o) => o.res.status === 201)).toHaveLength(40);
    // Ten of them pay before the reset.
    for (const { shopper, res } of firstOrders.slice(0, 10)) {
      const order = await json(res);
      expect((await api('POST', `/orders/${order.id}/pay`, { token: shopper.token, body: {} })).status).toBe(200);
      const { notification } = await markPaid(await orderNoOf(order.id));
      expect((await api('POST', '/payments/wechat/notify', { rawBody: notification.body, headers: notification.headers })).status).toBe(204);
    }
    await abortAllDurableObjects();
    const second = await manyShoppers(60);
    const statuses = await Promise.all(second.map((s) => reserve(s.token, campaign.id, skuId).then((r) => r.status)));
    expect(statuses.filter((s) => s === 201)).toHaveLength(20);
    const shards = await Promise.all([0, 1, 2].map((shard) => stockObject(itemId, shard).snapshot()));
    expect(shards.reduce((n, s) => ({ held: n.held + s.held, paid: n.paid + s.paid, available: n.available + s.available }), { held: 0, paid: 0, available: 0 })).toEqual({
      held: 50,
      paid: 10,
      available: 0,
    });
    await untilFlashOrders(itemId, 60);
    expect(Object.fromEntries((await flashOrders(itemId)).map((r) => [r.status, r.n]))).toEqual({ pending_payment: 50, paid: 10 });
    expect((await json(api('GET', `/admin/api/flash-sales/${campaign.id}/reconciliation`, { token: merchant }))).ok).toBe(true);
  }, 180_000);
});

describe('a payment that comes after the units went back', () => {
  it('is refunded automatically; the released units stay released and sellable', async () => {
    const { campaign, skuId, itemId } = await createFlashSale({ stock: 1 });
    const [first, second] = await manyShoppers(2);
    const order = await json(reserve(first!.token, campaign.id, skuId));
    expect((await api('POST', `/orders/${order.id}/pay`, { token: first!.token, body: {} })).status).toBe(200);
    const { notification } = await markPaid(await orderNoOf(order.id)); // the shopper paid at WeChat…
    // …while a cancel raced it: the order was cancelled and its units released first.
    await env.DB.prepare("UPDATE orders SET status = 'cancelled', cancelled_at = ? WHERE id = ?").bind(Date.now(), order.id).run();
    const held = (await stockObject(itemId).snapshot()).reservations[0]!;
    expect(await stockObject(itemId).release(held.id, 'order cancelled')).toBe('released');

    const delivered = await api('POST', '/payments/wechat/notify', { rawBody: notification.body, headers: notification.headers });
    expect(delivered.status).toBe(204);
    const refund = await env.DB.prepare('SELECT initiator, status, amount_fen FROM refunds WHERE order_id = ?').bind(order.id).first();
    expect(refund).toEqual({ initiator: 'system', status: 'processing', amount_fen: order.payable_fen });
    expect(await stockObject(itemId).snapshot()).toMatchObject({ available: 1, held: 0, paid: 0, released: 1 });
    // The unit that came back is sold again, to someone else.
    expect((await reserve(second!.token, campaign.id, skuId)).status).toBe(201);
  });
});

describe('the sold-out flag', () => {
  it('refuses without a round trip to the object once sold out, still replays a winner, and lets released units sell', async () => {
    const clock = new ManualClock(Date.now());
    const { campaign, skuId, itemId } = await createFlashSale({ stock: 2 });
    const { env: countedEnvironment, d1Queries, objectCalls } = countedEnv('FLASH_SALE_STOCK');
    const app = createApp({ clock });
    const buy = (token: string, key = newIdempotencyKey()) =>
      app.request(
        `${BASE}/flash-sales/${campaign.id}/reserve`,
        { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': key }, body: JSON.stringify({ sku_id: skuId }) },
        countedEnvironment,
        createExecutionContext(),
      );
    const shoppers = await manyShoppers(23);
    const winnerKey = newIdempotencyKey();
    const winner = await json(buy(shoppers[0]!.token, winnerKey));
    expect((await buy(shoppers[1]!.token)).status).toBe(201);
    expect((await buy(shoppers[2]!.token)).status).toBe(409); // the object says so, and the flag goes up

    const [callsBefore, queriesBefore] = [objectCalls(), d1Queries()];
    const refused = await Promise.all(shoppers.slice(3, 23).map((s) => buy(s.token)));
    expect(refused.map((r) => r.status)).toEqual(Array(20).fill(409));
    expect((await json(refused[0]!)).error.code).toBe('sold_out');
    // Refused from the isolate's memory alone: not one object call, not one D1 query.
    expect(objectCalls()).toBe(callsBefore);
    expect(d1Queries()).toBe(queriesBefore);
    // A winner's retry while the flag is up still gets its own order: the object replays it.
    const replay = await buy(shoppers[0]!.token, winnerKey);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    expect((await json(replay)).id).toBe(winner.id);
    expect(objectCalls()).toBe(callsBefore + 1);

    // A unit comes back; once the flag has lapsed the next buyer asks the object and gets it.
    const held = (await stockObject(itemId).snapshot()).reservations.find((r) => r.status === 'held' && r.userId === shoppers[1]!.id)!;
    expect(await stockObject(itemId).release(held.id, 'test: cancelled')).toBe('released');
    clock.advance(1_001);
    expect((await buy(shoppers[3]!.token)).status).toBe(201);
    expect(objectCalls()).toBe(callsBefore + 2);

    // Sold out again: the next buyer hears it from the object, and the flag goes back up.
    expect((await buy(shoppers[4]!.token)).status).toBe(409);
    expect(objectCalls()).toBe(callsBefore + 3);
    // When the flag lapses, one buyer of the crowd asks the object again; the rest are still refused from memory.
    clock.advance(1_001);
    const crowd = await Promise.all(shoppers.slice(5, 23).map((s) => buy(s.token)));
    expect(crowd.map((r) => r.status)).toEqual(Array(18).fill(409));
    expect(objectCalls()).toBe(callsBefore + 4);
  });
});

describe('the same Idempotency-Key and body get the same answer (issue 16.1, 16.6)', () => {
  it("a winner's double tap while the first is being answered gets the same order, never sold_out: 60 pairs for 20 units", async () => {
    const { campaign, skuId, itemId } = await createFlashSale({ stock: 21 });
    // A clock that stands still: on this shared machine a burst queues for seconds, and the flag
    // (up for a second of the requests' own time) must still be up when the copies arrive.
    const clock = new ManualClock(Date.now());
    const app = createApp({ clock });
    const [pairs, others] = [await manyShoppers(60), await manyShoppers(141)];
    // One buyer first, which sets the stock objects up (so that the burst below writes only orders).
    expect((await reserve(others.pop()!.token, campaign.id, skuId)).status).toBe(201);
    // The copies are sent once an object has said "sold out" (the isolate's flag is up). The real
    // D1 writes each order's batch only a second after that, so every winner's copy arrives
    // between its reservation and its order (on a busy server that happens by chance).
    let flagWasUp = false;
    const watching = (async () => {
      while (![0, 1, 2, 3].some((shard) => isFlaggedSoldOut(itemId, shard, clock.now()))) await new Promise((resolve) => setTimeout(resolve, 2));
      flagWasUp = true;
    })();
    const soldOutSeen = async () => {
      while (!flagWasUp) await new Promise((resolve) => setTimeout(resolve, 2));
    };
    const slowWrites = slowWriteBatches(env.DB, async () => {
      await soldOutSeen();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    });
    const send = (token: string, key: string) =>
      app.request(
        `${BASE}/flash-sales/${campaign.id}/reserve`,
        { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': key }, body: JSON.stringify({ sku_id: skuId }) },
        { ...env, DB: slowWrites },
        createExecutionContext(),
      );
    const answer = async (r: Response | Promise<Response>) => {
      const res = await r;
      const body = (await res.json()) as any;
      return { status: res.status, id: body.id as string | undefined, code: body.error?.code as string | undefined };
    };
    const [pairAnswers, otherAnswers] = await Promise.all([
      Promise.all(
        pairs.map((s) => {
          const key = newIdempotencyKey();
          return Promise.all([answer(send(s.token, key)), soldOutSeen().then(() => answer(send(s.token, key)))]);
        }),
      ),
      Promise.all(others.map((s) => answer(send(s.token, newIdempotencyKey())))),
    ]);
    await watching;
    const mismatched = pairAnswers.filter(([a, b]) => a.status !== b.status || a.id !== b.id);
    expect(mismatched).toEqual([]);
    const orderIds = new Set(
      pairAnswers
        .flat()
        .filter((a) => a.status === 201)
        .map((a) => a.id),
    );
    const snapshot = await stockObject(itemId).snapshot();
    expect(snapshot).toMatchObject({ available: 0, held: 21 });
    await untilFlashOrders(itemId, 21);
    expect(await flashOrders(itemId)).toEqual([{ status: 'pending_payment', n: 21 }]);
    // Exactly the 20 units of the burst: each won pair holds one order, answered to both taps.
    expect(orderIds.size + otherAnswers.filter((a) => a.status === 201).length).toBe(20);
    expect(pairAnswers.filter(([a]) => a.status === 201).length).toBe(orderIds.size);
    expect(pairAnswers.flat().every((a) => a.status === 201 || (a.status === 409 && a.code === 'sold_out'))).toBe(true);
  }, 120_000);

  it('replays a finished reservation before reading anything that changed, and another body under the key never touches its units', async () => {
    const { campaign, skuId, itemId } = await createFlashSale({ stock: 5, perUserLimit: 3, perOrderLimit: 3 });
    const [shopper] = await manyShoppers(1);
    const key = newIdempotencyKey();
    const first = await reserve(shopper!.token, campaign.id, skuId, { quantity: 1 }, key);
    expect(first.status).toBe(201);
    await untilFlashOrders(itemId, 1);
    // The address the order used is deleted: a retry is still the same order, not a 404.
    await env.DB.prepare('DELETE FROM addresses WHERE id = ?').bind(shopper!.addressId).run();
    const retry = await reserve(shopper!.token, campaign.id, skuId, { quantity: 1 }, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect((await json(retry)).id).toBe((await json(first)).id);
    // Another body under the same key: a 422, and the first request's unit stays held.
    const other = await reserve(shopper!.token, campaign.id, skuId, { quantity: 2 }, key);
    expect(other.status).toBe(422);
    expect((await json(other)).error.code).toBe('idempotency_key_reused');
    expect(await stockObject(itemId).snapshot()).toMatchObject({ held: 1, available: 4 });
  });
});

describe('flash-sale rules and bad input', () => {
  it("refuses a buyer the SKU's shipping template does not reach, gives the unit back at once, and prices the next buyer's shipping", async () => {
    const template = await api('POST', '/admin/api/shipping-templates', {
      token: merchant,
      body: {
        name: `秒杀运费-${Date.now()}`,
        basis: 'flat',
        default_rule: { first_units: 1, first_fee_fen: 800, additional_units: 1, additional_fee_fen: 0 },
        undeliverable_regions: ['广东省/深圳市'],
      },
    });
    expect(template.status).toBe(201);
    const { campaign, skuId, itemId } = await createFlashSale({ stock: 1, shippingTemplateId: (await json(template)).id });
    const [inShenzhen, elsewhere] = await manyShoppers(2); // both with a default address in Shenzhen
    const refused = await reserve(inShenzhen!.token, campaign.id, skuId);
    expect(refused.status).toBe(422);
    expect((await json(refused)).error.code).toBe('not_deliverable');
    expect(await stockObject(itemId).snapshot()).toMatchObject({ available: 1, held: 0 });
    const guangzhou = await api('POST', '/me/addresses', {
      token: elsewhere!.token,
      body: { recipient: '钱七', phone: '13800003333', province: '广东省', city: '广州市', district: '天河区', detail: '某路 2 号' },
    });
    const bought = await reserve(elsewhere!.token, campaign.id, skuId, { address_id: (await json(guangzhou)).id });
    expect(bought.status).toBe(201);
    expect(await json(bought)).toMatchObject({ shipping_fee_fen: 800, payable_fen: 990 + 800 });
  });

  it('holds the per-user limit and the per-order limit; a retried request is the same order', async () => {
    const { campaign, skuId } = await createFlashSale({ stock: 50, perUserLimit: 2, perOrderLimit: 2 });
    const [shopper] = await manyShoppers(1);
    const key = newIdempotencyKey();
    const first = await json(reserve(shopper!.token, campaign.id, skuId, { quantity: 1 }, key));
    const retry = await json(reserve(shopper!.token, campaign.id, skuId, { quantity: 1 }, key));
    expect(retry.id).toBe(first.id);
    expect((await reserve(shopper!.token, campaign.id, skuId, { quantity: 3 })).status).toBe(422);
    expect((await reserve(shopper!.token, campaign.id, skuId, { quantity: 1 })).status).toBe(201);
    const over = await reserve(shopper!.token, campaign.id, skuId, { quantity: 1 });
    expect(over.status).toBe(422);
    expect((await json(over)).error.code).toBe('per_user_limit');
  });

  it('refuses before the start, answers 429 with Retry-After when one shopper hammers', async () => {
    const upcoming = await createFlashSale({ stock: 10, startsAt: Date.now() + 3_600_000, endsAt: Date.now() + 7_200_000 });
    const [shopper] = await manyShoppers(1);
    const early = await reserve(shopper!.token, upcoming.campaign.id, upcoming.skuId);
    expect(early.status).toBe(422);
    expect((await json(early)).error.code).toBe('not_started');
    const statuses = await Promise.all(Array.from({ length: 12 }, () => reserve(shopper!.token, upcoming.campaign.id, upcoming.skuId).then((r) => r)));
    const limited = statuses.find((r) => r.status === 429);
    expect(limited).toBeDefined();
    expect(Number(limited!.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
  });

  it('bad input: a clear 4xx and nothing held or written', async () => {
    const { campaign, skuId, itemId } = await createFlashSale({ stock: 10 });
    const [shopper] = await manyShoppers(1);
    const noAddress = (await manyShoppers(1))[0]!;
    await env.DB.prepare('DELETE FROM addresses WHERE user_id = ?').bind(noAddress.id).run();
    const cases: [Promise<Response>, number][] = [
      [reserve(shopper!.token, campaign.id, skuId, { quantity: 0 }), 400],
      [reserve(shopper!.token, campaign.id, skuId, { quantity: 'one' }), 400],
      [reserve(shopper!.token, campaign.id, 'sku_notinthissale'), 404],
      [reserve(shopper!.token, 'fls_doesnotexist', skuId), 404],
      [reserve(shopper!.token, 'not-an-id', skuId), 400],
      [api('POST', `/flash-sales/${campaign.id}/reserve`, { token: shopper!.token, body: { sku_id: skuId } }), 400],
      [api('POST', `/flash-sales/${campaign.id}/reserve`, { body: { sku_id: skuId }, headers: { 'Idempotency-Key': newIdempotencyKey() } }), 401],
      [reserve(noAddress.token, campaign.id, skuId), 422],
    ];
    for (const [response, status] of cases) expect((await response).status).toBe(status);
    expect(await stockObject(itemId).snapshot()).toMatchObject({ available: 10, held: 0 });
    expect(await flashOrders(itemId)).toEqual([]);
  });
});
