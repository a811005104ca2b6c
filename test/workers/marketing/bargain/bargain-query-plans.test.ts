// The queries the bargain limits run on every launch and help (inside the guard triggers of
// migration bargains_guards; the daily-help one is a backstop now, the helper's ticket shard counts first) and the per-session lookups must use an index: a scan would grow
// with every help ever given, and on D1 block every other query meanwhile.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

async function plan(sql: string, ...params: unknown[]): Promise<string> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return results.map((r) => r.detail).join(' | ');
}

describe('bargain query plans', () => {
  it.each([
    ['daily-help trigger count', 'SELECT count(*) FROM bargain_helps WHERE helper_id = ? AND campaign_id = ? AND day = ?', ['usr_a', 'bgn_a', '2026-06-18'], 'bargain_helps_helper_day_idx'],
    [
      "the helper's help rows of the day, merged into their ticket shard on every help",
      'SELECT group_concat(h.session_id) FROM bargain_helps h WHERE h.helper_id = ? AND h.day = ? AND h.campaign_id = (SELECT s.campaign_id FROM bargain_sessions s WHERE s.id = ?)',
      ['usr_a', '2026-06-18', 'bgs_a'],
      'bargain_helps_helper_day_idx',
    ],
    ['launch-limit trigger count', 'SELECT count(*) FROM bargain_sessions WHERE campaign_id = ? AND owner_id = ?', ['bgn_a', 'usr_a'], 'bargain_sessions_campaign_owner_idx'],
    ["whether D1 has a help's row (the queue's insert-if-absent)", 'SELECT 1 FROM bargain_helps WHERE session_id = ? AND helper_id = ?', ['bgs_a', 'usr_a'], 'sqlite_autoindex_bargain_helps_1'],
    ['a helper has paid an order (new to the shop)', 'SELECT 1 FROM orders WHERE user_id = ? AND paid_at IS NOT NULL', ['usr_a'], 'orders_user'],
    ['my sessions, newest first', 'SELECT * FROM bargain_sessions WHERE owner_id = ? ORDER BY created_at DESC, id DESC LIMIT 11', ['usr_a'], 'bargain_sessions_owner_created_idx'],
    ['a launch replayed by its key', 'SELECT * FROM bargain_sessions WHERE owner_id = ? AND idempotency_key = ?', ['usr_a', 'k'], 'bargain_sessions_owner_key_idx'],
    ['the order of a session', "SELECT id FROM orders WHERE source = 'bargain' AND source_ref = ?", ['bgs_a'], 'orders_source_ref_idx'],
  ])('%s goes through its index', async (_name, sql, params, index) => {
    const detail = await plan(sql, ...params);
    expect(detail).toContain(index);
    expect(detail).not.toMatch(/SCAN (bargain_|orders)(?!.*USING)/);
  });
});
