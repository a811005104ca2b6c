// Store promotions, the merchant's side: tiered 满减/满折 activities and 限时折扣. Both show on
// the storefront (a price, an offer badge), so their writes bump the catalog version like any
// catalog write.
import { desc, eq } from 'drizzle-orm';
import { skus } from '../../db/catalog';
import { promotionActivities, timedDiscounts } from '../../db/promotions';
import type { Db } from '../../db/client';
import { activityProblems, timedDiscountProblems } from '../../domain/promotions/validation';
import { toIso } from '../../lib/clock';
import { conflict, invalidInput, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { commitCatalogWrite, type WriteContext } from '../catalog-admin';
import { scopeView, unknownScopeIds, type TemplateInput } from '../coupons/templates';
import type { ActivityRow, TimedDiscountRow } from './active';

export type TieredInput = {
  type: 'tiered';
  name: string;
  scope: TemplateInput['scope'];
  condition: 'amount' | 'quantity';
  benefit: 'amount_off' | 'percent_off';
  tiers: { threshold: number; value: number }[];
  starts_at: string;
  ends_at: string;
};
export type TimedDiscountInput = {
  type: 'timed_discount';
  name: string;
  product_id: string;
  sku_id?: string | null;
  kind: 'percent_off' | 'fixed_price';
  value: number;
  starts_at: string;
  ends_at: string;
};

export async function createPromotion(ctx: WriteContext, input: TieredInput | TimedDiscountInput): Promise<string> {
  const startsAt = Date.parse(input.starts_at);
  const endsAt = Date.parse(input.ends_at);
  if (input.type === 'tiered') {
    const scope = input.scope.kind === 'all' ? ({ kind: 'all' } as const) : { kind: input.scope.kind, categoryIds: input.scope.category_ids, productIds: input.scope.product_ids };
    const problems = [...activityProblems({ ...input, startsAt, endsAt }), ...(await unknownScopeIds(ctx.db, scope))];
    if (problems.length) throw invalidInput(problems);
    const id = newId('pma');
    await commitCatalogWrite(ctx, [
      ctx.db
        .insert(promotionActivities)
        .values({ id, name: input.name, scope, condition: input.condition, benefit: input.benefit, tiers: input.tiers, startsAt, endsAt, createdAt: ctx.now, updatedAt: ctx.now }),
    ]);
    return id;
  }
  const problems = timedDiscountProblems({ ...input, startsAt, endsAt });
  const productSkus = await ctx.db.select({ id: skus.id }).from(skus).where(eq(skus.productId, input.product_id));
  if (productSkus.length === 0) problems.push({ path: 'body.product_id', message: 'no such product' });
  else if (input.sku_id && !productSkus.some((s) => s.id === input.sku_id)) problems.push({ path: 'body.sku_id', message: 'is not a SKU of this product' });
  if (problems.length) throw invalidInput(problems);
  const id = newId('tdc');
  await commitCatalogWrite(ctx, [
    ctx.db
      .insert(timedDiscounts)
      .values({ id, name: input.name, productId: input.product_id, skuId: input.sku_id ?? null, kind: input.kind, value: input.value, startsAt, endsAt, createdAt: ctx.now, updatedAt: ctx.now }),
  ]);
  return id;
}

const activityView = (r: ActivityRow, now: number) => ({
  id: r.id,
  type: 'tiered' as const,
  name: r.name,
  scope: scopeView(r.scope),
  condition: r.condition,
  benefit: r.benefit,
  tiers: r.tiers,
  starts_at: toIso(r.startsAt),
  ends_at: toIso(r.endsAt),
  status: shownStatus(r, now),
});
const timedView = (r: TimedDiscountRow, now: number) => ({
  id: r.id,
  type: 'timed_discount' as const,
  name: r.name,
  product_id: r.productId,
  sku_id: r.skuId,
  kind: r.kind,
  value: r.value,
  starts_at: toIso(r.startsAt),
  ends_at: toIso(r.endsAt),
  status: shownStatus(r, now),
});

/** scheduled / running / ended, from the window and an early end. */
const shownStatus = (r: { status: 'active' | 'ended'; startsAt: number; endsAt: number }, now: number): 'scheduled' | 'running' | 'ended' =>
  r.status === 'ended' || now >= r.endsAt ? 'ended' : now < r.startsAt ? 'scheduled' : 'running';

export async function listPromotions(db: Db, now: number) {
  const [activities, discounts] = await Promise.all([
    db.select().from(promotionActivities).orderBy(desc(promotionActivities.createdAt)).limit(100),
    db.select().from(timedDiscounts).orderBy(desc(timedDiscounts.createdAt)).limit(100),
  ]);
  return { items: [...activities.map((a) => activityView(a, now)), ...discounts.map((d) => timedView(d, now))], next_cursor: null };
}

export async function promotionView(db: Db, id: string, now: number) {
  if (id.startsWith('pma_')) {
    const row = await db.query.promotionActivities.findFirst({ where: eq(promotionActivities.id, id) });
    if (row) return activityView(row, now);
  } else {
    const row = await db.query.timedDiscounts.findFirst({ where: eq(timedDiscounts.id, id) });
    if (row) return timedView(row, now);
  }
  throw notFound('Promotion');
}

/** Ends a promotion early (its window otherwise ends it). */
export async function endPromotion(ctx: WriteContext, id: string): Promise<void> {
  const current = await promotionView(ctx.db, id, ctx.now);
  if (current.status === 'ended') throw conflict('promotion_ended', 'This promotion has already ended.');
  const table = current.type === 'tiered' ? promotionActivities : timedDiscounts;
  await commitCatalogWrite(ctx, [ctx.db.update(table).set({ status: 'ended', updatedAt: ctx.now }).where(eq(table.id, id))]);
}
