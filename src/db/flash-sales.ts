// Flash-sale (秒杀) campaigns. The live stock of each campaign SKU is not here: it is held by
// FlashSaleStock Durable Objects (one per SKU and shard), which keep their own reservation
// ledger. D1 holds the campaign, its SKUs and (through orders.source_ref) the orders.
import { campaignStatuses } from '../domain/campaign';
import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { DailySlot } from '../domain/flash-sale-slots';
import { products, skus } from './catalog';

export const flashSales = sqliteTable(
  'flash_sales',
  {
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    startsAt: integer('starts_at').notNull(),
    endsAt: integer('ends_at').notNull(),
    /** Units one shopper may buy in the whole campaign (reservations held or paid). */
    perUserLimit: integer('per_user_limit').notNull(),
    /** Units in one order. */
    perOrderLimit: integer('per_order_limit').notNull(),
    paymentWindowMinutes: integer('payment_window_minutes').notNull(),
    /** Recurring daily slots in the shop's time zone (domain/flash-sale-slots.ts); null: the whole window. */
    dailySlots: text('daily_slots', { mode: 'json' }).$type<DailySlot[]>(),
    /** Stock objects per SKU, fixed at creation: a shopper always lands on the same shard. */
    shardCount: integer('shard_count').notNull(),
    /** 'cancelled' stops sales; unsold stock returns to the SKUs when a campaign ends. */
    status: text('status', { enum: campaignStatuses }).notNull().default('scheduled'),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('flash_sales_window_idx').on(t.status, t.endsAt, t.startsAt),
    check('flash_sales_window_valid', sql`${t.endsAt} > ${t.startsAt}`),
    check('flash_sales_limits_valid', sql`${t.perUserLimit} >= 1 AND ${t.perOrderLimit} >= 1 AND ${t.perOrderLimit} <= ${t.perUserLimit}`),
    check('flash_sales_shards_valid', sql`${t.shardCount} BETWEEN 1 AND 64`),
  ],
);

export const flashSaleItems = sqliteTable(
  'flash_sale_items',
  {
    id: text('id').primaryKey(),
    flashSaleId: text('flash_sale_id')
      .notNull()
      .references(() => flashSales.id),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    skuId: text('sku_id')
      .notNull()
      .references(() => skus.id),
    flashPriceFen: integer('flash_price_fen').notNull(),
    /** Units taken from the SKU's stock for this campaign (a stock-ledger row records it). */
    flashStock: integer('flash_stock').notNull(),
    // Denormalised from the campaign so the overlap check for a SKU is one indexed query.
    startsAt: integer('starts_at').notNull(),
    endsAt: integer('ends_at').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('flash_sale_items_campaign_sku_idx').on(t.flashSaleId, t.skuId),
    index('flash_sale_items_sku_window_idx').on(t.skuId, t.startsAt, t.endsAt),
    check('flash_sale_items_values_valid', sql`${t.flashPriceFen} >= 1 AND ${t.flashStock} >= 1`),
  ],
);
