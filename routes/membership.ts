// Member levels: the public ladder (cached with the catalog) and the signed-in shopper's level.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../src/env';
import { requireShopper } from '../src/http/auth';
import { cachedCatalogResponse } from '../src/http/catalog-cache';
import { idempotencyHeader, idOf, noBody, validate } from '../src/lib/validate';
import { requestHash } from '../src/services/orders';
import { listPlans, purchasePlan } from '../src/services/loyalty/plans';
import { payClientOf } from '../src/services/wechat';
import { levelView, listLevels, membershipView } from '../src/services/loyalty/membership';

export const membershipRoutes = new Hono<AppEnv>()
  .get('/membership/levels', cachedCatalogResponse(), validate('query', v.strictObject({})), async (c) => c.json({ items: (await listLevels(c.var.db)).map(levelView) }))
  .get('/membership/plans', validate('query', v.strictObject({})), async (c) => c.json({ items: await listPlans(c.var.db, true) }))
  .get('/me/membership', requireShopper(), async (c) => c.json(await membershipView(c.var.db, c.var.shopper.id, c.var.clock.now())))
  .post('/membership/plans/:planId/purchase', requireShopper(), idempotencyHeader, validate('param', v.object({ planId: idOf('mpl') })), noBody, async (c) => {
    const planId = c.req.valid('param').planId;
    const { replayed, body } = await purchasePlan(
      {
        db: c.var.db,
        pay: payClientOf(c.env, c.var.clock),
        userId: c.var.shopper.id,
        now: c.var.clock.now(),
        timeZone: c.env.SHOP_TIME_ZONE,
        idempotencyKey: c.req.valid('header')['idempotency-key'],
        requestHash: await requestHash({ planId }),
      },
      planId,
    );
    return c.json(body, 201, replayed ? { 'Idempotent-Replayed': 'true' } : {});
  });
