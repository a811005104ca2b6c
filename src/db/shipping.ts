// Fulfilment tables: shipping templates (运费模板) that products point at, carriers, and the
// packages (shipments) an order ships in.
import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { orderItems, orders } from './orders';
import { deliveryMethods, MAX_PACKAGES_PER_ORDER, shippingBases, type FeeRule, type FreeShippingRule, type RegionFeeRule } from '../domain/shipping';

/** The template every product without its own uses; made from the old flat fee by migration. */
export const DEFAULT_SHIPPING_TEMPLATE_ID = 'shp_default';

export const shippingTemplates = sqliteTable(
  'shipping_templates',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    basis: text('basis', { enum: shippingBases }).notNull(),
    defaultRule: text('default_rule', { mode: 'json' }).$type<FeeRule>().notNull(),
    regionRules: text('region_rules', { mode: 'json' }).$type<RegionFeeRule[]>().notNull(),
    freeRules: text('free_rules', { mode: 'json' }).$type<FreeShippingRule[]>().notNull(),
    undeliverableRegions: text('undeliverable_regions', { mode: 'json' }).$type<string[]>().notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('shipping_templates_name_idx').on(t.name)],
);

/** Carriers (快递公司) by WeChat's delivery id (get_delivery_list), the express_company of an upload. */
export const carriers = sqliteTable('carriers', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** One package of an order (or, for virtual goods and pickup, the one shipment without a package). */
export const shipments = sqliteTable(
  'shipments',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    /** 1, 2, … per order: the unique index makes two concurrent packages take different numbers, or one fail. */
    seq: integer('seq').notNull(),
    method: text('method', { enum: deliveryMethods }).notNull(),
    carrierId: text('carrier_id').references(() => carriers.id),
    trackingNo: text('tracking_no'),
    /** "抱枕*1个; …" (≤120 characters): WeChat's item_desc. */
    itemDesc: text('item_desc').notNull(),
    /** 1 when this package shipped the last units of the order (WeChat's is_all_delivered). */
    completesOrder: integer('completes_order').notNull(),
    shippedAt: integer('shipped_at').notNull(),
    deliveredAt: integer('delivered_at'),
    createdBy: text('created_by'),
    /** The carrier's latest state (快递100: 0 在途, 1 揽收, 3 签收 …), from a push or a poll. */
    trackingState: text('tracking_state'),
    trackingSubscribedAt: integer('tracking_subscribed_at'),
    /** When tracking was last heard of (push) or asked (poll): the polling fallback's clock. */
    trackingCheckedAt: integer('tracking_checked_at'),
    /**
     * The after-sale (an approved exchange) whose replacement goods this package carries; null for
     * the order's own packages. Its units are sent again, so they do not count against what was ordered.
     */
    exchangeFor: text('exchange_for'),
  },
  (t) => [
    uniqueIndex('shipments_order_seq_idx').on(t.orderId, t.seq),
    index('shipments_tracking_idx').on(t.carrierId, t.trackingNo),
    check('shipments_seq_range', sql`${t.seq} BETWEEN 1 AND ${sql.raw(String(MAX_PACKAGES_PER_ORDER))}`),
    check('shipments_express_has_tracking', sql`${t.method} <> 'express' OR (${t.carrierId} IS NOT NULL AND ${t.trackingNo} IS NOT NULL)`),
  ],
);

/** What a package holds. A trigger (migration 0013) refuses more units shipped than ordered. */
export const shipmentLines = sqliteTable(
  'shipment_lines',
  {
    shipmentId: text('shipment_id')
      .notNull()
      .references(() => shipments.id),
    orderItemId: text('order_item_id')
      .notNull()
      .references(() => orderItems.id),
    quantity: integer('quantity').notNull(),
  },
  (t) => [primaryKey({ columns: [t.shipmentId, t.orderItemId] }), index('shipment_lines_item_idx').on(t.orderItemId), check('shipment_lines_quantity_positive', sql`${t.quantity} > 0`)],
);

/**
 * What WeChat's order shipping management (发货信息管理) has been told about an order's payment:
 * the packages uploaded so far, the last upload_time (each must be later), whether the one
 * re-shipping correction is spent, and WeChat's own view from the last get_order.
 */
export const shippingUploads = sqliteTable(
  'shipping_uploads',
  {
    orderId: text('order_id')
      .primaryKey()
      .references(() => orders.id),
    /** The highest package seq WeChat knows (every upload states all packages so far). */
    uploadedSeq: integer('uploaded_seq').notNull().default(0),
    lastUploadTime: integer('last_upload_time'),
    /** 1 once the re-shipping chance was used: the guard that refuses a second before calling WeChat. */
    correctionUsed: integer('correction_used').notNull().default(0),
    /** WeChat's order_state at the last reconciliation (1 待发货 … 5 已退款), and when it was read. */
    wechatOrderState: integer('wechat_order_state'),
    checkedAt: integer('checked_at'),
    /** Why WeChat's view differs from ours at the last reconciliation; null when it agrees. */
    mismatch: text('mismatch'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [check('shipping_uploads_correction_once', sql`${t.correctionUsed} IN (0, 1)`)],
);

/** The carrier's events of a package: the order's tracking timeline. A replayed push adds nothing. */
export const trackingEvents = sqliteTable(
  'tracking_events',
  {
    id: text('id').primaryKey(),
    shipmentId: text('shipment_id')
      .notNull()
      .references(() => shipments.id),
    orderId: text('order_id').notNull(),
    /** The carrier's time, as it reports it ("2026-12-01 10:00:00", China time). */
    eventTime: text('event_time').notNull(),
    context: text('context').notNull(),
    state: text('state').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('tracking_events_unique_idx').on(t.shipmentId, t.eventTime, t.context), index('tracking_events_order_idx').on(t.orderId, t.eventTime)],
);

export type ReturnAddress = { recipient: string; phone: string; province: string; city: string; district: string; detail: string };

/** Fulfilment settings (one row, id = 1): receipt and after-sales timers, the return address, subscribe templates. */
export const fulfilmentSettings = sqliteTable(
  'fulfilment_settings',
  {
    id: integer('id').primaryKey(),
    /** Receipt is confirmed for the shopper this many days after the last package was delivered … */
    autoConfirmDaysAfterDelivery: integer('auto_confirm_days_after_delivery').notNull().default(7),
    /** … or this many days after it shipped when no carrier ever reported delivery. */
    autoConfirmDaysWithoutTracking: integer('auto_confirm_days_without_tracking').notNull().default(15),
    /** After-sales may be asked for until this many days after receipt. */
    afterSaleWindowDays: integer('after_sale_window_days').notNull().default(7),
    /** A request the merchant does not answer is approved after this many days. */
    autoApproveDays: integer('auto_approve_days').notNull().default(2),
    /** An approved return the shopper does not send back is closed after this many days. */
    returnShipDays: integer('return_ship_days').notNull().default(7),
    /** A return delivered to the merchant is refunded after this many days unless they act. */
    autoRefundDaysAfterReturn: integer('auto_refund_days_after_return').notNull().default(3),
    returnAddress: text('return_address', { mode: 'json' }).$type<ReturnAddress>(),
    /** Subscribe-message template ids by our key (order_paid, order_shipped …). */
    subscribeTemplates: text('subscribe_templates', { mode: 'json' }).$type<Record<string, string>>().notNull().default({}),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [check('fulfilment_settings_single_row', sql`${t.id} = 1`)],
);

/** How many subscribe messages of a template a shopper still accepts: +1 per acceptance, −1 per send, 0 on 43101. */
export const subscriptionAllowances = sqliteTable(
  'subscription_allowances',
  {
    userId: text('user_id').notNull(),
    templateKey: text('template_key').notNull(),
    remaining: integer('remaining').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.templateKey] }), check('subscription_allowances_non_negative', sql`${t.remaining} >= 0`)],
);

/** A subscribe message to send (through the outbox), once per event and subject. */
export const subscribeMessages = sqliteTable(
  'subscribe_messages',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    templateKey: text('template_key').notNull(),
    /** What it is about (a package id, a refund id …): with the key, unique, so an event sends once. */
    subjectId: text('subject_id').notNull(),
    data: text('data', { mode: 'json' }).$type<Record<string, { value: string }>>().notNull(),
    page: text('page'),
    /** pending → sent; skipped (no allowance, or no template configured); refused (43101). */
    status: text('status', { enum: ['pending', 'sent', 'skipped', 'refused'] }).notNull(),
    allowanceTaken: integer('allowance_taken').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('subscribe_messages_subject_idx').on(t.templateKey, t.subjectId), index('subscribe_messages_user_idx').on(t.userId, t.createdAt)],
);
