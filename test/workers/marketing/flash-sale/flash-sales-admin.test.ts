// Flash-sale campaigns in the admin: the JSON API (validation that writes nothing, the flash
// stock leaving the SKU in the same batch, overlap and stock holding under concurrent creation,
// the stock objects' split, live figures, cancel, roles), settlement, and the admin page.
import { createExecutionContext, env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../../src/app';
import type { MerchantRole } from '../../../../src/db/merchants';
import { shardFor, splitStockAcrossShards, stockObjectName } from '../../../../src/domain/flash-sale';
import { ManualClock } from '../../../../src/lib/clock';
import { newId } from '../../../../src/lib/ids';
import { settleEndedFlashSales } from '../../../../src/marketing/flash-sale/settlement';
import { runScheduledWork } from '../../../../src/services/scheduled';
import { adminFormPost, adminPage, adminSession, api, BASE, createCategory, createProduct, json, tokenFor } from '../../../fixtures/helpers';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let operator: string;
let viewer: string;
let categoryId: string;
const sessions = {} as Record<MerchantRole, string>;

beforeAll(async () => {
  operator = (await tokenFor('operator')).token;
  viewer = (await tokenFor('viewer')).token;
  categoryId = await createCategory(operator, '秒杀后台');
  for (const role of ['operator', 'viewer'] as const) sessions[role] = (await adminSession(role)).cookie;
});

/** A product with one SKU (price ¥199, stock as given), published unless told otherwise. */
async function newSku(opts: { stock?: number; priceFen?: number; publish?: boolean; title?: string } = {}) {
  const product = await createProduct(
    operator,
    categoryId,
    { title: opts.title ?? '秒杀专用商品', specs: [], skus: [{ spec_values: [], price_fen: opts.priceFen ?? 19900, original_price_fen: 29900, stock: opts.stock ?? 100 }] },
    opts.publish ?? true,
  );
  return { productId: product.id as string, skuId: product.skus[0].id as string };
}

const iso = (ms: number) => new Date(ms).toISOString();

function campaignBody(skuId: string, overrides: Record<string, unknown> = {}) {
  const now = Date.now();
  return {
    title: '整点秒杀',
    starts_at: iso(now + HOUR),
    ends_at: iso(now + 2 * HOUR),
    per_user_limit: 2,
    per_order_limit: 1,
    items: [{ sku_id: skuId, flash_price_fen: 990, flash_stock: 10 }],
    ...overrides,
  };
}

const create = (body: unknown, token = operator) => api('POST', '/admin/api/flash-sales', { token, body });

async function created(body: unknown) {
  const res = await create(body);
  if (res.status !== 201) throw new Error(`flash sale: ${res.status} ${await res.text()}`);
  return json(res);
}

const stockObject = (itemId: string, shard = 0) => env.FLASH_SALE_STOCK.get(env.FLASH_SALE_STOCK.idFromName(stockObjectName(itemId, shard)));

const one = async <T>(sql: string, ...binds: unknown[]) =>
  (await env.DB.prepare(sql)
    .bind(...binds)
    .first<T>())!;
const skuStock = async (skuId: string) => (await one<{ stock: number }>('SELECT stock FROM skus WHERE id = ?', skuId)).stock;

/** Everything creating or cancelling a campaign could write: "nothing written" compares two of these. */
async function writableState() {
  const all = async (sql: string) => JSON.stringify((await env.DB.prepare(sql).all()).results);
  return {
    skus: await all('SELECT id, stock, updated_at FROM skus ORDER BY id'),
    products: await all('SELECT id, total_stock, updated_at FROM products ORDER BY id'),
    ledger: await all('SELECT id FROM stock_ledger ORDER BY id'),
    flashSales: await all('SELECT id, status, updated_at FROM flash_sales ORDER BY id'),
    flashItems: await all('SELECT id FROM flash_sale_items ORDER BY id'),
    version: await all('SELECT version FROM catalog_state'),
  };
}

describe('creating a flash sale', () => {
  it('takes the flash stock out of the SKU with a ledger row, refreshes the product and bumps the catalog version', async () => {
    const { productId, skuId } = await newSku({ stock: 100 });
    const versionBefore = (await one<{ version: number }>('SELECT version FROM catalog_state')).version;
    const res = await create(campaignBody(skuId));
    expect(res.status).toBe(201);
    const sale = await json(res);
    expect(res.headers.get('Location')).toBe(`/admin/api/flash-sales/${sale.id}`);
    expect(sale).toMatchObject({ id: expect.stringMatching(/^fls_/), status: 'scheduled', state: 'upcoming', per_user_limit: 2, per_order_limit: 1, payment_window_minutes: 5, shard_count: 1 });
    expect(sale.items).toEqual([expect.objectContaining({ id: expect.stringMatching(/^fsi_/), sku_id: skuId, product_id: productId, price_fen: 19900, flash_price_fen: 990, flash_stock: 10 })]);

    expect(await skuStock(skuId)).toBe(90);
    const ledger = await env.DB.prepare('SELECT delta, stock_after, reason, actor_id FROM stock_ledger WHERE sku_id = ? ORDER BY created_at, id').bind(skuId).all();
    expect(ledger.results).toEqual([
      expect.objectContaining({ delta: 100, reason: 'initial stock' }),
      expect.objectContaining({ delta: -10, stock_after: 90, reason: `flash sale ${sale.id}`, actor_id: expect.stringMatching(/^mer_/) }),
    ]);
    expect((await one<{ total_stock: number }>('SELECT total_stock FROM products WHERE id = ?', productId)).total_stock).toBe(90);
    expect((await one<{ version: number }>('SELECT version FROM catalog_state')).version).toBe(versionBefore + 1);
    // The shop sells what is left, not the flash units.
    expect((await json(api('GET', `/products/${productId}`))).skus[0].stock).toBe(90);
  });

  it('configures every shard of every item with the split stock, the window, the limits and the hold', async () => {
    const a = await newSku({ stock: 50 });
    const b = await newSku({ stock: 50 });
    const body = campaignBody(a.skuId, {
      shard_count: 3,
      payment_window_minutes: 7,
      items: [
        { sku_id: a.skuId, flash_price_fen: 990, flash_stock: 10 },
        { sku_id: b.skuId, flash_price_fen: 19900, flash_stock: 2 },
      ],
    });
    const sale = await created(body);
    for (const [i, item] of sale.items.entries()) {
      const split = splitStockAcrossShards(body.items[i]!.flash_stock, 3);
      expect(split.reduce((n, x) => n + x, 0)).toBe(body.items[i]!.flash_stock);
      for (let shard = 0; shard < 3; shard++) {
        const snapshot = await stockObject(item.id, shard).snapshot();
        expect(snapshot.config).toMatchObject({
          itemId: item.id,
          flashSaleId: sale.id,
          skuId: item.sku_id,
          shard,
          shardCount: 3,
          startsAt: Date.parse(body.starts_at),
          endsAt: Date.parse(body.ends_at),
          perUserLimit: 2,
          perOrderLimit: 1,
          holdMs: 7 * MINUTE,
          initialStock: split[shard],
        });
        expect(snapshot).toMatchObject({ available: split[shard], held: 0, paid: 0 });
      }
    }
    expect(splitStockAcrossShards(10, 3)).toEqual([4, 3, 3]);
    expect(splitStockAcrossShards(2, 3)).toEqual([1, 1, 0]);
  });

  it('sizes the shard count from the expected peak when none is given', async () => {
    const { skuId } = await newSku();
    expect((await created(campaignBody(skuId, { expected_peak_per_second: 1000 }))).shard_count).toBe(4);
    const other = await newSku();
    expect((await created(campaignBody(other.skuId, { expected_peak_per_second: 1000, shard_count: 2 }))).shard_count).toBe(2);
    const third = await newSku();
    expect((await created(campaignBody(third.skuId))).shard_count).toBe(1);
  });

  it('lets campaigns for one SKU follow each other, and a cancelled one frees its window', async () => {
    const { skuId } = await newSku();
    const now = Date.now();
    const first = await created(campaignBody(skuId, { starts_at: iso(now + HOUR), ends_at: iso(now + 2 * HOUR) }));
    // Back to back: [1h, 2h) and [2h, 3h) do not overlap.
    await created(campaignBody(skuId, { starts_at: iso(now + 2 * HOUR), ends_at: iso(now + 3 * HOUR) }));
    expect((await create(campaignBody(skuId, { starts_at: iso(now + 90 * MINUTE), ends_at: iso(now + 100 * MINUTE) }))).status).toBe(422);
    expect((await api('POST', `/admin/api/flash-sales/${first.id}/cancel`, { token: operator })).status).toBe(200);
    expect((await create(campaignBody(skuId, { starts_at: iso(now + 90 * MINUTE), ends_at: iso(now + 100 * MINUTE) }))).status).toBe(201);
  });
});

describe('refused campaigns: a clear 4xx naming the field, and nothing written', () => {
  type Case = { name: string; body: (ids: Ids) => unknown; status: number; code: string; path: string };
  type Ids = { sku: string; other: string; inactive: string; unpublished: string; busy: string };
  let ids: Ids;

  beforeAll(async () => {
    const sku = await newSku({ stock: 20 });
    const other = await newSku({ stock: 20 });
    const inactive = await newSku({ stock: 20 });
    await env.DB.prepare('UPDATE skus SET active = 0 WHERE id = ?').bind(inactive.skuId).run();
    const unpublished = await newSku({ stock: 20, publish: false });
    const busy = await newSku({ stock: 20 });
    await created(campaignBody(busy.skuId, { starts_at: iso(Date.now() + 3 * HOUR), ends_at: iso(Date.now() + 5 * HOUR) }));
    ids = { sku: sku.skuId, other: other.skuId, inactive: inactive.skuId, unpublished: unpublished.skuId, busy: busy.skuId };
  });

  const item = (sku: string, extra: Record<string, unknown> = {}) => ({ sku_id: sku, flash_price_fen: 990, flash_stock: 5, ...extra });
  const now = Date.now();
  const cases: Case[] = [
    {
      name: 'flash price above the SKU’s price',
      body: (i) => campaignBody(i.sku, { items: [item(i.sku, { flash_price_fen: 19901 })] }),
      status: 422,
      code: 'flash_price_above_price',
      path: 'body.items.0.flash_price_fen',
    },
    { name: 'flash price of 0 fen', body: (i) => campaignBody(i.sku, { items: [item(i.sku, { flash_price_fen: 0 })] }), status: 400, code: 'invalid_input', path: 'body.items.0.flash_price_fen' },
    {
      name: 'flash price of 9.9 (not fen)',
      body: (i) => campaignBody(i.sku, { items: [item(i.sku, { flash_price_fen: 9.9 })] }),
      status: 400,
      code: 'invalid_input',
      path: 'body.items.0.flash_price_fen',
    },
    {
      name: 'flash stock above the SKU’s stock',
      body: (i) => campaignBody(i.sku, { items: [item(i.sku, { flash_stock: 21 })] }),
      status: 422,
      code: 'insufficient_stock',
      path: 'body.items.0.flash_stock',
    },
    { name: 'flash stock of 0', body: (i) => campaignBody(i.sku, { items: [item(i.sku, { flash_stock: 0 })] }), status: 400, code: 'invalid_input', path: 'body.items.0.flash_stock' },
    {
      name: 'a second item that fails (the first is not written either)',
      body: (i) => campaignBody(i.sku, { items: [item(i.sku), item(i.other, { flash_stock: 21 })] }),
      status: 422,
      code: 'insufficient_stock',
      path: 'body.items.1.flash_stock',
    },
    {
      name: 'an overlapping campaign for the SKU',
      body: (i) => campaignBody(i.busy, { starts_at: iso(now + 4 * HOUR), ends_at: iso(now + 6 * HOUR), items: [item(i.busy)] }),
      status: 422,
      code: 'flash_sale_overlap',
      path: 'body.items.0.sku_id',
    },
    {
      name: 'a campaign inside another one’s window',
      body: (i) => campaignBody(i.sku, { starts_at: iso(now + 3.5 * HOUR), ends_at: iso(now + 4 * HOUR), items: [item(i.sku), item(i.busy)] }),
      status: 422,
      code: 'flash_sale_overlap',
      path: 'body.items.1.sku_id',
    },
    { name: 'an end before the start', body: (i) => campaignBody(i.sku, { starts_at: iso(now + 2 * HOUR), ends_at: iso(now + HOUR) }), status: 400, code: 'invalid_input', path: 'body.ends_at' },
    { name: 'an end equal to the start', body: (i) => campaignBody(i.sku, { starts_at: iso(now + 2 * HOUR), ends_at: iso(now + 2 * HOUR) }), status: 400, code: 'invalid_input', path: 'body.ends_at' },
    { name: 'a start in the past', body: (i) => campaignBody(i.sku, { starts_at: iso(now - HOUR), ends_at: iso(now + HOUR) }), status: 422, code: 'starts_in_past', path: 'body.starts_at' },
    { name: 'a start that is not a time', body: (i) => campaignBody(i.sku, { starts_at: 'tomorrow' }), status: 400, code: 'invalid_input', path: 'body.starts_at' },
    { name: 'a time without a zone', body: (i) => campaignBody(i.sku, { starts_at: '2031-06-18T20:00:00' }), status: 400, code: 'invalid_input', path: 'body.starts_at' },
    {
      name: 'a date that does not exist',
      body: (i) => campaignBody(i.sku, { starts_at: '2031-02-30T20:00:00+08:00', ends_at: '2031-03-05T20:00:00+08:00' }),
      status: 400,
      code: 'invalid_input',
      path: 'body.starts_at',
    },
    {
      name: 'a per-order limit above the per-user limit',
      body: (i) => campaignBody(i.sku, { per_user_limit: 1, per_order_limit: 2 }),
      status: 400,
      code: 'invalid_input',
      path: 'body.per_order_limit',
    },
    { name: 'a per-user limit of 0', body: (i) => campaignBody(i.sku, { per_user_limit: 0 }), status: 400, code: 'invalid_input', path: 'body.per_user_limit' },
    { name: 'the same SKU twice', body: (i) => campaignBody(i.sku, { items: [item(i.sku), item(i.other), item(i.sku)] }), status: 400, code: 'invalid_input', path: 'body.items.2.sku_id' },
    { name: 'an unknown SKU', body: (i) => campaignBody(i.sku, { items: [item(i.sku), item('sku_doesnotexist')] }), status: 422, code: 'sku_not_found', path: 'body.items.1.sku_id' },
    { name: 'a malformed SKU id', body: (i) => campaignBody(i.sku, { items: [item('prd_123')] }), status: 400, code: 'invalid_input', path: 'body.items.0.sku_id' },
    { name: 'a removed SKU', body: (i) => campaignBody(i.inactive, { items: [item(i.inactive)] }), status: 422, code: 'sku_not_sellable', path: 'body.items.0.sku_id' },
    { name: 'an unpublished product', body: (i) => campaignBody(i.unpublished, { items: [item(i.unpublished)] }), status: 422, code: 'sku_not_sellable', path: 'body.items.0.sku_id' },
    { name: 'no items', body: (i) => campaignBody(i.sku, { items: [] }), status: 400, code: 'invalid_input', path: 'body.items' },
    { name: 'a payment window of 31 minutes', body: (i) => campaignBody(i.sku, { payment_window_minutes: 31 }), status: 400, code: 'invalid_input', path: 'body.payment_window_minutes' },
    { name: 'a payment window of 0 minutes', body: (i) => campaignBody(i.sku, { payment_window_minutes: 0 }), status: 400, code: 'invalid_input', path: 'body.payment_window_minutes' },
    { name: '65 shards', body: (i) => campaignBody(i.sku, { shard_count: 65 }), status: 400, code: 'invalid_input', path: 'body.shard_count' },
    {
      name: 'more than 512 stock objects',
      body: (i) => campaignBody(i.sku, { shard_count: 64, items: Array.from({ length: 9 }, (_, n) => item(n === 0 ? i.sku : `sku_fake${n}`)) }),
      status: 400,
      code: 'invalid_input',
      path: 'body.shard_count',
    },
    {
      name: 'overlapping daily slots',
      body: (i) =>
        campaignBody(i.sku, {
          daily_slots: [
            { start: '10:00', end: '12:00' },
            { start: '11:30', end: '13:00' },
          ],
        }),
      status: 400,
      code: 'invalid_input',
      path: 'body.daily_slots.1.start',
    },
    {
      name: 'a daily slot that ends before it starts',
      body: (i) => campaignBody(i.sku, { daily_slots: [{ start: '22:00', end: '02:00' }] }),
      status: 400,
      code: 'invalid_input',
      path: 'body.daily_slots.0.end',
    },
    { name: 'a daily slot at 25:00', body: (i) => campaignBody(i.sku, { daily_slots: [{ start: '10:00', end: '25:00' }] }), status: 400, code: 'invalid_input', path: 'body.daily_slots.0.end' },
    { name: 'an empty list of daily slots', body: (i) => campaignBody(i.sku, { daily_slots: [] }), status: 400, code: 'invalid_input', path: 'body.daily_slots' },
    {
      name: 'nine daily slots',
      body: (i) => campaignBody(i.sku, { daily_slots: Array.from({ length: 9 }, (_, h) => ({ start: `0${h}:00`, end: `0${h}:30` })) }),
      status: 400,
      code: 'invalid_input',
      path: 'body.daily_slots',
    },
    {
      name: 'daily slots that never fall in the window',
      body: (i) => campaignBody(i.sku, { starts_at: '2031-06-18T13:00:00+08:00', ends_at: '2031-06-18T14:00:00+08:00', daily_slots: [{ start: '10:00', end: '12:00' }] }),
      status: 422,
      code: 'no_slot_in_window',
      path: 'body.daily_slots',
    },
    { name: 'an unknown field', body: (i) => ({ ...campaignBody(i.sku), status: 'settled' }), status: 400, code: 'invalid_input', path: 'body.status' },
    { name: 'an empty title', body: (i) => campaignBody(i.sku, { title: '  ' }), status: 400, code: 'invalid_input', path: 'body.title' },
  ];

  it.each(cases)('$name → $status $code at $path', async ({ body, status, code, path }) => {
    const before = await writableState();
    const res = await create(body(ids));
    expect(res.status).toBe(status);
    const { error } = await json(res);
    expect(error.code).toBe(code);
    expect(error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(await writableState()).toEqual(before);
  });

  it('refuses malformed JSON with a 400 and writes nothing', async () => {
    const before = await writableState();
    const res = await api('POST', '/admin/api/flash-sales', { token: operator, rawBody: '{"title": ', headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(await writableState()).toEqual(before);
  });
});

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

describe('stock objects that cannot be reached', () => {
  /** The app with a FLASH_SALE_STOCK binding whose every call fails, as if the objects were unreachable. */
  function appWithUnreachableObjects() {
    const unreachable = new Proxy(env.FLASH_SALE_STOCK, {
      get(target, prop) {
        if (prop === 'get') return () => new Proxy({}, { get: () => () => Promise.reject(new Error('object unreachable')) });
        const value = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const app = createApp();
    return (method: string, path: string, token: string, body?: unknown) =>
      app.request(
        `${BASE}${path}`,
        { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) },
        { ...env, FLASH_SALE_STOCK: unreachable },
        createExecutionContext(),
      );
  }

  it('answers 503 after saving the campaign; the first read configures the objects from D1', async () => {
    const { skuId } = await newSku({ stock: 30 });
    const call = appWithUnreachableObjects();
    const res = await call('POST', '/admin/api/flash-sales', operator, campaignBody(skuId, { shard_count: 2, items: [{ sku_id: skuId, flash_price_fen: 990, flash_stock: 9 }] }));
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).toBe('1');
    const location = res.headers.get('Location')!;
    expect(location).toMatch(/^\/admin\/api\/flash-sales\/fls_/);
    expect((await json(res)).error.code).toBe('stock_objects_unavailable');
    // Saved: the stock has left the SKU, and the objects know nothing yet.
    expect(await skuStock(skuId)).toBe(21);
    const itemId = (await one<{ id: string }>('SELECT id FROM flash_sale_items WHERE sku_id = ?', skuId)).id;
    expect((await stockObject(itemId, 0).snapshot()).config).toBeNull();
    // A retry of the same body is refused (it would be a second campaign), not a double take.
    expect((await create(campaignBody(skuId, { shard_count: 2, items: [{ sku_id: skuId, flash_price_fen: 990, flash_stock: 9 }] }))).status).toBe(422);

    const detail = await json(api('GET', location, { token: viewer }));
    expect(detail.items[0].live).toEqual({ available: 9, held: 0, paid: 0, released: 0 });
    expect((await stockObject(itemId, 0).snapshot()).config).toMatchObject({ initialStock: 5, shardCount: 2 });
    expect((await stockObject(itemId, 1).snapshot()).config).toMatchObject({ initialStock: 4, shardCount: 2 });

    // Unreachable on read: a 503 with Retry-After, never a 500.
    const unreadable = await call('GET', location, viewer);
    expect(unreadable.status).toBe(503);
    expect(unreadable.headers.get('Retry-After')).toBe('1');
  });

  it('cancels in D1 even when the objects cannot be told; the next use closes them', async () => {
    const { skuId } = await newSku();
    const now = Date.now();
    const sale = await created(campaignBody(skuId, { starts_at: iso(now - 1000), ends_at: iso(now + HOUR) }));
    const res = await appWithUnreachableObjects()('POST', `/admin/api/flash-sales/${sale.id}/cancel`, operator);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ status: 'cancelled', stock_objects_closed: false });
    expect((await stockObject(sale.items[0].id).snapshot()).config!.endsAt).toBe(Date.parse(sale.ends_at));
    // Shoppers are refused by the purchase path (D1 says cancelled); a read closes the objects.
    await api('GET', `/admin/api/flash-sales/${sale.id}`, { token: viewer });
    expect((await stockObject(sale.items[0].id).snapshot()).config!.endsAt).toBeLessThanOrEqual(Date.now());
  });
});

describe('settlement', () => {
  /** Runs the cron sweep until it has looked at this campaign (other tests' leftovers may come first). */
  async function settle(flashSaleId: string, now: number) {
    for (let run = 0; run < 10; run++) {
      const outcome = (await runScheduledWork(env, new ManualClock(now))).flashSales.find((o) => o.flash_sale_id === flashSaleId);
      if (outcome) return outcome;
    }
    throw new Error('never looked at');
  }

  it('waits for held reservations, then gives the unsold units back to the SKU once', async () => {
    const { productId, skuId } = await newSku({ stock: 40 });
    const now = Date.now();
    const sale = await created(campaignBody(skuId, { starts_at: iso(now - 1000), ends_at: iso(now + HOUR), shard_count: 2, items: [{ sku_id: skuId, flash_price_fen: 990, flash_stock: 10 }] }));
    const itemId = sale.items[0].id;
    const [buyer, waiter] = [newId('usr'), newId('usr')];
    const paid = await stockObject(itemId, shardFor(buyer, 2)).reserve({ reservationId: newId('rsv'), userId: buyer, quantity: 1, nowMs: now });
    expect(paid.ok && (await stockObject(itemId, shardFor(buyer, 2)).confirmPaid(paid.reservationId, 'ord_x'))).toBe('paid');
    const held = await stockObject(itemId, shardFor(waiter, 2)).reserve({ reservationId: newId('rsv'), userId: waiter, quantity: 1, nowMs: now });
    expect(held.ok).toBe(true);
    expect(await skuStock(skuId)).toBe(30);

    // Not ended yet: not due.
    expect((await settleEndedFlashSales(env, now)).find((o) => o.flash_sale_id === sale.id)).toBeUndefined();
    const after = now + 2 * HOUR;
    expect(await settle(sale.id, after)).toMatchObject({ outcome: 'waiting', waiting_for: expect.stringContaining('reservations_held') });
    expect(await skuStock(skuId)).toBe(30);

    expect(held.ok && (await stockObject(itemId, shardFor(waiter, 2)).release(held.reservationId, 'expired'))).toBe('released');
    expect(await settle(sale.id, after)).toMatchObject({ outcome: 'settled', returned: { [skuId]: 9 } });
    expect(await skuStock(skuId)).toBe(39);
    expect((await one<{ total_stock: number }>('SELECT total_stock FROM products WHERE id = ?', productId)).total_stock).toBe(39);
    const ledger = await one<{ delta: number; stock_after: number }>('SELECT delta, stock_after FROM stock_ledger WHERE reason = ?', `flash sale ${sale.id} settled`);
    expect(ledger).toEqual({ delta: 9, stock_after: 39 });
    expect((await json(api('GET', `/admin/api/flash-sales/${sale.id}`, { token: viewer }))).status).toBe('settled');

    // Again: nothing is due for it, nothing comes back twice.
    expect((await settleEndedFlashSales(env, after)).find((o) => o.flash_sale_id === sale.id)).toBeUndefined();
    expect(await skuStock(skuId)).toBe(39);
    // The SKU is free for another campaign.
    expect((await create(campaignBody(skuId))).status).toBe(201);
  });

  it('settles a cancelled campaign right away, returning all of its stock', async () => {
    const { skuId } = await newSku({ stock: 20 });
    const sale = await created(campaignBody(skuId, { shard_count: 3, items: [{ sku_id: skuId, flash_price_fen: 990, flash_stock: 7 }] }));
    expect(await skuStock(skuId)).toBe(13);
    await api('POST', `/admin/api/flash-sales/${sale.id}/cancel`, { token: operator });
    expect(await settle(sale.id, Date.now())).toMatchObject({ outcome: 'settled', returned: { [skuId]: 7 } });
    expect(await skuStock(skuId)).toBe(20);
  });
});

describe('admin page', () => {
  /** Tomorrow's date in the shop's time zone, as datetime-local wants it. */
  const shopDate = (daysAhead: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + daysAhead * 24 * HOUR));

  function formFields(skuId: string, overrides: Record<string, string> = {}) {
    const day = shopDate(2);
    return {
      title: '晚八点 <b>秒杀</b>',
      starts_at: `${day}T20:00`,
      ends_at: `${day}T21:30`,
      per_user_limit: '2',
      per_order_limit: '1',
      payment_window_minutes: '5',
      shard_count: '',
      expected_peak_per_second: '',
      'items.0.sku_id': skuId,
      'items.0.flash_price': '9.9',
      'items.0.flash_stock': '12',
      ...overrides,
    };
  }

  it('has a 秒杀 nav entry and lists campaigns with their state, escaped', async () => {
    const { skuId } = await newSku();
    const sale = await created(campaignBody(skuId, { title: '<script>alert(1)</script> 秒杀' }));
    const res = await adminPage('/admin/flash-sales', { cookie: sessions.viewer });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Security-Policy')).toContain("default-src 'none'");
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('<a href="/admin/flash-sales">秒杀</a>');
    expect(html).toContain(`<a href="/admin/flash-sales/${sale.id}">&lt;script&gt;alert(1)&lt;/script&gt; 秒杀</a></td><td>未开始</td>`);
    expect(html).not.toContain('<script>');
    // Viewers get no create link.
    expect(html).not.toContain('/admin/flash-sales/new');
    expect(await (await adminPage('/admin/flash-sales', { cookie: sessions.operator })).text()).toContain('href="/admin/flash-sales/new"');
    expect((await adminPage('/admin/flash-sales?cursor=garbage', { cookie: sessions.viewer })).status).toBe(400);
    expect((await adminPage('/admin/flash-sales')).headers.get('Location')).toBe('/admin/login');
  });

  it('creates a campaign from the form, reading times in Asia/Shanghai and prices in yuan', async () => {
    const { skuId } = await newSku({ stock: 50 });
    const form = await adminPage('/admin/flash-sales/new', { cookie: sessions.operator });
    expect(form.status).toBe(200);
    const formHtml = await form.text();
    expect(formHtml).toContain('action="/admin/flash-sales"');
    expect(formHtml).toContain('type="datetime-local" name="starts_at"');
    expect(formHtml).toContain('name="items.4.flash_stock"');

    const fields = formFields(skuId);
    const res = await adminFormPost('/admin/flash-sales', fields, { cookie: sessions.operator });
    expect(res.status).toBe(303);
    const location = res.headers.get('Location')!;
    expect(location).toMatch(/^\/admin\/flash-sales\/fls_\w+\?done=created$/);
    const id = location.split('/')[3]!.split('?')[0]!;
    const row = await one<{ title: string; starts_at: number; ends_at: number; shard_count: number }>('SELECT title, starts_at, ends_at, shard_count FROM flash_sales WHERE id = ?', id);
    expect(row).toEqual({ title: '晚八点 <b>秒杀</b>', starts_at: Date.parse(`${fields.starts_at}:00+08:00`), ends_at: Date.parse(`${fields.ends_at}:00+08:00`), shard_count: 1 });
    expect(await one('SELECT flash_price_fen, flash_stock FROM flash_sale_items WHERE flash_sale_id = ?', id)).toEqual({ flash_price_fen: 990, flash_stock: 12 });
    expect(await skuStock(skuId)).toBe(38);

    const detail = await (await adminPage(location, { cookie: sessions.operator })).text();
    expect(detail).toContain('秒杀活动已创建');
    expect(detail).toContain('晚八点 &lt;b&gt;秒杀&lt;/b&gt;');
    expect(detail).toContain(`<td>${skuId}</td><td class="num">¥199.00</td><td class="num">¥9.90</td><td class="num">12</td><td class="num">12</td><td class="num">0</td><td class="num">0</td>`);
    expect(detail).toContain('20:00:00');
    expect(detail).toContain('全天（整段时间）');
    expect(detail).toContain(`action="/admin/flash-sales/${id}/cancel"`);
  });

  it('creates a campaign with daily slots typed as merchants write them', async () => {
    const { skuId } = await newSku({ stock: 50 });
    const res = await adminFormPost('/admin/flash-sales', formFields(skuId, { daily_slots: '20:00-22:00，9:30~11:00' }), { cookie: sessions.operator });
    expect(res.status).toBe(303);
    const id = res.headers.get('Location')!.split('/')[3]!.split('?')[0]!;
    expect(JSON.parse((await one<{ daily_slots: string }>('SELECT daily_slots FROM flash_sales WHERE id = ?', id)).daily_slots)).toEqual([
      { start: '20:00', end: '22:00' },
      { start: '09:30', end: '11:00' },
    ]);
    expect(await (await adminPage(`/admin/flash-sales/${id}`, { cookie: sessions.operator })).text()).toContain('20:00-22:00, 09:30-11:00');
  });

  it.each([
    [{ 'items.0.flash_price': '200' }, 'items.0.flash_price', 422, '秒杀价不能高于商品售价'],
    [{ 'items.0.flash_price': '9.999' }, 'items.0.flash_price', 400, '请输入金额'],
    [{ 'items.0.flash_stock': '51' }, 'items.0.flash_stock', 422, '秒杀库存不能超过商品当前库存'],
    [{ ends_at: '' }, 'ends_at', 400, '请选择日期和时间'],
    [{ per_order_limit: '3' }, 'per_order_limit', 400, '每单限购不能超过每人限购'],
    [{ 'items.0.sku_id': 'sku_doesnotexist' }, 'items.0.sku_id', 422, '没有这个 SKU'],
    [{ daily_slots: '10点到12点' }, 'daily_slots', 400, '格式如 10:00-12:00'],
    [{ daily_slots: '10:00-12:00, 11:00-13:00' }, 'daily_slots', 400, '场次时间有重叠'],
    [{ 'items.0.sku_id': '', 'items.0.flash_price': '', 'items.0.flash_stock': '' }, null, 400, '请至少填写一行秒杀商品'],
  ] as const)('refuses %o, naming %s (%i), keeps the input and writes nothing', async (overrides, field, status, message) => {
    const { skuId } = await newSku({ stock: 50 });
    const before = await writableState();
    const res = await adminFormPost('/admin/flash-sales', formFields(skuId, overrides as Record<string, string>), { cookie: sessions.operator });
    expect(res.status).toBe(status);
    const html = await res.text();
    expect(html).toContain(message);
    if (field) expect(html).toMatch(new RegExp(`name="${field.replace(/\./g, '\\.')}" value="[^"]*"[^>]* aria-invalid="true"[^>]*/><span class="field-error">`));
    expect(html).toContain('value="晚八点 &lt;b&gt;秒杀&lt;/b&gt;"');
    expect(await writableState()).toEqual(before);
  });

  it('puts an error of a later row next to that row when earlier rows are blank', async () => {
    const { skuId } = await newSku({ stock: 5 });
    const res = await adminFormPost(
      '/admin/flash-sales',
      formFields(skuId, { 'items.0.sku_id': '', 'items.0.flash_price': '', 'items.0.flash_stock': '', 'items.2.sku_id': skuId, 'items.2.flash_price': '1', 'items.2.flash_stock': '6' }),
      { cookie: sessions.operator },
    );
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/name="items\.2\.flash_stock" value="6" inputmode="numeric" aria-label="[^"]+" aria-invalid="true"\/><span class="field-error">/);
  });

  it('shows live figures and cancels through the form; viewers and other origins are refused', async () => {
    const { skuId } = await newSku({ stock: 50 });
    const now = Date.now();
    const sale = await created(campaignBody(skuId, { starts_at: iso(now - 1000), ends_at: iso(now + HOUR), shard_count: 2 }));
    const shopper = newId('usr');
    await stockObject(sale.items[0].id, shardFor(shopper, 2)).reserve({ reservationId: newId('rsv'), userId: shopper, quantity: 1, nowMs: Date.now() });
    const viewerHtml = await (await adminPage(`/admin/flash-sales/${sale.id}`, { cookie: sessions.viewer })).text();
    expect(viewerHtml).toContain('状态：进行中');
    expect(viewerHtml).toContain('<td class="num">10</td><td class="num">9</td><td class="num">1</td><td class="num">0</td>');
    expect(viewerHtml).not.toContain('/cancel');

    const before = await writableState();
    expect((await adminFormPost(`/admin/flash-sales/${sale.id}/cancel`, {}, { cookie: sessions.viewer })).status).toBe(403);
    expect((await adminFormPost(`/admin/flash-sales/${sale.id}/cancel`, {}, { cookie: sessions.operator, headers: { Origin: 'https://evil.test' } })).status).toBe(403);
    expect((await adminFormPost('/admin/flash-sales', formFields(skuId), { cookie: sessions.viewer })).status).toBe(403);
    expect((await adminPage('/admin/flash-sales/new', { cookie: sessions.viewer })).status).toBe(403);
    expect(await writableState()).toEqual(before);

    const res = await adminFormPost(`/admin/flash-sales/${sale.id}/cancel`, {}, { cookie: sessions.operator });
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe(`/admin/flash-sales/${sale.id}?done=cancelled`);
    expect((await one<{ status: string }>('SELECT status FROM flash_sales WHERE id = ?', sale.id)).status).toBe('cancelled');
    const html = await (await adminPage(`/admin/flash-sales/${sale.id}?done=cancelled`, { cookie: sessions.operator })).text();
    expect(html).toContain('秒杀活动已取消');
    expect(html).toContain('状态：已取消');
    expect(html).not.toContain('/cancel"');
    // A second cancel is an error page, not a crash.
    const again = await adminFormPost(`/admin/flash-sales/${sale.id}/cancel`, {}, { cookie: sessions.operator });
    expect(again.status).toBe(409);
    expect(again.headers.get('Content-Type')).toContain('text/html');
  });

  it('renders unknown campaigns as 404 pages and bad ids as 400 pages', async () => {
    const missing = await adminPage('/admin/flash-sales/fls_doesnotexist', { cookie: sessions.viewer });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('Content-Type')).toContain('text/html');
    expect((await adminPage('/admin/flash-sales/bad-id', { cookie: sessions.viewer })).status).toBe(400);
    expect((await adminPage('/admin/flash-sales/fls_doesnotexist?done=whatever', { cookie: sessions.viewer })).status).toBe(400);
    expect((await SELF.fetch(`${BASE}/admin/flash-sales/fls_doesnotexist/cancel`, { method: 'POST', redirect: 'manual', headers: { Cookie: sessions.operator, Origin: BASE } })).status).toBe(404);
  });
});
