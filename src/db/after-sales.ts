// After-sales (售后) requests and their lines. Statuses and transitions: src/domain/after-sale.ts.
import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { afterSaleStatuses, afterSaleTypes } from '../domain/after-sale';
import { orderItems, orders, refunds } from './orders';
import { carriers, type ReturnAddress } from './shipping';
import { users } from './shoppers';

export const afterSales = sqliteTable(
  'after_sales',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    type: text('type', { enum: afterSaleTypes }).notNull(),
    status: text('status', { enum: afterSaleStatuses }).notNull(),
    reason: text('reason').notNull(),
    description: text('description').notNull().default(''),
    imageUrls: text('image_urls', { mode: 'json' }).$type<string[]>().notNull(),
    /** The lines' paid share, computed by the server (never sent by the client). */
    amountFen: integer('amount_fen').notNull(),
    /** The merchant's return address, as it was when the request was approved. */
    returnAddress: text('return_address', { mode: 'json' }).$type<ReturnAddress>(),
    returnCarrierId: text('return_carrier_id').references(() => carriers.id),
    returnTrackingNo: text('return_tracking_no'),
    /** The return parcel's tracking at the provider: subscribed, last heard of, delivered to the merchant (the auto-refund counts from here). */
    returnTrackingSubscribedAt: integer('return_tracking_subscribed_at'),
    returnTrackingCheckedAt: integer('return_tracking_checked_at'),
    returnDeliveredAt: integer('return_delivered_at'),
    /** 1 when the merchant received the goods in a state to sell again: stock goes back with the refund. */
    restock: integer('restock').notNull().default(0),
    refundId: text('refund_id').references(() => refunds.id),
    exchangeCarrierId: text('exchange_carrier_id').references(() => carriers.id),
    exchangeTrackingNo: text('exchange_tracking_no'),
    decisionNote: text('decision_note'),
    /** When the timer of the current status fires (auto-approve, auto-close, auto-refund); null: none. */
    dueAt: integer('due_at'),
    idempotencyKey: text('idempotency_key').notNull(),
    requestHash: text('request_hash').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('after_sales_user_idempotency_idx').on(t.userId, t.idempotencyKey),
    uniqueIndex('after_sales_refund_idx').on(t.refundId),
    index('after_sales_user_created_idx').on(t.userId, t.createdAt, t.id),
    index('after_sales_status_created_idx').on(t.status, t.createdAt, t.id),
    index('after_sales_order_idx').on(t.orderId),
    index('after_sales_due_idx').on(t.status, t.dueAt),
    check('after_sales_amount_non_negative', sql`${t.amountFen} >= 0`),
  ],
);

export const afterSaleLines = sqliteTable(
  'after_sale_lines',
  {
    afterSaleId: text('after_sale_id')
      .notNull()
      .references(() => afterSales.id),
    orderItemId: text('order_item_id')
      .notNull()
      .references(() => orderItems.id),
    quantity: integer('quantity').notNull(),
    amountFen: integer('amount_fen').notNull(),
  },
  (t) => [primaryKey({ columns: [t.afterSaleId, t.orderItemId] }), index('after_sale_lines_item_idx').on(t.orderItemId), check('after_sale_lines_quantity_positive', sql`${t.quantity} > 0`)],
);
