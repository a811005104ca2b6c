// The shop's checkout settings (payment window), plus the shortcut to the default shipping
// template's flat fee and free-shipping threshold (where the shop's flat fee lives since templates).
import { eq } from 'drizzle-orm';
import { shopSettings } from '../db/orders';
import { DEFAULT_SHIPPING_TEMPLATE_ID, shippingTemplates } from '../db/shipping';
import { runBatch, type Statement } from '../db/batch';
import type { Db } from '../db/client';
import { firstRow, runRead } from '../db/reads';
import type { FreeShippingRule } from '../domain/shipping';
import { toIso } from '../lib/clock';
import { findTemplate } from './shipping-templates';

export const shopSettingsRead = (db: Db) => firstRow(db.select().from(shopSettings).where(eq(shopSettings.id, 1)), () => new Error('shop_settings row 1 is missing: run the migrations'));

export const getShopSettings = (db: Db) => runRead(db, shopSettingsRead(db));

/** The default template's free-shipping rule that applies everywhere by amount: the old threshold. */
const isThresholdRule = (f: FreeShippingRule) => f.regions.length === 0 && f.minAmountFen !== null && f.minQuantity === null;

export async function shopSettingsView(db: Db) {
  const [s, template] = await Promise.all([getShopSettings(db), findTemplate(db, DEFAULT_SHIPPING_TEMPLATE_ID)]);
  return {
    shipping_flat_fee_fen: template.defaultRule.firstFeeFen,
    free_shipping_threshold_fen: template.freeRules.find(isThresholdRule)?.minAmountFen ?? null,
    payment_window_minutes: s.paymentWindowMinutes,
    updated_at: toIso(Math.max(s.updatedAt, template.updatedAt)),
  };
}

export type SettingsPatch = { shipping_flat_fee_fen?: number; free_shipping_threshold_fen?: number | null; payment_window_minutes?: number };

export async function updateShopSettings(db: Db, patch: SettingsPatch, now: number) {
  const statements: Statement[] = [
    db
      .update(shopSettings)
      .set({ ...(patch.payment_window_minutes !== undefined && { paymentWindowMinutes: patch.payment_window_minutes }), updatedAt: now })
      .where(eq(shopSettings.id, 1)),
  ];
  if (patch.shipping_flat_fee_fen !== undefined || patch.free_shipping_threshold_fen !== undefined) {
    const template = await findTemplate(db, DEFAULT_SHIPPING_TEMPLATE_ID);
    const threshold = patch.free_shipping_threshold_fen;
    statements.push(
      db
        .update(shippingTemplates)
        .set({
          defaultRule: { ...template.defaultRule, firstFeeFen: patch.shipping_flat_fee_fen ?? template.defaultRule.firstFeeFen },
          freeRules:
            threshold === undefined
              ? template.freeRules
              : [...template.freeRules.filter((f) => !isThresholdRule(f)), ...(threshold === null ? [] : [{ regions: [], minAmountFen: threshold, minQuantity: null }])],
          updatedAt: now,
        })
        .where(eq(shippingTemplates.id, DEFAULT_SHIPPING_TEMPLATE_ID)),
    );
  }
  await runBatch(db, statements);
  return shopSettingsView(db);
}
