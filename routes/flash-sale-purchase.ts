// POST /flash-sales/:id/reserve — a shopper buys in a flash sale: the units are held in the
// SKU's stock object and the answer is the pending order at the flash price (written to D1 a
// moment later by the work queue), to be paid with POST /orders/:id/pay before the hold expires.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../src/env';
import { rateLimit } from '../src/lib/rate-limit';
import { idempotencyHeader, idOf, validate } from '../src/lib/validate';
import { buyInFlashSale, refusePurchaseFromMemory } from '../src/marketing/flash-sale/purchase';
import { createContextOf } from '../src/services/orders';
import { orderView } from '../src/services/order-views';
import { requireShopper } from '../src/http/auth';

const reserveBody = v.strictObject({
  sku_id: idOf('sku'),
  quantity: v.optional(v.pipe(v.number(), v.integer('must be an integer'), v.minValue(1, 'must be at least 1'), v.maxValue(99, 'must be at most 99')), 1),
  address_id: v.optional(idOf('adr')),
});

export const flashSalePurchaseRoutes = new Hono<AppEnv>().post(
  '/flash-sales/:id/reserve',
  rateLimit('claim'),
  requireShopper(),
  validate('param', v.object({ id: idOf('fls') })),
  idempotencyHeader,
  validate('json', reserveBody),
  async (c) => {
    const body = c.req.valid('json');
    const flashSaleId = c.req.valid('param').id;
    await refusePurchaseFromMemory(c.var.db, { flashSaleId, skuId: body.sku_id }, c.var.shopper.id, c.var.clock.now());
    const answer = await buyInFlashSale(c.env, await createContextOf(c, c.req.valid('header')['idempotency-key'], { flash_sale_id: flashSaleId, ...body }), {
      flashSaleId,
      skuId: body.sku_id,
      quantity: body.quantity,
      addressId: body.address_id,
    });
    // A new reservation is answered from the object's decision alone (its order is written a
    // moment later, off the reply path); a retry is answered with its order as it is now.
    if (answer.kind === 'reserved') return c.json(answer.view, 201, answer.replayed ? { 'Idempotent-Replayed': 'true' } : {});
    return c.json(await orderView(c.var.db, answer.order, 'shopper'), 201, { 'Idempotent-Replayed': 'true' });
  },
);
