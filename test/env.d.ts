// The bindings the tests add to the Worker's (generated) ones: vitest.config.ts passes the
// migrations so that test/setup.ts can apply them to each test file's D1.
import type { D1Migration } from 'cloudflare:test';

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      /** wrangler.toml's [[ratelimits]], read by vitest.config.ts. */
      TEST_RATE_LIMITS: { name: string; namespace_id: string; simple: { limit: number; period: number } }[];
    }
  }
}
