// Bargain (砍价) campaigns, sessions and help rows. The cuts themselves live in each session's
// BargainSession Durable Object (its ledger) and the daily help tickets in the campaign's
// BargainHelpTickets shards; D1 counts launches per shopper, which no object can see, with a trigger
// (migration bargains_guards) that RAISE(ABORT)s inside the very INSERT that would break the
// limit, so it holds under any concurrency. The help rows follow the cuts through the work queue;
// their daily-limit trigger is a second check behind the helper's object.
import { campaignStatuses } from '../domain/campaign';
import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { products, skus } from './catalog';
import { users } from './shoppers';

export const bargainCampaigns = sqliteTable(
  'bargain_campaigns',
  {
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    skuId: text('sku_id')
      .notNull()
      .references(() => skus.id),
    startPriceFen: integer('start_price_fen').notNull(),
    floorPriceFen: integer('floor_price_fen').notNull(),
    /** Cuts in a session's plan: the helper who makes the last one lands the price on the floor. */
    helpersNeeded: integer('helpers_needed').notNull(),
    sessionMinutes: integer('session_minutes').notNull(),
    /** Sessions one shopper may launch in this campaign, ever. */
    launchesPerShopper: integer('launches_per_shopper').notNull(),
    /** Helps one shopper may give in this campaign per day in the shop's time zone. */
    helpsPerDay: integer('helps_per_day').notNull(),
    /** 1: the owner may buy at the current price at any time; 0: only at the floor. */
    buyBeforeFloor: integer('buy_before_floor').notNull(),
    /** How much bigger (in %) a cut is when the helper is new to the shop; 0 = no bonus. */
    newHelperBonusPct: integer('new_helper_bonus_pct').notNull(),
    startsAt: integer('starts_at').notNull(),
    endsAt: integer('ends_at').notNull(),
    status: text('status', { enum: campaignStatuses }).notNull().default('scheduled'),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('bargain_campaigns_window_idx').on(t.status, t.endsAt, t.startsAt),
    index('bargain_campaigns_created_idx').on(t.createdAt, t.id),
    check('bargain_campaigns_prices_valid', sql`${t.floorPriceFen} >= 1 AND ${t.startPriceFen} - ${t.floorPriceFen} >= ${t.helpersNeeded}`),
    check(
      'bargain_campaigns_limits_valid',
      sql`${t.helpersNeeded} BETWEEN 1 AND 100 AND ${t.sessionMinutes} BETWEEN 5 AND 10080 AND ${t.launchesPerShopper} BETWEEN 1 AND 100 AND ${t.helpsPerDay} BETWEEN 1 AND 100 AND ${t.buyBeforeFloor} IN (0, 1) AND ${t.newHelperBonusPct} BETWEEN 0 AND 400`,
    ),
    check('bargain_campaigns_window_valid', sql`${t.endsAt} > ${t.startsAt}`),
  ],
);

/** One launched session: its identity and the seed its cut plan is computed from. */
export const bargainSessions = sqliteTable(
  'bargain_sessions',
  {
    id: text('id').primaryKey(),
    campaignId: text('campaign_id')
      .notNull()
      .references(() => bargainCampaigns.id),
    ownerId: text('owner_id')
      .notNull()
      .references(() => users.id),
    seed: text('seed').notNull(),
    // Copied from the campaign at launch: a later edit of the campaign never changes a session.
    startPriceFen: integer('start_price_fen').notNull(),
    floorPriceFen: integer('floor_price_fen').notNull(),
    helpersNeeded: integer('helpers_needed').notNull(),
    buyBeforeFloor: integer('buy_before_floor').notNull(),
    newHelperBonusPct: integer('new_helper_bonus_pct').notNull(),
    expiresAt: integer('expires_at').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('bargain_sessions_owner_key_idx').on(t.ownerId, t.idempotencyKey),
    index('bargain_sessions_owner_created_idx').on(t.ownerId, t.createdAt, t.id),
    index('bargain_sessions_campaign_owner_idx').on(t.campaignId, t.ownerId),
  ],
);

/**
 * One cut a helper made in a session, recorded after the session's object made it (the work
 * queue, or the object's alarm: src/marketing/bargain/help-records.ts). The primary key makes one
 * row per helper per session; the daily-limit trigger counts rows per helper, campaign and
 * shop-day, behind the helper's BargainHelpTickets shard that counted the tickets first.
 */
export const bargainHelps = sqliteTable(
  'bargain_helps',
  {
    sessionId: text('session_id')
      .notNull()
      .references(() => bargainSessions.id),
    helperId: text('helper_id')
      .notNull()
      .references(() => users.id),
    campaignId: text('campaign_id').notNull(),
    /** YYYY-MM-DD in the shop's time zone (SHOP_TIME_ZONE). */
    day: text('day').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.helperId] }), index('bargain_helps_helper_day_idx').on(t.helperId, t.campaignId, t.day)],
);
