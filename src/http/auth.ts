// Authentication middleware: reads the credential from the request and sets the principal.
// The checks themselves are the auth services' (src/services/*-auth.ts).
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { MerchantRole } from '../db/merchants';
import type { AppEnv } from '../env';
import { unauthorized } from '../lib/errors';
import { ADMIN_SESSION_COOKIE, assertRole, merchantFromToken } from '../services/merchant-auth';
import type { MerchantPrincipal } from '../services/principals';
import { shopperFromToken } from '../services/shopper-auth';

function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match) throw unauthorized('Authorization must be "Bearer <token>".');
  return match[1];
}

/**
 * The signed-in merchant of a request: a bearer token for the JSON API, the session cookie for
 * the admin page. The API never accepts the cookie, so a cross-site form cannot drive it.
 */
export async function merchantFromRequest(c: Context<AppEnv>, credential: 'bearer' | 'cookie'): Promise<MerchantPrincipal> {
  const token = credential === 'bearer' ? bearerToken(c.req.header('Authorization')) : getCookie(c, ADMIN_SESSION_COOKIE);
  if (!token) throw unauthorized();
  return merchantFromToken(c.var.db, c.env, token, c.var.clock.now());
}

/** Requires a merchant with at least the `needed` role; sets c.var.merchant. */
export const requireMerchant = (needed: MerchantRole = 'viewer') =>
  createMiddleware<AppEnv>(async (c, next) => {
    const merchant = await merchantFromRequest(c, 'bearer');
    assertRole(merchant, needed);
    c.set('merchant', merchant);
    await next();
  });

/** Requires a shopper's access token; sets c.var.shopper. */
export const requireShopper = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('Authorization') ?? '');
    if (!match) throw unauthorized('Sign in first: Authorization must be "Bearer <access token>".');
    c.set('shopper', await shopperFromToken(c.env, match[1]!, c.var.clock.now()));
    await next();
  });
