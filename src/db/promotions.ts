// Store promotions: tiered 满减/满折 activities over a scope, and 限时折扣 on products or SKUs.
import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { Scope } from '../domain/promotions/scope';
import { products } from './catalog';

export const promotionStatuses = ['active', 'ended'] as const;

export const promotionActivities = sqliteTable(
  'promotion_activities',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    scope: text('scope', { mode: 'json' }).$type<Scope>().notNull(),
    condition: text('condition', { enum: ['amount', 'quantity'] }).notNull(),
    benefit: text('benefit', { enum: ['amount_off', 'percent_off'] }).notNull(),
    tiers: text('tiers', { mode: 'json' }).$type<{ threshold: number; value: number }[]>().notNull(),
    startsAt: integer('starts_at').notNull(),
    endsAt: integer('ends_at').notNull(),
    /** 'ended' = ended early by the merchant; otherwise the window decides. */
    status: text('status', { enum: promotionStatuses }).notNull().default('active'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('promotion_activities_window_idx').on(t.status, t.endsAt, t.startsAt), check('promotion_activities_window_valid', sql`${t.endsAt} > ${t.startsAt}`)],
);

export const timedDiscounts = sqliteTable(
  'timed_discounts',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    /** null = every SKU of the product. */
    skuId: text('sku_id'),
    kind: text('kind', { enum: ['percent_off', 'fixed_price'] }).notNull(),
    /** percent_off: 1–99; fixed_price: the price in fen. */
    value: integer('value').notNull(),
    startsAt: integer('starts_at').notNull(),
    endsAt: integer('ends_at').notNull(),
    status: text('status', { enum: promotionStatuses }).notNull().default('active'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('timed_discounts_window_idx').on(t.status, t.endsAt, t.startsAt),
    index('timed_discounts_product_idx').on(t.productId, t.status),
    check('timed_discounts_window_valid', sql`${t.endsAt} > ${t.startsAt} AND ${t.value} >= 0`),
  ],
);
