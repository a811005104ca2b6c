// The shop's loyalty settings (earning, spending, expiry, check-in): one row the merchant edits.
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { firstRow, runRead, type Read } from '../../db/reads';
import { loyaltySettings, pointCategoryMultipliers } from '../../db/loyalty';
import { categories } from '../../db/catalog';
import { notFound } from '../../lib/errors';
import type { ExpiryPolicy } from '../../domain/loyalty/points';
import { toIso } from '../../lib/clock';

export type LoyaltySettings = typeof loyaltySettings.$inferSelect;

export const loyaltySettingsRead = (db: Db): Read<LoyaltySettings> =>
  firstRow(db.select().from(loyaltySettings).where(eq(loyaltySettings.id, 1)), () => new Error('loyalty_settings row 1 is missing: run the migrations'));

export const getLoyaltySettings = (db: Db) => runRead(db, loyaltySettingsRead(db));

export const expiryPolicyOf = (s: LoyaltySettings): ExpiryPolicy => ({ mode: s.pointsExpiryMode, months: s.pointsExpiryMonths });

export const loyaltySettingsView = (s: LoyaltySettings) => ({
  points_expiry_mode: s.pointsExpiryMode,
  points_expiry_months: s.pointsExpiryMonths,
  earn_points_per_yuan: s.earnPointsPerYuan,
  earn_birthday_multiplier_bps: s.earnBirthdayMultiplierBps,
  earn_first_order_bonus: s.earnFirstOrderBonus,
  earn_per_order_cap: s.earnPerOrderCap,
  after_sales_days: s.afterSalesDays,
  redeem_points_per_yuan: s.redeemPointsPerYuan,
  redeem_max_goods_percent: s.redeemMaxGoodsPercent,
  redeem_max_points_per_order: s.redeemMaxPointsPerOrder,
  redeem_shipping: s.redeemShipping === 1,
  check_in_cycle: s.checkInCycle,
  check_in_base_points: s.checkInBasePoints,
  check_in_make_ups_per_month: s.checkInMakeUpsPerMonth,
  check_in_make_up_cost_points: s.checkInMakeUpCostPoints,
  member_benefit_mode: s.memberBenefitMode,
  growth_per_yuan: s.growthPerYuan,
  check_in_growth: s.checkInGrowth,
  plan_refund_rule: s.planRefundRule,
  updated_at: toIso(s.updatedAt),
});

export type LoyaltySettingsPatch = Partial<Omit<ReturnType<typeof loyaltySettingsView>, 'updated_at'>>;

const columnOf: { [K in keyof LoyaltySettingsPatch]-?: keyof LoyaltySettings } = {
  points_expiry_mode: 'pointsExpiryMode',
  points_expiry_months: 'pointsExpiryMonths',
  earn_points_per_yuan: 'earnPointsPerYuan',
  earn_birthday_multiplier_bps: 'earnBirthdayMultiplierBps',
  earn_first_order_bonus: 'earnFirstOrderBonus',
  earn_per_order_cap: 'earnPerOrderCap',
  after_sales_days: 'afterSalesDays',
  redeem_points_per_yuan: 'redeemPointsPerYuan',
  redeem_max_goods_percent: 'redeemMaxGoodsPercent',
  redeem_max_points_per_order: 'redeemMaxPointsPerOrder',
  redeem_shipping: 'redeemShipping',
  check_in_cycle: 'checkInCycle',
  check_in_base_points: 'checkInBasePoints',
  check_in_make_ups_per_month: 'checkInMakeUpsPerMonth',
  check_in_make_up_cost_points: 'checkInMakeUpCostPoints',
  member_benefit_mode: 'memberBenefitMode',
  growth_per_yuan: 'growthPerYuan',
  check_in_growth: 'checkInGrowth',
  plan_refund_rule: 'planRefundRule',
};

export async function updateLoyaltySettings(db: Db, patch: LoyaltySettingsPatch, now: number) {
  const set: Record<string, unknown> = { updatedAt: now };
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    set[columnOf[field as keyof LoyaltySettingsPatch]] = typeof value === 'boolean' ? Number(value) : value;
  }
  await db.update(loyaltySettings).set(set).where(eq(loyaltySettings.id, 1));
  return loyaltySettingsView(await getLoyaltySettings(db));
}

export const listCategoryMultipliers = async (db: Db) => (await db.select().from(pointCategoryMultipliers)).map((m) => ({ category_id: m.categoryId, multiplier_bps: m.multiplierBps }));

/** Points earned on goods of this category are multiplied (basis points: 20000 = ×2); 10000 removes the rule. */
export async function setCategoryMultiplier(db: Db, categoryId: string, multiplierBps: number) {
  const category = await db.query.categories.findFirst({ where: eq(categories.id, categoryId), columns: { id: true } });
  if (!category) throw notFound('Category');
  if (multiplierBps === 10_000) await db.delete(pointCategoryMultipliers).where(eq(pointCategoryMultipliers.categoryId, categoryId));
  else await db.insert(pointCategoryMultipliers).values({ categoryId, multiplierBps }).onConflictDoUpdate({ target: pointCategoryMultipliers.categoryId, set: { multiplierBps } });
  return { category_id: categoryId, multiplier_bps: multiplierBps };
}
