// Bargain campaigns under /admin/api/bargains: viewers read, operators create and cancel.
import { Hono } from 'hono';
import type { AppEnv } from '../../src/env';
import { noBody, validate } from '../../src/lib/validate';
import { bargainForAdmin, cancelBargainCampaign, createBargainCampaign, listBargainsForAdmin } from '../../src/marketing/bargain/campaigns';
import { reconcileBargainCampaign } from '../../src/marketing/bargain/reconciliation';
import { catalogWriteContext } from '../../src/services/catalog-admin';
import { requireMerchant } from '../../src/http/auth';
import { bargainListQuery, bargainParam, createBargainBody, reconciliationQuery } from './bargains-schemas';

const viewer = requireMerchant('viewer');
const operator = requireMerchant('operator');
const campaignParam = validate('param', bargainParam);

export const adminBargainRoutes = new Hono<AppEnv>()
  .get('/bargains', viewer, validate('query', bargainListQuery), async (c) => {
    const q = c.req.valid('query');
    return c.json(await listBargainsForAdmin(c.var.db, { cursor: q.cursor, limit: q.limit, now: c.var.clock.now() }));
  })
  .post('/bargains', operator, validate('json', createBargainBody), async (c) => {
    const id = await createBargainCampaign(catalogWriteContext(c), c.req.valid('json'));
    return c.json(await bargainForAdmin(c.var.db, id, c.var.clock.now()), 201, { Location: `/admin/api/bargains/${id}` });
  })
  .get('/bargains/:id', viewer, campaignParam, async (c) => c.json(await bargainForAdmin(c.var.db, c.req.valid('param').id, c.var.clock.now())))
  // A page of sessions at a time: each one is read from its object.
  .get('/bargains/:id/reconciliation', viewer, campaignParam, validate('query', reconciliationQuery), async (c) => {
    const q = c.req.valid('query');
    return c.json(await reconcileBargainCampaign(c.env, c.var.db, c.req.valid('param').id, { cursor: q.cursor, limit: q.limit, now: c.var.clock.now() }));
  })
  .post('/bargains/:id/cancel', operator, campaignParam, noBody, async (c) => {
    const { id } = c.req.valid('param');
    await cancelBargainCampaign(catalogWriteContext(c), id);
    return c.json(await bargainForAdmin(c.var.db, id, c.var.clock.now()));
  });
