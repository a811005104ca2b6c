// Group-buy (拼团) campaigns, their rooms and members. The seats of a room (held, paid,
// released) live in its GroupBuyRoom Durable Object, the serialisation point for the room; D1
// keeps what must be listed and joined across rooms: the campaign, one row per room (for "join a
// group in progress" and the outcome), and one row per member, written in the same batch as the
// member's order (for "my groups", the per-user limit and reconciliation).
import { campaignStatuses } from '../domain/campaign';
import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { Tier } from '../domain/group-buy';
import { products, skus } from './catalog';

export const groupBuys = sqliteTable(
  'group_buys',
  {
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    /** Paid members a room needs to succeed (tiered: the first tier's size). */
    groupSize: integer('group_size').notNull(),
    /** Seats per room; equals group_size unless tiered. */
    maxSize: integer('max_size').notNull(),
    /** Tiered campaigns (阶梯拼团): [{minSize, priceFen}], ascending; [] otherwise. */
    tiers: text('tiers', { mode: 'json' }).$type<Tier[]>().notNull(),
    leaderDiscountFen: integer('leader_discount_fen').notNull().default(0),
    /** How long a room stays open after it is opened. */
    durationMinutes: integer('duration_minutes').notNull(),
    /** How long a seat is held for its payment. */
    paymentWindowMinutes: integer('payment_window_minutes').notNull(),
    /** Seats one shopper may hold or have paid in the campaign (all rooms). */
    perUserLimit: integer('per_user_limit').notNull(),
    /** Complete with simulated members at expiry when this % of group_size has paid; null = never. */
    simulateSharePercent: integer('simulate_share_percent'),
    /** A joiner who finds the room full: refused (409 room_full) or placed in another room. */
    fullRoomPolicy: text('full_room_policy', { enum: ['refuse', 'new_room'] }).notNull(),
    startsAt: integer('starts_at').notNull(),
    endsAt: integer('ends_at').notNull(),
    status: text('status', { enum: campaignStatuses }).notNull().default('scheduled'),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('group_buys_window_idx').on(t.status, t.endsAt, t.startsAt),
    check('group_buys_window_valid', sql`${t.endsAt} > ${t.startsAt}`),
    check('group_buys_sizes_valid', sql`${t.groupSize} >= 2 AND ${t.maxSize} >= ${t.groupSize} AND ${t.maxSize} <= 100`),
    check('group_buys_limits_valid', sql`${t.perUserLimit} >= 1 AND ${t.durationMinutes} >= 5 AND ${t.paymentWindowMinutes} >= 2 AND ${t.leaderDiscountFen} >= 0`),
  ],
);

export const groupBuySkus = sqliteTable(
  'group_buy_skus',
  {
    id: text('id').primaryKey(),
    groupBuyId: text('group_buy_id')
      .notNull()
      .references(() => groupBuys.id),
    skuId: text('sku_id')
      .notNull()
      .references(() => skus.id),
    /** The group price (tiered campaigns: the first tier's price). */
    groupPriceFen: integer('group_price_fen').notNull(),
  },
  (t) => [uniqueIndex('group_buy_skus_campaign_sku_idx').on(t.groupBuyId, t.skuId), check('group_buy_skus_price_valid', sql`${t.groupPriceFen} >= 1`)],
);

export const groupBuyRooms = sqliteTable(
  'group_buy_rooms',
  {
    id: text('id').primaryKey(),
    groupBuyId: text('group_buy_id')
      .notNull()
      .references(() => groupBuys.id),
    leaderUserId: text('leader_user_id').notNull(),
    /** Short code a shopper can type or share instead of the link. */
    inviteCode: text('invite_code').notNull(),
    status: text('status', { enum: ['open', 'succeeded', 'failed'] }).notNull(),
    expiresAt: integer('expires_at').notNull(),
    /** Set when the room closes (copied from its object). */
    finalSize: integer('final_size'),
    simulatedCount: integer('simulated_count').notNull().default(0),
    closedAt: integer('closed_at'),
    /**
     * Units taken out of skus.stock when the room opened, one per seat its group needs
     * (group_size): such a seat has its unit before the joiner hears "yes", with no D1 write. When
     * the room closes, what its paid seats did not take goes back to skus.stock (settlement.ts).
     * Seats past them (a tiered room's), and every seat of a room opened before loans (0), reserve
     * their own units with their orders.
     */
    unitsLoaned: integer('units_loaned').notNull().default(0),
    /** The SKU the loan is of (the leader's): a joiner who picks another SKU reserves it in skus.stock, as before loans. */
    loanSkuId: text('loan_sku_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('group_buy_rooms_invite_idx').on(t.inviteCode), index('group_buy_rooms_open_idx').on(t.groupBuyId, t.status, t.expiresAt)],
);

export const groupBuyMembers = sqliteTable(
  'group_buy_members',
  {
    /** The seat in the room's object (gst_…). */
    seatId: text('seat_id').primaryKey(),
    roomId: text('room_id')
      .notNull()
      .references(() => groupBuyRooms.id),
    groupBuyId: text('group_buy_id').notNull(),
    userId: text('user_id').notNull(),
    orderId: text('order_id').notNull(),
    isLeader: integer('is_leader').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('group_buy_members_order_idx').on(t.orderId),
    index('group_buy_members_user_idx').on(t.userId, t.createdAt),
    index('group_buy_members_campaign_user_idx').on(t.groupBuyId, t.userId),
    index('group_buy_members_room_idx').on(t.roomId),
  ],
);
