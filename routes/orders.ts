// The shopper's orders: create (idempotent), list, detail, confirm receipt, request a refund.
// Paying and cancelling go through WeChat Pay (src/services/payments.ts).
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../src/env';
import { orderStatuses } from '../src/domain/order-state';
import { invalidInput } from '../src/lib/errors';
import { fen, idempotencyHeader, idOf, noBody, pageQuery, text, validate } from '../src/lib/validate';
import { confirmReceipt, createContextOf, createOrder, findOrder, requestRefund } from '../src/services/orders';
import { listOrders, newOrderView, orderView } from '../src/services/order-views';
import { orderHooksFor } from '../src/services/order-source-policy';
import { cancelUnpaidOrder, preparePayment, settleFreeOrder, syncPayment } from '../src/services/payments';
import { requireShopper } from '../src/http/auth';
// A flash-sale order the work queue has not written yet is written when its shopper opens it.
import { findShopperOrder } from '../src/marketing/kernel/orders-on-demand';
import { payClientOf } from '../src/services/wechat';
import { checkoutLinesBody, requestedLines } from './cart';

const createOrderBody = v.strictObject({
  ...checkoutLinesBody.entries,
  address_id: v.optional(idOf('adr')),
  note: v.optional(v.pipe(v.string(), v.maxLength(200, 'must have at most 200 characters'))),
});
const orderParam = validate('param', v.object({ id: idOf('ord') }));

export const orderRoutes = new Hono<AppEnv>()
  .use('/orders', requireShopper())
  .use('/orders/*', requireShopper())
  .post('/orders', idempotencyHeader, validate('json', createOrderBody), async (c) => {
    const body = c.req.valid('json');
    // The key is checked first (inside createOrder): a retry is answered from the order it made,
    // not from the cart, which that order emptied. The hash is over the body as sent.
    const { order, created, rows } = await createOrder(await createContextOf(c, c.req.valid('header')['idempotency-key'], body), {
      items: body.items && requestedLines(body.items),
      addressId: body.address_id,
      note: body.note,
      points: body.points,
      couponId: body.coupon_id,
    });
    // Nothing to pay: paid now (a retry finds it paid already, or settles what a lost request left pending).
    const settled = await settleFreeOrder(c.var.db, order, c.var.clock.now(), orderHooksFor(c.env));
    // A new order is shown from the rows it was just written as; a settled or earlier one is read.
    const view = rows && !settled ? newOrderView(rows) : await orderView(c.var.db, settled ? await findOrder(c.var.db, order.id) : order, 'shopper');
    // A retry with the same key and body gets the same answer as the first request.
    return c.json(view, 201, created ? {} : { 'Idempotent-Replayed': 'true' });
  })
  .get('/orders', validate('query', v.strictObject({ status: v.optional(v.picklist(orderStatuses)), ...pageQuery })), async (c) => {
    const q = c.req.valid('query');
    return c.json(await listOrders(c.var.db, { userId: c.var.shopper.id, status: q.status, cursor: q.cursor, limit: q.limit }));
  })
  .get('/orders/:id', orderParam, async (c) => c.json(await orderView(c.var.db, await findShopperOrder(c.env, c.var.db, c.req.valid('param').id, c.var.shopper.id), 'shopper')))
  .post('/orders/:id/pay', orderParam, noBody, async (c) => {
    const order = await findShopperOrder(c.env, c.var.db, c.req.valid('param').id, c.var.shopper.id);
    return c.json({ order_id: order.id, request_payment: await preparePayment(c.var.db, payClientOf(c.env, c.var.clock), order, c.var.clock.now()) });
  })
  // The fallback when wx.requestPayment reported success but no notification has arrived yet.
  .post('/orders/:id/pay/sync', orderParam, noBody, async (c) => {
    const order = await findShopperOrder(c.env, c.var.db, c.req.valid('param').id, c.var.shopper.id);
    await syncPayment(c.var.db, payClientOf(c.env, c.var.clock), order, c.var.clock.now(), orderHooksFor(c.env));
    return c.json(await orderView(c.var.db, await findOrder(c.var.db, order.id), 'shopper'));
  })
  .post('/orders/:id/cancel', orderParam, validate('json', v.strictObject({ reason: v.optional(v.pipe(v.string(), v.maxLength(80)), '') })), async (c) => {
    const order = await findShopperOrder(c.env, c.var.db, c.req.valid('param').id, c.var.shopper.id);
    const how = { event: 'cancel' as const, actor: { type: 'shopper' as const, id: c.var.shopper.id }, reason: c.req.valid('json').reason };
    await cancelUnpaidOrder(c.var.db, payClientOf(c.env, c.var.clock), order, how, c.var.clock.now(), orderHooksFor(c.env));
    return c.json(await orderView(c.var.db, await findOrder(c.var.db, order.id), 'shopper'));
  })
  .post('/orders/:id/confirm', orderParam, noBody, async (c) => {
    const order = await findShopperOrder(c.env, c.var.db, c.req.valid('param').id, c.var.shopper.id);
    await confirmReceipt(c.var.db, order, { type: 'shopper', id: c.var.shopper.id }, c.var.clock.now());
    return c.json(await orderView(c.var.db, await findOrder(c.var.db, order.id), 'shopper'));
  })
  .post('/orders/:id/refund', orderParam, validate('json', v.strictObject({ amount_fen: v.optional(fen), reason: text(80) })), async (c) => {
    const order = await findShopperOrder(c.env, c.var.db, c.req.valid('param').id, c.var.shopper.id);
    const body = c.req.valid('json');
    if (body.amount_fen === 0) throw invalidInput([{ path: 'body.amount_fen', message: 'must be at least 1' }]);
    await requestRefund(c.var.db, order, { type: 'shopper', id: c.var.shopper.id }, body, c.var.clock.now());
    return c.json(await orderView(c.var.db, await findOrder(c.var.db, order.id), 'shopper'), 201);
  });
