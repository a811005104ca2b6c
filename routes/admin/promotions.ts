// Store promotions under /admin/api/promotions: tiered 满减/满折 activities and 限时折扣.
// Viewers read; operators create and end them.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../../src/env';
import { fen, idOf, noBody, text, validate } from '../../src/lib/validate';
import { requireMerchant } from '../../src/http/auth';
import { catalogWriteContext } from '../../src/services/catalog-admin';
import { createPromotion, endPromotion, listPromotions, promotionView } from '../../src/services/promotions/admin';
import { scopeBody } from './coupons-schemas';
import { isoTime } from './schemas';

const viewer = requireMerchant('viewer');
const operator = requireMerchant('operator');
const count = v.pipe(v.number('must be an integer'), v.integer('must be an integer'), v.maxValue(1_000_000_000, 'is too large'));

const createPromotionBody = v.variant(
  'type',
  [
    v.strictObject({
      type: v.literal('tiered'),
      name: text(40),
      scope: scopeBody,
      condition: v.picklist(['amount', 'quantity'], 'must be amount or quantity'),
      benefit: v.picklist(['amount_off', 'percent_off'], 'must be amount_off or percent_off'),
      tiers: v.pipe(v.array(v.strictObject({ threshold: count, value: count })), v.minLength(1, 'needs at least one tier'), v.maxLength(10, 'at most 10 tiers')),
      starts_at: isoTime,
      ends_at: isoTime,
    }),
    v.strictObject({
      type: v.literal('timed_discount'),
      name: text(40),
      product_id: idOf('prd'),
      sku_id: v.optional(v.nullable(idOf('sku'))),
      kind: v.picklist(['percent_off', 'fixed_price'], 'must be percent_off or fixed_price'),
      value: fen,
      starts_at: isoTime,
      ends_at: isoTime,
    }),
  ],
  'must have type tiered or timed_discount',
);
const promotionParam = validate('param', v.object({ id: v.union([idOf('pma'), idOf('tdc')], 'must be a pma_ id or a tdc_ id') }));

export const adminPromotionRoutes = new Hono<AppEnv>()
  .get('/promotions', viewer, validate('query', v.strictObject({})), async (c) => c.json(await listPromotions(c.var.db, c.var.clock.now())))
  .post('/promotions', operator, validate('json', createPromotionBody), async (c) => {
    const id = await createPromotion(catalogWriteContext(c), c.req.valid('json'));
    return c.json(await promotionView(c.var.db, id, c.var.clock.now()), 201, { Location: `/admin/api/promotions/${id}` });
  })
  .get('/promotions/:id', viewer, promotionParam, async (c) => c.json(await promotionView(c.var.db, c.req.valid('param').id, c.var.clock.now())))
  .post('/promotions/:id/end', operator, promotionParam, noBody, async (c) => {
    const { id } = c.req.valid('param');
    await endPromotion(catalogWriteContext(c), id);
    return c.json(await promotionView(c.var.db, id, c.var.clock.now()));
  });
