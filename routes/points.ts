// The signed-in shopper's points: balance (usable, frozen, expiring soon, debt) and the journal.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../src/env';
import { requireShopper } from '../src/http/auth';
import { pageQuery, validate } from '../src/lib/validate';
import { pointsLedgerPage, pointsView } from '../src/services/loyalty/points';

export const pointsRoutes = new Hono<AppEnv>()
  .use('/me/points', requireShopper())
  .use('/me/points/*', requireShopper())
  .get('/me/points', async (c) => c.json(await pointsView(c.var.db, c.var.shopper.id, c.var.clock.now())))
  .get('/me/points/ledger', validate('query', v.strictObject(pageQuery)), async (c) => c.json(await pointsLedgerPage(c.var.db, c.var.shopper.id, c.req.valid('query'))));
