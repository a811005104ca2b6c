// Coupons: templates the merchant writes, the coupons shoppers hold (one row each, with what the
// template said when it was claimed), redeem codes, and merchant issues to lists of shoppers.
//
// Invariants, each held by the database so that a burst cannot break them:
// - coupon_templates.issued_count never exceeds total_quantity (CHECK coupon_templates_within_total);
//   every coupon a shopper gets increments it in the same batch.
// - a shopper never holds more claimed coupons of a template than per_shopper_limit (trigger
//   shopper_coupons_claim_limit, hand-written in the migration).
// - a coupon is locked by at most one order: the lock is a guarded UPDATE (status = 'unused')
//   followed by a coupon_guards row that aborts the batch when the UPDATE changed nothing.
// - a redeem code is used at most max_uses times (CHECK redeem_codes_within_uses), once per shopper.
import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { couponKinds, type CouponBenefit } from '../domain/promotions/coupon';
import type { Scope } from '../domain/promotions/scope';
import { ApiError } from '../lib/errors';
import { users } from './shoppers';

export const couponTemplateStatuses = ['draft', 'active', 'paused', 'ended'] as const;
export const couponAudiences = ['everyone', 'new_shopper', 'member_level'] as const;
export const heldCouponStatuses = ['unused', 'locked', 'used', 'expired'] as const;
// check_in, birthday and points_mall: loyalty rewards (src/services/coupons/rewards.ts).
export const couponSources = ['claim', 'code', 'issue', 'new_shopper', 'check_in', 'birthday', 'points_mall'] as const;

export const couponTemplates = sqliteTable(
  'coupon_templates',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    kind: text('kind', { enum: couponKinds }).notNull(),
    /** The benefit as the domain reads it (src/domain/promotions/coupon.ts). */
    benefit: text('benefit', { mode: 'json' }).$type<CouponBenefit>().notNull(),
    scope: text('scope', { mode: 'json' }).$type<Scope>().notNull(),
    audience: text('audience', { enum: couponAudiences }).notNull().default('everyone'),
    /** audience 'member_level': the lowest member level that may claim (member levels are the loyalty feature's). */
    minMemberLevel: integer('min_member_level'),
    /** null = unlimited. */
    totalQuantity: integer('total_quantity'),
    issuedCount: integer('issued_count').notNull().default(0),
    perShopperLimit: integer('per_shopper_limit').notNull().default(1),
    /** Listed in the coupon centre (领券中心); otherwise only issued or redeemed. */
    inCentre: integer('in_centre').notNull().default(1),
    claimStartsAt: integer('claim_starts_at').notNull(),
    claimEndsAt: integer('claim_ends_at').notNull(),
    validityKind: text('validity_kind', { enum: ['fixed', 'relative'] }).notNull(),
    validFrom: integer('valid_from'),
    validUntil: integer('valid_until'),
    validDays: integer('valid_days'),
    status: text('status', { enum: couponTemplateStatuses }).notNull().default('draft'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('coupon_templates_status_idx').on(t.status, t.claimEndsAt),
    check('coupon_templates_within_total', sql`${t.totalQuantity} IS NULL OR ${t.issuedCount} <= ${t.totalQuantity}`),
    check('coupon_templates_valid', sql`${t.perShopperLimit} >= 1 AND ${t.claimEndsAt} > ${t.claimStartsAt} AND ${t.issuedCount} >= 0`),
  ],
);

export const shopperCoupons = sqliteTable(
  'shopper_coupons',
  {
    id: text('id').primaryKey(),
    templateId: text('template_id')
      .notNull()
      .references(() => couponTemplates.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    source: text('source', { enum: couponSources }).notNull(),
    /** The redeem code or merchant issue the coupon came from. */
    sourceRef: text('source_ref'),
    // Snapshots of the template when the coupon was claimed: editing the template changes none of them.
    name: text('name').notNull(),
    benefit: text('benefit', { mode: 'json' }).$type<CouponBenefit>().notNull(),
    scope: text('scope', { mode: 'json' }).$type<Scope>().notNull(),
    validFrom: integer('valid_from').notNull(),
    /** Usable while now < valid_until (a relative validity: the next shop midnight after day N). */
    validUntil: integer('valid_until').notNull(),
    /** 'unused' past valid_until reads as expired; a coupon given back after its validity is stored 'expired'. */
    status: text('status', { enum: heldCouponStatuses }).notNull().default('unused'),
    /** The order that locked (and then used) it. */
    orderId: text('order_id'),
    /** What it took off that order. */
    savingFen: integer('saving_fen'),
    lockedAt: integer('locked_at'),
    usedAt: integer('used_at'),
    idempotencyKey: text('idempotency_key'),
    requestHash: text('request_hash'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('shopper_coupons_wallet_idx').on(t.userId, t.status, t.validUntil),
    index('shopper_coupons_user_created_idx').on(t.userId, t.createdAt, t.id),
    index('shopper_coupons_template_user_idx').on(t.templateId, t.userId, t.source),
    index('shopper_coupons_order_idx').on(t.orderId),
    uniqueIndex('shopper_coupons_idempotency_idx').on(t.userId, t.idempotencyKey),
    // One coupon per shopper from each code, merchant issue and new-shopper grant.
    uniqueIndex('shopper_coupons_one_per_source_idx').on(t.source, t.sourceRef, t.userId).where(sql`${t.sourceRef} IS NOT NULL`),
    check('shopper_coupons_lock_has_order', sql`${t.status} NOT IN ('locked', 'used') OR ${t.orderId} IS NOT NULL`),
  ],
);

export const redeemCodes = sqliteTable(
  'redeem_codes',
  {
    id: text('id').primaryKey(),
    code: text('code').notNull(),
    templateId: text('template_id')
      .notNull()
      .references(() => couponTemplates.id),
    /** The batch of codes generated together (one CSV export). */
    batchId: text('batch_id').notNull(),
    maxUses: integer('max_uses').notNull().default(1),
    usedCount: integer('used_count').notNull().default(0),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('redeem_codes_code_idx').on(t.code),
    index('redeem_codes_template_idx').on(t.templateId, t.batchId),
    check('redeem_codes_within_uses', sql`${t.usedCount} <= ${t.maxUses} AND ${t.maxUses} >= 1`),
  ],
);

/** A merchant's issue of a template to a list of shoppers, delivered in chunks; `nextIndex` is how far it got (resumable). */
export const couponIssues = sqliteTable(
  'coupon_issues',
  {
    id: text('id').primaryKey(),
    templateId: text('template_id')
      .notNull()
      .references(() => couponTemplates.id),
    userIds: text('user_ids', { mode: 'json' }).$type<string[]>().notNull(),
    nextIndex: integer('next_index').notNull().default(0),
    issuedCount: integer('issued_count').notNull().default(0),
    status: text('status', { enum: ['running', 'done', 'sold_out', 'not_active'] })
      .notNull()
      .default('running'),
    idempotencyKey: text('idempotency_key').notNull(),
    requestHash: text('request_hash').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('coupon_issues_idempotency_idx').on(t.idempotencyKey), index('coupon_issues_template_idx').on(t.templateId, t.createdAt)],
);

/**
 * Never holds a row: a statement in a batch inserts a guard's name here when the guarded UPDATE
 * before it changed nothing, and that guard's trigger aborts the whole batch with its own
 * message (hand-written in the migration), which src/db/batch.ts turns into the API's code.
 */
export const couponGuards = sqliteTable('coupon_guards', { guard: text('guard', { enum: ['template_active', 'coupon_available'] }).notNull() }, (t) => [
  check('coupon_guards_never_hold', sql`${t.guard} IS NULL`),
]);

/** How the guards above say no, as API errors (src/db/batch.ts translates every batch's failure with these). */
export const couponConstraintErrors: { match: RegExp; error: () => ApiError }[] = [
  { match: /coupon_templates_within_total/, error: () => new ApiError(409, 'coupon_sold_out', 'All of these coupons have been claimed.') },
  { match: /coupon_guard:claim_limit/, error: () => new ApiError(422, 'claim_limit', 'You already hold as many of these coupons as one shopper may claim.') },
  { match: /coupon_guard:template_not_active/, error: () => new ApiError(409, 'coupon_not_active', 'This coupon is not being given out now.') },
  { match: /coupon_guard:coupon_unavailable/, error: () => new ApiError(409, 'coupon_unavailable', 'This coupon is no longer available: it was used, locked by another order, or has expired.') },
  { match: /redeem_codes_within_uses|UNIQUE constraint failed: shopper_coupons\.source/, error: () => new ApiError(422, 'code_used', 'This code has already been used.') },
];
