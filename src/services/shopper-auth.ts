// Shopper sessions: a short-lived access token (JWT, audience "shopper") and a long-lived
// refresh token that rotates on every use. Refresh tokens are stored only as SHA-256 hashes;
// presenting one that was already used revokes its whole family (it was copied or stolen).
import { and, eq, isNull } from 'drizzle-orm';
import { refreshTokens, users } from '../db/shoppers';
import type { Db } from '../db/client';
import type { Env } from '../env';
import { encodeBase64Url } from '../lib/base64url';
import { toIso } from '../lib/clock';
import { unauthorized } from '../lib/errors';
import { newId } from '../lib/ids';
import { signAccessToken, verifyAccessToken } from '../lib/jwt';
import { keyRingOf } from './merchant-auth';
import type { ShopperPrincipal } from './principals';

export const SHOPPER_ACCESS_TTL_SECONDS = 30 * 60;
export const REFRESH_TTL_MS = 30 * 24 * 60 * 60 * 1000;

async function sha256(text: string): Promise<string> {
  return encodeBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
}

async function newRefreshToken(db: Db, userId: string, familyId: string, now: number): Promise<string> {
  const token = encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  await db.insert(refreshTokens).values({ id: newId('rft'), userId, familyId, tokenHash: await sha256(token), expiresAt: now + REFRESH_TTL_MS, createdAt: now });
  return token;
}

async function accessToken(env: Env, userId: string, now: number) {
  return signAccessToken(keyRingOf(env), { sub: userId, aud: 'shopper', ttlSeconds: SHOPPER_ACCESS_TTL_SECONDS, nowMs: now });
}

export type ShopperSession = { access_token: string; expires_at: string | null; refresh_token: string };

export async function startSession(db: Db, env: Env, userId: string, now: number): Promise<ShopperSession> {
  return {
    access_token: await accessToken(env, userId, now),
    expires_at: toIso(now + SHOPPER_ACCESS_TTL_SECONDS * 1000),
    refresh_token: await newRefreshToken(db, userId, newId('fam'), now),
  };
}

export async function refreshSession(db: Db, env: Env, presented: string, now: number): Promise<ShopperSession> {
  const row = await db.query.refreshTokens.findFirst({ where: eq(refreshTokens.tokenHash, await sha256(presented)) });
  if (!row || row.revokedAt || row.expiresAt <= now) throw unauthorized('The refresh token is invalid or has expired.');
  // Claim the token; only one concurrent refresh can win, any other use is a reuse.
  const claimed = await db
    .update(refreshTokens)
    .set({ usedAt: now })
    .where(and(eq(refreshTokens.id, row.id), isNull(refreshTokens.usedAt)))
    .returning({ id: refreshTokens.id });
  if (claimed.length === 0) {
    await revokeFamily(db, row.familyId, now);
    throw unauthorized('The refresh token was already used; please sign in again.');
  }
  return {
    access_token: await accessToken(env, row.userId, now),
    expires_at: toIso(now + SHOPPER_ACCESS_TTL_SECONDS * 1000),
    refresh_token: await newRefreshToken(db, row.userId, row.familyId, now),
  };
}

async function revokeFamily(db: Db, familyId: string, now: number) {
  await db
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
}

/** Signs out: the presented refresh token's family can no longer refresh. */
export async function revokeSession(db: Db, presented: string, now: number): Promise<void> {
  const row = await db.query.refreshTokens.findFirst({ where: eq(refreshTokens.tokenHash, await sha256(presented)) });
  if (row) await revokeFamily(db, row.familyId, now);
}

/** The shopper an access token was issued to. */
export async function shopperFromToken(env: Env, token: string, nowMs: number): Promise<ShopperPrincipal> {
  const claims = await verifyAccessToken(keyRingOf(env), token, 'shopper', nowMs);
  return { id: String(claims.sub) };
}

/** Finds the shopper by openid or creates them: the WeChat login's last step. `firstSignIn`: this call created them. */
export async function findOrCreateUser(db: Db, identity: { openid: string; unionid?: string | null }, now: number) {
  const created = await db
    .insert(users)
    .values({ id: newId('usr'), openid: identity.openid, unionid: identity.unionid ?? null, createdAt: now, updatedAt: now })
    .onConflictDoNothing({ target: users.openid })
    .returning({ id: users.id });
  return { ...(await db.query.users.findFirst({ where: eq(users.openid, identity.openid) }))!, firstSignIn: created.length === 1 };
}
