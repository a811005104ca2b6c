// The Worker's exports: the HTTP app and the cron sweep.
import { createApp } from './app';
import type { Env } from './env';
import { systemClock } from './lib/clock';
import { runScheduledWork } from './services/scheduled';
export { FlashSaleStock } from '../durable-objects/flash-sale-stock';
export { BargainSession } from '../durable-objects/bargain-session';
export { GroupBuyRoom } from '../durable-objects/group-buy-room';

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(runScheduledWork(env, systemClock).then((summary) => console.log('scheduled work', JSON.stringify(summary))));
  },
} satisfies ExportedHandler<Env>;
