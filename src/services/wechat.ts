// The WeChat clients, configured from the environment. Base URLs come from configuration, so
// tests and `npm run dev` point them at the local fake; the code path is the production one.
import { eq } from 'drizzle-orm';
import { wechatAccessTokens } from '../db/shoppers';
import type { Db } from '../db/client';
import type { Env } from '../env';
import type { Clock } from '../lib/clock';
import { ApiError } from '../lib/errors';
import { WeChatLoginClient, type AccessTokenStore } from '../wechat/login-client';
import { WeChatPayClient } from '../wechat/pay-client';
import { logEvent } from '../lib/log';

function required(env: Env, name: keyof Env): string {
  const value = env[name];
  if (typeof value !== 'string' || value === '') {
    logEvent('error', 'configuration missing', { name });
    throw new ApiError(503, 'not_configured', 'WeChat is not configured on this server.');
  }
  return value;
}

/** D1-backed store: one access_token per app for every isolate and location. */
class D1AccessTokenStore implements AccessTokenStore {
  constructor(private readonly db: Db) {}
  async get(appid: string) {
    const row = await this.db.query.wechatAccessTokens.findFirst({ where: eq(wechatAccessTokens.appid, appid) });
    return row ? { accessToken: row.accessToken, refreshAtMs: row.refreshAt } : null;
  }
  async set(appid: string, record: { accessToken: string; refreshAtMs: number }) {
    await this.db
      .insert(wechatAccessTokens)
      .values({ appid, accessToken: record.accessToken, refreshAt: record.refreshAtMs })
      .onConflictDoUpdate({ target: wechatAccessTokens.appid, set: { accessToken: record.accessToken, refreshAt: record.refreshAtMs } });
  }
}

export function loginClientOf(env: Env, db: Db, clock: Clock) {
  return new WeChatLoginClient({
    apiBase: required(env, 'WECHAT_API_BASE'),
    appid: required(env, 'WECHAT_APPID'),
    appSecret: required(env, 'WECHAT_APP_SECRET'),
    clock,
    tokenStore: new D1AccessTokenStore(db),
  });
}

export function payClientOf(env: Env, clock: Clock) {
  const publicBase = required(env, 'PUBLIC_BASE_URL').replace(/\/+$/, '');
  return new WeChatPayClient({
    apiBase: required(env, 'WECHAT_PAY_API_BASE'),
    mchid: required(env, 'WECHAT_PAY_MCHID'),
    appid: required(env, 'WECHAT_APPID'),
    merchantSerial: required(env, 'WECHAT_PAY_MERCHANT_SERIAL'),
    merchantPrivateKeyPem: required(env, 'WECHAT_PAY_MERCHANT_PRIVATE_KEY'),
    apiV3Key: required(env, 'WECHAT_PAY_API_V3_KEY'),
    wechatPayPublicKeyId: env.WECHAT_PAY_PUBLIC_KEY_ID,
    wechatPayPublicKeyPem: env.WECHAT_PAY_PUBLIC_KEY,
    platformCertificatesPem: env.WECHAT_PAY_PLATFORM_CERTIFICATES,
    notifyUrl: `${publicBase}/payments/wechat/notify`,
    refundNotifyUrl: `${publicBase}/payments/wechat/refund-notify`,
    clock,
  });
}

export type PayClient = Pick<WeChatPayClient, 'createJsapiPrepay' | 'requestPaymentParams' | 'queryByOutTradeNo' | 'closeByOutTradeNo' | 'createRefund' | 'queryRefund' | 'parseNotification'>;
