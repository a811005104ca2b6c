// The shop's checkout settings (shipping fee, free-shipping threshold, payment window).
import { eq } from 'drizzle-orm';
import { shopSettings } from '../db/orders';
import type { Db } from '../db/client';
import type { ShippingPolicy } from '../domain/pricing';
import { toIso } from '../lib/clock';

export async function getShopSettings(db: Db) {
  const row = await db.query.shopSettings.findFirst({ where: eq(shopSettings.id, 1) });
  if (!row) throw new Error('shop_settings row 1 is missing: run the migrations');
  return row;
}

export const shippingPolicyOf = (s: typeof shopSettings.$inferSelect): ShippingPolicy => ({
  flatFeeFen: s.shippingFlatFeeFen,
  freeShippingThresholdFen: s.freeShippingThresholdFen,
});

export const settingsView = (s: typeof shopSettings.$inferSelect) => ({
  shipping_flat_fee_fen: s.shippingFlatFeeFen,
  free_shipping_threshold_fen: s.freeShippingThresholdFen,
  payment_window_minutes: s.paymentWindowMinutes,
  updated_at: toIso(s.updatedAt),
});

export type SettingsPatch = { shipping_flat_fee_fen?: number; free_shipping_threshold_fen?: number | null; payment_window_minutes?: number };

export async function updateShopSettings(db: Db, patch: SettingsPatch, now: number) {
  await db
    .update(shopSettings)
    .set({
      ...(patch.shipping_flat_fee_fen !== undefined && { shippingFlatFeeFen: patch.shipping_flat_fee_fen }),
      ...(patch.free_shipping_threshold_fen !== undefined && { freeShippingThresholdFen: patch.free_shipping_threshold_fen }),
      ...(patch.payment_window_minutes !== undefined && { paymentWindowMinutes: patch.payment_window_minutes }),
      updatedAt: now,
    })
    .where(eq(shopSettings.id, 1));
  return settingsView(await getShopSettings(db));
}
