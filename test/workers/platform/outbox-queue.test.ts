// The outbox on the work queue: due rows are leased and queued by one UPDATE … RETURNING, so
// sweeps (and the kick after a commit) running at the same moment never queue a row twice, and
// the real queue's consumer then delivers every row once.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../../src/db/client';
import { newId } from '../../../src/lib/ids';
import { queueDueOutbox } from '../../../src/services/outbox';
import type { WorkMessage } from '../../../src/services/work-queue';

/** Rows about refunds that do not exist: their delivery finds nothing to send and books them done. */
async function pendingRows(count: number, nextAttemptAt: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newId('obx'));
  await env.DB.batch(
    ids.map((id) =>
      env.DB.prepare("INSERT INTO outbox (id, kind, subject_id, status, attempts, next_attempt_at, created_at, updated_at) VALUES (?, 'submit_refund', ?, 'pending', 0, ?, ?, ?)").bind(
        id,
        newId('rfd'),
        nextAttemptAt,
        nextAttemptAt,
        nextAttemptAt,
      ),
    ),
  );
  return ids;
}

/** The real work queue, with a record of every outbox id sent through it. */
function recordingQueue() {
  const sent: string[] = [];
  const queue = env.WORK_QUEUE!;
  const recorder = {
    send: (body: WorkMessage) => recorder.sendBatch([{ body }]),
    sendBatch: async (batch: { body: WorkMessage }[]) => {
      for (const m of batch) if (m.body.kind === 'outbox') sent.push(m.body.outboxId);
      await queue.sendBatch(batch);
    },
  } as unknown as Queue<WorkMessage>;
  return { sent, queue: recorder };
}

const statusesOf = async (ids: string[]) => {
  const { results } = await env.DB.prepare(`SELECT status, count(*) AS n FROM outbox WHERE id IN (SELECT value FROM json_each(?)) GROUP BY status`)
    .bind(JSON.stringify(ids))
    .all<{ status: string; n: number }>();
  return Object.fromEntries(results.map((r) => [r.status, r.n]));
};

describe('outbox rows on the work queue', () => {
  it('five sweeps at once over 300 due rows queue each row exactly once, and the consumer delivers all 300', async () => {
    const now = Date.now();
    const ids = await pendingRows(300, now - 1_000);
    const { sent, queue } = recordingQueue();
    const db = createDb(env.DB);
    const counts = await Promise.all(Array.from({ length: 5 }, () => queueDueOutbox({ db, env: { ...env, WORK_QUEUE: queue } }, now)));
    const ours = new Set(ids);
    const sentOfOurs = sent.filter((id) => ours.has(id));
    expect(sentOfOurs).toHaveLength(300);
    expect(new Set(sentOfOurs).size).toBe(300);
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(300);
    // Leased: a sweep right after finds none of them due.
    expect(await queueDueOutbox({ db, env: { ...env, WORK_QUEUE: queue } }, now)).toBe(0);
    await expect.poll(() => statusesOf(ids), { timeout: 20_000, interval: 100 }).toEqual({ done: 300 });
  });

  it('rows not yet due and rows already done are left alone', async () => {
    const now = Date.now();
    const later = await pendingRows(3, now + 60_000);
    const done = await pendingRows(2, now - 1_000);
    await env.DB.prepare(`UPDATE outbox SET status = 'done' WHERE id IN (SELECT value FROM json_each(?))`).bind(JSON.stringify(done)).run();
    const { sent, queue } = recordingQueue();
    await queueDueOutbox({ db: createDb(env.DB), env: { ...env, WORK_QUEUE: queue } }, now);
    expect(sent.filter((id) => later.includes(id) || done.includes(id))).toEqual([]);
    expect(await statusesOf(later)).toEqual({ pending: 3 });
  });

  it('without a work queue bound nothing is leased (the sweep delivers inline instead)', async () => {
    const now = Date.now();
    const ids = await pendingRows(2, now - 1_000);
    expect(await queueDueOutbox({ db: createDb(env.DB), env: { ...env, WORK_QUEUE: undefined } }, now)).toBe(0);
    const { results } = await env.DB.prepare(`SELECT next_attempt_at AS at FROM outbox WHERE id IN (SELECT value FROM json_each(?))`).bind(JSON.stringify(ids)).all<{ at: number }>();
    expect(results.map((r) => r.at)).toEqual([now - 1_000, now - 1_000]);
  });
});
