// Migration 0010 on a database that already holds campaigns: it rebuilds bargain_campaigns and
// group_buys (to change their status default) while sessions, rooms and SKUs point at their rows.
// The test database is already migrated, so the rows are written in the old vocabulary ('active')
// and 0010 is run again the way D1 runs a migration (one batch); that is the upgrade of a live shop.
import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { bargainCampaign, bargainShoppers, help, launched, untilHelpRows } from '../../fixtures/bargain';
import { caller, createCampaign, openRoom } from '../../fixtures/group-buy';
import { BASE, createCategory, shopperWithAddress, tokenFor } from '../../fixtures/helpers';

const campaignStatus = env.TEST_MIGRATIONS.find((m) => m.name.startsWith('0010_'))!;

const statusOf = async (table: string, id: string) => (await env.DB.prepare(`SELECT status FROM ${table} WHERE id = ?`).bind(id).first<{ status: string }>())!.status;
const count = async (sql: string, ...binds: unknown[]) =>
  (await env.DB.prepare(sql)
    .bind(...binds)
    .first<{ n: number }>())!.n;

describe('migration 0010 (one campaign status) on a shop with live campaigns', () => {
  let bargainId: string;
  let sessionId: string;
  let groupBuyId: string;
  let roomId: string;

  beforeAll(async () => {
    // A bargain with a launched session and a help, a group buy with an open room.
    const { campaign: bargain } = await bargainCampaign({ launches: 1, helpsPerDay: 1 });
    bargainId = bargain.id;
    const [owner, friend] = await bargainShoppers(2);
    sessionId = (await launched(owner!, bargainId)).id;
    expect((await help(friend!, sessionId)).status).toBe(201);
    await untilHelpRows(sessionId, 1); // written by the work queue, a moment after the answer

    const merchant = (await tokenFor('owner')).token;
    const { campaign, skuId } = await createCampaign(merchant, await createCategory(merchant, '迁移'));
    groupBuyId = campaign.id;
    const leader = await shopperWithAddress();
    const opened = await openRoom(caller(), leader.token, groupBuyId, skuId);
    expect(opened.status).toBe(201);
    roomId = opened.body.room.id;

    // As a shop that ran before 0010 stored them.
    await env.DB.batch([
      env.DB.prepare("UPDATE bargain_campaigns SET status = 'active' WHERE id = ?").bind(bargainId),
      env.DB.prepare("UPDATE group_buys SET status = 'active' WHERE id = ?").bind(groupBuyId),
    ]);
    await env.DB.batch(campaignStatus.queries.map((q) => env.DB.prepare(q)));
  });

  it('moves every campaign to the one stored status', async () => {
    expect(await statusOf('bargain_campaigns', bargainId)).toBe('scheduled');
    expect(await statusOf('group_buys', groupBuyId)).toBe('scheduled');
    expect(await count("SELECT count(*) AS n FROM bargain_campaigns WHERE status = 'active'")).toBe(0);
    expect(await count("SELECT count(*) AS n FROM group_buys WHERE status = 'active'")).toBe(0);
  });

  it('keeps every row that points at a rebuilt table, with no broken foreign key', async () => {
    expect(await count('SELECT count(*) AS n FROM bargain_sessions WHERE id = ? AND campaign_id = ?', sessionId, bargainId)).toBe(1);
    expect(await count('SELECT count(*) AS n FROM bargain_helps WHERE session_id = ?', sessionId)).toBe(1);
    expect(await count('SELECT count(*) AS n FROM group_buy_rooms WHERE id = ? AND group_buy_id = ?', roomId, groupBuyId)).toBe(1);
    expect(await count('SELECT count(*) AS n FROM group_buy_skus WHERE group_buy_id = ?', groupBuyId)).toBe(1);
    expect((await env.DB.prepare('PRAGMA foreign_key_check').all()).results).toEqual([]);
  });

  it('re-creates the limit triggers: a second launch and a second help the same day are refused in D1', async () => {
    expect(await count("SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger' AND name IN ('bargain_sessions_launch_limit', 'bargain_helps_daily_limit')")).toBe(2);
    // One launch per shopper: a second session of the same owner is refused by the trigger.
    await expect(
      env.DB.prepare(
        `INSERT INTO bargain_sessions (id, campaign_id, owner_id, seed, start_price_fen, floor_price_fen, helpers_needed, buy_before_floor, new_helper_bonus_pct, expires_at, idempotency_key, created_at)
         SELECT 'bgs_second', campaign_id, owner_id, seed, start_price_fen, floor_price_fen, helpers_needed, buy_before_floor, new_helper_bonus_pct, expires_at, 'second', created_at FROM bargain_sessions WHERE id = ?`,
      )
        .bind(sessionId)
        .run(),
    ).rejects.toThrow(/bargain_launch_limit/);
    // One help per helper and shop-day: the friend's help on another shopper's session today is refused.
    const [other] = await bargainShoppers(1);
    const otherSession = (await launched(other!, bargainId)).id;
    await expect(
      env.DB.prepare('INSERT INTO bargain_helps (session_id, helper_id, campaign_id, day, created_at) SELECT ?, helper_id, campaign_id, day, created_at FROM bargain_helps WHERE session_id = ?')
        .bind(otherSession, sessionId)
        .run(),
    ).rejects.toThrow(/bargain_daily_help_limit/);
  });

  it('serves the campaigns through the API as before', async () => {
    const bargain = await SELF.fetch(`${BASE}/bargains/${bargainId}`);
    expect(bargain.status).toBe(200);
    expect(await bargain.json()).toMatchObject({ id: bargainId, state: 'live' });
    const groupBuy = await SELF.fetch(`${BASE}/group-buys/${groupBuyId}`);
    expect(groupBuy.status).toBe(200);
  });
});
