// Merchant authentication: password login with a per-client lockout, token issue, and the middleware that
// turns a bearer token (API) or session cookie (admin page) into a checked principal.
import { and, count, eq, gt, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { merchantAccounts, merchantLoginFailures, type MerchantRole } from '../db/merchants';
import type { AppEnv, Env } from '../env';
import { forbidden, tooManyRequests, unauthorized } from '../lib/errors';
import { loadKeyRing, signAccessToken, verifyAccessToken } from '../lib/jwt';
import { decoyPasswordHash, verifyPassword } from '../lib/password';
import type { Db } from '../db/client';

export type MerchantPrincipal = { id: string; username: string; displayName: string; role: MerchantRole };

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

export type LoginAttempt = { username: string; password: string; /** clientAddress() of the request, or INTERNAL_CLIENT */ client: string };

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
  const [locked] = await db.select({ clients: count() }).from(t).where(and(eq(t.accountId, accountId), gt(t.lockedUntil, nowMs)));
  if ((locked?.clients ?? 0) >= ACCOUNT_LOCK_CLIENTS) {
    await db.update(merchantAccounts).set({ lockedUntil: nowMs + LOCKOUT_MS }).where(eq(merchantAccounts.id, accountId));
  }
}

function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match) throw unauthorized('Authorization must be "Bearer <token>".');
  return match[1];
}

/**
 * The signed-in merchant of a request: a bearer token for the JSON API, the session cookie for
 * the admin page. The API never accepts the cookie, so a cross-site form cannot drive it.
 * The account is re-read on every request so that disabling an account or changing its role
 * takes effect at once, not when its tokens expire.
 */
export async function merchantFromRequest(c: Context<AppEnv>, credential: 'bearer' | 'cookie'): Promise<MerchantPrincipal> {
  const token = credential === 'bearer' ? bearerToken(c.req.header('Authorization')) : getCookie(c, ADMIN_SESSION_COOKIE);
  if (!token) throw unauthorized();
  const claims = await verifyAccessToken(keyRingOf(c.env), token, 'merchant', c.var.clock.now());
  const account = await c.var.db.query.merchantAccounts.findFirst({ where: eq(merchantAccounts.id, String(claims.sub)) });
  if (!account || account.disabled) throw unauthorized('This account no longer exists or is disabled.');
  return { id: account.id, username: account.username, displayName: account.displayName, role: account.role };
}

/** Requires a merchant with at least the `needed` role; sets c.var.merchant. */
export const requireMerchant = (needed: MerchantRole = 'viewer') =>
  createMiddleware<AppEnv>(async (c, next) => {
    const merchant = await merchantFromRequest(c, 'bearer');
    assertRole(merchant, needed);
    c.set('merchant', merchant);
    await next();
  });

/** 403 unless the principal's role is at least `needed`. */
export function assertRole(principal: MerchantPrincipal, needed: MerchantRole) {
  if (!roleAllows(principal.role, needed)) throw forbidden(`This needs the ${needed} role; you are ${principal.role}.`);
}
