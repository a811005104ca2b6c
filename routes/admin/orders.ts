// Merchant order management under /admin/api/orders.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../../src/env';
import { orderStatuses } from '../../src/domain/order-state';
import { idOf, pageQuery, text, validate } from '../../src/lib/validate';
import { decideRefund, findOrder, shipOrder } from '../../src/services/orders';
import { listOrders, orderView } from '../../src/services/order-views';
import { requireMerchant } from '../../src/http/auth';

const orderParam = validate('param', v.object({ id: idOf('ord') }));
const merchantActor = (c: { var: AppEnv['Variables'] }) => ({ type: 'merchant' as const, id: c.var.merchant.id });

export const adminOrderRoutes = new Hono<AppEnv>()
  .get('/orders', requireMerchant('viewer'), validate('query', v.strictObject({ status: v.optional(v.picklist(orderStatuses)), ...pageQuery })), async (c) => {
    const q = c.req.valid('query');
    return c.json(await listOrders(c.var.db, { status: q.status, cursor: q.cursor, limit: q.limit }));
  })
  .get('/orders/:id', requireMerchant('viewer'), orderParam, async (c) => c.json(await orderView(c.var.db, await findOrder(c.var.db, c.req.valid('param').id), 'merchant')))
  .post(
    '/orders/:id/ship',
    requireMerchant('operator'),
    orderParam,
    validate('json', v.strictObject({ carrier: text(32), tracking_no: v.pipe(text(40), v.regex(/^[A-Za-z0-9-]+$/, 'must be letters, digits or -')) })),
    async (c) => {
      const order = await findOrder(c.var.db, c.req.valid('param').id);
      await shipOrder(c.var.db, order, merchantActor(c), c.req.valid('json'), c.var.clock.now());
      return c.json(await orderView(c.var.db, await findOrder(c.var.db, order.id), 'merchant'));
    },
  )
  .post('/orders/:id/refund/approve', requireMerchant('operator'), orderParam, validate('json', v.strictObject({ note: v.optional(v.pipe(v.string(), v.maxLength(200)), '') })), async (c) => {
    const order = await findOrder(c.var.db, c.req.valid('param').id);
    await decideRefund(c.var.db, order, merchantActor(c), 'approve', c.req.valid('json').note, c.var.clock.now());
    return c.json(await orderView(c.var.db, await findOrder(c.var.db, order.id), 'merchant'));
  })
  .post('/orders/:id/refund/reject', requireMerchant('operator'), orderParam, validate('json', v.strictObject({ note: text(200) })), async (c) => {
    const order = await findOrder(c.var.db, c.req.valid('param').id);
    await decideRefund(c.var.db, order, merchantActor(c), 'reject', c.req.valid('json').note, c.var.clock.now());
    return c.json(await orderView(c.var.db, await findOrder(c.var.db, order.id), 'merchant'));
  });
