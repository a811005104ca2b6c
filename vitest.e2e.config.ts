// Browser tests of /admin: plain Node drives Debian's chromium (playwright-core) against the built
// worker on local workerd (scripts/local-worker.ts). Not the Workers pool: they need real processes.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
