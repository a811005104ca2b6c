// Component and page tests of the mini-program with miniprogram-simulate (j-component on jsdom),
// in Node: the workers pool cannot host jsdom. The mini-program's flows against the real worker
// run in the workers pool instead (test/miniapp/flows/, vitest.config.ts).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'jsdom',
    include: ['test/miniapp/sim/**/*.test.ts'],
    testTimeout: 20_000,
  },
});
