// Member levels: the public ladder (cached with the catalog) and the signed-in shopper's level.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../src/env';
import { requireShopper } from '../src/http/auth';
import { cachedCatalogResponse } from '../src/http/catalog-cache';
import { validate } from '../src/lib/validate';
import { levelView, listLevels, membershipView } from '../src/services/loyalty/membership';

export const membershipRoutes = new Hono<AppEnv>()
  .get('/membership/levels', cachedCatalogResponse(), validate('query', v.strictObject({})), async (c) => c.json({ items: (await listLevels(c.var.db)).map(levelView) }))
  .get('/me/membership', requireShopper(), async (c) => c.json(await membershipView(c.var.db, c.var.shopper.id, c.var.clock.now())));
