// The work queue (Cloudflare Queues, [[queues]] in wrangler.toml): one async pipeline for work
// that follows a decision already made durable elsewhere — a flash-sale order whose reservation
// its stock object holds, a group-buy seat's order whose seat its room object holds, a bargain
// help whose cut its session object holds, an outbox row written in the batch that caused it.
// Every consumer is idempotent and the cron sweep (for seats and helps, their objects' alarms) is
// the backstop, so a message lost, late or delivered twice changes nothing but timing.
import type { HelpJob } from '../domain/bargain';
import type { FlashOrderJob } from '../domain/flash-sale';
import type { GroupSeatJob } from '../domain/group-buy';
import type { Env } from '../env';

export type WorkMessage = { kind: 'flash_order'; job: FlashOrderJob } | { kind: 'group_seat'; job: GroupSeatJob } | { kind: 'outbox'; outboxId: string } | { kind: 'bargain_help'; help: HelpJob };

/** Queues accept at most 100 messages per sendBatch. */
const SEND_BATCH = 100;

export const enqueueWork = (env: Env, message: WorkMessage): Promise<void> => enqueueWorkBatch(env, [message]);

export async function enqueueWorkBatch(env: Env, messages: WorkMessage[]): Promise<void> {
  const queue = env.WORK_QUEUE;
  if (!queue) throw new Error('no work queue bound (WORK_QUEUE): the sweep does this work');
  for (let i = 0; i < messages.length; i += SEND_BATCH) {
    await queue.sendBatch(messages.slice(i, i + SEND_BATCH).map((body) => ({ body, contentType: 'json' as const })));
  }
}
