// The coupons a shopper holds (我的优惠券) and the coupon centre (领券中心) as a shopper sees it.
import { and, asc, desc, eq, gt, inArray, lt, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import * as v from 'valibot';
import { couponTemplates, shopperCoupons } from '../../db/coupons';
import { users } from '../../db/shoppers';
import type { Db } from '../../db/client';
import { firstRow, read, type Read } from '../../db/reads';
import type { HeldCoupon } from '../../domain/promotions/coupon';
import { toIso } from '../../lib/clock';
import { decodeCursor, encodeCursor } from '../../lib/cursor';
import { notFound } from '../../lib/errors';
import type { HeldCouponRow } from './claims';
import { claimRefusal } from './claims';
import { benefitView, scopeView, templateView } from './templates';

export type WalletStatus = 'unused' | 'used' | 'expired';

/** The status a shopper sees: an unused coupon past its validity is expired. */
export const shownStatus = (c: Pick<HeldCouponRow, 'status' | 'validUntil'>, now: number) => (c.status === 'unused' && now >= c.validUntil ? 'expired' : c.status);

export function heldCouponView(c: HeldCouponRow, now: number) {
  return {
    id: c.id,
    template_id: c.templateId,
    name: c.name,
    ...benefitView(c.benefit),
    scope: scopeView(c.scope),
    status: shownStatus(c, now),
    source: c.source,
    valid_from: toIso(c.validFrom),
    valid_until: toIso(c.validUntil),
    order_id: c.orderId,
    saving_fen: c.savingFen,
    used_at: toIso(c.usedAt),
    created_at: toIso(c.createdAt),
  };
}

/** What each tab holds: "unused" = usable now or later; "used" includes coupons locked by an unpaid order. */
function statusCondition(status: WalletStatus, now: number): SQL {
  if (status === 'unused') return and(eq(shopperCoupons.status, 'unused'), gt(shopperCoupons.validUntil, now))!;
  if (status === 'used') return inArray(shopperCoupons.status, ['used', 'locked']);
  return or(eq(shopperCoupons.status, 'expired'), and(eq(shopperCoupons.status, 'unused'), lte(shopperCoupons.validUntil, now)))!;
}

const walletCursor = v.object({ k: v.number(), id: v.string() });

export async function listOwnCoupons(db: Db, filter: { userId: string; status?: WalletStatus; cursor?: string; limit: number; now: number }) {
  const conditions: SQL[] = [eq(shopperCoupons.userId, filter.userId)];
  if (filter.status) conditions.push(statusCondition(filter.status, filter.now));
  if (filter.cursor) {
    const c = decodeCursor(filter.cursor, walletCursor);
    conditions.push(or(lt(shopperCoupons.createdAt, c.k), and(eq(shopperCoupons.createdAt, c.k), lt(shopperCoupons.id, c.id)))!);
  }
  const rows = await db
    .select()
    .from(shopperCoupons)
    .where(and(...conditions))
    .orderBy(desc(shopperCoupons.createdAt), desc(shopperCoupons.id))
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  const last = page[page.length - 1];
  return { items: page.map((c) => heldCouponView(c, filter.now)), next_cursor: rows.length > filter.limit && last ? encodeCursor({ k: last.createdAt, id: last.id }) : null };
}

/** The most coupons a quote looks at (the soonest to expire first). */
export const WALLET_QUOTE_LIMIT = 200;

/** The shopper's unused coupons as the pricing rules read them, soonest to expire first. */
export const walletRead = (db: Db, userId: string): Read<(HeldCoupon & { label: string })[]> =>
  read(
    [
      db
        .select()
        .from(shopperCoupons)
        .where(and(eq(shopperCoupons.userId, userId), eq(shopperCoupons.status, 'unused')))
        .orderBy(asc(shopperCoupons.validUntil), asc(shopperCoupons.id))
        .limit(WALLET_QUOTE_LIMIT),
    ],
    ([rows]) => rows.map((r) => ({ id: r.id, label: r.name, benefit: r.benefit, scope: r.scope, validFrom: r.validFrom, validUntil: r.validUntil })),
  );

/** A coupon of this shopper's; another shopper's is "not found", never a discount. */
export const ownCouponRead = (db: Db, userId: string, couponId: string): Read<HeldCouponRow> =>
  firstRow(
    db
      .select()
      .from(shopperCoupons)
      .where(and(eq(shopperCoupons.id, couponId), eq(shopperCoupons.userId, userId))),
    () => notFound('Coupon'),
  );

/** The templates the coupon centre lists (claimable now or later), soonest to end first. */
export const centreTemplates = (db: Db, now: number) =>
  db
    .select()
    .from(couponTemplates)
    .where(and(eq(couponTemplates.status, 'active'), eq(couponTemplates.inCentre, 1), ne(couponTemplates.audience, 'new_shopper'), gt(couponTemplates.claimEndsAt, now)))
    .orderBy(asc(couponTemplates.claimEndsAt), asc(couponTemplates.id))
    .limit(100);

/** The coupon centre: claimable templates, with the signed-in shopper's claim state when there is one. */
export async function couponCentre(db: Db, userId: string | null, now: number) {
  const templates = await centreTemplates(db, now);
  const shopper = userId ? await db.query.users.findFirst({ where: eq(users.id, userId) }) : undefined;
  const held = new Map<string, number>();
  if (shopper && templates.length) {
    const counts = await db
      .select({ templateId: shopperCoupons.templateId, n: sql<number>`count(*)` })
      .from(shopperCoupons)
      .where(
        and(
          eq(shopperCoupons.userId, shopper.id),
          eq(shopperCoupons.source, 'claim'),
          inArray(
            shopperCoupons.templateId,
            templates.map((t) => t.id),
          ),
        ),
      )
      .groupBy(shopperCoupons.templateId);
    for (const c of counts) held.set(c.templateId, c.n);
  }
  return {
    items: templates.map((t) => {
      const view = templateView(t);
      const remaining = t.totalQuantity === null ? null : Math.max(0, t.totalQuantity - t.issuedCount);
      const base = { ...view, remaining };
      if (!shopper) return { ...base, claimed_count: null, can_claim: null, refusal: null };
      const claimed = held.get(t.id) ?? 0;
      const refusal = claimRefusal(t, shopper, now)?.code ?? (claimed >= t.perShopperLimit ? 'claim_limit' : null);
      return { ...base, claimed_count: claimed, can_claim: refusal === null, refusal };
    }),
    next_cursor: null,
  };
}
