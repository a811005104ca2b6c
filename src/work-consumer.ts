// The work queue's consumer (src/services/work-queue.ts): flash-sale orders are written together,
// up to a whole batch in one D1 batch, and so are group-buy seat orders and bargain helps; outbox
// rows are delivered side by side. A message is acknowledged once its work is done or can never be
// done; otherwise it is retried with backoff and, after max_retries, goes to the dead-letter queue
// — the cron sweep (for a seat or a help, its room's or session's object alarm) still finds the work.
import { createDb } from './db/client';
import type { Env } from './env';
import { systemClock } from './lib/clock';
import { logEvent } from './lib/log';
import type { HelpJob } from './domain/bargain';
import type { FlashOrderJob } from './domain/flash-sale';
import type { GroupSeatJob } from './domain/group-buy';
import { recordHelps } from './marketing/bargain/help-records';
import { writeFlashOrders } from './marketing/flash-sale/order-writer';
import { writeSeatOrders } from './marketing/group-buy/seat-orders';
import { deliverQueuedOutboxRow } from './services/outbox';
import { payClientOf } from './services/wechat';
import type { WorkMessage } from './services/work-queue';

/** Seconds before a failed message is offered again: 5 s, 10 s, 20 s … capped at 5 minutes. */
const retryDelaySeconds = (attempts: number) => Math.min(5 * 2 ** (attempts - 1), 300);

export async function consumeWork(batch: MessageBatch<WorkMessage>, env: Env): Promise<void> {
  const db = createDb(env.DB);
  const now = systemClock.now();
  const outbox = batch.messages.filter((m): m is Message<Extract<WorkMessage, { kind: 'outbox' }>> => m.body.kind === 'outbox');

  // Late ones too: an order for a hold that has expired meanwhile is cancelled by the expiry sweep.
  const writing = Promise.all([
    writeTogether(batch.messages, 'flash_order', (jobs) => writeFlashOrders(db, jobs, env.SHOP_TIME_ZONE)),
    writeTogether(batch.messages, 'group_seat', (jobs) => writeSeatOrders(db, jobs, env.SHOP_TIME_ZONE)),
    // Bargain helps: the session objects' alarms are their backstop.
    writeTogether(batch.messages, 'bargain_help', (helps) => recordHelps(db, helps, env.SHOP_TIME_ZONE)),
  ]);

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
  await Promise.all([writing, delivering]);
}

/** The kinds of work written together, a whole batch's in one D1 batch, and what each message carries. */
type Batched = { flash_order: FlashOrderJob; group_seat: GroupSeatJob; bargain_help: HelpJob };
const payloadOf = (body: WorkMessage) => (body.kind === 'bargain_help' ? body.help : body.kind === 'outbox' ? null : body.job);

/** The messages' work of one kind, written together; what could not be written is retried with backoff. */
async function writeTogether<K extends keyof Batched>(messages: readonly Message<WorkMessage>[], kind: K, write: (items: Batched[K][]) => Promise<Batched[K][]>) {
  const mine = messages.filter((m) => m.body.kind === kind);
  if (!mine.length) return;
  const items = mine.map((m) => payloadOf(m.body) as Batched[K]);
  let failed: Set<Batched[K]>;
  try {
    failed = new Set(await write(items));
  } catch (error) {
    // The reads before the batch failed (D1 unreachable): every one of these is retried.
    logEvent('error', `writing ${kind} work failed`, { messages: mine.length, error });
    failed = new Set(items);
  }
  mine.forEach((m, i) => {
    if (failed.has(items[i]!)) m.retry({ delaySeconds: retryDelaySeconds(m.attempts) });
    else m.ack();
  });
}
