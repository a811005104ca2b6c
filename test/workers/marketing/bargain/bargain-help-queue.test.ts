// A bargain help answers after its two objects — the helper's ShopperTickets (the daily-limit
// ticket) and the session's BargainSession (the cut) — and D1 learns of it off the reply path:
// through the work queue, or, when the queue loses the message, from the session object's alarm.
// However the queue behaves (twice, late, never), each cut ends as exactly one D1 row, and the
// owner's "floor reached" message is queued once.
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/lib/clock';
import { shopDay } from '../../../../src/domain/bargain';
import type { WorkMessage } from '../../../../src/services/work-queue';
import { bargainCampaign, bargainShoppers, clockedCaller, help, heldHelpTickets, helpRows, launched, merchantToken, sessionObject, tokenAt, type Shopper } from '../../../fixtures/bargain';
import { countedEnv } from '../../../fixtures/counted-bindings';
import { deliverWork, heldWorkQueue } from '../../../fixtures/work-queue';

const floorMessages = async (sessionId: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM subscribe_messages WHERE template_key = 'bargain_floor' AND subject_id = ?").bind(sessionId).first<{ n: number }>())!.n;
const helpMessages = (sent: WorkMessage[]) => sent.filter((m): m is Extract<WorkMessage, { kind: 'bargain_help' }> => m.kind === 'bargain_help');
const code = async (res: Response) => (res.status === 201 ? 'ok' : ((await res.json()) as { error: { code: string } }).error.code);
const tally = (codes: string[]) => {
  const counts: Record<string, number> = {};
  for (const c of codes) counts[c] = (counts[c] ?? 0) + 1;
  return counts;
};

/** An app on the given clock whose work queue keeps its messages (the test delivers them). */
function heldApp(clock = new ManualClock(Date.now()), bindings: typeof env = env) {
  const { sent, queue } = heldWorkQueue();
  return { sent, call: clockedCaller(clock, { ...bindings, WORK_QUEUE: queue }) };
}

async function sessionWithFriends(opts: { helpers: number; friends: number }) {
  const { campaign } = await bargainCampaign({ helpers: opts.helpers, start: 10_000, floor: 100 });
  const [owner] = await bargainShoppers(1);
  return { campaign, owner: owner!, session: await launched(owner!, campaign.id), friends: await bargainShoppers(opts.friends) };
}

describe('bargain helps through the work queue', () => {
  it('the reply comes before D1 has the row (no D1 write on the reply path); a message delivered twice, and again later, writes one row', async () => {
    const { session, friends } = await sessionWithFriends({ helpers: 3, friends: 3 });
    const counting = countedEnv('BARGAIN_SESSION', 'BARGAIN_HELP_TICKETS');
    const { sent, call } = heldApp(undefined, counting.env);
    expect(await Promise.all(friends.map(async (f) => code(await help(f, session.id, call))))).toEqual(['ok', 'ok', 'ok']);
    expect(counting.d1Writes()).toBe(0);
    expect(counting.d1Queries()).toBeGreaterThan(0); // it does read (the session once, each helper)
    expect(await helpRows(session.id)).toBe(0);
    const queued = helpMessages(sent);
    expect(queued.map((m) => m.help.helperId).sort()).toEqual(friends.map((f) => f.id).sort());
    expect(queued.filter((m) => m.help.floorReached)).toHaveLength(1);

    const result = await deliverWork([...sent, ...sent]);
    expect(result.explicitAcks).toHaveLength(6);
    expect(result.retryMessages).toEqual([]);
    await deliverWork(sent); // late, and again
    expect(await helpRows(session.id)).toBe(3);
    expect(await floorMessages(session.id)).toBe(1);
    // The session object's backstop, a minute later, finds D1 complete and changes nothing.
    await runDurableObjectAlarm(sessionObject(session.id));
    expect([await helpRows(session.id), await floorMessages(session.id)]).toEqual([3, 1]);
  });

  it('a message never delivered: the session object records the cut and the floor message from its alarm a minute later, once; a late copy changes nothing', async () => {
    const { session, friends } = await sessionWithFriends({ helpers: 2, friends: 2 });
    const { sent, call } = heldApp();
    const before = Date.now();
    for (const f of friends) expect(await code(await help(f, session.id, call))).toBe('ok');
    const alarmAt = await runInDurableObject(sessionObject(session.id), (_instance, state) => state.storage.getAlarm());
    expect(alarmAt).toBeGreaterThanOrEqual(before + 60_000);
    expect(alarmAt).toBeLessThan(Date.parse(session.expires_at)); // not the expiry: the record check

    expect(await runDurableObjectAlarm(sessionObject(session.id))).toBe(true);
    expect([await helpRows(session.id), await floorMessages(session.id)]).toEqual([2, 1]);
    // Recorded: the next alarm is the session's expiry again.
    expect(await runInDurableObject(sessionObject(session.id), (_instance, state) => state.storage.getAlarm())).toBe(Date.parse(session.expires_at));
    await runDurableObjectAlarm(sessionObject(session.id));
    await deliverWork(sent);
    expect([await helpRows(session.id), await floorMessages(session.id)]).toEqual([2, 1]);
  });

  it('300 friends help a 20-helper session at once: exactly 20 cuts, 20 rows, one floor message; refused friends hold no ticket', async () => {
    const { campaign, session, friends } = await sessionWithFriends({ helpers: 20, friends: 300 });
    const { sent, call } = heldApp();
    const answers = await Promise.all(friends.map(async (f) => ({ friend: f, code: await code(await help(f, session.id, call)) })));
    expect(tally(answers.map((a) => a.code))).toEqual({ ok: 20, floor_reached: 280 });
    const queued = helpMessages(sent);
    expect(queued).toHaveLength(20);
    expect(queued.filter((m) => m.help.floorReached)).toHaveLength(1);
    for (let i = 0; i < sent.length; i += 100) expect((await deliverWork(sent.slice(i, i + 100))).retryMessages).toEqual([]);
    expect([await helpRows(session.id), await floorMessages(session.id)]).toEqual([20, 1]);
    const held = await Promise.all(answers.map(async (a) => ({ ...a, tickets: await heldHelpTickets(campaign.id, a.friend.id, [session.id]) })));
    expect(held.filter((h) => h.tickets.length > 0).map((h) => h.code)).toEqual(Array(20).fill('ok'));
    expect((await sessionObject(session.id).state())!.helps.map((h) => h.helperId).sort()).toEqual(
      held
        .filter((h) => h.code === 'ok')
        .map((h) => h.friend.id)
        .sort(),
    );
  }, 120_000);

  it('one helper sending 200 helps at once to 25 sessions (8 each) gets exactly helps_per_day cuts', async () => {
    const { campaign } = await bargainCampaign({ helpsPerDay: 3, helpers: 10 });
    const owners = await bargainShoppers(25);
    const [helper] = await bargainShoppers(1);
    const sessions = await Promise.all(owners.map((o) => launched(o, campaign.id)));
    const { sent, call } = heldApp();
    const tries = sessions.flatMap((s) => Array.from({ length: 8 }, () => s.id));
    const codes = await Promise.all(tries.map(async (id) => code(await help(helper!, id, call))));
    const counts = tally(codes);
    expect(counts.ok).toBe(3);
    expect(Object.keys(counts).sort()).toEqual(expect.arrayContaining(['daily_help_limit', 'ok']));
    expect((counts.already_helped ?? 0) + counts.daily_help_limit! + 3).toBe(200);
    const states = await Promise.all(sessions.map((s) => sessionObject(s.id).state()));
    const helped = states.filter((s) => s!.helps.length > 0).map((s) => s!.sessionId);
    expect(helped).toHaveLength(3);
    expect(
      (
        await heldHelpTickets(
          campaign.id,
          helper!.id,
          sessions.map((s) => s.id),
        )
      ).sort(),
    ).toEqual(helped.sort());
    await deliverWork(sent);
    const rows = await env.DB.prepare('SELECT session_id FROM bargain_helps WHERE helper_id = ? ORDER BY session_id').bind(helper!.id).all<{ session_id: string }>();
    expect(rows.results.map((r) => r.session_id)).toEqual(helped.sort());
  }, 120_000);

  it('the shop-day turns at midnight in Asia/Shanghai: 23:59:59 is the old day, 00:00:00 the new one', async () => {
    // Tomorrow's midnight in the shop's time zone (UTC+8, no daylight saving).
    const today = shopDay(Date.now(), 'Asia/Shanghai');
    const midnight = Date.parse(`${today}T00:00:00+08:00`) + 86_400_000;
    const clock = new ManualClock(midnight - 10 * 60_000);
    const { sent, call } = heldApp(clock);
    const { campaign } = await bargainCampaign({ helpsPerDay: 1 }); // live from now for a week
    // Tokens issued on the test's clock (they last an hour: the whole test).
    const onClock = async (shoppers: Shopper[]) => Promise.all(shoppers.map(async (s) => ({ ...s, token: await tokenAt(s.id, clock.now()) })));
    const [a, b, c] = await Promise.all((await onClock(await bargainShoppers(3))).map((o) => launched(o, campaign.id, call)));
    const [helper] = await onClock(await bargainShoppers(1));
    const helpAt = (sessionId: string) => help(helper!, sessionId, call).then(code);

    clock.advance(10 * 60_000 - 1_000); // 23:59:59.000
    expect(await helpAt(a!.id)).toBe('ok');
    expect(await helpAt(b!.id)).toBe('daily_help_limit');
    clock.advance(999); // 23:59:59.999
    expect(await helpAt(b!.id)).toBe('daily_help_limit');
    clock.advance(1); // 00:00:00.000
    expect(await helpAt(b!.id)).toBe('ok');
    expect(await helpAt(c!.id)).toBe('daily_help_limit');
    await deliverWork(sent);
    const rows = await env.DB.prepare('SELECT session_id, day FROM bargain_helps WHERE helper_id = ?').bind(helper!.id).all<{ session_id: string; day: string }>();
    expect(Object.fromEntries(rows.results.map((r) => [r.session_id, r.day]))).toEqual({ [a!.id]: today, [b!.id]: shopDay(midnight, 'Asia/Shanghai') });
  });

  it("a row D1's daily-limit trigger refuses is acknowledged, not retried for ever, and reconciliation reports its cut", async () => {
    const { campaign } = await bargainCampaign({ helpsPerDay: 1 });
    const owners = await bargainShoppers(2);
    const [planted, helped] = await Promise.all(owners.map((o) => launched(o, campaign.id)));
    const [helper] = await bargainShoppers(1);
    const { sent, call } = heldApp();
    expect(await code(await help(helper!, helped!.id, call))).toBe('ok');
    // D1 already counts a help of the day for this helper that the helper's object never ticketed.
    await env.DB.prepare('INSERT INTO bargain_helps (session_id, helper_id, campaign_id, day, created_at) VALUES (?, ?, ?, ?, ?)')
      .bind(planted!.id, helper!.id, campaign.id, shopDay(Date.now(), 'Asia/Shanghai'), Date.now())
      .run();
    const result = await deliverWork(sent);
    expect([result.explicitAcks.length, result.retryMessages.length]).toEqual([1, 0]);
    expect(await helpRows(helped!.id)).toBe(0);

    const later = clockedCaller(new ManualClock(Date.now() + 3 * 60_000));
    const report = (await (await later('GET', `/admin/api/bargains/${campaign.id}/reconciliation`, await merchantToken())).json()) as { drifts: { kind: string; session_id: string }[] };
    expect(report.drifts.map((d) => [d.kind, d.session_id]).sort()).toEqual(
      [
        ['cut_not_recorded', helped!.id],
        ['row_without_cut', planted!.id],
      ].sort(),
    );
  });
});
