// Merchant loyalty API: settings, and a shopper's points (journal, manual grant or deduction).
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../../src/env';
import { requireMerchant } from '../../src/http/auth';
import { idOf, pageQuery, validate } from '../../src/lib/validate';
import { adjustPointsByMerchant, pointsLedgerPage, pointsView } from '../../src/services/loyalty/points';
import { getLoyaltySettings, loyaltySettingsView, updateLoyaltySettings } from '../../src/services/loyalty/settings';
import { loyaltySettingsBody, pointsAdjustmentBody } from './loyalty-schemas';

const shopperParam = validate('param', v.object({ id: idOf('usr') }));

export const adminLoyaltyRoutes = new Hono<AppEnv>()
  .get('/loyalty/settings', requireMerchant('viewer'), async (c) => c.json(loyaltySettingsView(await getLoyaltySettings(c.var.db))))
  .patch('/loyalty/settings', requireMerchant('owner'), validate('json', loyaltySettingsBody), async (c) => c.json(await updateLoyaltySettings(c.var.db, c.req.valid('json'), c.var.clock.now())))
  .get('/shoppers/:id/points', requireMerchant('viewer'), shopperParam, async (c) => c.json(await pointsView(c.var.db, c.req.valid('param').id, c.var.clock.now())))
  .get('/shoppers/:id/points/ledger', requireMerchant('viewer'), shopperParam, validate('query', v.strictObject(pageQuery)), async (c) =>
    c.json(await pointsLedgerPage(c.var.db, c.req.valid('param').id, c.req.valid('query'))),
  )
  .post('/shoppers/:id/points', requireMerchant('operator'), shopperParam, validate('json', pointsAdjustmentBody), async (c) => {
    const body = c.req.valid('json');
    const result = await adjustPointsByMerchant(c.var.db, {
      userId: c.req.valid('param').id,
      points: body.points,
      reason: body.reason,
      merchantId: c.var.merchant.id,
      now: c.var.clock.now(),
      timeZone: c.env.SHOP_TIME_ZONE,
    });
    return c.json(result, 201);
  });
