// Shoppers: WeChat identity, refresh tokens, addresses, carts.
import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { skus } from './catalog';

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    openid: text('openid').notNull(),
    unionid: text('unionid'),
    nickname: text('nickname').notNull().default(''),
    avatarUrl: text('avatar_url'),
    /** Full number with country code as WeChat returns it; masked in every response but the owner's. */
    phone: text('phone'),
    /** 0 = not a member; ≥ 1 member levels (member prices apply). */
    memberLevel: integer('member_level').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('users_openid_idx').on(t.openid)],
);

/**
 * Refresh tokens are stored hashed. Each use rotates: the old row is marked used and points to
 * its successor; presenting a used token again revokes the whole family (a stolen token).
 */
export const refreshTokens = sqliteTable(
  'refresh_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    familyId: text('family_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
    revokedAt: integer('revoked_at'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('refresh_tokens_hash_idx').on(t.tokenHash), index('refresh_tokens_family_idx').on(t.familyId)],
);

export const addresses = sqliteTable(
  'addresses',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    recipient: text('recipient').notNull(),
    phone: text('phone').notNull(),
    province: text('province').notNull(),
    city: text('city').notNull(),
    district: text('district').notNull(),
    detail: text('detail').notNull(),
    postalCode: text('postal_code'),
    isDefault: integer('is_default').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('addresses_user_idx').on(t.userId, t.createdAt),
    // At most one default address per shopper, enforced by the database.
    uniqueIndex('addresses_one_default_idx').on(t.userId).where(sql`${t.isDefault} = 1`),
  ],
);

export const cartItems = sqliteTable(
  'cart_items',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    skuId: text('sku_id')
      .notNull()
      .references(() => skus.id),
    quantity: integer('quantity').notNull(),
    selected: integer('selected').notNull().default(1),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('cart_items_user_sku_idx').on(t.userId, t.skuId), check('cart_items_quantity_range', sql`${t.quantity} BETWEEN 1 AND 999`)],
);

/** WeChat's app access_token, shared by every isolate (WeChat limits how often it is fetched). */
export const wechatAccessTokens = sqliteTable('wechat_access_tokens', {
  appid: text('appid').primaryKey(),
  accessToken: text('access_token').notNull(),
  refreshAt: integer('refresh_at').notNull(),
});
