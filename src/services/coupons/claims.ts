// Shoppers getting coupons: claiming one in the coupon centre (Idempotency-Key), redeeming a code,
// and the new-shopper coupons granted at sign-in. Refusals that can be decided by reading
// are decided first (so a burst after the last coupon costs no writes); the batch's guards then
// decide the races exactly (grants.ts).
import { and, eq, sql } from 'drizzle-orm';
import { couponTemplates, redeemCodes, shopperCoupons } from '../../db/coupons';
import { users } from '../../db/shoppers';
import { runBatch } from '../../db/batch';
import type { Db } from '../../db/client';
import { ApiError, businessRule, conflict, notFound } from '../../lib/errors';
import { logEvent } from '../../lib/log';
import { RefusalMemory } from '../../lib/refusal-memory';
import { grantStatements } from './grants';
import { findTemplate, type TemplateRow } from './templates';

export type ClaimContext = { db: Db; userId: string; now: number; timeZone: string };

export type HeldCouponRow = typeof shopperCoupons.$inferSelect;

/** Why a shopper cannot claim a template now (null: they may, as far as reading tells). */
export function claimRefusal(t: TemplateRow, shopper: { memberLevel: number }, now: number): ApiError | null {
  if (t.status === 'paused') return conflict('coupon_not_active', 'This coupon is paused.');
  if (t.status === 'ended' || now >= t.claimEndsAt || (t.validityKind === 'fixed' && now >= t.validUntil!)) return businessRule('claim_ended', 'Claiming this coupon has ended.');
  if (t.status !== 'active') return notFound('Coupon');
  if (now < t.claimStartsAt) return businessRule('claim_not_started', 'Claiming this coupon has not started yet.');
  if (t.audience === 'new_shopper' || (t.audience === 'member_level' && shopper.memberLevel < (t.minMemberLevel ?? 0))) {
    return businessRule('not_eligible', t.audience === 'new_shopper' ? 'This coupon is a gift for new shoppers.' : `This coupon is for members of level ${t.minMemberLevel} and above.`);
  }
  if (t.totalQuantity !== null && t.issuedCount >= t.totalQuantity) return soldOut();
  return null;
}

async function shopperOf(db: Db, userId: string) {
  const user = await db.query.users.findFirst({ where: eq(users.id, userId) });
  if (!user) throw notFound('Shopper');
  return user;
}

async function byIdempotencyKey(ctx: ClaimContext, key: string, requestHash: string) {
  const earlier = await ctx.db.query.shopperCoupons.findFirst({ where: and(eq(shopperCoupons.userId, ctx.userId), eq(shopperCoupons.idempotencyKey, key)) });
  if (earlier && earlier.requestHash !== requestHash) throw businessRule('idempotency_key_reused', 'This Idempotency-Key was used for a different request.');
  return earlier;
}

/**
 * Templates this isolate saw sold out, until when: in a burst after the last coupon, the refusal
 * then costs no template or shopper read. Kept a second only, because a merchant may raise the
 * total; only refusals come from here, so claims stay exact.
 */
const soldOutTemplates = new RefusalMemory<'coupon_sold_out'>();
const SOLD_OUT_MEMORY_MS = 1000;
const soldOut = () => conflict('coupon_sold_out', 'All of these coupons have been claimed.');

const findCoupon = async (db: Db, id: string) => (await db.query.shopperCoupons.findFirst({ where: eq(shopperCoupons.id, id) }))!;

/**
 * Claims one coupon of `templateId`. Exactly `total_quantity` claims ever succeed and nobody
 * holds more than `per_shopper_limit`, however many requests race (the batch's CHECK, guard and
 * trigger). The same Idempotency-Key answers with the same coupon.
 */
export async function claimCoupon(ctx: ClaimContext, templateId: string, key: string, requestHash: string): Promise<{ coupon: HeldCouponRow; created: boolean }> {
  const earlier = await byIdempotencyKey(ctx, key, requestHash);
  if (earlier) return { coupon: earlier, created: false };
  if (soldOutTemplates.recall(templateId, ctx.userId, ctx.now)) throw soldOut();
  const template = await ctx.db.query.couponTemplates.findFirst({ where: eq(couponTemplates.id, templateId) });
  if (template?.inCentre !== 1) throw notFound('Coupon');
  const refusal = claimRefusal(template, await shopperOf(ctx.db, ctx.userId), ctx.now);
  if (refusal?.code === 'coupon_sold_out') soldOutTemplates.remember(templateId, 'coupon_sold_out', ctx.now + SOLD_OUT_MEMORY_MS);
  if (refusal) throw refusal;
  const { couponId, statements } = grantStatements(ctx.db, { template, userId: ctx.userId, source: 'claim', idempotencyKey: key, requestHash }, ctx.now, ctx.timeZone);
  try {
    await runBatch(ctx.db, statements);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'coupon_sold_out') soldOutTemplates.remember(templateId, 'coupon_sold_out', ctx.now + SOLD_OUT_MEMORY_MS);
    // The same key sent twice at once: the first one's coupon is the answer.
    if (/shopper_coupons\.user_id, shopper_coupons\.idempotency_key/.test(String((error as Error)?.message))) {
      const winner = await byIdempotencyKey(ctx, key, requestHash);
      if (winner) return { coupon: winner, created: false };
    }
    throw error;
  }
  return { coupon: await findCoupon(ctx.db, couponId), created: true };
}

const codeInvalid = () => businessRule('code_invalid', 'This code does not exist or can no longer be redeemed.', [{ path: 'body.code', message: 'is not a valid code' }]);

/** Normalised as printed: upper case, no spaces or dashes. */
export const normaliseCode = (code: string) => code.replace(/[\s-]/g, '').toUpperCase();

/** Redeems a code (兑换码) for its template's coupon: each code at most max_uses times, once per shopper. */
export async function redeemCode(ctx: ClaimContext, rawCode: string): Promise<HeldCouponRow> {
  const code = await ctx.db.query.redeemCodes.findFirst({ where: eq(redeemCodes.code, normaliseCode(rawCode)) });
  if (!code) throw codeInvalid();
  const template = await findTemplate(ctx.db, code.templateId);
  const refusal = claimRefusal({ ...template, audience: 'everyone' }, { memberLevel: 0 }, ctx.now);
  if (refusal) throw refusal.code === 'not_found' ? codeInvalid() : refusal;
  if (code.usedCount >= code.maxUses) throw businessRule('code_used', 'This code has already been used.');
  const { couponId, statements } = grantStatements(ctx.db, { template, userId: ctx.userId, source: 'code', sourceRef: code.id }, ctx.now, ctx.timeZone);
  // The code's use is counted in the same batch: CHECK used_count <= max_uses and the one-per-shopper index say no (code_used).
  await runBatch(ctx.db, [sql`UPDATE redeem_codes SET used_count = used_count + 1 WHERE id = ${code.id}`, ...statements]);
  return findCoupon(ctx.db, couponId);
}

/**
 * New-shopper coupons: one coupon of every active new-shopper template whose claim window holds
 * both the shopper's creation and now. Asked at every sign-in, not only the first, so a grant
 * lost between creating the shopper and granting (a crash) is made at the next sign-in; the
 * templates already granted are skipped (and the one-per-source index would refuse a repeat).
 * One batch per template, so a sold-out template does not stop the others.
 */
export async function grantNewShopperCoupons(ctx: ClaimContext & { shopperCreatedAt: number }): Promise<number> {
  const templates = await ctx.db.query.couponTemplates.findMany({ where: and(eq(couponTemplates.audience, 'new_shopper'), eq(couponTemplates.status, 'active')) });
  const inWindow = (t: TemplateRow, at: number) => t.claimStartsAt <= at && at < t.claimEndsAt;
  const eligible = templates.filter((t) => inWindow(t, ctx.shopperCreatedAt) && inWindow(t, ctx.now));
  if (eligible.length === 0) return 0;
  const held = await ctx.db
    .select({ templateId: shopperCoupons.templateId })
    .from(shopperCoupons)
    .where(and(eq(shopperCoupons.userId, ctx.userId), eq(shopperCoupons.source, 'new_shopper')));
  const granted = new Set(held.map((h) => h.templateId));
  let count = 0;
  for (const template of eligible) {
    if (granted.has(template.id)) continue;
    const { statements } = grantStatements(ctx.db, { template, userId: ctx.userId, source: 'new_shopper', sourceRef: template.id }, ctx.now, ctx.timeZone);
    try {
      await runBatch(ctx.db, statements);
      count++;
    } catch (error) {
      // Sold out or paused meanwhile: this template gives nothing; the shopper's sign-in goes on.
      if (!(error instanceof ApiError)) logEvent('error', 'new-shopper coupon grant failed', { template_id: template.id, user_id: ctx.userId, error });
    }
  }
  return count;
}
