// The flash-sale campaign as the code sees it: its rows, the validated admin input, and the
// shard count rule. Shared by creation (campaigns.ts), the stock objects (stock-objects.ts), the
// views (views.ts) and settlement (settlement.ts).
import type { flashSaleItems, flashSales } from '../../db/flash-sales';
import { shardsNeeded } from '../../domain/flash-sale';
import type { DailySlot } from '../../domain/flash-sale-slots';

export type FlashSaleRow = typeof flashSales.$inferSelect;
export type FlashSaleItemRow = typeof flashSaleItems.$inferSelect;

export type FlashSaleItemInput = { sku_id: string; flash_price_fen: number; flash_stock: number };

/** A validated POST /admin/api/flash-sales body (routes/admin/schemas.ts). */
export type FlashSaleInput = {
  title: string;
  starts_at: string;
  ends_at: string;
  per_user_limit: number;
  per_order_limit: number;
  payment_window_minutes: number;
  shard_count?: number | undefined;
  expected_peak_per_second?: number | undefined;
  daily_slots?: DailySlot[] | undefined;
  items: FlashSaleItemInput[];
};

/** items × shards: every object is configured on create and read for live figures, within a request's subrequest budget. */
export const MAX_STOCK_OBJECTS_PER_CAMPAIGN = 512;

/** The shard count a campaign gets: as asked, else sized from the expected peak, else 1. */
export const shardCountFor = (input: Pick<FlashSaleInput, 'shard_count' | 'expected_peak_per_second'>) =>
  input.shard_count ?? (input.expected_peak_per_second !== undefined ? shardsNeeded(input.expected_peak_per_second) : 1);
