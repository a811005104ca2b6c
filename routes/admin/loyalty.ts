// Merchant loyalty API: settings, levels, plans (and refunds of their purchases), check-in tiers,
// points-mall items, and a shopper's points (journal, manual grant or deduction).
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../../src/env';
import { requireMerchant } from '../../src/http/auth';
import { idOf, pageQuery, validate } from '../../src/lib/validate';
import { adjustPointsByMerchant, pointsLedgerPage, pointsView } from '../../src/services/loyalty/points';
import { getLoyaltySettings, listCategoryMultipliers, loyaltySettingsView, setCategoryMultiplier, updateLoyaltySettings } from '../../src/services/loyalty/settings';
import { categoryMultiplierBody, checkInRewardBody, levelsBody, loyaltySettingsBody, mallItemBody, planBody, planRefundBody, pointsAdjustmentBody } from './loyalty-schemas';
import { createMallItem, listMallItems, setMallItemActive } from '../../src/services/loyalty/points-mall';
import { createPlan, listPlans, setPlanActive } from '../../src/services/loyalty/plans';
import { levelView, listLevels, replaceLevels } from '../../src/services/loyalty/membership';
import { createCheckInReward, deleteCheckInReward, listCheckInRewards } from '../../src/services/loyalty/check-ins';
import { refundPlanPurchase, shopperPlanPurchases } from '../../src/services/loyalty/plan-refunds';

const shopperParam = validate('param', v.object({ id: idOf('usr') }));

export const adminLoyaltyRoutes = new Hono<AppEnv>()
  .get('/loyalty/settings', requireMerchant('viewer'), async (c) => c.json(loyaltySettingsView(await getLoyaltySettings(c.var.db))))
  .patch('/loyalty/settings', requireMerchant('owner'), validate('json', loyaltySettingsBody), async (c) => c.json(await updateLoyaltySettings(c.var.db, c.req.valid('json'), c.var.clock.now())))
  .get('/loyalty/levels', requireMerchant('viewer'), async (c) => c.json({ items: (await listLevels(c.var.db)).map(levelView), next_cursor: null }))
  .post('/loyalty/levels', requireMerchant('owner'), validate('json', levelsBody), async (c) =>
    c.json({ items: await replaceLevels(c.var.db, c.req.valid('json').levels, c.var.clock.now()), next_cursor: null }),
  )
  .get('/loyalty/plans', requireMerchant('viewer'), async (c) => c.json({ items: await listPlans(c.var.db, false), next_cursor: null }))
  .post('/loyalty/plans', requireMerchant('owner'), validate('json', planBody), async (c) => c.json(await createPlan(c.var.db, c.req.valid('json'), c.var.clock.now()), 201))
  .patch('/loyalty/plans/:id', requireMerchant('owner'), validate('param', v.object({ id: idOf('mpl') })), validate('json', v.strictObject({ active: v.boolean() })), async (c) =>
    c.json(await setPlanActive(c.var.db, c.req.valid('param').id, c.req.valid('json').active)),
  )
  .get('/shoppers/:id/plan-purchases', requireMerchant('viewer'), shopperParam, async (c) => c.json({ items: await shopperPlanPurchases(c.var.db, c.req.valid('param').id), next_cursor: null }))
  .post('/loyalty/plan-purchases/:id/refund', requireMerchant('owner'), validate('param', v.object({ id: idOf('mpp') })), validate('json', planRefundBody), async (c) =>
    c.json(await refundPlanPurchase(c.var.db, { purchaseId: c.req.valid('param').id, reason: c.req.valid('json').reason, merchantId: c.var.merchant.id, now: c.var.clock.now() }), 201),
  )
  .get('/points-mall/items', requireMerchant('viewer'), async (c) => c.json({ items: await listMallItems(c.var.db, false), next_cursor: null }))
  .post('/points-mall/items', requireMerchant('operator'), validate('json', mallItemBody), async (c) => c.json(await createMallItem(c.var.db, c.req.valid('json'), c.var.clock.now()), 201))
  .patch('/points-mall/items/:id', requireMerchant('operator'), validate('param', v.object({ id: idOf('pmi') })), validate('json', v.strictObject({ active: v.boolean() })), async (c) =>
    c.json(await setMallItemActive(c.var.db, c.req.valid('param').id, c.req.valid('json').active)),
  )
  .get('/loyalty/category-multipliers', requireMerchant('viewer'), async (c) => c.json({ items: await listCategoryMultipliers(c.var.db), next_cursor: null }))
  .post('/loyalty/category-multipliers', requireMerchant('owner'), validate('json', categoryMultiplierBody), async (c) => {
    const body = c.req.valid('json');
    return c.json(await setCategoryMultiplier(c.var.db, body.category_id, body.multiplier_bps));
  })
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
  })
  .get('/loyalty/check-in-rewards', requireMerchant('viewer'), async (c) => c.json({ items: await listCheckInRewards(c.var.db), next_cursor: null }))
  .post('/loyalty/check-in-rewards', requireMerchant('operator'), validate('json', checkInRewardBody), async (c) =>
    c.json(await createCheckInReward(c.var.db, c.req.valid('json'), c.var.clock.now()), 201),
  )
  .delete('/loyalty/check-in-rewards/:id', requireMerchant('operator'), validate('param', v.object({ id: idOf('cir') })), async (c) => {
    await deleteCheckInReward(c.var.db, c.req.valid('param').id);
    return c.body(null, 204);
  });
