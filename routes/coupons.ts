// Coupons for shoppers: the coupon centre (领券中心), claiming, redeeming codes, and the wallet.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../src/env';
import { rateLimit } from '../src/lib/rate-limit';
import { idempotencyHeader, idOf, noBody, pageQuery, validate } from '../src/lib/validate';
import { requireShopper } from '../src/http/auth';
import { claimCoupon, redeemCode } from '../src/services/coupons/claims';
import { couponCentre, heldCouponView, listOwnCoupons } from '../src/services/coupons/wallet';
import { requestHash } from '../src/services/orders';

const claimLimit = rateLimit('claim');
const signedIn = requireShopper();
const claimContext = (c: { env: AppEnv['Bindings']; var: AppEnv['Variables'] }) => ({ db: c.var.db, userId: c.var.shopper.id, now: c.var.clock.now(), timeZone: c.env.SHOP_TIME_ZONE });

export const couponRoutes = new Hono<AppEnv>()
  // Public, but with the signed-in shopper's claim state when a token comes: never stored by a shared cache.
  .get('/coupons', validate('query', v.strictObject({})), async (c) => {
    let userId: string | null = null;
    if (c.req.header('Authorization')) {
      await signedIn(c, async () => {
        userId = c.var.shopper.id;
      });
    }
    c.header('Cache-Control', 'private, no-store');
    c.header('Vary', 'Authorization');
    return c.json(await couponCentre(c.var.db, userId, c.var.clock.now()));
  })
  .post(
    '/coupons/redeem',
    signedIn,
    claimLimit,
    validate('json', v.strictObject({ code: v.pipe(v.string(), v.trim(), v.minLength(4, 'must have at least 4 characters'), v.maxLength(32, 'must have at most 32 characters')) })),
    async (c) => {
      const coupon = await redeemCode(claimContext(c), c.req.valid('json').code);
      return c.json(heldCouponView(coupon, c.var.clock.now()), 201);
    },
  )
  .post('/coupons/:templateId/claim', signedIn, claimLimit, idempotencyHeader, validate('param', v.object({ templateId: idOf('cpt') })), noBody, async (c) => {
    const { templateId } = c.req.valid('param');
    const { coupon, created } = await claimCoupon(claimContext(c), templateId, c.req.valid('header')['idempotency-key'], await requestHash({ templateId }));
    return c.json(heldCouponView(coupon, c.var.clock.now()), 201, created ? {} : { 'Idempotent-Replayed': 'true' });
  })
  .get('/me/coupons', signedIn, validate('query', v.strictObject({ status: v.optional(v.picklist(['unused', 'used', 'expired'], 'must be unused, used or expired')), ...pageQuery })), async (c) => {
    const q = c.req.valid('query');
    return c.json(await listOwnCoupons(c.var.db, { userId: c.var.shopper.id, status: q.status, cursor: q.cursor, limit: q.limit, now: c.var.clock.now() }));
  });
