// Flash-sale campaigns under /admin/api/flash-sales: viewers read, operators create and cancel.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../../src/env';
import { idOf, noBody, validate } from '../../src/lib/validate';
import { catalogWriteContext } from '../../src/services/catalog-admin';
import { cancelFlashSale, configurationPending, createFlashSale } from '../../src/marketing/flash-sale/campaigns';
import { flashSaleForAdmin, listFlashSalesForAdmin } from '../../src/marketing/flash-sale/views';
import { reconcileFlashSaleById } from '../../src/marketing/flash-sale/reconciliation';
import { requireMerchant } from '../../src/http/auth';
import { createFlashSaleBody, flashSaleListQuery } from './schemas';

const flashSaleParam = validate('param', v.object({ id: idOf('fls') }));
const viewer = requireMerchant('viewer');
const operator = requireMerchant('operator');

export const adminFlashSaleRoutes = new Hono<AppEnv>()
  .get('/flash-sales', viewer, validate('query', flashSaleListQuery), async (c) => {
    const q = c.req.valid('query');
    return c.json(await listFlashSalesForAdmin(c.var.db, { status: q.status, cursor: q.cursor, limit: q.limit, now: c.var.clock.now() }));
  })
  .post('/flash-sales', operator, validate('json', createFlashSaleBody), async (c) => {
    const { id, configured } = await createFlashSale(c.env, catalogWriteContext(c), c.req.valid('json'));
    if (!configured) throw configurationPending(id);
    return c.json(await flashSaleForAdmin(c.env, c.var.db, id, c.var.clock.now(), { live: false }), 201, { Location: `/admin/api/flash-sales/${id}` });
  })
  .get('/flash-sales/:id', viewer, flashSaleParam, async (c) => c.json(await flashSaleForAdmin(c.env, c.var.db, c.req.valid('param').id, c.var.clock.now(), { live: true })))
  .post('/flash-sales/:id/cancel', operator, flashSaleParam, noBody, async (c) => {
    const { id } = c.req.valid('param');
    const { configured } = await cancelFlashSale(c.env, catalogWriteContext(c), id);
    const campaign = await flashSaleForAdmin(c.env, c.var.db, id, c.var.clock.now(), { live: false });
    // Cancelled in D1 either way (the purchase path refuses it); the objects learn it on next use.
    return c.json({ ...campaign, stock_objects_closed: configured });
  })
  // Each stock object's ledger against D1's orders.
  .get('/flash-sales/:id/reconciliation', viewer, flashSaleParam, async (c) => c.json(await reconcileFlashSaleById(c.env, c.var.db, c.req.valid('param').id)));
