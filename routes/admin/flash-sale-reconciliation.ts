// GET /admin/api/flash-sales/:id/reconciliation — each stock object's ledger against D1's orders.
import { Hono } from 'hono';
import { eq } from 'drizzle-orm';
import * as v from 'valibot';
import type { AppEnv } from '../../src/env';
import { flashSales } from '../../src/db/flash-sales';
import { notFound } from '../../src/lib/errors';
import { idOf, validate } from '../../src/lib/validate';
import { reconcileFlashSale } from '../../src/marketing/flash-sale/reconciliation';
import { requireMerchant } from '../../src/http/auth';

export const flashSaleReconciliationRoutes = new Hono<AppEnv>().get(
  '/flash-sales/:id/reconciliation',
  requireMerchant('viewer'),
  validate('param', v.object({ id: idOf('fls') })),
  async (c) => {
    const campaign = await c.var.db.query.flashSales.findFirst({ where: eq(flashSales.id, c.req.valid('param').id) });
    if (!campaign) throw notFound('Flash sale');
    return c.json(await reconcileFlashSale(c.env, c.var.db, campaign.id, campaign.shardCount));
  },
);
