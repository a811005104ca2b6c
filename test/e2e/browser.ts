// What the browser tests of /admin share: the production bundle on local workerd and Debian's
// Chromium, started together before the file's tests and stopped after them.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startLocalWorker, type LocalWorker } from '../../scripts/local-worker';

/** Starts both in beforeAll and stops both in afterAll; read `.worker` and `.browser` inside tests. */
export function workerAndBrowser(workerOptions: Parameters<typeof startLocalWorker>[0] = {}) {
  const started = {} as { worker: LocalWorker; browser: Browser };
  beforeAll(async () => {
    [started.worker, started.browser] = await Promise.all([
      startLocalWorker(workerOptions),
      chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
      }),
    ]);
  });
  afterAll(async () => {
    await started.browser?.close();
    await started.worker?.dispose();
  });
  return started;
}
