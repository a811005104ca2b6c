// The Worker's bindings and the per-request variables the middleware sets. The bindings are
// generated (`npm run types` → src/worker-configuration.d.ts, from wrangler.toml and the secret
// names in .dev.vars.example; `npm test` fails when that file is stale); what is written here is
// only which of them a deployment may leave unset, so the code has to handle their absence.
import type { Clock } from './lib/clock';
import type { Db } from './db/client';
import type { MerchantPrincipal, ShopperPrincipal } from './services/principals';

/** Settings and secrets that may be absent: optional features and per-mode WeChat Pay keys. */
type OptionalSetting =
  // Without the work queue the sweep delivers the outbox itself, and flash orders are written by
  // the sweep or when opened (a deployment that has not created the queue yet still works).
  | 'WORK_QUEUE'
  | 'CATALOG_VERSION_MEMORY_MS'
  | 'JWT_ACTIVE_KID'
  | 'PUBLIC_BASE_URL'
  | 'WECHAT_APPID'
  | 'WECHAT_APP_SECRET'
  | 'WECHAT_API_BASE'
  | 'WECHAT_PAY_API_BASE'
  | 'WECHAT_PAY_MCHID'
  | 'WECHAT_PAY_MERCHANT_SERIAL'
  | 'WECHAT_PAY_MERCHANT_PRIVATE_KEY'
  | 'WECHAT_PAY_API_V3_KEY'
  | 'WECHAT_PAY_PUBLIC_KEY_ID'
  | 'WECHAT_PAY_PUBLIC_KEY'
  | 'WECHAT_PAY_PLATFORM_CERTIFICATES'
  | 'TRACKING_API_BASE'
  | 'TRACKING_KEY'
  | 'TRACKING_CUSTOMER';

/** The generated bindings (Cloudflare.Env), with the optional settings marked optional. */
export type Env = Omit<Cloudflare.Env, OptionalSetting> & Partial<Pick<Cloudflare.Env, OptionalSetting>>;

export type AppVariables = {
  /** This request's id (src/lib/request-log.ts): in the X-Request-Id header, error bodies and log lines. */
  requestId: string;
  clock: Clock;
  db: Db;
  merchant: MerchantPrincipal;
  shopper: ShopperPrincipal;
};

export type AppEnv = { Bindings: Env; Variables: AppVariables };
