// Tests that need real processes, in plain Node: the browser test of /admin (Debian's chromium
// driven by playwright-core) and the dev tooling (the fake's deliveries, `npm run dev`'s cron
// sweep), against the built worker on local workerd (scripts/local-worker.ts).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
