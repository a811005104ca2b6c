// The Worker's exports: the HTTP app and the cron sweep.
import { createApp } from './app';
import type { Env } from './env';
import { systemClock } from './lib/clock';
import { logEvent } from './lib/log';
import { runScheduledWork } from './services/scheduled';
export { FlashSaleStock } from '../durable-objects/flash-sale-stock';
export { BargainSession } from '../durable-objects/bargain-session';
export { GroupBuyRoom } from '../durable-objects/group-buy-room';

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(runScheduledWork(env, systemClock).then((summary) => logEvent('info', 'scheduled work', { summary })));
  },
} satisfies ExportedHandler<Env>;
