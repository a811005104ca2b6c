// What the shopper accepted in wx.requestSubscribeMessage (at checkout, joining a group, launching
// a bargain): one more message of each accepted template may be sent.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../src/env';
import { validate } from '../src/lib/validate';
import { requireShopper } from '../src/http/auth';
import { recordAcceptances, subscriptionOffer } from '../src/services/subscribe-messages';

export const subscriptionRoutes = new Hono<AppEnv>()
  // The template ids to ask for (wx.requestSubscribeMessage takes WeChat's ids, not our keys).
  .get('/me/subscriptions', requireShopper(), async (c) => c.json(await subscriptionOffer(c.var.db, c.var.shopper.id)))
  .post(
    '/me/subscriptions',
    requireShopper(),
    validate('json', v.strictObject({ accepted: v.pipe(v.array(v.pipe(v.string(), v.regex(/^[a-z_]{1,40}$/, 'must be a template key'))), v.maxLength(20, 'at most 20 templates')) })),
    async (c) => c.json(await recordAcceptances(c.var.db, c.var.shopper.id, c.req.valid('json').accepted, c.var.clock.now())),
  );
