// Shopper sign-in with WeChat: wx.login code → openid (jscode2session) → our own tokens.
// The session_key WeChat returns never leaves the server (and is not needed after sign-in).
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../src/env';
import { ApiError, businessRule, tooManyRequests, unauthorized } from '../src/lib/errors';
import { maskPhone } from '../src/lib/phone';
import { errorFields, logEvent } from '../src/lib/log';
import { rateLimit } from '../src/lib/rate-limit';
import { validate } from '../src/lib/validate';
import { findOrCreateUser, refreshSession, revokeSession, startSession } from '../src/services/shopper-auth';
import { requireShopper } from '../src/http/auth';
import { bindPhone, findShopper } from '../src/services/shoppers';
import { grantNewShopperCoupons } from '../src/services/coupons/claims';
import { loginClientOf } from '../src/services/wechat';
import { WeChatLoginError } from '../src/wechat/errors';

const code = v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(128, 'is too long'));
const refreshBody = v.strictObject({ refresh_token: v.pipe(v.string(), v.minLength(1), v.maxLength(128)) });

/** WeChat's error codes, as clear API errors the mini-program can act on. */
function fromWeChat(error: unknown): unknown {
  if (!(error instanceof WeChatLoginError)) return error;
  switch (error.kind) {
    case 'invalid_code':
      return unauthorized('The WeChat login code is invalid or expired; call wx.login again.');
    case 'code_used':
      return unauthorized('The WeChat login code was already used; call wx.login again.');
    case 'rate_limited':
      return tooManyRequests(60, 'Too many sign-ins for this WeChat user; try again in a minute.');
    case 'blocked_user':
      return new ApiError(403, 'wechat_user_blocked', 'WeChat does not allow this user to sign in.');
    case 'busy':
      return new ApiError(503, 'wechat_busy', 'WeChat is busy; please try again.', [], { 'Retry-After': '2' });
    default:
      logEvent('error', 'WeChat login failed', { error: errorFields(error) });
      return new ApiError(502, 'wechat_error', 'WeChat answered unexpectedly.');
  }
}

const signInLimit = rateLimit('shopper_sign_in');

export const authRoutes = new Hono<AppEnv>()
  .post('/auth/wechat', signInLimit, validate('json', v.strictObject({ code })), async (c) => {
    const now = c.var.clock.now();
    const session = await loginClientOf(c.env, c.var.db, c.var.clock)
      .code2Session(c.req.valid('json').code)
      .catch((error) => {
        throw fromWeChat(error);
      });
    const user = await findOrCreateUser(c.var.db, { openid: session.openid, unionid: session.unionid }, now);
    await grantNewShopperCoupons({ db: c.var.db, userId: user.id, shopperCreatedAt: user.createdAt, now, timeZone: c.env.SHOP_TIME_ZONE });
    return c.json({ ...(await startSession(c.var.db, c.env, user.id, now)), user: { id: user.id, nickname: user.nickname, avatar_url: user.avatarUrl, phone: maskPhone(user.phone) } });
  })
  .post('/auth/refresh', signInLimit, validate('json', refreshBody), async (c) => c.json(await refreshSession(c.var.db, c.env, c.req.valid('json').refresh_token, c.var.clock.now())))
  .post('/auth/logout', validate('json', refreshBody), async (c) => {
    await revokeSession(c.var.db, c.req.valid('json').refresh_token, c.var.clock.now());
    return c.body(null, 204);
  })
  .post('/auth/phone', signInLimit, requireShopper(), validate('json', v.strictObject({ code })), async (c) => {
    const user = await findShopper(c.var.db, c.var.shopper.id);
    if (!user) throw unauthorized();
    const phone = await loginClientOf(c.env, c.var.db, c.var.clock)
      .getUserPhoneNumber(c.req.valid('json').code, user.openid)
      .catch((error) => {
        throw error instanceof WeChatLoginError && error.kind === 'invalid_code' ? businessRule('invalid_phone_code', 'The phone number code is invalid or expired.') : fromWeChat(error);
      });
    await bindPhone(c.var.db, user.id, phone, c.var.clock.now());
    return c.json({ phone: maskPhone(phone.purePhoneNumber) });
  });
