// Loyalty: the points ledger (lots, entries, what each spend took from which lot, debt),
// check-ins and their rewards, what an order spent and will earn, and the shop's loyalty settings.
//
// The ledger's invariants, held by the database and not by the code that writes it:
//   - a lot never holds less than 0 or more than it was granted (CHECK on point_lots);
//   - debt is never negative (CHECK on point_accounts);
//   - a spend takes exactly what it asks for from lots that are available at that instant, or the
//     whole batch fails (a row in loyalty_guards whose CHECK names the refusal);
//   - the balance is not stored: it is the sum of the available lots' remaining points.
import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import {
  pointSources,
  pointEntryKinds,
  pointExpiryModes,
  checkInCycles,
  checkInRewardKinds,
  growthSources,
  memberBenefitModes,
  planPeriods,
  planPurchaseStatuses,
  planRefundRules,
  mallItemKinds,
} from '../domain/loyalty/vocabulary';
import { users } from './shoppers';

/** The shop's loyalty settings: a single row (id = 1) the merchant edits. */
export const loyaltySettings = sqliteTable(
  'loyalty_settings',
  {
    id: integer('id').primaryKey(),
    pointsExpiryMode: text('points_expiry_mode', { enum: pointExpiryModes }).notNull().default('rolling_months'),
    pointsExpiryMonths: integer('points_expiry_months').notNull().default(12),
    earnPointsPerYuan: integer('earn_points_per_yuan').notNull().default(1),
    earnBirthdayMultiplierBps: integer('earn_birthday_multiplier_bps').notNull().default(10_000),
    earnFirstOrderBonus: integer('earn_first_order_bonus').notNull().default(0),
    /** Most points one order may earn; null = no cap. */
    earnPerOrderCap: integer('earn_per_order_cap'),
    /** Points an order earned stay frozen this many days after payment (the after-sales window). */
    afterSalesDays: integer('after_sales_days').notNull().default(7),
    /** R: this many points pay ¥1. */
    redeemPointsPerYuan: integer('redeem_points_per_yuan').notNull().default(100),
    /** Points may pay at most this percentage of the goods. */
    redeemMaxGoodsPercent: integer('redeem_max_goods_percent').notNull().default(50),
    /** Most points one order may use; null = no cap. */
    redeemMaxPointsPerOrder: integer('redeem_max_points_per_order'),
    redeemShipping: integer('redeem_shipping').notNull().default(0),
    checkInCycle: text('check_in_cycle', { enum: checkInCycles }).notNull().default('monthly'),
    checkInBasePoints: integer('check_in_base_points').notNull().default(5),
    checkInMakeUpsPerMonth: integer('check_in_make_ups_per_month').notNull().default(2),
    checkInMakeUpCostPoints: integer('check_in_make_up_cost_points').notNull().default(0),
    /** Which member benefit prices the goods: the SKU's member price, or the level's discount. */
    memberBenefitMode: text('member_benefit_mode', { enum: memberBenefitModes }).notNull().default('member_price'),
    growthPerYuan: integer('growth_per_yuan').notNull().default(1),
    checkInGrowth: integer('check_in_growth').notNull().default(1),
    /** Paid membership refunds: none, or pro rata to the unused days. */
    planRefundRule: text('plan_refund_rule', { enum: planRefundRules }).notNull().default('none'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [check('loyalty_settings_single_row', sql`${t.id} = 1`)],
);

/** Category multipliers for earning (basis points: 15000 = ×1.5). */
export const pointCategoryMultipliers = sqliteTable(
  'point_category_multipliers',
  {
    categoryId: text('category_id').primaryKey(),
    multiplierBps: integer('multiplier_bps').notNull(),
  },
  (t) => [check('point_category_multiplier_positive', sql`${t.multiplierBps} > 0`)],
);

/** One per shopper who ever held points: the debt a clawback could not take. */
export const pointAccounts = sqliteTable(
  'point_accounts',
  {
    userId: text('user_id')
      .primaryKey()
      .references(() => users.id),
    debt: integer('debt').notNull().default(0),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [check('point_accounts_debt_non_negative', sql`${t.debt} >= 0`)],
);

/** A grant of points: where it came from, when it expires, what is left of it. Never deleted. */
export const pointLots = sqliteTable(
  'point_lots',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    source: text('source', { enum: pointSources }).notNull(),
    /** What the grant is about (an order id, a check-in id, a merchant's grant id). */
    ref: text('ref'),
    amount: integer('amount').notNull(),
    remaining: integer('remaining').notNull(),
    expiresAt: integer('expires_at').notNull(),
    /** Not usable before this instant (an order's after-sales window); null = usable. */
    frozenUntil: integer('frozen_until'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    index('point_lots_user_expiry_idx').on(t.userId, t.expiresAt, t.id),
    index('point_lots_frozen_idx').on(t.frozenUntil),
    index('point_lots_expiry_idx').on(t.expiresAt),
    index('point_lots_source_ref_idx').on(t.source, t.ref),
    check('point_lots_remaining_in_range', sql`${t.remaining} >= 0 AND ${t.remaining} <= ${t.amount}`),
    check('point_lots_amount_positive', sql`${t.amount} > 0`),
  ],
);

/**
 * The journal a shopper reads: every movement of available points (delta), frozen points
 * (frozen_delta) and debt (debt_delta), with its source and who made it. Append-only.
 */
export const pointEntries = sqliteTable(
  'point_entries',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    kind: text('kind', { enum: pointEntryKinds }).notNull(),
    source: text('source', { enum: pointSources }).notNull(),
    delta: integer('delta').notNull(),
    frozenDelta: integer('frozen_delta').notNull().default(0),
    debtDelta: integer('debt_delta').notNull().default(0),
    ref: text('ref'),
    reason: text('reason').notNull().default(''),
    /** The merchant account behind a manual grant or deduction. */
    actorId: text('actor_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('point_entries_user_idx').on(t.userId, t.createdAt, t.id), index('point_entries_ref_idx').on(t.ref, t.source, t.kind)],
);

/** What one debit took from which lot (FIFO by expiry), so the entry's total is provable. */
export const pointTakes = sqliteTable(
  'point_takes',
  {
    entryId: text('entry_id').notNull(),
    lotId: text('lot_id').notNull(),
    amount: integer('amount').notNull(),
  },
  (t) => [primaryKey({ columns: [t.entryId, t.lotId] }), index('point_takes_lot_idx').on(t.lotId), check('point_takes_amount_positive', sql`${t.amount} > 0`)],
);

/**
 * Never holds a row: a guarded statement inserts the name of a refusal here when a rule does not
 * hold, the CHECK of that name fails and the whole D1 batch rolls back (src/db/batch.ts maps the
 * name to its API error).
 */
export const loyaltyGuards = sqliteTable('loyalty_guards', { refusal: text('refusal').notNull() }, (t) => [
  check('points_insufficient', sql`${t.refusal} <> 'insufficient_points'`),
  check('points_debt_outstanding', sql`${t.refusal} <> 'points_debt_outstanding'`),
  check('check_in_make_up_limit', sql`${t.refusal} <> 'make_up_limit_reached'`),
  check('points_mall_exchange_limit', sql`${t.refusal} <> 'exchange_limit_reached'`),
]);

/** One row per shopper and shop-local date: the guard against signing in twice. */
export const checkIns = sqliteTable(
  'check_ins',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    /** YYYY-MM-DD in the shop's time zone. */
    localDate: text('local_date').notNull(),
    makeUp: integer('make_up').notNull().default(0),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('check_ins_user_date_idx').on(t.userId, t.localDate)],
);

/** Streak (consecutive days) and cumulative (days in the cycle) rewards. */
export const checkInRewards = sqliteTable(
  'check_in_rewards',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: checkInRewardKinds }).notNull(),
    days: integer('days').notNull(),
    points: integer('points').notNull().default(0),
    couponTemplateId: text('coupon_template_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('check_in_rewards_kind_days_idx').on(t.kind, t.days), check('check_in_rewards_days_positive', sql`${t.days} > 0 AND ${t.points} >= 0`)],
);

/** A tier reward given once per shopper and cycle: recomputing after a make-up cannot give it twice. */
export const checkInGrants = sqliteTable(
  'check_in_grants',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    cycleKey: text('cycle_key').notNull(),
    rewardId: text('reward_id').notNull(),
    points: integer('points').notNull(),
    couponTemplateId: text('coupon_template_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('check_in_grants_once_idx').on(t.userId, t.cycleKey, t.rewardId)],
);

/** Make-ups used per shopper and month (YYYY-MM): the limit is a guarded count, not a read. */
export const checkInMakeUps = sqliteTable(
  'check_in_make_ups',
  {
    userId: text('user_id').notNull(),
    month: text('month').notNull(),
    used: integer('used').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.userId, t.month] })],
);

/** What an order spends and will earn, fixed when it is created. */
export const orderPoints = sqliteTable(
  'order_points',
  {
    orderId: text('order_id').primaryKey(),
    userId: text('user_id').notNull(),
    spent: integer('spent').notNull().default(0),
    spentFen: integer('spent_fen').notNull().default(0),
    /** Points the order earns when paid (frozen until its after-sales window closes). */
    earns: integer('earns').notNull().default(0),
    /** The first-order bonus it takes if it is the shopper's first paid order (once, by first_order_bonuses). */
    firstOrderBonus: integer('first_order_bonus').notNull().default(0),
    /** The after-sales window (days from payment) its earned points stay frozen, as the shop set it at checkout. */
    afterSalesDays: integer('after_sales_days').notNull().default(0),
    /** Growth value for the goods paid, credited (less the refunded share) when the after-sales window closes. */
    growth: integer('growth').notNull().default(0),
    /** Set on payment: when the growth falls due; null once credited or while unpaid. */
    growthDueAt: integer('growth_due_at'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('order_points_growth_due_idx').on(t.growthDueAt)],
);

/** A shopper's first paid order takes the first-order bonus; the key makes it once. */
export const firstOrderBonuses = sqliteTable('first_order_bonuses', {
  userId: text('user_id').primaryKey(),
  orderId: text('order_id').notNull(),
});

/** The level ladder: rank 1 is the first level; thresholds rise with the rank (checked on write). */
export const memberLevels = sqliteTable(
  'member_levels',
  {
    id: text('id').primaryKey(),
    rank: integer('rank').notNull(),
    name: text('name').notNull(),
    growthThreshold: integer('growth_threshold').notNull(),
    /** Taken off the goods when the shop prices by level discount (500 = 5 % off). */
    discountBps: integer('discount_bps').notNull().default(0),
    memberPrice: integer('member_price').notNull().default(0),
    freeShipping: integer('free_shipping').notNull().default(0),
    pointsMultiplierBps: integer('points_multiplier_bps').notNull().default(10_000),
    birthdayCouponTemplateId: text('birthday_coupon_template_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('member_levels_rank_idx').on(t.rank),
    check('member_levels_values_valid', sql`${t.rank} > 0 AND ${t.growthThreshold} >= 0 AND ${t.discountBps} BETWEEN 0 AND 10000 AND ${t.pointsMultiplierBps} > 0`),
  ],
);

/** Growth value, append-only: from orders whose after-sales window closed, and from check-ins. */
export const memberGrowth = sqliteTable(
  'member_growth',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    source: text('source', { enum: growthSources }).notNull(),
    delta: integer('delta').notNull(),
    /** The order or check-in it is for: once each. */
    ref: text('ref').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('member_growth_once_idx').on(t.source, t.ref), index('member_growth_user_idx').on(t.userId, t.createdAt)],
);

/** A shopper's level and since when it is held (kept 12 months, then re-rated). */
export const memberStates = sqliteTable(
  'member_states',
  {
    userId: text('user_id').primaryKey(),
    levelRank: integer('level_rank').notNull().default(0),
    reachedAt: integer('reached_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('member_states_reached_idx').on(t.reachedAt)],
);

/** Paid membership plans (付费会员): a period and a price; while active the shopper has the benefits of `level_rank`. */
export const memberPlans = sqliteTable(
  'member_plans',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    period: text('period', { enum: planPeriods }).notNull(),
    priceFen: integer('price_fen').notNull(),
    levelRank: integer('level_rank').notNull(),
    active: integer('active').notNull().default(1),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [check('member_plans_values_valid', sql`${t.priceFen} > 0 AND ${t.levelRank} > 0`)],
);

/** One purchase of a plan, paid with WeChat Pay (its own out_trade_no); its term is set when it is paid. */
export const planPurchases = sqliteTable(
  'plan_purchases',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    planId: text('plan_id').notNull(),
    outTradeNo: text('out_trade_no').notNull(),
    amountFen: integer('amount_fen').notNull(),
    status: text('status', { enum: planPurchaseStatuses }).notNull(),
    paymentDeadline: integer('payment_deadline').notNull(),
    /** The shop's time zone when bought: the term's calendar months are counted in it when it is paid. */
    timeZone: text('time_zone').notNull(),
    startsAt: integer('starts_at'),
    endsAt: integer('ends_at'),
    transactionId: text('transaction_id'),
    idempotencyKey: text('idempotency_key').notNull(),
    requestHash: text('request_hash').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('plan_purchases_out_trade_no_idx').on(t.outTradeNo),
    uniqueIndex('plan_purchases_user_key_idx').on(t.userId, t.idempotencyKey),
    index('plan_purchases_user_ends_idx').on(t.userId, t.status, t.endsAt),
    index('plan_purchases_pending_idx').on(t.status, t.paymentDeadline),
  ],
);

/** Points-mall items: a coupon (points only) or a SKU shipped as a normal order (points + cash). */
export const mallItems = sqliteTable(
  'mall_items',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: mallItemKinds }).notNull(),
    title: text('title').notNull(),
    imageUrl: text('image_url'),
    skuId: text('sku_id'),
    couponTemplateId: text('coupon_template_id'),
    pointsPrice: integer('points_price').notNull(),
    cashFen: integer('cash_fen').notNull().default(0),
    stock: integer('stock').notNull(),
    perShopperLimit: integer('per_shopper_limit').notNull(),
    active: integer('active').notNull().default(1),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [check('points_mall_stock_non_negative', sql`${t.stock} >= 0`), check('mall_items_values_valid', sql`${t.pointsPrice} > 0 AND ${t.cashFen} >= 0 AND ${t.perShopperLimit} > 0`)],
);

/** One exchange: what it cost, and the order it made (a SKU) or the coupon template it earned. */
export const mallExchanges = sqliteTable(
  'mall_exchanges',
  {
    id: text('id').primaryKey(),
    itemId: text('item_id').notNull(),
    userId: text('user_id').notNull(),
    points: integer('points').notNull(),
    cashFen: integer('cash_fen').notNull(),
    orderId: text('order_id'),
    couponTemplateId: text('coupon_template_id'),
    /** 1 once an unpaid order's cancellation gave the unit back (so it is given back once). */
    returned: integer('returned').notNull().default(0),
    idempotencyKey: text('idempotency_key').notNull(),
    requestHash: text('request_hash').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('mall_exchanges_user_key_idx').on(t.userId, t.idempotencyKey), index('mall_exchanges_order_idx').on(t.orderId), index('mall_exchanges_user_idx').on(t.userId, t.createdAt)],
);

/** Exchanges per shopper and item: the limit is a guarded count. */
export const mallExchangeCounts = sqliteTable(
  'mall_exchange_counts',
  {
    itemId: text('item_id').notNull(),
    userId: text('user_id').notNull(),
    used: integer('used').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.itemId, t.userId] })],
);

/**
 * The shopper's birthday, for birthday benefits (the points multiplier, the level's birthday
 * coupon). month_day (MM-DD) is what the daily sweep looks up; set_at gates the next change.
 */
export const memberBirthdays = sqliteTable(
  'member_birthdays',
  {
    userId: text('user_id')
      .primaryKey()
      .references(() => users.id),
    birthday: text('birthday').notNull(),
    monthDay: text('month_day').notNull(),
    setAt: integer('set_at').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('member_birthdays_month_day_idx').on(t.monthDay), check('member_birthdays_month_day', sql`${t.monthDay} = substr(${t.birthday}, 6)`)],
);

/** A birthday benefit given (the level's birthday coupon), once per shopper and year. */
export const birthdayGrants = sqliteTable(
  'birthday_grants',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    year: integer('year').notNull(),
    couponTemplateId: text('coupon_template_id').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('birthday_grants_once_a_year_idx').on(t.userId, t.year)],
);

/**
 * Refunds of paid-membership purchases (the shop's refund rule: pro rata or none), sent to
 * WeChat Pay by the outbox (kind submit_plan_refund). One live refund per purchase: a failed one
 * may be followed by another.
 */
export const planRefunds = sqliteTable(
  'plan_refunds',
  {
    id: text('id').primaryKey(),
    purchaseId: text('purchase_id').notNull(),
    userId: text('user_id').notNull(),
    outRefundNo: text('out_refund_no').notNull(),
    amountFen: integer('amount_fen').notNull(),
    reason: text('reason').notNull(),
    status: text('status', { enum: ['processing', 'succeeded', 'failed'] }).notNull(),
    actorId: text('actor_id'),
    wechatRefundId: text('wechat_refund_id'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('plan_refunds_out_refund_no_idx').on(t.outRefundNo),
    uniqueIndex('plan_refunds_one_live_idx').on(t.purchaseId).where(sql`${t.status} <> 'failed'`),
    index('plan_refunds_processing_idx').on(t.status, t.updatedAt),
    check('plan_refunds_amount_positive', sql`${t.amountFen} > 0`),
  ],
);
