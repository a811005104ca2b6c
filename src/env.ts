// Bindings (wrangler.toml, secrets) and the per-request variables the middleware sets.
import type { Clock } from './lib/clock';
import type { Db } from './db/client';
import type { MerchantPrincipal, ShopperPrincipal } from './services/principals';
import type { BargainSession } from '../durable-objects/bargain-session';
import type { FlashSaleStock } from '../durable-objects/flash-sale-stock';
import type { GroupBuyRoom } from '../durable-objects/group-buy-room';

export interface Env {
  DB: D1Database;
  FLASH_SALE_STOCK: DurableObjectNamespace<FlashSaleStock>;
  BARGAIN_SESSION: DurableObjectNamespace<BargainSession>;
  /** One GroupBuyRoom object per group-buy room (name = room id). */
  GROUP_BUY_ROOM: DurableObjectNamespace<GroupBuyRoom>;
  /** Per-client rate limits ([[ratelimits]] in wrangler.toml, used through src/lib/rate-limit.ts). */
  RATE_LIMIT_MERCHANT_LOGIN: RateLimit;
  RATE_LIMIT_SHOPPER_SIGN_IN: RateLimit;
  RATE_LIMIT_SEARCH: RateLimit;
  RATE_LIMIT_CLAIM: RateLimit;
  /** "production" or "development"; dev-only conveniences are refused unless "development". */
  APP_ENV: string;
  SHOP_TIME_ZONE: string;
  /** Comma-separated browser origins allowed to call the admin API. */
  ADMIN_ORIGINS: string;
  CATALOG_S_MAXAGE: string;
  CATALOG_MAX_AGE: string;
  /** How long an isolate trusts the catalog version it last saw (ms); "0" = ask the cache every time. */
  CATALOG_VERSION_MEMORY_MS?: string;
  /** JSON object {"kid": "base64url secret ≥ 32 bytes"}; a secret, never in wrangler.toml. */
  JWT_KEYS: string;
  JWT_ACTIVE_KID?: string;
  /** The shop's public https origin; WeChat Pay notifications are sent to paths under it. */
  PUBLIC_BASE_URL?: string;
  /** Mini-program AppID (wx…). */
  WECHAT_APPID?: string;
  /** Mini-program AppSecret; a secret. */
  WECHAT_APP_SECRET?: string;
  /** WeChat server API base, https://api.weixin.qq.com in production; the local fake in tests and dev. */
  WECHAT_API_BASE?: string;
  /** WeChat Pay API base, https://api.mch.weixin.qq.com in production; the local fake in tests and dev. */
  WECHAT_PAY_API_BASE?: string;
  /** WeChat Pay merchant id (mchid). */
  WECHAT_PAY_MCHID?: string;
  /** Serial number of the merchant API certificate that matches the private key. */
  WECHAT_PAY_MERCHANT_SERIAL?: string;
  /** apiclient_key.pem (PKCS#8 PEM); a secret. */
  WECHAT_PAY_MERCHANT_PRIVATE_KEY?: string;
  /** The 32-character APIv3 key that encrypts notification resources; a secret. */
  WECHAT_PAY_API_V3_KEY?: string;
  /** PUB_KEY_ID_… of the WeChat Pay public key (public-key mode; set with WECHAT_PAY_PUBLIC_KEY). */
  WECHAT_PAY_PUBLIC_KEY_ID?: string;
  /** WeChat Pay public key, SPKI PEM (public-key mode). */
  WECHAT_PAY_PUBLIC_KEY?: string;
  /** WeChat Pay platform certificate(s), concatenated PEM, current first (certificate mode). */
  WECHAT_PAY_PLATFORM_CERTIFICATES?: string;
}

export type AppVariables = {
  /** This request's id (src/lib/request-log.ts): in the X-Request-Id header, error bodies and log lines. */
  requestId: string;
  clock: Clock;
  db: Db;
  merchant: MerchantPrincipal;
  shopper: ShopperPrincipal;
};

export type AppEnv = { Bindings: Env; Variables: AppVariables };
