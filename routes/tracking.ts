// The tracking provider's signed pushes (快递100 protocol: form param + sign), and the shopper's
// tracking timeline of an order.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../src/env';
import { idOf, validate } from '../src/lib/validate';
import { requireShopper } from '../src/http/auth';
import { findOrder } from '../src/services/orders';
import { receiveReturnTrackingPush, receiveTrackingPush, trackingTimeline } from '../src/services/tracking';

const pushForm = validate('form', v.object({ param: v.pipe(v.string(), v.maxLength(200_000)), sign: v.pipe(v.string(), v.regex(/^[0-9A-Fa-f]{32}$/, 'must be an MD5 hex')) }));
// The provider retries until it reads {result: true, returnCode: "200"}.
const pushTaken = { result: true, returnCode: '200', message: '成功' } as const;

export const trackingRoutes = new Hono<AppEnv>()
  .post('/tracking/kuaidi100/notify/:packageId', validate('param', v.object({ packageId: idOf('pkg') })), pushForm, async (c) => {
    await receiveTrackingPush(c.var.db, c.env, c.req.valid('param').packageId, c.req.valid('form'), c.var.clock.now());
    return c.json(pushTaken);
  })
  // A shopper's return parcel (after-sales): its delivery to the merchant starts the auto-refund timer.
  .post('/tracking/kuaidi100/return-notify/:afterSaleId', validate('param', v.object({ afterSaleId: idOf('afs') })), pushForm, async (c) => {
    await receiveReturnTrackingPush(c.var.db, c.env, c.req.valid('param').afterSaleId, c.req.valid('form'), c.var.clock.now());
    return c.json(pushTaken);
  })
  .get('/orders/:id/tracking', requireShopper(), validate('param', v.object({ id: idOf('ord') })), async (c) => {
    const order = await findOrder(c.var.db, c.req.valid('param').id, c.var.shopper.id);
    return c.json(await trackingTimeline(c.var.db, order.id));
  });
