// Coupons given as loyalty rewards: a check-in tier, a member level's birthday coupon, a
// points-mall coupon item. Each is written in the D1 batch of whatever earned it and is keyed by
// (source, source_ref, shopper) — the one-per-source unique index — so a reward recomputed or
// retried is never issued twice. Two ways to give one:
//  - a bonus (check-in tier, birthday): only where its condition holds and while the template can
//    still give one; a paused or sold-out template gives nothing and the check-in still stands;
//  - a purchase (points-mall exchange): through grantStatements, whose guards fail the whole
//    batch (409 coupon_sold_out / coupon_not_active), so no points are taken for a coupon not given.
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Statement } from '../../db/batch';
import type { Db } from '../../db/client';
import { couponTemplates, shopperCoupons } from '../../db/coupons';
import { businessRule } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { couponWindow, grantStatements } from './grants';
import type { TemplateRow } from './templates';

export type RewardSource = 'check_in' | 'birthday' | 'points_mall';
export type CouponReward = { template: TemplateRow; userId: string; source: RewardSource; sourceRef: string };

/** A template a reward names must exist (422 naming the field otherwise); a paused one may be resumed later. */
export async function assertRewardTemplate(db: Db, templateId: string | null | undefined, path: string): Promise<void> {
  if (!templateId) return;
  const row = await db.query.couponTemplates.findFirst({ where: eq(couponTemplates.id, templateId), columns: { id: true } });
  if (!row) throw businessRule('coupon_template_not_found', 'No such coupon template.', [{ path, message: 'does not exist' }]);
}

export async function loadRewardTemplates(db: Db, ids: (string | null)[]): Promise<Map<string, TemplateRow>> {
  const wanted = [...new Set(ids.filter((id): id is string => !!id))];
  if (!wanted.length) return new Map();
  const rows = await db.select().from(couponTemplates).where(inArray(couponTemplates.id, wanted));
  return new Map(rows.map((t) => [t.id, t]));
}

/**
 * A bonus coupon: written only where `onlyIf` holds, the template is active and not sold out, and
 * this (source, source_ref, shopper) has none yet; the issued count follows the row, so it counts
 * exactly the coupons given.
 */
export function bonusCouponStatements(reward: CouponReward, onlyIf: SQL, now: number, timeZone: string): Statement[] {
  const couponId = newId('cpn');
  const { template: t } = reward;
  const window = couponWindow(t, now, timeZone);
  return [
    sql`INSERT OR IGNORE INTO shopper_coupons (id, template_id, user_id, source, source_ref, name, benefit, scope, valid_from, valid_until, status, created_at, updated_at)
        SELECT ${couponId}, id, ${reward.userId}, ${reward.source}, ${reward.sourceRef}, name, benefit, scope, ${window.validFrom}, ${window.validUntil}, 'unused', ${now}, ${now}
        FROM coupon_templates
        WHERE id = ${t.id} AND status = 'active' AND (total_quantity IS NULL OR issued_count < total_quantity) AND (${onlyIf})`,
    sql`UPDATE coupon_templates SET issued_count = issued_count + 1, updated_at = ${now}
        WHERE id = ${t.id} AND EXISTS (SELECT 1 FROM shopper_coupons WHERE id = ${couponId})`,
  ];
}

/** A bought coupon: given in the batch or the batch fails (sold out, paused, ended). */
export const boughtCouponStatements = (db: Db, reward: CouponReward, now: number, timeZone: string): Statement[] =>
  grantStatements(db, { template: reward.template, userId: reward.userId, source: reward.source, sourceRef: reward.sourceRef }, now, timeZone).statements;

/** The coupons rewards gave, by their source_ref (to answer with the coupon id, or null when none was given). */
export async function rewardCouponIds(db: Db, userId: string, source: RewardSource, sourceRefs: string[]): Promise<Map<string, string>> {
  if (!sourceRefs.length) return new Map();
  const rows = await db
    .select({ id: shopperCoupons.id, ref: shopperCoupons.sourceRef })
    .from(shopperCoupons)
    .where(and(eq(shopperCoupons.userId, userId), eq(shopperCoupons.source, source), inArray(shopperCoupons.sourceRef, sourceRefs)));
  return new Map(rows.map((r) => [r.ref!, r.id]));
}
