// The shopper's after-sales (售后): ask about lines of an order (idempotent), list, read, send the
// goods back, cancel. Another shopper's request is a 404.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../src/env';
import { afterSaleStatuses, afterSaleTypes } from '../src/domain/after-sale';
import { httpsUrl, idempotencyHeader, idOf, noBody, pageQuery, text, validate } from '../src/lib/validate';
import { requireShopper } from '../src/http/auth';
import { afterSaleView, cancelAfterSale, findAfterSale, listAfterSales, requestAfterSale, shipBack } from '../src/services/after-sales';
import { returnShipmentBody } from './fulfilment-schemas';

const afterSaleBody = v.strictObject({
  type: v.picklist(afterSaleTypes),
  lines: v.pipe(
    v.array(v.strictObject({ order_item_id: idOf('oit'), quantity: v.pipe(v.number(), v.integer('must be an integer'), v.minValue(1, 'must be at least 1'), v.maxValue(100_000, 'is too large')) })),
    v.minLength(1, 'needs at least one line'),
    v.maxLength(100),
  ),
  // WeChat Pay carries at most 80 characters of a refund's reason.
  reason: text(80),
  description: v.optional(v.pipe(v.string(), v.maxLength(500, 'must have at most 500 characters'))),
  image_urls: v.optional(v.pipe(v.array(httpsUrl), v.maxLength(9, 'at most 9 images'))),
});
const afterSaleParam = validate('param', v.object({ id: idOf('afs') }));

export const afterSaleRoutes = new Hono<AppEnv>()
  .use('/after-sales', requireShopper())
  .use('/after-sales/*', requireShopper())
  .post('/orders/:id/after-sales', requireShopper(), validate('param', v.object({ id: idOf('ord') })), idempotencyHeader, validate('json', afterSaleBody), async (c) => {
    const { afterSale, created } = await requestAfterSale(c.var.db, c.var.shopper.id, c.req.valid('param').id, c.req.valid('json'), c.req.valid('header')['idempotency-key'], c.var.clock.now());
    return c.json(await afterSaleView(c.var.db, afterSale), 201, created ? {} : { 'Idempotent-Replayed': 'true' });
  })
  .get('/after-sales', validate('query', v.strictObject({ status: v.optional(v.picklist(afterSaleStatuses)), ...pageQuery })), async (c) => {
    const q = c.req.valid('query');
    return c.json(await listAfterSales(c.var.db, { userId: c.var.shopper.id, status: q.status, cursor: q.cursor, limit: q.limit }));
  })
  .get('/after-sales/:id', afterSaleParam, async (c) => c.json(await afterSaleView(c.var.db, await findAfterSale(c.var.db, c.req.valid('param').id, c.var.shopper.id))))
  .post('/after-sales/:id/return-shipment', afterSaleParam, validate('json', returnShipmentBody), async (c) => {
    const row = await findAfterSale(c.var.db, c.req.valid('param').id, c.var.shopper.id);
    await shipBack(c.var.db, row, c.req.valid('json'), c.var.clock.now());
    return c.json(await afterSaleView(c.var.db, await findAfterSale(c.var.db, row.id)));
  })
  .post('/after-sales/:id/cancel', afterSaleParam, noBody, async (c) => {
    const row = await findAfterSale(c.var.db, c.req.valid('param').id, c.var.shopper.id);
    await cancelAfterSale(c.var.db, row, c.var.clock.now());
    return c.json(await afterSaleView(c.var.db, await findAfterSale(c.var.db, row.id)));
  });
