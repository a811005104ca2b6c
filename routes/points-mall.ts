// The points mall: the public list (cached with the catalog), a shopper's exchange and their exchanges.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../src/env';
import { requireShopper } from '../src/http/auth';
import { cachedCatalogResponse } from '../src/http/catalog-cache';
import { rateLimit } from '../src/lib/rate-limit';
import { idempotencyHeader, idOf, pageQuery, validate } from '../src/lib/validate';
import { exchangeMallItem, listMallItems, listOwnExchanges } from '../src/services/loyalty/points-mall';
import { createContextOf, findOrder } from '../src/services/orders';
import { settleFreeOrder } from '../src/services/payments';
import { orderHooksFor } from '../src/services/order-source-policy';

export const pointsMallRoutes = new Hono<AppEnv>()
  .get('/points-mall/items', cachedCatalogResponse(), validate('query', v.strictObject({})), async (c) => c.json({ items: await listMallItems(c.var.db, true) }))
  .get('/me/points-mall/exchanges', requireShopper(), validate('query', v.strictObject(pageQuery)), async (c) => c.json(await listOwnExchanges(c.var.db, c.var.shopper.id, c.req.valid('query'))))
  .post(
    '/points-mall/items/:id/exchange',
    rateLimit('claim'),
    requireShopper(),
    idempotencyHeader,
    validate('param', v.object({ id: idOf('pmi') })),
    validate('json', v.strictObject({ address_id: v.optional(idOf('adr')) })),
    async (c) => {
      const itemId = c.req.valid('param').id;
      const body = c.req.valid('json');
      const ctx = await createContextOf(c, c.req.valid('header')['idempotency-key'], { itemId, ...body });
      const { exchange, created } = await exchangeMallItem(ctx, itemId, { addressId: body.address_id });
      // A points-only SKU item's order has nothing to pay: paid now (a retry settles what a lost request left pending).
      if (exchange.order_id) await settleFreeOrder(c.var.db, await findOrder(c.var.db, exchange.order_id), c.var.clock.now(), orderHooksFor(c.env));
      return c.json(exchange, 201, created ? {} : { 'Idempotent-Replayed': 'true' });
    },
  );
