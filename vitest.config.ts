// The test suite runs inside workerd (the Workers runtime) with real D1 and Durable Objects,
// configured from wrangler.toml. Browser tests of /admin live in test/e2e (vitest.e2e.config.ts).
// WeChat and WeChat Pay are a local fake (test/fakes/) that the global setup starts before the
// workers; its address and keys reach the bindings through inject().
// The developer's .dev.vars is never read: the pool gets wrangler.toml's configuration from a
// directory of its own (scripts/vitest-wrangler-config.ts), checked to contribute nothing else.
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { unstable_readConfig } from 'wrangler';
import { assertNoLocalVars, isolatedWranglerConfig } from './scripts/vitest-wrangler-config.ts';
import type {} from './test/fakes/global-setup.ts'; // inject('wechatFake')'s type
import { wechatWorkerBindings } from './test/fakes/wechat-bindings.ts';

export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  // Per checkout: node_modules may be a symlink shared by several worktrees, whose runs would
  // otherwise overwrite one another's copy (and run another worktree's code and bindings).
  const cacheDir = `edge-mall-vitest-${createHash('sha256').update(process.cwd()).digest('hex').slice(0, 12)}`;
  const configPath = isolatedWranglerConfig('./wrangler.toml', path.join(os.tmpdir(), cacheDir));
  assertNoLocalVars(configPath);
  // The rate limits as wrangler.toml declares them, for the tests that check the worker enforces them.
  const { ratelimits } = unstable_readConfig({ config: './wrangler.toml' });
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        main: './src/index.ts',
        wrangler: { configPath },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            TEST_RATE_LIMITS: ratelimits,
            APP_ENV: 'test',
            // Test-only keys: two kids so that rotation is exercised.
            JWT_KEYS: JSON.stringify({
              k2026a: 'dGVzdC1rZXktMjAyNmEtMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3',
              k2025z: 'dGVzdC1rZXktMjAyNXotMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3',
            }),
            ADMIN_ORIGINS: 'https://admin.example.com',
            ...wechatWorkerBindings(inject('wechatFake')),
          },
        },
      })),
    ],
    test: {
      include: ['test/**/*.test.ts'],
      exclude: ['test/e2e/**', 'test/miniapp/sim/**'],
      setupFiles: ['./test/setup.ts'],
      globalSetup: ['./test/fakes/global-setup.ts'],
      testTimeout: 60_000,
      // The worker's one JSON line per request (src/lib/request-log.ts) would bury the tests' output.
      onConsoleLog: (log: string) => !log.startsWith('{"level":"info","msg":"request"'),
    },
  };
});
