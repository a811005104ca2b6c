// Bindings (wrangler.toml, secrets) and the per-request variables the middleware sets.
import type { Clock } from './lib/clock';
import type { Db } from './db/client';
import type { MerchantPrincipal } from './services/merchant-auth';
import type { ShopperPrincipal } from './services/shopper-auth';

export interface Env {
  DB: D1Database;
  /** "production" or "development"; dev-only conveniences are refused unless "development". */
  APP_ENV: string;
  SHOP_TIME_ZONE: string;
  /** Comma-separated browser origins allowed to call the admin API. */
  ADMIN_ORIGINS: string;
  CATALOG_S_MAXAGE: string;
  CATALOG_MAX_AGE: string;
  /** JSON object {"kid": "base64url secret ≥ 32 bytes"}; a secret, never in wrangler.toml. */
  JWT_KEYS: string;
  JWT_ACTIVE_KID?: string;
}

export type AppVariables = {
  clock: Clock;
  db: Db;
  merchant: MerchantPrincipal;
  shopper: ShopperPrincipal;
};

export type AppEnv = { Bindings: Env; Variables: AppVariables };
