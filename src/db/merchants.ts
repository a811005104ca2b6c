// Merchant staff accounts for the admin.
import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

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
    /** No longer read or written: failures are counted per client in merchant_login_failures. Kept
     *  so that existing rows and inserts stay valid; a later migration may drop it. */
    failedLogins: integer('failed_logins').notNull().default(0),
    /** The account-wide lock (services/merchant-auth.ts): set only when many clients are locked out at once. */
    lockedUntil: integer('locked_until'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('merchant_accounts_username_idx').on(t.username), check('merchant_accounts_role_valid', sql`${t.role} IN ('owner', 'operator', 'viewer')`)],
);

/**
 * Wrong passwords per account and client (an IPv4 address or IPv6 /64, src/lib/client-address.ts)
 * within a window: enough of them lock that client out of that account, not everyone.
 */
export const merchantLoginFailures = sqliteTable(
  'merchant_login_failures',
  {
    accountId: text('account_id')
      .notNull()
      .references(() => merchantAccounts.id, { onDelete: 'cascade' }),
    client: text('client').notNull(),
    failures: integer('failures').notNull(),
    windowStartedAt: integer('window_started_at').notNull(),
    lockedUntil: integer('locked_until'),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.client] }), index('merchant_login_failures_locked_idx').on(t.accountId, t.lockedUntil)],
);
