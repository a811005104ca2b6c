// The work queue's consumer (src/services/work-queue.ts): flash-sale orders are written together,
// up to a whole batch in one D1 batch, and so are bargain helps; outbox rows are delivered side by
// side. A message is acknowledged once its work is done or can never be done; otherwise it is
// retried with backoff and, after max_retries, goes to the dead-letter queue — the cron sweep (for
// a bargain help, its session object's alarm) still finds the work.
import { createDb, type Db } from './db/client';
import type { Env } from './env';
import { systemClock } from './lib/clock';
import { logEvent } from './lib/log';
import type { HelpJob } from './domain/bargain';
import { recordHelps } from './marketing/bargain/help-records';
import { writeFlashOrders } from './marketing/flash-sale/order-writer';
import { deliverQueuedOutboxRow } from './services/outbox';
import { payClientOf } from './services/wechat';
import type { WorkMessage } from './services/work-queue';

/** Seconds before a failed message is offered again: 5 s, 10 s, 20 s … capped at 5 minutes. */
const retryDelaySeconds = (attempts: number) => Math.min(5 * 2 ** (attempts - 1), 300);

export async function consumeWork(batch: MessageBatch<WorkMessage>, env: Env): Promise<void> {
  const db = createDb(env.DB);
  const now = systemClock.now();
  const flash = batch.messages.filter((m): m is Message<Extract<WorkMessage, { kind: 'flash_order' }>> => m.body.kind === 'flash_order');
  const outbox = batch.messages.filter((m): m is Message<Extract<WorkMessage, { kind: 'outbox' }>> => m.body.kind === 'outbox');

  const writing = (async () => {
    // Late ones too: an order for a hold that has expired meanwhile is cancelled by the expiry sweep.
    const failed = new Set(
      await writeFlashOrders(
        db,
        flash.map((m) => m.body.job),
        env.SHOP_TIME_ZONE,
      ),
    );
    for (const m of flash) {
      if (failed.has(m.body.job)) m.retry({ delaySeconds: retryDelaySeconds(m.attempts) });
      else m.ack();
    }
  })();

  // Built only for outbox work: a shop without WeChat Pay configured still gets its flash orders written.
  const outboxDeps = () => ({ db, pay: payClientOf(env, systemClock), env, clock: systemClock });
  const delivering = Promise.all(
    outbox.map(async (m) => {
      const delaySeconds = retryDelaySeconds(m.attempts);
      try {
        const outcome = await deliverQueuedOutboxRow(outboxDeps(), m.body.outboxId, now, delaySeconds);
        if (outcome === 'retry') m.retry({ delaySeconds });
        else m.ack();
      } catch (error) {
        logEvent('error', 'queued outbox delivery failed', { outbox_id: m.body.outboxId, error });
        m.retry({ delaySeconds });
      }
    }),
  );
  await Promise.all([writing, delivering, recordBargainHelps(batch.messages, db, env.SHOP_TIME_ZONE)]);
}

/** Bargain helps: the whole batch's rows in one D1 batch; the session objects' alarms are the backstop. */
async function recordBargainHelps(messages: readonly Message<WorkMessage>[], db: Db, timeZone: string) {
  const helps = messages.filter((m): m is Message<Extract<WorkMessage, { kind: 'bargain_help' }>> => m.body.kind === 'bargain_help');
  let failed: Set<HelpJob>;
  try {
    failed = new Set(
      await recordHelps(
        db,
        helps.map((m) => m.body.help),
        timeZone,
      ),
    );
  } catch (error) {
    // The reads before the batch failed (D1 unreachable): every one of these helps is retried.
    logEvent('error', 'recording bargain helps failed', { helps: helps.length, error });
    failed = new Set(helps.map((m) => m.body.help));
  }
  for (const m of helps) {
    if (failed.has(m.body.help)) m.retry({ delaySeconds: retryDelaySeconds(m.attempts) });
    else m.ack();
  }
}
