// Merchant authentication: password login with a per-client lockout, token issue, and turning a
// token into a checked principal (src/http/auth.ts reads it from the request: bearer or cookie).
import { and, count, eq, gt, sql } from 'drizzle-orm';
import { merchantAccounts, merchantLoginFailures, merchantRoles, type MerchantRole } from '../db/merchants';
import type { Env } from '../env';
import { forbidden, tooManyRequests, unauthorized } from '../lib/errors';
import { loadKeyRing, signAccessToken, verifyAccessToken } from '../lib/jwt';
import { decoyPasswordHash, verifyPassword } from '../lib/password';
import type { Db } from '../db/client';
import type { MerchantPrincipal } from './principals';

export type { MerchantPrincipal };
/** The roles an account can have, lowest first. */
export { merchantRoles };

/** The signed-in account as the API shows it (snake_case, like every other field). */
export const principalView = (p: MerchantPrincipal) => ({ id: p.id, username: p.username, display_name: p.displayName, role: p.role });

export const MERCHANT_TOKEN_TTL_SECONDS = 8 * 60 * 60;
export const ADMIN_SESSION_COOKIE = 'admin_session';
// The lockout. It used to be account-wide: five wrong passwords from anywhere locked the account for
// 15 minutes, so anyone who knew the owner's login name could keep the owner out. Now failures are
// counted per account *and client* (IPv4 address or IPv6 /64): five within 15 minutes lock that
// client out of that account for 15 minutes, while the owner signs in from their own network. One
// client is further held to RATE_LIMIT_MERCHANT_LOGIN attempts a minute over all accounts (the
// route's rate limit). The account-wide lock is kept only for a distributed attack: when
// ACCOUNT_LOCK_CLIENTS clients are locked out of one account at the same time, the account locks for
// everyone for 15 minutes. One client can never cause that (it holds one row), and guessing from
// many clients is bounded by MAX_FAILED_LOGINS per client per window until then.
const MAX_FAILED_LOGINS = 5;
const LOCKOUT_MS = 15 * 60 * 1000;
export const ACCOUNT_LOCK_CLIENTS = 20;

const roleRank: Record<MerchantRole, number> = { viewer: 0, operator: 1, owner: 2 };
export const roleAllows = (role: MerchantRole, needed: MerchantRole) => roleRank[role] >= roleRank[needed];

export const keyRingOf = (env: Env) => loadKeyRing(env.JWT_KEYS, env.JWT_ACTIVE_KID);

export type LoginAttempt = { username: string; password: string /** clientAddress() of the request, or INTERNAL_CLIENT */; client: string };

const lockedOut = (untilMs: number, nowMs: number) => tooManyRequests((untilMs - nowMs) / 1000, 'Too many failed logins; signing in is locked for now.');

/** Checks a username and password; see the lockout rules above (429 with Retry-After while locked). */
export async function loginMerchant(db: Db, env: Env, attempt: LoginAttempt, nowMs: number) {
  const { username, password, client } = attempt;
  const account = await db.query.merchantAccounts.findFirst({ where: eq(merchantAccounts.username, username) });
  if (!account) {
    await verifyPassword(password, await decoyPasswordHash());
    throw unauthorized('The username or password is wrong.');
  }
  if (account.lockedUntil && account.lockedUntil > nowMs) throw lockedOut(account.lockedUntil, nowMs);
  const clientFailures = await db.query.merchantLoginFailures.findFirst({
    where: and(eq(merchantLoginFailures.accountId, account.id), eq(merchantLoginFailures.client, client)),
  });
  if (clientFailures?.lockedUntil && clientFailures.lockedUntil > nowMs) throw lockedOut(clientFailures.lockedUntil, nowMs);
  if (!(await verifyPassword(password, account.passwordHash))) {
    await recordFailure(db, account.id, client, nowMs);
    throw unauthorized('The username or password is wrong.');
  }
  if (account.disabled) throw unauthorized('This account is disabled.');
  if (clientFailures) {
    await db.delete(merchantLoginFailures).where(and(eq(merchantLoginFailures.accountId, account.id), eq(merchantLoginFailures.client, client)));
  }
  const token = await signAccessToken(keyRingOf(env), {
    sub: account.id,
    aud: 'merchant',
    ttlSeconds: MERCHANT_TOKEN_TTL_SECONDS,
    nowMs,
    extra: { role: account.role },
  });
  const principal: MerchantPrincipal = { id: account.id, username: account.username, displayName: account.displayName, role: account.role };
  return { token, expiresAt: nowMs + MERCHANT_TOKEN_TTL_SECONDS * 1000, principal };
}

/** Counts one wrong password in the client's window (one atomic upsert); locks the client, and the account when enough clients are locked. */
async function recordFailure(db: Db, accountId: string, client: string, nowMs: number) {
  const t = merchantLoginFailures;
  const windowOver = sql`${t.windowStartedAt} <= ${nowMs - LOCKOUT_MS}`;
  const failures = sql`CASE WHEN ${windowOver} THEN 1 ELSE ${t.failures} + 1 END`;
  const [row] = await db
    .insert(t)
    .values({ accountId, client, failures: 1, windowStartedAt: nowMs })
    .onConflictDoUpdate({
      target: [t.accountId, t.client],
      set: {
        windowStartedAt: sql`CASE WHEN ${windowOver} THEN ${nowMs} ELSE ${t.windowStartedAt} END`,
        lockedUntil: sql`CASE WHEN ${failures} >= ${MAX_FAILED_LOGINS} THEN ${nowMs + LOCKOUT_MS} ELSE NULL END`,
        failures,
      },
    })
    .returning();
  if (!row?.lockedUntil) return;
  const [locked] = await db
    .select({ clients: count() })
    .from(t)
    .where(and(eq(t.accountId, accountId), gt(t.lockedUntil, nowMs)));
  if ((locked?.clients ?? 0) >= ACCOUNT_LOCK_CLIENTS) {
    await db
      .update(merchantAccounts)
      .set({ lockedUntil: nowMs + LOCKOUT_MS })
      .where(eq(merchantAccounts.id, accountId));
  }
}

/**
 * The merchant a token was issued to. The account is re-read on every request so that
 * disabling an account or changing its role takes effect at once, not when its tokens expire.
 */
export async function merchantFromToken(db: Db, env: Env, token: string, nowMs: number): Promise<MerchantPrincipal> {
  const claims = await verifyAccessToken(keyRingOf(env), token, 'merchant', nowMs);
  const account = await db.query.merchantAccounts.findFirst({ where: eq(merchantAccounts.id, String(claims.sub)) });
  if (!account || account.disabled) throw unauthorized('This account no longer exists or is disabled.');
  return { id: account.id, username: account.username, displayName: account.displayName, role: account.role };
}

/** 403 unless the principal's role is at least `needed`. */
export function assertRole(principal: MerchantPrincipal, needed: MerchantRole) {
  if (!roleAllows(principal.role, needed)) throw forbidden(`This needs the ${needed} role; you are ${principal.role}.`);
}
