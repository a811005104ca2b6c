// The outbox: work that must not be lost (refunds today; shipping uploads, subscribe messages and
// webhooks join as kinds), written as a row in the same D1 batch as the change that caused it and
// delivered here with retries and backoff. One delivery per kind, in one table the compiler keeps
// exhaustive; every delivery is idempotent, because a row may be delivered again after a lost answer.
import { and, asc, eq, inArray, lte } from 'drizzle-orm';
import { outbox } from '../db/orders';
import { chunkForBoundParams } from '../db/batch';
import type { Db } from '../db/client';
import type { Env } from '../env';
import type { Clock } from '../lib/clock';
import { logEvent } from '../lib/log';
import { WeChatLoginError, WeChatPayApiError } from '../wechat/errors';
import { submitRefund } from './refunds';
import { submitPlanRefund } from './loyalty/plan-refunds';
import { subscribeTracking } from './tracking';
import { sendSubscribeMessage } from './subscribe-messages';
import { confirmReceiveReminder, uploadCorrection, uploadShipment } from './shipping-uploads';
import type { PayClient } from './wechat';
import { enqueueWorkBatch } from './work-queue';

export type OutboxKind = (typeof outbox.$inferSelect)['kind'];
export type OutboxRow = typeof outbox.$inferSelect;

/** What a delivery may use: the database, WeChat Pay, and (for the other WeChat APIs) the environment. */
export type OutboxDeps = { db: Db; pay: PayClient; env: Env; clock: Clock };

export const outboxDeliveries: Record<OutboxKind, (deps: OutboxDeps, subjectId: string, now: number) => Promise<void>> = {
  submit_refund: submitRefund,
  upload_shipping: uploadShipment,
  correct_shipping: uploadCorrection,
  notify_confirm_receive: confirmReceiveReminder,
  subscribe_tracking: subscribeTracking,
  send_subscribe_message: sendSubscribeMessage,
  submit_plan_refund: submitPlanRefund,
};

const OUTBOX_MAX_ATTEMPTS = 12;
/** After the 1st failure 30 s, then 1 min, 2 min … capped at an hour. */
const backoffMs = (attempts: number) => Math.min(30_000 * 2 ** (attempts - 1), 3_600_000);

/** An error no retry can fix (WeChat refused the request itself): the row goes dead at once. */
const isPermanent = (error: unknown) => (error instanceof WeChatPayApiError || error instanceof WeChatLoginError) && !error.retryable;

/** Delivers one row and books the outcome on it: done, pending again after a backoff, or dead. */
export async function deliverOutboxRow(deps: OutboxDeps, item: OutboxRow, now: number): Promise<'delivered' | 'retrying' | 'dead'> {
  try {
    await outboxDeliveries[item.kind](deps, item.subjectId, now);
    await deps.db
      .update(outbox)
      .set({ status: 'done', attempts: item.attempts + 1, updatedAt: now })
      .where(eq(outbox.id, item.id));
    return 'delivered';
  } catch (error) {
    const attempts = item.attempts + 1;
    const giveUp = attempts >= OUTBOX_MAX_ATTEMPTS || isPermanent(error);
    logEvent('error', 'outbox delivery failed', { kind: item.kind, subject_id: item.subjectId, error });
    await deps.db
      .update(outbox)
      .set({ status: giveUp ? 'dead' : 'pending', attempts, nextAttemptAt: now + backoffMs(attempts), lastError: String((error as Error)?.message ?? error).slice(0, 500), updatedAt: now })
      .where(eq(outbox.id, item.id));
    return giveUp ? 'dead' : 'retrying';
  }
}

/**
 * A row the work queue brought: delivered if it is still pending (the sweep or an earlier copy of
 * the message may have delivered it already). Its own attempts and backoff are booked on the row.
 */
export async function deliverQueuedOutboxRow(deps: OutboxDeps, outboxId: string, now: number): Promise<void> {
  const item = await deps.db.query.outbox.findFirst({ where: and(eq(outbox.id, outboxId), eq(outbox.status, 'pending')) });
  if (item) await deliverOutboxRow(deps, item, now);
}

/** How long a queued row is left to its message before the sweep queues it again. */
const QUEUED_LEASE_MS = 120_000;
/** Rows queued per sweep: the consumer delivers them side by side, a batch of 100 at a time. */
const QUEUE_PER_SWEEP = 2_000;

/**
 * The sweep hands due rows to the work queue (oldest first) instead of delivering them one by one
 * itself: a failed group buy's thousand refunds are then sent within a minute, not in fifty.
 * Each row's next attempt moves past a lease first, so the next sweep does not queue it twice
 * while its message is on the way; the delivery books its own outcome over the lease.
 */
export async function queueDueOutbox(deps: OutboxDeps, now: number, limit = QUEUE_PER_SWEEP): Promise<number> {
  const due = await deps.db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, now)))
    .orderBy(asc(outbox.nextAttemptAt))
    .limit(limit);
  const ids = due.map((r) => r.id);
  // Each id is a bound parameter, as are the lease and the status.
  for (const chunk of chunkForBoundParams(ids, 1, 2)) {
    await deps.db
      .update(outbox)
      .set({ nextAttemptAt: now + QUEUED_LEASE_MS })
      .where(and(inArray(outbox.id, chunk), eq(outbox.status, 'pending')));
  }
  await enqueueWorkBatch(
    deps.env,
    ids.map((outboxId) => ({ kind: 'outbox' as const, outboxId })),
  );
  return ids.length;
}

/** Delivers due rows here and now, oldest first (tests, and a sweep without a queue to hand them to). */
export async function deliverOutbox(deps: OutboxDeps, now: number, batchSize = 20) {
  const due = await deps.db
    .select()
    .from(outbox)
    .where(and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, now)))
    .orderBy(asc(outbox.nextAttemptAt))
    .limit(batchSize);
  const result = { delivered: 0, retrying: 0, dead: 0 };
  for (const item of due) result[await deliverOutboxRow(deps, item, now)]++;
  return result;
}
