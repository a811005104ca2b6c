// Flash-sale campaigns in the admin API, after creation: daily slots, concurrent creation,
// live figures, lists, cancelling and roles.
import { createExecutionContext, env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../../src/app';
import { shardFor } from '../../../../src/domain/flash-sale';
import { ManualClock } from '../../../../src/lib/clock';
import { newId } from '../../../../src/lib/ids';
import { api, BASE, json } from '../../../fixtures/helpers';
import { setUpFlashSaleAdmin, operator, viewer, newSku, iso, campaignBody, create, created, stockObject, one, skuStock, writableState, MINUTE, HOUR } from '../../../fixtures/flash-sale-admin';

beforeAll(setUpFlashSaleAdmin);

describe('recurring daily slots', () => {
  it('stores the slots, configures the objects with them, and sells only inside a slot (Asia/Shanghai)', async () => {
    const { skuId } = await newSku({ stock: 20 });
    const slots = [
      { start: '20:00', end: '22:00' },
      { start: '10:00', end: '12:00' },
    ];
    const sale = await created(campaignBody(skuId, { starts_at: '2031-06-18T00:00:00+08:00', ends_at: '2031-06-20T00:00:00+08:00', daily_slots: slots }));
    expect(sale.daily_slots).toEqual(slots);
    const stub = stockObject(sale.items[0].id);
    expect((await stub.snapshot()).config).toMatchObject({ dailySlots: slots, timeZone: 'Asia/Shanghai' });
    const at = (local: string) => Date.parse(`${local}+08:00`);
    const buy = (nowMs: number) => stub.reserve({ reservationId: newId('rsv'), userId: newId('usr'), quantity: 1, nowMs });
    expect(await buy(at('2031-06-18T09:00:00'))).toMatchObject({ ok: false, reason: 'not_started', retryAfterMs: 3_600_000 });
    expect(await buy(at('2031-06-18T10:00:00'))).toMatchObject({ ok: true });
    expect(await buy(at('2031-06-18T12:00:00'))).toMatchObject({ ok: false, reason: 'not_started', retryAfterMs: 8 * 3_600_000 });
    expect(await buy(at('2031-06-19T21:59:59'))).toMatchObject({ ok: true });
    expect(await buy(at('2031-06-19T22:00:00'))).toMatchObject({ ok: false, reason: 'ended' });

    // The storefront says when the next slot opens, or when this one closes.
    const storefront = async (nowMs: number) => {
      const app = createApp({ clock: new ManualClock(nowMs) });
      return json(await app.request(`${BASE}/flash-sales/${sale.id}`, {}, env, createExecutionContext()));
    };
    expect(await storefront(at('2031-06-18T13:00:00'))).toMatchObject({ state: 'upcoming', opens_at: '2031-06-18T12:00:00.000Z', closes_at: null, daily_slots: slots });
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the detail is cached for a second (of real time)
    expect(await storefront(at('2031-06-18T20:30:00'))).toMatchObject({ state: 'live', opens_at: null, closes_at: '2031-06-18T14:00:00.000Z' });
  });
});

describe('concurrent creation', () => {
  it('20 campaigns for the same SKU and window at once: exactly one is created, the rest are 422 overlaps', async () => {
    const { skuId } = await newSku({ stock: 1000 });
    const body = campaignBody(skuId, { items: [{ sku_id: skuId, flash_price_fen: 990, flash_stock: 10 }] });
    const results = await Promise.all(Array.from({ length: 20 }, () => create(body).then(async (r) => ({ status: r.status, body: await json(r) }))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused.every((r) => r.status === 422 && r.body.error.code === 'flash_sale_overlap')).toBe(true);
    expect(refused[0]!.body.error.details[0].path).toBe('body.items.0.sku_id');

    expect(await skuStock(skuId)).toBe(990);
    expect((await one<{ n: number }>("SELECT count(*) AS n FROM stock_ledger WHERE sku_id = ? AND reason LIKE 'flash sale %'", skuId)).n).toBe(1);
    expect((await one<{ n: number }>('SELECT count(*) AS n FROM flash_sale_items WHERE sku_id = ?', skuId)).n).toBe(1);
    const orphans = await one<{ n: number }>('SELECT count(*) AS n FROM flash_sales f WHERE NOT EXISTS (SELECT 1 FROM flash_sale_items i WHERE i.flash_sale_id = f.id)');
    expect(orphans.n).toBe(0);
  });

  it('campaigns in different windows racing for the last units: the stock never goes negative', async () => {
    const { skuId } = await newSku({ stock: 10 });
    const now = Date.now();
    const bodies = Array.from({ length: 10 }, (_, n) =>
      campaignBody(skuId, { starts_at: iso(now + (n + 1) * HOUR), ends_at: iso(now + (n + 2) * HOUR - MINUTE), items: [{ sku_id: skuId, flash_price_fen: 990, flash_stock: 3 }] }),
    );
    const results = await Promise.all(bodies.map((b) => create(b).then(async (r) => ({ status: r.status, body: await json(r) }))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused.every((r) => r.status === 422 && r.body.error.code === 'insufficient_stock' && r.body.error.details[0].path === 'body.items.0.flash_stock')).toBe(true);
    expect(await skuStock(skuId)).toBe(1);
    const ledger = await one<{ n: number; total: number }>("SELECT count(*) AS n, sum(delta) AS total FROM stock_ledger WHERE sku_id = ? AND reason LIKE 'flash sale %'", skuId);
    expect(ledger).toEqual({ n: 3, total: -9 });
  });
});

describe('reading, cancelling and roles', () => {
  it('shows live figures summed over the shards', async () => {
    const { skuId } = await newSku({ stock: 50 });
    const now = Date.now();
    const sale = await created(
      campaignBody(skuId, {
        starts_at: iso(now - 1000),
        ends_at: iso(now + HOUR),
        shard_count: 2,
        per_user_limit: 3,
        per_order_limit: 3,
        items: [{ sku_id: skuId, flash_price_fen: 990, flash_stock: 11 }],
      }),
    );
    const itemId = sale.items[0].id;
    const shopper = newId('usr');
    const shard = shardFor(shopper, 2);
    const reserved = await stockObject(itemId, shard).reserve({ reservationId: newId('rsv'), userId: shopper, quantity: 2, nowMs: Date.now() });
    expect(reserved.ok).toBe(true);
    const paidOne = await stockObject(itemId, shard).reserve({ reservationId: newId('rsv'), userId: shopper, quantity: 1, nowMs: Date.now() });
    expect(paidOne.ok && (await stockObject(itemId, shard).confirmPaid(paidOne.reservationId, 'ord_test'))).toBe('paid');

    for (const token of [operator, viewer]) {
      const detail = await json(api('GET', `/admin/api/flash-sales/${sale.id}`, { token }));
      expect(detail).toMatchObject({ id: sale.id, state: 'live', shard_count: 2 });
      expect(detail.items[0].live).toEqual({ available: 8, held: 2, paid: 1, released: 0 });
    }
  });

  it('lists campaigns newest first with a cursor that reaches every one', async () => {
    const mine = new Set<string>();
    for (let n = 0; n < 3; n++) mine.add((await created(campaignBody((await newSku()).skuId))).id);
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { items: { id: string; items: unknown[] }[]; next_cursor: string | null } = await json(
        api('GET', `/admin/api/flash-sales?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: viewer }),
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((s) => s.id));
      cursor = page.next_cursor;
    }
    const total = (await one<{ n: number }>('SELECT count(*) AS n FROM flash_sales')).n;
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    const newestFirst = [...mine].reverse();
    expect(seen.filter((id) => mine.has(id))).toEqual(newestFirst);
    expect((await api('GET', '/admin/api/flash-sales?cursor=garbage', { token: viewer })).status).toBe(400);
    expect((await api('GET', '/admin/api/flash-sales?status=lost', { token: viewer })).status).toBe(400);
    const cancelledOnly = await json(api('GET', '/admin/api/flash-sales?status=cancelled', { token: viewer }));
    expect(cancelledOnly.items.every((s: { status: string }) => s.status === 'cancelled')).toBe(true);
  });

  it('cancels: status cancelled, every shard’s window closed at once, the version bumped; a second cancel is a 409', async () => {
    const { skuId } = await newSku({ stock: 50 });
    const now = Date.now();
    const sale = await created(campaignBody(skuId, { starts_at: iso(now - 1000), ends_at: iso(now + HOUR), shard_count: 3 }));
    const versionBefore = (await one<{ version: number }>('SELECT version FROM catalog_state')).version;
    const res = await api('POST', `/admin/api/flash-sales/${sale.id}/cancel`, { token: operator });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ status: 'cancelled', state: 'cancelled', stock_objects_closed: true, cancelled_at: expect.any(String) });
    const cancelledAt = Date.parse(body.cancelled_at);
    expect((await one<{ version: number }>('SELECT version FROM catalog_state')).version).toBe(versionBefore + 1);
    for (let shard = 0; shard < 3; shard++) {
      const snapshot = await stockObject(sale.items[0].id, shard).snapshot();
      expect(snapshot.config!.endsAt).toBe(cancelledAt);
      expect(snapshot.config!.endsAt).toBeLessThanOrEqual(Date.now());
      const attempt = await stockObject(sale.items[0].id, shard).reserve({ reservationId: newId('rsv'), userId: newId('usr'), quantity: 1, nowMs: Date.now() });
      expect(attempt).toMatchObject({ ok: false, reason: 'ended' });
    }
    // The flash units stay out of the SKU until settlement.
    expect(await skuStock(skuId)).toBe(40);
    const before = await writableState();
    const again = await api('POST', `/admin/api/flash-sales/${sale.id}/cancel`, { token: operator });
    expect(again.status).toBe(409);
    expect(await writableState()).toEqual(before);
  });

  it('cancels an upcoming campaign: its objects’ window ends in the past', async () => {
    const { skuId } = await newSku();
    const sale = await created(campaignBody(skuId));
    expect((await api('POST', `/admin/api/flash-sales/${sale.id}/cancel`, { token: operator })).status).toBe(200);
    const snapshot = await stockObject(sale.items[0].id).snapshot();
    expect(snapshot.config!.endsAt).toBeLessThanOrEqual(Date.now());
    expect(snapshot.config!.startsAt).toBeLessThan(snapshot.config!.endsAt);
  });

  it('answers 404 for unknown campaigns and 400 for bad ids', async () => {
    expect((await api('GET', '/admin/api/flash-sales/fls_doesnotexist', { token: viewer })).status).toBe(404);
    expect((await api('POST', '/admin/api/flash-sales/fls_doesnotexist/cancel', { token: operator })).status).toBe(404);
    expect((await api('GET', '/admin/api/flash-sales/not-an-id', { token: viewer })).status).toBe(400);
    expect((await api('POST', '/admin/api/flash-sales/prd_123/cancel', { token: operator })).status).toBe(400);
  });

  it('viewers read but every write is a 403 that writes nothing; no token is a 401', async () => {
    const { skuId } = await newSku();
    const sale = await created(campaignBody(skuId));
    const other = await newSku();
    expect((await api('GET', '/admin/api/flash-sales', { token: viewer })).status).toBe(200);
    expect((await api('GET', `/admin/api/flash-sales/${sale.id}`, { token: viewer })).status).toBe(200);
    const before = await writableState();
    const attempts = [create(campaignBody(other.skuId), viewer), api('POST', `/admin/api/flash-sales/${sale.id}/cancel`, { token: viewer })];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect((await json(res)).error.code).toBe('forbidden');
    }
    expect((await create(campaignBody(other.skuId), '')).status).toBe(401);
    expect((await api('GET', '/admin/api/flash-sales')).status).toBe(401);
    expect(await writableState()).toEqual(before);
  });
});
