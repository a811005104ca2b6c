// Orders, their lines and history, WeChat Pay payments and refunds, received notifications,
// the outbox of work that must not be lost, and the shop's checkout settings.
import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { orderSources } from '../domain/order-source';
import { orderStatuses } from '../domain/order-state';
import { users } from './shoppers';

export type AddressSnapshot = {
  recipient: string;
  phone: string;
  province: string;
  city: string;
  district: string;
  detail: string;
  postal_code: string | null;
};

export const orders = sqliteTable(
  'orders',
  {
    id: text('id').primaryKey(),
    /** Human-readable and unique; also the WeChat Pay out_trade_no. */
    orderNo: text('order_no').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    status: text('status', { enum: orderStatuses }).notNull(),
    itemsTotalFen: integer('items_total_fen').notNull(),
    discountFen: integer('discount_fen').notNull().default(0),
    shippingFeeFen: integer('shipping_fee_fen').notNull(),
    payableFen: integer('payable_fen').notNull(),
    refundedFen: integer('refunded_fen').notNull().default(0),
    address: text('address', { mode: 'json' }).$type<AddressSnapshot>().notNull(),
    note: text('note').notNull().default(''),
    paymentDeadline: integer('payment_deadline').notNull(),
    /** 1 once reserved stock went back to the SKUs; guards against releasing it twice. */
    stockReleased: integer('stock_released').notNull().default(0),
    paidAt: integer('paid_at'),
    shippedAt: integer('shipped_at'),
    carrier: text('carrier'),
    trackingNo: text('tracking_no'),
    completedAt: integer('completed_at'),
    cancelledAt: integer('cancelled_at'),
    /** Where the order came from: the shop itself, or a marketing engine that holds its stock. */
    source: text('source', { enum: orderSources }).notNull().default('shop'),
    /** A flash-sale order: its reservation in the FlashSaleStock object (one order each); a group buy: room/seat; a bargain: its session id. */
    sourceRef: text('source_ref'),
    /** Why the order may not ship yet (a group buy whose group has not succeeded); null = no hold. */
    shipHold: text('ship_hold', { enum: ['group_open'] }),
    idempotencyKey: text('idempotency_key'),
    /** SHA-256 of the request that created the order, to refuse a reused key with another body. */
    requestHash: text('request_hash'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('orders_order_no_idx').on(t.orderNo),
    uniqueIndex('orders_source_ref_idx').on(t.source, t.sourceRef),
    uniqueIndex('orders_user_idempotency_idx').on(t.userId, t.idempotencyKey),
    index('orders_user_created_idx').on(t.userId, t.createdAt, t.id),
    index('orders_user_status_idx').on(t.userId, t.status, t.createdAt, t.id),
    index('orders_status_created_idx').on(t.status, t.createdAt, t.id),
    index('orders_created_idx').on(t.createdAt, t.id),
    index('orders_pending_deadline_idx').on(t.status, t.paymentDeadline),
    check('orders_amounts_valid', sql`${t.payableFen} >= 0 AND ${t.refundedFen} >= 0 AND ${t.refundedFen} <= ${t.payableFen}`),
  ],
);

export const orderItems = sqliteTable(
  'order_items',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    productId: text('product_id').notNull(),
    skuId: text('sku_id').notNull(),
    // Snapshots: what the shopper saw and agreed to, whatever the catalog says later.
    title: text('title').notNull(),
    specValues: text('spec_values', { mode: 'json' }).$type<string[]>().notNull(),
    imageUrl: text('image_url').notNull(),
    unitPriceFen: integer('unit_price_fen').notNull(),
    quantity: integer('quantity').notNull(),
    lineTotalFen: integer('line_total_fen').notNull(),
    discountShareFen: integer('discount_share_fen').notNull().default(0),
    payableFen: integer('payable_fen').notNull(),
  },
  (t) => [index('order_items_order_idx').on(t.orderId), check('order_items_quantity_positive', sql`${t.quantity} > 0`)],
);

/** Every status change: who, when, from, to, why. */
export const orderEvents = sqliteTable(
  'order_events',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    actorType: text('actor_type', { enum: ['shopper', 'merchant', 'system', 'wechat_pay'] }).notNull(),
    actorId: text('actor_id'),
    reason: text('reason').notNull().default(''),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('order_events_order_idx').on(t.orderId, t.createdAt)],
);

export const payments = sqliteTable(
  'payments',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    outTradeNo: text('out_trade_no').notNull(),
    prepayId: text('prepay_id'),
    amountFen: integer('amount_fen').notNull(),
    status: text('status', { enum: ['prepared', 'succeeded', 'closed'] }).notNull(),
    transactionId: text('transaction_id'),
    payerOpenid: text('payer_openid'),
    succeededAt: integer('succeeded_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('payments_out_trade_no_idx').on(t.outTradeNo), index('payments_order_idx').on(t.orderId)],
);

export const refunds = sqliteTable(
  'refunds',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    outRefundNo: text('out_refund_no').notNull(),
    amountFen: integer('amount_fen').notNull(),
    reason: text('reason').notNull(),
    /** requested → (approved →) processing → succeeded | failed; rejected by the merchant. */
    status: text('status', { enum: ['requested', 'rejected', 'processing', 'succeeded', 'failed'] }).notNull(),
    /**
     * Who started it: a shopper's request, the system (e.g. a payment for a cancelled order, a
     * tier refund: the order keeps its status), or a failed group buy (the order is refunded).
     */
    initiator: text('initiator', { enum: ['shopper', 'system', 'group_buy'] }).notNull(),
    wechatRefundId: text('wechat_refund_id'),
    decidedBy: text('decided_by'),
    decisionNote: text('decision_note'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('refunds_out_refund_no_idx').on(t.outRefundNo), index('refunds_order_idx').on(t.orderId), check('refunds_amount_positive', sql`${t.amountFen} > 0`)],
);

/** Ids of WeChat Pay notifications already applied: a replay changes nothing. */
export const wechatNotifications = sqliteTable('wechat_notifications', {
  id: text('id').primaryKey(),
  eventType: text('event_type').notNull(),
  receivedAt: integer('received_at').notNull(),
});

/**
 * Work that must happen even if this request dies: written in the same batch as the change that
 * needs it and delivered (with retries and backoff) by the cron sweep. Handlers are idempotent.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    kind: text('kind', {
      enum: ['submit_refund', 'upload_shipping', 'correct_shipping', 'notify_confirm_receive', 'subscribe_tracking', 'send_subscribe_message', 'subscribe_return_tracking', 'submit_plan_refund'],
    }).notNull(),
    /** The entity the work is about (order id, refund id); with kind, unique. */
    subjectId: text('subject_id').notNull(),
    status: text('status', { enum: ['pending', 'done', 'dead'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('outbox_kind_subject_idx').on(t.kind, t.subjectId), index('outbox_due_idx').on(t.status, t.nextAttemptAt)],
);

/** The shop's checkout settings: a single row (id = 1) the merchant edits. */
export const shopSettings = sqliteTable(
  'shop_settings',
  {
    id: integer('id').primaryKey(),
    shippingFlatFeeFen: integer('shipping_flat_fee_fen').notNull(),
    /** Orders whose goods reach this amount ship free; null = never free. */
    freeShippingThresholdFen: integer('free_shipping_threshold_fen'),
    paymentWindowMinutes: integer('payment_window_minutes').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [check('shop_settings_single_row', sql`${t.id} = 1`)],
);

/**
 * Never holds a row. `abortUnlessChanged()` inserts a 0 here when the statement before it in a
 * D1 batch changed nothing; the CHECK then fails and rolls back the whole batch. This turns a
 * guarded UPDATE that lost a race into a loud failure instead of a silent no-op.
 */
export const batchAssertions = sqliteTable('batch_assertions', { mustHold: integer('must_hold').notNull() }, (t) => [check('batch_assertions_must_hold', sql`${t.mustHold} = 1`)]);
