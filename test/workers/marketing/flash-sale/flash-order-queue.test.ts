// The work queue between a flash-sale reservation and its D1 order: however the queue behaves —
// delivering the same message twice, late, or never — each reservation ends with exactly one
// order, and the shopper can open and pay for the order before the queue has written it.
import { createExecutionContext, env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../../src/app';
import { parseFlashOrderId, shardFor } from '../../../../src/domain/flash-sale';
import { writeLostFlashOrders } from '../../../../src/marketing/flash-sale/lost-orders';
import { campaignBody, created, iso, newSku, setUpFlashSaleAdmin, stockObject } from '../../../fixtures/flash-sale-admin';
import { untilFlashOrders } from '../../../fixtures/flash-orders';
import { deliverWork, heldWorkQueue } from '../../../fixtures/work-queue';
import { BASE, manyShoppers, newIdempotencyKey } from '../../../fixtures/helpers';

beforeAll(setUpFlashSaleAdmin);

/** A live campaign of one SKU on two shards. */
async function liveCampaign(stock = 20) {
  const { skuId } = await newSku({ stock: stock + 5 });
  const now = Date.now();
  const sale = await created(
    campaignBody(skuId, { starts_at: iso(now - 60_000), ends_at: iso(now + 3_600_000), per_user_limit: 1, shard_count: 2, items: [{ sku_id: skuId, flash_price_fen: 990, flash_stock: stock }] }),
  );
  return { saleId: sale.id as string, skuId, itemId: sale.items[0].id as string };
}

/** The app with a work queue that keeps what is sent to it, so the test decides what is delivered. */
function appWithHeldQueue() {
  const { sent, queue } = heldWorkQueue();
  const held = { ...env, WORK_QUEUE: queue };
  const app = createApp();
  const call = (method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.request(
      `${BASE}${path}`,
      { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) },
      held,
      createExecutionContext(),
    );
  return { sent, call };
}

const ordersOf = async (orderId: string) => (await env.DB.prepare('SELECT id, status, payable_fen FROM orders WHERE id = ?').bind(orderId).all()).results;

describe('the flash-order queue', () => {
  it('the same message delivered twice (in one batch and again later) writes one order', async () => {
    const { saleId, skuId } = await liveCampaign();
    const { sent, call } = appWithHeldQueue();
    const shoppers = await manyShoppers(5);
    const answers = await Promise.all(shoppers.map((s) => call('POST', `/flash-sales/${saleId}/reserve`, s.token, { sku_id: skuId }, { 'Idempotency-Key': newIdempotencyKey() })));
    expect(answers.map((a) => a.status)).toEqual(Array(5).fill(201));
    const ids = await Promise.all(answers.map(async (a) => ((await a.json()) as { id: string }).id));
    expect(sent).toHaveLength(5);
    expect(await ordersOf(ids[0]!)).toEqual([]); // nothing in D1 before the queue delivers

    const result = await deliverWork([...sent, ...sent]);
    expect(result.explicitAcks).toHaveLength(10);
    expect(result.retryMessages).toEqual([]);
    await deliverWork(sent); // late, and again
    for (const id of ids) expect(await ordersOf(id)).toEqual([{ id, status: 'pending_payment', payable_fen: expect.any(Number) }]);
  });

  it('the reply is the order as it is then written: GET /orders/:id shows the same, with its order number', async () => {
    const { saleId, skuId } = await liveCampaign();
    const { sent, call } = appWithHeldQueue();
    const [shopper] = await manyShoppers(1);
    const reply = (await (await call('POST', `/flash-sales/${saleId}/reserve`, shopper!.token, { sku_id: skuId }, { 'Idempotency-Key': newIdempotencyKey() })).json()) as Record<string, any>;
    expect(reply.order_no).toBeNull();
    await deliverWork(sent);
    const written = (await (await call('GET', `/orders/${reply.id}`, shopper!.token)).json()) as Record<string, any>;
    expect(written.order_no).toMatch(/^\d{22}$/);
    expect({ ...written, order_no: null }).toEqual(reply);
  });

  it('a message never delivered: the sweep writes the order after a minute, once, and a late copy changes nothing', async () => {
    const { saleId, skuId, itemId } = await liveCampaign();
    const { sent, call } = appWithHeldQueue();
    const [shopper] = await manyShoppers(1);
    const answer = await call('POST', `/flash-sales/${saleId}/reserve`, shopper!.token, { sku_id: skuId }, { 'Idempotency-Key': newIdempotencyKey() });
    const { id } = (await answer.json()) as { id: string };
    expect(parseFlashOrderId(id)).toMatchObject({ itemId, shard: shardFor(shopper!.id, 2) });

    // Within the queue's minute the sweep leaves it alone: the message may still be on the way.
    expect(await writeLostFlashOrders(env, Date.now())).toEqual({ written: 0, failed: 0 });
    expect(await ordersOf(id)).toEqual([]);
    expect(await writeLostFlashOrders(env, Date.now() + 61_000)).toEqual({ written: 1, failed: 0 });
    expect(await writeLostFlashOrders(env, Date.now() + 62_000)).toEqual({ written: 0, failed: 0 });
    await deliverWork(sent);
    expect(await ordersOf(id)).toHaveLength(1);
    await untilFlashOrders(itemId, 1);
  });

  it('the shopper opens and pays for the order before the queue has written it', async () => {
    const { saleId, skuId } = await liveCampaign();
    const { sent, call } = appWithHeldQueue();
    const [shopper, other] = await manyShoppers(2);
    const reserved = (await (await call('POST', `/flash-sales/${saleId}/reserve`, shopper!.token, { sku_id: skuId }, { 'Idempotency-Key': newIdempotencyKey() })).json()) as any;
    expect(reserved).toMatchObject({ status: 'pending_payment', order_no: null, items: [{ sku_id: skuId, unit_price_fen: 990, quantity: 1 }] });

    // Another shopper cannot open it (and so cannot have it written either).
    expect((await call('GET', `/orders/${reserved.id}`, other!.token)).status).toBe(404);
    expect(await ordersOf(reserved.id)).toEqual([]);

    const pay = await call('POST', `/orders/${reserved.id}/pay`, shopper!.token, {});
    expect(pay.status).toBe(200);
    const opened = (await (await call('GET', `/orders/${reserved.id}`, shopper!.token)).json()) as any;
    expect(opened).toMatchObject({ id: reserved.id, status: 'pending_payment', payable_fen: reserved.payable_fen, payment_deadline: reserved.payment_deadline });
    expect(opened.order_no).toMatch(/^\d{22}$/);
    // The queue's copy comes later and changes nothing.
    await deliverWork(sent);
    expect(await ordersOf(reserved.id)).toHaveLength(1);
    const snapshot = await stockObject(parseFlashOrderId(reserved.id)!.itemId, parseFlashOrderId(reserved.id)!.shard).snapshot();
    expect(snapshot.reservations.filter((r) => r.userId === shopper!.id)).toHaveLength(1);
  });

  it('a made-up flash order id is a 404 and writes nothing', async () => {
    const [shopper] = await manyShoppers(1);
    const { call } = appWithHeldQueue();
    const res = await call('GET', '/orders/ord_fs_0000000000000000_0_00000000000000000000', shopper!.token);
    expect(res.status).toBe(404);
    expect(await ordersOf('ord_fs_0000000000000000_0_00000000000000000000')).toEqual([]);
  });
});
