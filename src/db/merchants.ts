// Merchant staff accounts for the admin.
import { sql } from 'drizzle-orm';
import { check, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const merchantRoles = ['owner', 'operator', 'viewer'] as const;
export type MerchantRole = (typeof merchantRoles)[number];

export const merchantAccounts = sqliteTable(
  'merchant_accounts',
  {
    id: text('id').primaryKey(),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    /** PBKDF2-SHA256: "pbkdf2-sha256$<iterations>$<salt b64url>$<hash b64url>". */
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: merchantRoles }).notNull(),
    disabled: integer('disabled').notNull().default(0),
    failedLogins: integer('failed_logins').notNull().default(0),
    lockedUntil: integer('locked_until'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('merchant_accounts_username_idx').on(t.username),
    check('merchant_accounts_role_valid', sql`${t.role} IN ('owner', 'operator', 'viewer')`),
  ],
);
