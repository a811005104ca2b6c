// Public flash-sale (秒杀) pages: the current and upcoming campaigns, and one campaign with its
// live remaining stock. Buying is POST /flash-sales/:id/reserve (flash-sale-purchase.ts).
//
// Both go through the catalog cache (versioned keys: creating or cancelling a campaign bumps the
// catalog version, so the next read is fresh), but only for a second:
// - the list's state (upcoming → live) and its server_time, from which the mini-program corrects
//   its clock for the countdown, must not be older than that;
// - the detail's remaining stock comes from every shard's stock object. Caching it for one second
//   bounds the reads one location sends to those objects at the peak, when every shopper keeps
//   refreshing, so they stay free for reservations; a longer cache would show stock that is gone.
//   Browsers must revalidate it every time (max-age=0; a 304 costs nothing but the request).
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../src/env';
import { idOf, validate } from '../src/lib/validate';
import { cachedCatalogResponse } from '../src/http/catalog-cache';
import { storefrontFlashSale, storefrontFlashSales } from '../src/marketing/flash-sale/views';

const listFreshness = cachedCatalogResponse({ sMaxAgeSeconds: 1, maxAgeSeconds: 1 });
const detailFreshness = cachedCatalogResponse({ sMaxAgeSeconds: 1, maxAgeSeconds: 0 });

export const flashSaleRoutes = new Hono<AppEnv>()
  .get('/flash-sales', listFreshness, validate('query', v.strictObject({})), async (c) => c.json(await storefrontFlashSales(c.var.db, c.var.clock.now(), c.env.SHOP_TIME_ZONE)))
  .get('/flash-sales/:id', detailFreshness, validate('param', v.object({ id: idOf('fls') })), validate('query', v.strictObject({})), async (c) =>
    c.json(await storefrontFlashSale(c.env, c.var.db, c.req.valid('param').id, c.var.clock.now())),
  );
