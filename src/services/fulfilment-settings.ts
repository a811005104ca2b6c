// Fulfilment settings (one row): receipt and after-sales timers, the return address, and the
// subscribe-message template ids by key.
import { eq } from 'drizzle-orm';
import { fulfilmentSettings, type ReturnAddress } from '../db/shipping';
import type { Db } from '../db/client';
import { toIso } from '../lib/clock';

export async function getFulfilmentSettings(db: Db) {
  const row = await db.query.fulfilmentSettings.findFirst({ where: eq(fulfilmentSettings.id, 1) });
  if (!row) throw new Error('fulfilment_settings row 1 is missing: run the migrations');
  return row;
}

export type FulfilmentSettingsPatch = {
  auto_confirm_days_after_delivery?: number;
  auto_confirm_days_without_tracking?: number;
  after_sale_window_days?: number;
  auto_approve_days?: number;
  return_ship_days?: number;
  auto_refund_days_after_return?: number;
  return_address?: ReturnAddress;
  subscribe_templates?: Record<string, string>;
};

export const fulfilmentSettingsView = (s: typeof fulfilmentSettings.$inferSelect) => ({
  auto_confirm_days_after_delivery: s.autoConfirmDaysAfterDelivery,
  auto_confirm_days_without_tracking: s.autoConfirmDaysWithoutTracking,
  after_sale_window_days: s.afterSaleWindowDays,
  auto_approve_days: s.autoApproveDays,
  return_ship_days: s.returnShipDays,
  auto_refund_days_after_return: s.autoRefundDaysAfterReturn,
  return_address: s.returnAddress,
  subscribe_templates: s.subscribeTemplates,
  updated_at: toIso(s.updatedAt),
});

export async function updateFulfilmentSettings(db: Db, p: FulfilmentSettingsPatch, now: number) {
  await db
    .update(fulfilmentSettings)
    .set({
      ...(p.auto_confirm_days_after_delivery !== undefined && { autoConfirmDaysAfterDelivery: p.auto_confirm_days_after_delivery }),
      ...(p.auto_confirm_days_without_tracking !== undefined && { autoConfirmDaysWithoutTracking: p.auto_confirm_days_without_tracking }),
      ...(p.after_sale_window_days !== undefined && { afterSaleWindowDays: p.after_sale_window_days }),
      ...(p.auto_approve_days !== undefined && { autoApproveDays: p.auto_approve_days }),
      ...(p.return_ship_days !== undefined && { returnShipDays: p.return_ship_days }),
      ...(p.auto_refund_days_after_return !== undefined && { autoRefundDaysAfterReturn: p.auto_refund_days_after_return }),
      ...(p.return_address !== undefined && { returnAddress: p.return_address }),
      ...(p.subscribe_templates !== undefined && { subscribeTemplates: p.subscribe_templates }),
      updatedAt: now,
    })
    .where(eq(fulfilmentSettings.id, 1));
  return fulfilmentSettingsView(await getFulfilmentSettings(db));
}
