// How a shopper comes to hold a coupon: a claim in the coupon centre, a redeem code, a merchant's
// issue, or the grant on first sign-in. Each is one D1 batch in which the template's issued count
// goes up (CHECK: never past its total), the template is checked still active (a guard that
// aborts the batch), and the coupon row is written with a snapshot of the template.
import { and, eq, sql } from 'drizzle-orm';
import { couponTemplates, shopperCoupons, type couponSources } from '../../db/coupons';
import type { Statement } from '../../db/batch';
import type { Db } from '../../db/client';
import { validityWindow, type Validity } from '../../domain/promotions/coupon';
import { newId } from '../../lib/ids';
import { wallToEpoch, zonedDayStart } from '../../lib/zoned-time';
import type { TemplateRow } from './templates';

export type CouponSource = (typeof couponSources)[number];

export const validityOfTemplate = (t: TemplateRow): Validity =>
  t.validityKind === 'fixed' ? { kind: 'fixed', validFrom: t.validFrom!, validUntil: t.validUntil! } : { kind: 'relative', days: t.validDays! };

export function couponWindow(t: TemplateRow, now: number, timeZone: string) {
  return validityWindow(validityOfTemplate(t), now, { dayStart: (e) => zonedDayStart(e, timeZone), wallToEpoch: (w) => wallToEpoch(w, timeZone) });
}

/** Counts one more coupon given out, only while the template is active (else the batch aborts: coupon_not_active). */
export const countIssuedStatements = (db: Db, templateId: string, count: number | SQL, now: number): Statement[] => [
  db
    .update(couponTemplates)
    .set({ issuedCount: sql`${couponTemplates.issuedCount} + ${count}`, updatedAt: now })
    .where(and(eq(couponTemplates.id, templateId), eq(couponTemplates.status, 'active'))),
  sql`INSERT INTO coupon_guards (guard) SELECT 'template_active' WHERE changes() = 0`,
];

type SQL = ReturnType<typeof sql>;

export type Grant = { template: TemplateRow; userId: string; source: CouponSource; sourceRef?: string; idempotencyKey?: string; requestHash?: string };

/** The statements that give one coupon to one shopper (the per-shopper claim limit is a trigger on the insert). */
export function grantStatements(db: Db, grant: Grant, now: number, timeZone: string): { couponId: string; statements: Statement[] } {
  const couponId = newId('cpn');
  const { template: t } = grant;
  const window = couponWindow(t, now, timeZone);
  return {
    couponId,
    statements: [
      ...countIssuedStatements(db, t.id, 1, now),
      db.insert(shopperCoupons).values({
        id: couponId,
        templateId: t.id,
        userId: grant.userId,
        source: grant.source,
        sourceRef: grant.sourceRef ?? null,
        name: t.name,
        benefit: t.benefit,
        scope: t.scope,
        validFrom: window.validFrom,
        validUntil: window.validUntil,
        status: 'unused',
        idempotencyKey: grant.idempotencyKey ?? null,
        requestHash: grant.requestHash ?? null,
        createdAt: now,
        updatedAt: now,
      }),
    ],
  };
}
