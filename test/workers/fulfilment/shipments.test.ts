// Packages: partial shipment visible to the shopper, the order's state following the packages,
// the 15-package limit, bad lines with field paths, races between two packages of one order.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, createCategory, json, tokenFor } from '../../fixtures/helpers';
import { paidOrder, signedInShopper, skusFor } from '../../fixtures/fulfilment';

let merchant: string;
let skus: string[];

beforeAll(async () => {
  merchant = (await tokenFor('owner')).token;
  skus = await skusFor(merchant, await createCategory(merchant, '发货'), [1000, 2000, 3000]);
});

const ship = (orderId: string, body: Record<string, unknown>) => api('POST', `/admin/api/orders/${orderId}/shipments`, { token: merchant, body });

describe('packages', () => {
  it('ships part, then the rest; the shopper sees each package; the last one makes the order shipped', async () => {
    const shopper = await signedInShopper();
    const order = await paidOrder(shopper, [
      { sku_id: skus[0]!, quantity: 3 },
      { sku_id: skus[1]!, quantity: 1 },
    ]);
    const a = order.items.find((i) => i.sku_id === skus[0]);
    const b = order.items.find((i) => i.sku_id === skus[1]);
    const first = await ship(order.id, { carrier: 'SF', tracking_no: 'SF1000000001', lines: [{ order_item_id: a!.id, quantity: 2 }] });
    expect(first.status).toBe(201);
    expect((await json(first)).order.status).toBe('partially_shipped');
    const seen = await json(api('GET', `/orders/${order.id}`, { token: shopper.token }));
    expect(seen.status).toBe('partially_shipped');
    expect(seen.packages).toEqual([
      expect.objectContaining({
        seq: 1,
        method: 'express',
        carrier: { id: 'SF', name: '顺丰速运' },
        tracking_no: 'SF1000000001',
        lines: [{ order_item_id: a!.id, title: expect.any(String), quantity: 2 }],
        completes_order: false,
      }),
    ]);
    // Confirming receipt waits for the last package.
    expect((await api('POST', `/orders/${order.id}/confirm`, { token: shopper.token })).status).toBe(409);
    const rest = await ship(order.id, { carrier: '中通', tracking_no: 'ZT2000000002' });
    expect(rest.status).toBe(201);
    const after = (await json(rest)).order;
    expect(after.status).toBe('shipped');
    expect(after.packages[1]).toMatchObject({ seq: 2, carrier: { id: 'ZTO' }, completes_order: true });
    expect(after.packages[1].lines).toEqual(expect.arrayContaining([expect.objectContaining({ order_item_id: a!.id, quantity: 1 }), expect.objectContaining({ order_item_id: b!.id, quantity: 1 })]));
    expect((await ship(order.id, { carrier: 'SF', tracking_no: 'SF3' })).status).toBe(409);
    expect((await api('POST', `/orders/${order.id}/confirm`, { token: shopper.token })).status).toBe(200);
  });

  it('the single ship action ships everything left as the last package', async () => {
    const shopper = await signedInShopper();
    const order = await paidOrder(shopper, [{ sku_id: skus[0]!, quantity: 2 }]);
    expect((await ship(order.id, { carrier: 'YTO', tracking_no: 'YT1', lines: [{ order_item_id: order.items[0]!.id, quantity: 1 }] })).status).toBe(201);
    const res = await api('POST', `/admin/api/orders/${order.id}/ship`, { token: merchant, body: { carrier: '圆通', tracking_no: 'YT2' } });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ status: 'shipped', carrier: '圆通速递', tracking_no: 'YT1', packages: [{ seq: 1 }, { seq: 2, completes_order: true }] });
  });

  it('virtual goods and pickup ship once, without a package; the method cannot change between packages', async () => {
    const shopper = await signedInShopper();
    const order = await paidOrder(shopper, [{ sku_id: skus[2]!, quantity: 2 }]);
    const partial = await ship(order.id, { method: 'pickup', lines: [{ order_item_id: order.items[0]!.id, quantity: 1 }] });
    expect(partial.status).toBe(400);
    expect((await json(partial)).error.details).toEqual([{ path: 'body.lines', message: 'pickup orders ship everything at once' }]);
    const res = await ship(order.id, { method: 'virtual' });
    expect(res.status).toBe(201);
    expect((await json(res)).order).toMatchObject({ status: 'shipped', packages: [{ method: 'virtual', carrier: null, tracking_no: null }] });

    const other = await paidOrder(shopper, [{ sku_id: skus[2]!, quantity: 2 }]);
    await ship(other.id, { carrier: 'SF', tracking_no: 'SF9', lines: [{ order_item_id: other.items[0]!.id, quantity: 1 }] });
    const switched = await ship(other.id, { method: 'pickup' });
    expect(switched.status).toBe(422);
    expect((await json(switched)).error.code).toBe('delivery_method_fixed');
  });

  it('refuses bad packages with field paths and writes nothing', async () => {
    const shopper = await signedInShopper();
    const order = await paidOrder(shopper, [{ sku_id: skus[0]!, quantity: 2 }]);
    const item = order.items[0]!.id;
    const cases: [Record<string, unknown>, string][] = [
      [{ carrier: 'SF', tracking_no: 'SF1', lines: [{ order_item_id: item, quantity: 3 }] }, 'body.lines.0.quantity'],
      [{ carrier: 'SF', tracking_no: 'SF1', lines: [{ order_item_id: 'oit_unknown', quantity: 1 }] }, 'body.lines.0.order_item_id'],
      [{ carrier: 'SF', tracking_no: 'SF1', lines: [{ order_item_id: 'nope', quantity: 1 }] }, 'body.lines.0.order_item_id'],
      [
        {
          carrier: 'SF',
          tracking_no: 'SF1',
          lines: [
            { order_item_id: item, quantity: 1 },
            { order_item_id: item, quantity: 1 },
          ],
        },
        'body.lines.1.order_item_id',
      ],
      [{ carrier: 'SF', tracking_no: '' }, 'body.tracking_no'],
      [{ carrier: 'SF', tracking_no: 'A'.repeat(129) }, 'body.tracking_no'],
      [{ carrier: 'SF', tracking_no: 'SF 1' }, 'body.tracking_no'],
      [{ tracking_no: 'SF1' }, 'body.carrier'],
      [{ carrier: 'SF' }, 'body.tracking_no'],
      [{ carrier: 'SF', tracking_no: 'SF1', lines: [] }, 'body.lines'],
      [{ carrier: 'SF', tracking_no: 'SF1', method: 'drone' }, 'body.method'],
    ];
    for (const [body, path] of cases) {
      const res = await ship(order.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(
        (await json(res)).error.details.map((d: { path: string }) => d.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    expect((await ship(order.id, { carrier: 'A'.repeat(128).slice(0, 20), tracking_no: 'X1' })).status).toBe(422); // unknown carrier
    expect((await ship(order.id, { carrier: 'SF', tracking_no: 'A'.repeat(128) })).status).toBe(201); // 128 is allowed
    expect((await env.DB.prepare('SELECT count(*) AS n FROM shipments WHERE order_id = ?').bind(order.id).first<{ n: number }>())!.n).toBe(1);
  });

  it('allows 15 packages; the 16th is a 400', async () => {
    const shopper = await signedInShopper();
    const order = await paidOrder(shopper, [{ sku_id: skus[0]!, quantity: 16 }]);
    const item = order.items[0]!.id;
    for (let i = 1; i <= 15; i++) {
      const res = await ship(order.id, { carrier: 'SF', tracking_no: `SF${i}`, lines: [{ order_item_id: item, quantity: 1 }] });
      expect(res.status, `package ${i}`).toBe(201);
    }
    const sixteenth = await ship(order.id, { carrier: 'SF', tracking_no: 'SF16', lines: [{ order_item_id: item, quantity: 1 }] });
    expect(sixteenth.status).toBe(400);
    expect((await json(sixteenth)).error.details).toEqual([{ path: 'body', message: 'an order ships in at most 15 packages' }]);
    expect((await json(api('GET', `/orders/${order.id}`, { token: shopper.token }))).status).toBe('partially_shipped');
  });

  it('concurrent packages of one order never ship more than was ordered', async () => {
    const shopper = await signedInShopper();
    const order = await paidOrder(shopper, [{ sku_id: skus[1]!, quantity: 3 }]);
    const item = order.items[0]!.id;
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => ship(order.id, { carrier: 'SF', tracking_no: `SFR${i}`, lines: [{ order_item_id: item, quantity: 1 }] })));
    const statuses = results.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409 || s === 400)).toBe(true);
    const shipped = await env.DB.prepare('SELECT COALESCE(SUM(quantity), 0) AS n FROM shipment_lines WHERE order_item_id = ?').bind(item).first<{ n: number }>();
    expect(shipped!.n).toBe(statuses.filter((s) => s === 201).length);
    expect(shipped!.n).toBeLessThanOrEqual(3);
  });

  it('lists the carriers; a viewer cannot ship', async () => {
    const viewer = (await tokenFor('viewer')).token;
    const carriers = await json(api('GET', '/admin/api/carriers', { token: viewer }));
    expect(carriers.items).toEqual(
      expect.arrayContaining([
        { id: 'SF', name: '顺丰速运' },
        { id: 'JTSD', name: '极兔速递' },
      ]),
    );
    expect((await api('POST', '/admin/api/orders/ord_x/shipments', { token: viewer, body: { carrier: 'SF', tracking_no: 'SF1' } })).status).toBe(403);
  });
});
