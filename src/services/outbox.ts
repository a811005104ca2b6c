// The outbox: work that must not be lost (refunds today; shipping uploads, subscribe messages and
// webhooks join as kinds), written as a row in the same D1 batch as the change that caused it and
// delivered here with retries and backoff. One delivery per kind, in one table the compiler keeps
// exhaustive; every delivery is idempotent, because a row may be delivered again after a lost answer.
import { and, asc, eq, inArray, lte } from 'drizzle-orm';
import { outbox } from '../db/orders';
import type { Db } from '../db/client';
import type { Env } from '../env';
import type { Clock } from '../lib/clock';
import { logEvent } from '../lib/log';
import { WeChatLoginError, WeChatPayApiError } from '../wechat/errors';
import { submitRefund } from './refunds';
import { subscribeReturnTracking, subscribeTracking } from './tracking';
import { submitPlanRefund } from './loyalty/plan-refunds';
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
  subscribe_return_tracking: subscribeReturnTracking,
  submit_plan_refund: submitPlanRefund,
};

const OUTBOX_MAX_ATTEMPTS = 12;
/** After the 1st failure 30 s, then 1 min, 2 min … capped at an hour. */
const backoffMs = (attempts: number) => Math.min(30_000 * 2 ** (attempts - 1), 3_600_000);

/** An error no retry can fix (WeChat refused the request itself): the row goes dead at once. */
const isPermanent = (error: unknown) => (error instanceof WeChatPayApiError || error instanceof WeChatLoginError) && !error.retryable;

/**
 * Delivers one row and books the outcome on it: done, pending again after a backoff (or at
 * `retryAt`, when the caller has its own retry planned), or dead.
 */
export async function deliverOutboxRow(deps: OutboxDeps, item: OutboxRow, now: number, retryAt?: number): Promise<'delivered' | 'retrying' | 'dead'> {
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
      .set({ status: giveUp ? 'dead' : 'pending', attempts, nextAttemptAt: retryAt ?? now + backoffMs(attempts), lastError: String((error as Error)?.message ?? error).slice(0, 500), updatedAt: now })
      .where(eq(outbox.id, item.id));
    return giveUp ? 'dead' : 'retrying';
  }
}

/**
 * A row the work queue brought: delivered if it is still pending (the sweep or an earlier copy of
 * the message may have delivered it already). A delivery that failed but can be tried again is
 * the queue's to retry, in `retryInSeconds` (a dropped connection to WeChat should not wait for
 * the next sweep): the row is leased past that retry, so the sweep queues it only if the retried
 * message is lost too.
 */
export async function deliverQueuedOutboxRow(deps: OutboxDeps, outboxId: string, now: number, retryInSeconds: number): Promise<'settled' | 'retry'> {
  const item = await deps.db.query.outbox.findFirst({ where: and(eq(outbox.id, outboxId), eq(outbox.status, 'pending')) });
  if (!item) return 'settled';
  const outcome = await deliverOutboxRow(deps, item, now, now + retryInSeconds * 1000 + QUEUED_LEASE_MS);
  return outcome === 'retrying' ? 'retry' : 'settled';
}

/** How long a queued row is left to its message before the sweep queues it again. */
const QUEUED_LEASE_MS = 120_000;
/** Rows queued per sweep: the consumer delivers them side by side, a batch of 100 at a time. */
const QUEUE_PER_SWEEP = 2_000;

/**
 * Hands due rows to the work queue (oldest first) instead of delivering them one by one: a failed
 * group buy's thousand refunds are then sent within a minute, not in fifty. One UPDATE … RETURNING
 * moves each row's next attempt past a lease and names the rows it moved, so two sweeps (or a
 * sweep and a kick after a commit) never queue the same row twice; the delivery books its own
 * outcome over the lease. Without a work queue bound this leases nothing and answers 0.
 */
export async function queueDueOutbox({ db, env }: Pick<OutboxDeps, 'db' | 'env'>, now: number, limit = QUEUE_PER_SWEEP): Promise<number> {
  if (!env.WORK_QUEUE) return 0;
  const due = db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, now)))
    .orderBy(asc(outbox.nextAttemptAt))
    .limit(limit);
  const leased = await db
    .update(outbox)
    .set({ nextAttemptAt: now + QUEUED_LEASE_MS })
    .where(and(inArray(outbox.id, due), eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, now)))
    .returning({ id: outbox.id });
  await enqueueWorkBatch(
    env,
    leased.map(({ id }) => ({ kind: 'outbox' as const, outboxId: id })),
  );
  return leased.length;
}

/**
 * Right after a commit that wrote many outbox rows (a failed group's refunds): queue them now
 * instead of at the next minute's sweep. Best effort: a failure here leaves the rows to the sweep.
 */
export async function sendOutboxSoon(deps: Pick<OutboxDeps, 'db' | 'env'>, now: number): Promise<void> {
  try {
    await queueDueOutbox(deps, now);
  } catch (error) {
    logEvent('warn', 'outbox kick after commit failed; the sweep sends these rows', { error });
  }
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
