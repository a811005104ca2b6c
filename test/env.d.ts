import type { D1Migration } from 'cloudflare:test';
import type { Env as AppBindings } from '../src/env';

declare global {
  namespace Cloudflare {
    interface Env extends AppBindings {
      TEST_MIGRATIONS: D1Migration[];
      /** wrangler.toml's [[ratelimits]], read by vitest.config.ts. */
      TEST_RATE_LIMITS: { name: string; namespace_id: string; simple: { limit: number; period: number } }[];
    }
  }
}
