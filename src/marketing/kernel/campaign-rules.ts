// The campaign kernel's rules as API answers: every engine creates, checks and cancels its
// campaigns through these, so the same refusal has the same code and status everywhere
// (README, "Error codes"). The rules themselves are src/domain/campaign.ts.
import { sql } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { abortUnlessChanged, type Statement } from '../../db/batch';
import type { Db } from '../../db/client';
import {
  campaignState,
  cancelRefusal,
  sellableRefusal,
  startRefusal,
  type CampaignState,
  type CampaignStatus,
  type CampaignWindow,
  type CancelRefusal,
  type SellableRefusal,
} from '../../domain/campaign';
import { businessRule, conflict, type ApiError, type ErrorDetail } from '../../lib/errors';
import { loadPurchasableSkus, type PurchasableSku } from '../../services/purchasable';

/** 422 unless the start is now or later (within the grace). */
export function assertStartNotPast(startsAt: number, now: number): void {
  if (startRefusal(startsAt, now)) throw businessRule('starts_in_past', 'A campaign cannot start in the past.', [{ path: 'body.starts_at', message: 'is in the past' }]);
}

const sellableErrors: Record<SellableRefusal, { message: string; field: string }> = {
  sku_not_found: { message: 'A SKU in this campaign does not exist.', field: 'no such SKU' },
  sku_not_sellable: { message: 'A SKU in this campaign is not on sale in the shop (removed, or its product is not published).', field: 'is not on sale' },
};

/**
 * The campaign's SKUs from the catalog; 422 for the first rule any of them fails (unknown, then
 * not on sale), naming every SKU that fails it by its path in the request.
 */
export async function loadSellableSkus(db: Db, items: readonly { skuId: string; path: string }[]): Promise<Map<string, PurchasableSku>> {
  const catalog = await loadPurchasableSkus(
    db,
    items.map((i) => i.skuId),
  );
  for (const refusal of Object.keys(sellableErrors) as SellableRefusal[]) {
    const details: ErrorDetail[] = items.filter((i) => sellableRefusal(catalog.get(i.skuId)) === refusal).map((i) => ({ path: i.path, message: sellableErrors[refusal].field }));
    if (details.length) throw businessRule(refusal, sellableErrors[refusal].message, details);
  }
  return catalog;
}

const cancelErrors: Record<CancelRefusal, (state: CampaignState) => ApiError> = {
  campaign_closed: (state) => conflict('campaign_closed', `This campaign is already ${state}.`),
  campaign_ended: () => conflict('campaign_ended', 'This campaign has already ended.'),
};

type CampaignTable = SQLiteTable & { id: unknown; status: unknown; updatedAt: unknown };

/**
 * The guarded cancel of any engine's campaign: 409 unless it is upcoming or live, then the
 * statements that flip it scheduled → cancelled and fail the whole batch if another change won.
 */
export function cancelStatements(table: CampaignTable, campaign: CampaignWindow & { id: string; status: CampaignStatus }, now: number): Statement[] {
  const state = campaignState(campaign, now);
  const refusal = cancelRefusal(state);
  if (refusal) throw cancelErrors[refusal](state);
  return [sql`UPDATE ${table} SET status = 'cancelled', updated_at = ${now} WHERE id = ${campaign.id} AND status = 'scheduled'`, abortUnlessChanged()];
}
