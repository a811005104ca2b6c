// Merchant authentication: password login with lockout, token issue, and the middleware that
// turns a bearer token (API) or session cookie (admin page) into a checked principal.
import { eq, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { merchantAccounts, type MerchantRole } from '../db/merchants';
import type { AppEnv, Env } from '../env';
import { forbidden, tooManyRequests, unauthorized } from '../lib/errors';
import { loadKeyRing, signAccessToken, verifyAccessToken } from '../lib/jwt';
import { decoyPasswordHash, verifyPassword } from '../lib/password';
import type { Db } from '../db/client';

export type MerchantPrincipal = { id: string; username: string; displayName: string; role: MerchantRole };

/** The signed-in account as the API shows it (snake_case, like every other field). */
export const principalView = (p: MerchantPrincipal) => ({ id: p.id, username: p.username, display_name: p.displayName, role: p.role });

export const MERCHANT_TOKEN_TTL_SECONDS = 8 * 60 * 60;
export const ADMIN_SESSION_COOKIE = 'admin_session';
const MAX_FAILED_LOGINS = 5;
const LOCKOUT_MS = 15 * 60 * 1000;

const roleRank: Record<MerchantRole, number> = { viewer: 0, operator: 1, owner: 2 };
export const roleAllows = (role: MerchantRole, needed: MerchantRole) => roleRank[role] >= roleRank[needed];

export const keyRingOf = (env: Env) => loadKeyRing(env.JWT_KEYS, env.JWT_ACTIVE_KID);

/**
 * Checks a username and password. Five wrong passwords lock the account for 15 minutes
 * (429 with Retry-After) so a password cannot be guessed online.
 */
export async function loginMerchant(db: Db, env: Env, username: string, password: string, nowMs: number) {
  const account = await db.query.merchantAccounts.findFirst({ where: eq(merchantAccounts.username, username) });
  if (!account) {
    await verifyPassword(password, await decoyPasswordHash());
    throw unauthorized('The username or password is wrong.');
  }
  if (account.lockedUntil && account.lockedUntil > nowMs) {
    throw tooManyRequests((account.lockedUntil - nowMs) / 1000, 'Too many failed logins; the account is locked for now.');
  }
  const passwordMatches = await verifyPassword(password, account.passwordHash);
  if (!passwordMatches) {
    const failed = account.failedLogins + 1;
    await db
      .update(merchantAccounts)
      .set(failed >= MAX_FAILED_LOGINS ? { failedLogins: 0, lockedUntil: nowMs + LOCKOUT_MS } : { failedLogins: sql`${merchantAccounts.failedLogins} + 1` })
      .where(eq(merchantAccounts.id, account.id));
    throw unauthorized('The username or password is wrong.');
  }
  if (account.disabled) throw unauthorized('This account is disabled.');
  if (account.failedLogins > 0 || account.lockedUntil) {
    await db.update(merchantAccounts).set({ failedLogins: 0, lockedUntil: null }).where(eq(merchantAccounts.id, account.id));
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
