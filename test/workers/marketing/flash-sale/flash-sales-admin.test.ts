// Flash-sale campaigns in the admin API: creating one (the flash stock leaving the SKU in the
// same batch, the stock objects' split) and every refused campaign (a 4xx naming the field, nothing written).
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { splitStockAcrossShards } from '../../../../src/domain/flash-sale';
import { api, json } from '../../../fixtures/helpers';
import { setUpFlashSaleAdmin, operator, newSku, iso, campaignBody, create, created, stockObject, one, skuStock, writableState, MINUTE, HOUR } from '../../../fixtures/flash-sale-admin';

beforeAll(setUpFlashSaleAdmin);

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
