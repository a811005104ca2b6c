// The test suite runs inside workerd (the Workers runtime) with real D1 and Durable Objects,
// configured from wrangler.toml. Browser tests of /admin live in test/e2e (vitest.e2e.config.ts).
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  return {
    plugins: [
      cloudflareTest({
        main: './src/index.ts',
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            APP_ENV: 'test',
            // Test-only keys: two kids so that rotation is exercised.
            JWT_KEYS: JSON.stringify({
              k2026a: 'dGVzdC1rZXktMjAyNmEtMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3',
              k2025z: 'dGVzdC1rZXktMjAyNXotMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3',
            }),
            ADMIN_ORIGINS: 'https://admin.example.com',
          },
        },
      }),
    ],
    test: {
      include: ['test/**/*.test.ts'],
      exclude: ['test/e2e/**'],
      setupFiles: ['./test/setup.ts'],
      testTimeout: 60_000,
    },
  };
});
