// The Worker's exports: the HTTP app, the cron sweep, and the Durable Object classes, each
// given the worker's side of the objects' port (the composition root: objects never import
// services, they are handed what they need here).
import { BargainSession as BargainSessionObject } from '../durable-objects/bargain-session';
import { FlashSaleStock as FlashSaleStockObject } from '../durable-objects/flash-sale-stock';
import { GroupBuyRoom as GroupBuyRoomObject } from '../durable-objects/group-buy-room';
import { createApp } from './app';
import type { Env } from './env';
import { systemClock } from './lib/clock';
import { logEvent } from './lib/log';
import { workerObjectPort } from './marketing/kernel/object-port';
import { runScheduledWork } from './services/scheduled';
import type { WorkMessage } from './services/work-queue';
import { consumeWork } from './work-consumer';

export class FlashSaleStock extends FlashSaleStockObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, workerObjectPort(env));
  }
}

export class GroupBuyRoom extends GroupBuyRoomObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, workerObjectPort(env));
  }
}

export class BargainSession extends BargainSessionObject {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, workerObjectPort(env));
  }
}

// Needs no port: its tickets ask nothing of the outside.
export { BargainHelpTickets } from '../durable-objects/bargain-help-tickets';
export { GroupBuySeatTickets } from '../durable-objects/group-buy-seat-tickets';

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(runScheduledWork(env, systemClock).then((summary) => logEvent('info', 'scheduled work', { summary })));
  },
  queue: (batch, env) => consumeWork(batch, env),
} satisfies ExportedHandler<Env, WorkMessage>;
