// Bargain sessions over HTTP against real D1 and real BargainSession objects: helping to the
// floor under burst load, the limits that span sessions, buying once, expiry by alarm, and
// resetting the objects mid-session.
import { abortAllDurableObjects, env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { boostCut, helpTicketsObjectName, planCuts, shopDay } from '../../../../src/domain/bargain';
import { ManualClock } from '../../../../src/lib/clock';
import { runScheduledWork } from '../../../../src/services/scheduled';
import {
  bargainCampaign,
  bargainShoppers,
  buy,
  clockedCaller,
  help,
  heldHelpTickets,
  helpRows,
  launch,
  launched,
  sessionObject,
  tokenAt,
  untilHelpRows,
  type SessionView,
} from '../../../fixtures/bargain';
import { api, json, newIdempotencyKey } from '../../../fixtures/helpers';
import { countedEnv } from '../../../fixtures/counted-bindings';
import { helpRefusalInMemory } from '../../../../src/marketing/bargain/sessions';

const MINUTE = 60_000;

type HelpAnswer = { status: number; body: { cut_fen?: number; session?: SessionView; error?: { code: string } } };
const answer = async (res: Response | Promise<Response>): Promise<HelpAnswer> => {
  const r = await res;
  return { status: r.status, body: (await r.json()) as HelpAnswer['body'] };
};
const codes = (answers: HelpAnswer[]) =>
  answers.reduce<Record<string, number>>((acc, a) => {
    const key = a.status === 201 ? 'ok' : a.body.error!.code;
    acc[key] = (acc[key] ?? 0) + 1;
    return acc;
  }, {});
const sessionRow = (id: string) => env.DB.prepare('SELECT * FROM bargain_sessions WHERE id = ?').bind(id).first<{ seed: string; expires_at: number }>();

describe('helping a session', () => {
  it('100 friends help a 10-helper session at once: exactly 10 cuts, the price ends on the floor, every other help refused', async () => {
    const { campaign } = await bargainCampaign({ start: 9_900, floor: 100, helpers: 10 });
    const [owner] = await bargainShoppers(1, { nickname: '张三丰' });
    const session = await launched(owner!, campaign.id);
    expect(session).toMatchObject({ status: 'open', current_price_fen: 9_900, cut_total_fen: 0, is_owner: true, can_help: false, can_buy: false, helps: [], owner: { name: '张**' } });

    const friends = await bargainShoppers(100);
    const answers = await Promise.all(friends.map((f) => answer(help(f, session.id))));
    expect(codes(answers)).toEqual({ ok: 10, floor_reached: 90 });
    expect(answers.filter((a) => a.status !== 201).every((a) => a.status === 422)).toBe(true);

    const cuts = answers.filter((a) => a.status === 201).map((a) => a.body.cut_fen!);
    expect(cuts.reduce((a, b) => a + b, 0)).toBe(9_800);
    // The cuts are the stored seed's plan, fen for fen.
    const plan = planCuts((await sessionRow(session.id))!.seed, 9_800, 10);
    expect([...cuts].sort((a, b) => b - a)).toEqual(plan);

    const view = await json<SessionView>(api('GET', `/bargains/sessions/${session.id}`, { token: owner!.token }));
    expect(view).toMatchObject({ status: 'floor_reached', current_price_fen: 100, cut_total_fen: 9_800, can_buy: true, can_help: false });
    expect(view.helps).toHaveLength(10);
    expect(view.helps.map((h) => h.cut_fen)).toEqual(plan);
    expect(view.helps.every((h) => h.name === '砍***' && h.avatar_url?.startsWith('https://'))).toBe(true);
    expect(JSON.stringify(view)).not.toContain('usr_'); // no shopper ids in the view
    // D1 gets a row for each cut, off the reply path; refused helpers gave their tickets back.
    await untilHelpRows(session.id, 10);
    const held = await Promise.all(friends.map((f) => heldHelpTickets(campaign.id, f.id, [session.id])));
    expect(held.filter((h) => h.length > 0)).toHaveLength(10);
    const state = await sessionObject(session.id).state();
    expect(state!.helps).toHaveLength(10);
  }, 120_000);

  it('the same helper hammering one session with 200 requests at once counts once', async () => {
    const { campaign } = await bargainCampaign({ helpers: 10 });
    const [owner, friend] = await bargainShoppers(2);
    const session = await launched(owner!, campaign.id);
    const answers = await Promise.all(Array.from({ length: 200 }, () => answer(help(friend!, session.id))));
    expect(codes(answers)).toEqual({ ok: 1, already_helped: 199 });
    expect(answers.filter((a) => a.status !== 201).every((a) => a.status === 409)).toBe(true);
    await untilHelpRows(session.id, 1);
    const state = await sessionObject(session.id).state();
    expect(state!.helps.map((h) => h.helperId)).toEqual([friend!.id]);
    const view = await json<SessionView>(api('GET', `/bargains/sessions/${session.id}`, { token: friend!.token }));
    expect(view).toMatchObject({ is_owner: false, helped_by_me: true, can_help: false, status: 'open' });
  }, 60_000);

  it('once a session is at its floor, later friends and repeat helpers are refused from memory: no D1 query, no object call, no ticket', async () => {
    const { campaign } = await bargainCampaign({ start: 9_900, floor: 100, helpers: 3 });
    const [owner] = await bargainShoppers(1);
    const session = await launched(owner!, campaign.id);
    const counting = countedEnv('BARGAIN_SESSION', 'BARGAIN_HELP_TICKETS');
    const call = clockedCaller(new ManualClock(Date.now()), counting.env);
    const [first, second, third, fourth, ...crowd] = await bargainShoppers(34);
    expect(codes(await Promise.all([first, second, third].map((f) => answer(help(f!, session.id, call)))))).toEqual({ ok: 3 });
    // The first friend too many asks the object, which says "floor reached" and names the helpers.
    expect(codes([await answer(help(fourth!, session.id, call))])).toEqual({ floor_reached: 1 });
    expect(helpRefusalInMemory(session.id, crowd[0]!.id, Date.now())).toBe('floor_reached');
    expect(helpRefusalInMemory(session.id, first!.id, Date.now())).toBe('already_helped');

    const [queriesBefore, callsBefore] = [counting.d1Queries(), counting.objectCalls()];
    expect(codes(await Promise.all(crowd.map((f) => answer(help(f, session.id, call)))))).toEqual({ floor_reached: 30 });
    expect(codes(await Promise.all([first, second, third].map((f) => answer(help(f!, session.id, call)))))).toEqual({ already_helped: 3 });
    expect([counting.d1Queries(), counting.objectCalls()]).toEqual([queriesBefore, callsBefore]);
    await untilHelpRows(session.id, 3);
    expect(await Promise.all(crowd.map((f) => heldHelpTickets(campaign.id, f.id, [session.id])))).toEqual(crowd.map(() => []));
  });

  it('helpers over the daily limit are refused across sessions, under concurrency; the next shop-day they may help again', async () => {
    const clock = new ManualClock(Date.now());
    const call = clockedCaller(clock);
    const { campaign } = await bargainCampaign({ helpsPerDay: 3, launches: 1, helpers: 25, sessionMinutes: 3 * 24 * 60, startsAt: clock.now() });
    const owners = await bargainShoppers(10);
    const helpers = await bargainShoppers(20);
    const sessions = await Promise.all(owners.map((o) => launched(o, campaign.id, call)));
    // 200 at once: every helper tries every session.
    const tries = helpers.flatMap((h) => sessions.map((s) => ({ helper: h, session: s })));
    const answers = await Promise.all(tries.map(async (t) => ({ ...t, ...(await answer(help(t.helper, t.session.id, call))) })));
    expect(codes(answers)).toEqual({ ok: 60, daily_help_limit: 140 });
    expect(answers.filter((a) => a.status !== 201).every((a) => a.status === 422)).toBe(true);
    // 20 helpers over the campaign's 32 ticket shards: some share one, and each still has their own limit.
    expect(new Set(helpers.map((h) => helpTicketsObjectName(campaign.id, h.id))).size).toBeLessThan(helpers.length);
    for (const h of helpers) expect(answers.filter((a) => a.helper === h && a.status === 201)).toHaveLength(3);
    const states = await Promise.all(sessions.map((s) => sessionObject(s.id).state()));
    expect(states.reduce((n, s) => n + s!.helps.length, 0)).toBe(60);
    for (const s of states) await untilHelpRows(s!.sessionId, s!.helps.length);
    const rows = await env.DB.prepare('SELECT helper_id, count(*) AS n FROM bargain_helps WHERE campaign_id = ? GROUP BY helper_id').bind(campaign.id).all<{ n: number }>();
    expect(rows.results.map((r) => r.n)).toEqual(Array(20).fill(3));

    // Still the same day: refused. After the shop's midnight: allowed again.
    const [helper] = helpers;
    const refused = answers.find((a) => a.helper === helper && a.status === 422)!;
    expect((await answer(help(helper!, refused.session.id, call))).body.error!.code).toBe('daily_help_limit');
    clock.advance(24 * 60 * MINUTE); // (the day boundary itself is shopDay's, tested in bargain-plan.test.ts)
    const tomorrow = { ...helper!, token: await tokenAt(helper!.id, clock.now()) };
    expect((await help(tomorrow, refused.session.id, call)).status).toBe(201);
  }, 120_000);

  it("the day's help rows in D1 count against the limit (helps counted before the campaign's ticket shards existed); another day's do not", async () => {
    const { campaign } = await bargainCampaign({ helpsPerDay: 3, launches: 1, helpers: 10 });
    const owners = await bargainShoppers(7);
    const [helper, other] = await bargainShoppers(2);
    const sessions = await Promise.all(owners.map((o) => launched(o, campaign.id)));
    // Recorded in D1 only, as the per-helper objects before the shards counted them: two helps
    // today, one yesterday, and another helper's today; the helper then tries four other sessions at once.
    const now = Date.now();
    const [today, yesterday] = [shopDay(now, 'Asia/Shanghai'), shopDay(now - 24 * 60 * MINUTE, 'Asia/Shanghai')];
    const row = (sessionId: string, helperId: string, day: string) =>
      env.DB.prepare('INSERT INTO bargain_helps (session_id, helper_id, campaign_id, day, created_at) VALUES (?, ?, ?, ?, ?)').bind(sessionId, helperId, campaign.id, day, now);
    await env.DB.batch([row(sessions[0]!.id, helper!.id, today), row(sessions[1]!.id, helper!.id, today), row(sessions[2]!.id, helper!.id, yesterday), row(sessions[2]!.id, other!.id, today)]);
    const answers = await Promise.all(sessions.slice(3).map((s) => answer(help(helper!, s.id))));
    expect(codes(answers)).toEqual({ ok: 1, daily_help_limit: 3 });
    expect(
      (
        await heldHelpTickets(
          campaign.id,
          helper!.id,
          sessions.map((s) => s.id),
        )
      ).length,
    ).toBe(3);
  });

  it('the owner cannot help their own session; nothing is written', async () => {
    const { campaign } = await bargainCampaign();
    const [owner] = await bargainShoppers(1);
    const session = await launched(owner!, campaign.id);
    const res = await answer(help(owner!, session.id));
    expect(res).toMatchObject({ status: 422, body: { error: { code: 'own_session' } } });
    expect(await helpRows(session.id)).toBe(0);
    expect(await heldHelpTickets(campaign.id, owner!.id, [session.id])).toEqual([]);
  });

  it('a helper new to the shop cuts bigger (the bonus comes out of later cuts); the floor is still exact', async () => {
    const { campaign } = await bargainCampaign({ start: 10_100, floor: 100, helpers: 5, bonusPct: 100 });
    const [owner] = await bargainShoppers(1);
    const [newcomer] = await bargainShoppers(1, { newToShop: true });
    const regulars = await bargainShoppers(6);
    const session = await launched(owner!, campaign.id);
    const plan = planCuts((await sessionRow(session.id))!.seed, 10_000, 5);

    const first = await answer(help(newcomer!, session.id));
    const boosted = boostCut(plan, 0, 100);
    expect(first.body.cut_fen).toBe(boosted[0]);
    expect(boosted[0]).toBeGreaterThan(plan[0]!);
    const rest = [];
    for (const r of regulars) rest.push(await answer(help(r, session.id)));
    expect(rest.slice(0, 4).map((a) => a.body.cut_fen)).toEqual(boosted.slice(1));
    expect(rest[4]!.body.error!.code).toBe('floor_reached');
    expect(rest[3]!.body.session).toMatchObject({ current_price_fen: 100, status: 'floor_reached' });

    // A shopper who has paid an order is not new, however young the account.
    const [young] = await bargainShoppers(1, { newToShop: true });
    await env.DB.prepare(
      "INSERT INTO orders (id, order_no, user_id, status, items_total_fen, shipping_fee_fen, payable_fen, address, payment_deadline, paid_at, created_at, updated_at) VALUES (?, ?, ?, 'paid', 100, 0, 100, '{}', 0, 1, 1, 1)",
    )
      .bind(`ord_paid${young!.id.slice(4)}`, `N${young!.id.slice(4)}`, young!.id)
      .run();
    const other = await launched(owner!, (await bargainCampaign({ start: 10_100, floor: 100, helpers: 5, bonusPct: 100 })).campaign.id);
    const otherPlan = planCuts((await sessionRow(other.id))!.seed, 10_000, 5);
    expect((await answer(help(young!, other.id))).body.cut_fen).toBe(otherPlan[0]);
  }, 60_000);

  it('resetting the object mid-session loses no cut', async () => {
    const { campaign } = await bargainCampaign({ helpers: 10, start: 5_000, floor: 1_000 });
    const [owner] = await bargainShoppers(1);
    const session = await launched(owner!, campaign.id);
    const friends = await bargainShoppers(30);
    expect(codes(await Promise.all(friends.slice(0, 6).map((f) => answer(help(f, session.id)))))).toEqual({ ok: 6 });
    const before = await sessionObject(session.id).state();
    await abortAllDurableObjects();
    const after = await sessionObject(session.id).state();
    expect(after!.helps).toEqual(before!.helps);
    // The earlier helpers are still known (refused), and the rest of the plan goes on to the floor.
    expect(codes(await Promise.all(friends.slice(0, 6).map((f) => answer(help(f, session.id)))))).toEqual({ already_helped: 6 });
    expect(codes(await Promise.all(friends.slice(6).map((f) => answer(help(f, session.id)))))).toEqual({ ok: 4, floor_reached: 20 });
    const final = await sessionObject(session.id).state();
    expect(final).toMatchObject({ currentPriceFen: 1_000, cutTotalFen: 4_000 });
    expect(final!.helps.map((h) => h.cutFen)).toEqual(planCuts((await sessionRow(session.id))!.seed, 4_000, 10));
  }, 60_000);
});

describe('launching', () => {
  it('launch limits hold under concurrency; the same Idempotency-Key gives the same session', async () => {
    const { campaign } = await bargainCampaign({ launches: 2 });
    const [owner] = await bargainShoppers(1);
    const statuses = await Promise.all(Array.from({ length: 200 }, () => launch(owner!, campaign.id).then(answer)));
    expect(codes(statuses)).toEqual({ ok: 2, launch_limit: 198 });
    const rows = await env.DB.prepare('SELECT count(*) AS n FROM bargain_sessions WHERE owner_id = ?').bind(owner!.id).first<{ n: number }>();
    expect(rows!.n).toBe(2);

    const [other] = await bargainShoppers(1);
    const key = newIdempotencyKey();
    const same = await Promise.all(Array.from({ length: 10 }, () => launch(other!, campaign.id, undefined, key).then(answer)));
    expect(same.every((a) => a.status === 201)).toBe(true);
    expect(new Set(same.map((a) => a.body.session!.id)).size).toBe(1);
    // The same key for another campaign is a different request.
    const { campaign: second } = await bargainCampaign();
    expect(await answer(launch(other!, second.id, undefined, key))).toMatchObject({ status: 422, body: { error: { code: 'idempotency_key_reused' } } });
  }, 180_000);

  it("lists the signed-in shopper's own sessions only, newest first, with cursor pages", async () => {
    const { campaign } = await bargainCampaign({ launches: 3 });
    const [owner, stranger] = await bargainShoppers(2);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await launched(owner!, campaign.id)).id);
    const first = await json<{ items: SessionView[]; next_cursor: string | null }>(api('GET', '/bargains/sessions?limit=2', { token: owner!.token }));
    expect(first.items).toHaveLength(2);
    const second = await json<{ items: SessionView[]; next_cursor: string | null }>(api('GET', `/bargains/sessions?limit=2&cursor=${first.next_cursor}`, { token: owner!.token }));
    expect([...first.items, ...second.items].map((s) => s.id).sort()).toEqual([...ids].sort());
    expect(second.next_cursor).toBeNull();
    expect((await json(api('GET', '/bargains/sessions', { token: stranger!.token }))).items).toEqual([]);
    // Anyone signed in with the link sees the session (not as owner); nobody signed out does.
    expect(await json(api('GET', `/bargains/sessions/${ids[0]}`, { token: stranger!.token }))).toMatchObject({ is_owner: false, can_help: true, can_buy: false });
    expect((await api('GET', `/bargains/sessions/${ids[0]}`)).status).toBe(401);
    expect((await api('GET', '/bargains/sessions/bgs_doesnotexist', { token: stranger!.token })).status).toBe(404);
  }, 60_000);
});

describe('buying', () => {
  it('100 concurrent buys create one order at the floor price; the session closes', async () => {
    const { campaign, skuId } = await bargainCampaign({ start: 3_000, floor: 990, helpers: 3, stock: 5 });
    const [owner, ...friends] = await bargainShoppers(4);
    const session = await launched(owner!, campaign.id);
    for (const f of friends) expect((await help(f, session.id)).status).toBe(201);

    const answers = await Promise.all(
      Array.from({ length: 100 }, () =>
        buy(owner!, session.id).then(async (r) => ({ status: r.status, body: (await r.json()) as { order: { id: string; payable_fen: number; items: { unit_price_fen: number }[] } } })),
      ),
    );
    expect(answers.every((a) => a.status === 201)).toBe(true);
    expect(new Set(answers.map((a) => a.body.order.id)).size).toBe(1);
    const orders = await env.DB.prepare("SELECT id, status, source_ref FROM orders WHERE source = 'bargain' AND source_ref = ?").bind(session.id).all();
    expect(orders.results).toHaveLength(1);
    expect(answers[0]!.body.order.items[0]!.unit_price_fen).toBe(990);
    const stock = await env.DB.prepare('SELECT stock FROM skus WHERE id = ?').bind(skuId).first<{ stock: number }>();
    expect(stock!.stock).toBe(4); // one unit, once

    const view = await json<SessionView>(api('GET', `/bargains/sessions/${session.id}`, { token: owner!.token }));
    expect(view).toMatchObject({ status: 'bought', order_id: answers[0]!.body.order.id, can_buy: false });
    const [late] = await bargainShoppers(1);
    expect(await answer(help(late!, session.id))).toMatchObject({ status: 409, body: { error: { code: 'session_closed' } } });
    // A retry with a new key is the same order; the order is paid the checkout's way.
    expect((await json(buy(owner!, session.id))).order.id).toBe(answers[0]!.body.order.id);
    expect((await api('POST', `/orders/${answers[0]!.body.order.id}/pay`, { token: owner!.token, body: {} })).status).toBe(200);
  }, 180_000);

  it('only at the floor when the campaign says so; at the current price when it allows buying early', async () => {
    const onlyFloor = await bargainCampaign({ start: 2_000, floor: 1_000, helpers: 4 });
    const early = await bargainCampaign({ start: 2_000, floor: 1_000, helpers: 4, buyBeforeFloor: true });
    const [owner, friend, stranger] = await bargainShoppers(3);
    const a = await launched(owner!, onlyFloor.campaign.id);
    const b = await launched(owner!, early.campaign.id);
    const cut = (await answer(help(friend!, b.id))).body.cut_fen!;
    expect((await answer(help(friend!, a.id))).status).toBe(201);
    expect(await answer(buy(owner!, a.id))).toMatchObject({ status: 422, body: { error: { code: 'floor_not_reached' } } });
    expect(await answer(buy(stranger!, b.id))).toMatchObject({ status: 403 });
    const bought = await json(buy(owner!, b.id));
    expect(bought.order.payable_fen).toBe(2_000 - cut + bought.order.shipping_fee_fen);
    expect(bought.order.items[0].unit_price_fen).toBe(2_000 - cut);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM orders WHERE source = 'bargain' AND source_ref = ?").bind(a.id).first('n')).toBe(0);
  }, 60_000);

  it('a buy that fails (no stock) writes nothing and leaves the session open to help and buy', async () => {
    const { campaign, skuId } = await bargainCampaign({ start: 2_000, floor: 1_000, helpers: 2, buyBeforeFloor: true, stock: 1 });
    const [owner, friend] = await bargainShoppers(2);
    const session = await launched(owner!, campaign.id);
    await env.DB.prepare('UPDATE skus SET stock = 0 WHERE id = ?').bind(skuId).run();
    expect(await answer(buy(owner!, session.id))).toMatchObject({ status: 422, body: { error: { code: 'insufficient_stock' } } });
    expect(await env.DB.prepare('SELECT count(*) AS n FROM orders WHERE source_ref = ?').bind(session.id).first('n')).toBe(0);
    expect((await help(friend!, session.id)).status).toBe(201);
    await env.DB.prepare('UPDATE skus SET stock = 1 WHERE id = ?').bind(skuId).run();
    expect((await buy(owner!, session.id)).status).toBe(201);
  }, 60_000);

  it('an unpaid bargain order expires the checkout way: the unit comes back, and the session stays closed with that order', async () => {
    const { campaign, skuId } = await bargainCampaign({ start: 2_000, floor: 1_000, helpers: 2, buyBeforeFloor: true, stock: 3 });
    const [owner] = await bargainShoppers(1);
    const session = await launched(owner!, campaign.id);
    const { order } = await json(buy(owner!, session.id));
    expect(await env.DB.prepare('SELECT stock FROM skus WHERE id = ?').bind(skuId).first('stock')).toBe(2);
    await runScheduledWork(env, new ManualClock(Date.now() + 24 * 60 * MINUTE));
    expect(await env.DB.prepare('SELECT status FROM orders WHERE id = ?').bind(order.id).first('status')).toBe('cancelled');
    expect(await env.DB.prepare('SELECT stock FROM skus WHERE id = ?').bind(skuId).first('stock')).toBe(3);
    // Not bought a second time: the session's one order is the cancelled one.
    const again = await json(buy(owner!, session.id));
    expect(again.order).toMatchObject({ id: order.id, status: 'cancelled' });
    expect(await json(api('GET', `/bargains/sessions/${session.id}`, { token: owner!.token }))).toMatchObject({ status: 'bought', order_id: order.id, can_buy: false });
  }, 60_000);
});

describe('expiry', () => {
  it('an alarm closes the session when time runs out; an expired session cannot be helped or bought', async () => {
    // Launched 20 minutes ago with 5 minutes to run: it has expired by now, on the object's real clock.
    const past = new ManualClock(Date.now() - 20 * MINUTE);
    const call = clockedCaller(past);
    const { campaign } = await bargainCampaign({ sessionMinutes: 5, buyBeforeFloor: true, startsAt: past.now() }, call);
    const [owner] = await bargainShoppers(1);
    const session = await launched(owner!, campaign.id, call);
    expect(session.expires_at).toBe(new Date(past.now() + 5 * MINUTE).toISOString());
    // The alarm may already have run by itself (it was due 15 minutes ago); running it again changes nothing.
    await runDurableObjectAlarm(sessionObject(session.id));
    expect(await sessionObject(session.id).state()).toMatchObject({ status: 'expired' });
    await runDurableObjectAlarm(sessionObject(session.id));
    expect(await sessionObject(session.id).state()).toMatchObject({ status: 'expired' });
    expect(await runInDurableObject(sessionObject(session.id), (_instance, state) => state.storage.getAlarm())).toBeNull();

    expect(await answer(buy(owner!, session.id))).toMatchObject({ status: 409, body: { error: { code: 'expired' } } });
    const [late] = await bargainShoppers(1);
    expect(await answer(help(late!, session.id))).toMatchObject({ status: 409, body: { error: { code: 'expired' } } });
    expect(await env.DB.prepare('SELECT count(*) AS n FROM bargain_helps WHERE helper_id = ?').bind(late!.id).first('n')).toBe(0);
    expect(await json(api('GET', `/bargains/sessions/${session.id}`, { token: owner!.token }))).toMatchObject({ status: 'expired', can_buy: false, can_help: false });
    expect(await env.DB.prepare('SELECT count(*) AS n FROM orders WHERE source_ref = ?').bind(session.id).first('n')).toBe(0);
  }, 60_000);

  it('a session that is still open is not closed early by its alarm', async () => {
    const { campaign } = await bargainCampaign({ sessionMinutes: 30 });
    const [owner] = await bargainShoppers(1);
    const session = await launched(owner!, campaign.id);
    await runDurableObjectAlarm(sessionObject(session.id));
    expect(await sessionObject(session.id).state()).toMatchObject({ status: 'open' });
  });
});

describe('a buy in flight when the session expires', () => {
  /** Replaces the object's real-time clock (its alarm's "now") for this instance. */
  const setObjectClock = (sessionId: string, clock: ManualClock) =>
    runInDurableObject(sessionObject(sessionId), (instance) => {
      (instance as unknown as { clock: ManualClock }).clock = clock;
    });

  it('the alarm waits for the order, then closes the session as bought if D1 has it, expired if not', async () => {
    const { campaign } = await bargainCampaign({ sessionMinutes: 30, buyBeforeFloor: true, launches: 2 });
    const [owner] = await bargainShoppers(1);
    const withOrder = await launched(owner!, campaign.id);
    const withoutOrder = await launched(owner!, campaign.id);
    // Each buy begins 10 s before its session expires.
    for (const s of [withOrder, withoutOrder])
      expect(await sessionObject(s.id).beginBuy({ ownerId: owner!.id, nowMs: Date.parse(s.expires_at) - 10_000 })).toMatchObject({ ok: true, priceFen: 9_900 });
    // While the price is locked, no cut can change it.
    const [friend] = await bargainShoppers(1);
    expect(await answer(help(friend!, withoutOrder.id))).toMatchObject({ status: 409, body: { error: { code: 'session_closed' } } });
    // The buy's order write was slow: the order lands in D1, but markBought never came.
    await env.DB.prepare(
      "INSERT INTO orders (id, order_no, user_id, status, items_total_fen, shipping_fee_fen, payable_fen, address, payment_deadline, source, source_ref, created_at, updated_at) VALUES ('ord_slowwrite', 'SLOW0001', ?, 'pending_payment', 9900, 0, 9900, '{}', 0, 'bargain', ?, 1, 1)",
    )
      .bind(owner!.id, withOrder.id)
      .run();

    const expiry = Math.max(Date.parse(withOrder.expires_at), Date.parse(withoutOrder.expires_at));
    const clock = new ManualClock(expiry + 1_000); // expired, but the buys began less than a minute ago
    for (const s of [withOrder, withoutOrder]) await setObjectClock(s.id, clock);
    await runInDurableObject(sessionObject(withOrder.id), (instance) => (instance as unknown as { alarm(): Promise<void> }).alarm());
    await runInDurableObject(sessionObject(withoutOrder.id), (instance) => (instance as unknown as { alarm(): Promise<void> }).alarm());
    expect(await sessionObject(withOrder.id).state()).toMatchObject({ status: 'bought', orderId: 'ord_slowwrite' });
    expect(await sessionObject(withoutOrder.id).state()).toMatchObject({ status: 'buying' });

    clock.advance(60_000); // the grace for the order write is over
    await runInDurableObject(sessionObject(withoutOrder.id), (instance) => (instance as unknown as { alarm(): Promise<void> }).alarm());
    expect(await sessionObject(withoutOrder.id).state()).toMatchObject({ status: 'expired' });
    expect(await answer(buy(owner!, withoutOrder.id))).toMatchObject({ status: 409, body: { error: { code: 'expired' } } });
  });
});
