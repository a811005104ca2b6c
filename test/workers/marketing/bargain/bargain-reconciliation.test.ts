// Reconciliation of bargain sessions: each session object's cuts and bought state against the
// helpers' tickets (their ShopperTickets objects) and D1's help rows and orders. Clean after real
// traffic once the queue has written the rows; drift planted in D1 and in the objects is reported by kind.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/lib/clock';
import { bargainCampaign, bargainShoppers, buy, clockedCaller, help, helpTicketsObject, launched, merchantToken, untilHelpRows } from '../../../fixtures/bargain';
import { api, json, tokenFor } from '../../../fixtures/helpers';

describe('bargain reconciliation', () => {
  it('is clean after helps and a buy, pages through sessions, and reports planted drift', async () => {
    const { campaign } = await bargainCampaign({ launches: 3, helpers: 3, start: 1_000, floor: 100 });
    const [owner, ...friends] = await bargainShoppers(5);
    const sessions = [];
    for (let i = 0; i < 3; i++) sessions.push(await launched(owner!, campaign.id));
    for (const f of friends.slice(0, 3)) expect((await help(f, sessions[0]!.id)).status).toBe(201);
    expect((await help(friends[3]!, sessions[0]!.id)).status).toBe(422); // floor_reached: its ticket is given back
    expect((await buy(owner!, sessions[0]!.id)).status).toBe(201);
    await untilHelpRows(sessions[0]!.id, 3);
    const token = await merchantToken();
    const path = `/admin/api/bargains/${campaign.id}/reconciliation`;
    expect(await json(api('GET', path, { token }))).toEqual({ ok: true, sessions_checked: 3, drifts: [], next_cursor: null });
    const first = await json(api('GET', `${path}?limit=2`, { token }));
    expect(first).toMatchObject({ ok: true, sessions_checked: 2 });
    expect(await json(api('GET', `${path}?limit=2&cursor=${first.next_cursor}`, { token }))).toMatchObject({ ok: true, sessions_checked: 1, next_cursor: null });

    // A D1 row whose cut never happened, a cut whose ticket is gone, a cut D1 never got, and an
    // order the object was never told about.
    await env.DB.prepare("INSERT INTO bargain_helps (session_id, helper_id, campaign_id, day, created_at) VALUES (?, ?, ?, '2026-01-01', 0)").bind(sessions[1]!.id, friends[0]!.id, campaign.id).run();
    await helpTicketsObject(campaign.id, friends[1]!.id).returnTicket({ sessionId: sessions[0]!.id, helperId: friends[1]!.id });
    await env.DB.prepare('DELETE FROM bargain_helps WHERE session_id = ? AND helper_id = ?').bind(sessions[0]!.id, friends[2]!.id).run();
    await env.DB.prepare(
      "INSERT INTO orders (id, order_no, user_id, status, items_total_fen, shipping_fee_fen, payable_fen, address, payment_deadline, source, source_ref, created_at, updated_at) VALUES ('ord_planted', 'PLANTED1', ?, 'pending_payment', 1, 0, 1, '{}', 0, 'bargain', ?, 1, 1)",
    )
      .bind(owner!.id, sessions[2]!.id)
      .run();
    const kinds = async (res: Response) => ((await res.json()) as { drifts: { kind: string; session_id: string }[] }).drifts.map((d) => [d.kind, d.session_id]).sort();
    // The missing row is not drift yet: within two minutes of its cut, the queue or the alarm may still write it.
    const expected = [
      ['order_not_marked', sessions[2]!.id],
      ['row_without_cut', sessions[1]!.id],
      ['cut_without_ticket', sessions[0]!.id],
    ];
    expect(await kinds(await api('GET', path, { token }))).toEqual(expected.sort());
    const later = clockedCaller(new ManualClock(Date.now() + 3 * 60_000));
    expect(await kinds(await later('GET', path, token))).toEqual([...expected, ['cut_not_recorded', sessions[0]!.id]].sort());
  });

  it('is for staff only, validates its query and knows only real campaigns', async () => {
    const { campaign } = await bargainCampaign();
    const [shopper] = await bargainShoppers(1);
    const path = `/admin/api/bargains/${campaign.id}/reconciliation`;
    expect((await api('GET', path, { token: shopper!.token })).status).toBe(401);
    expect((await api('GET', path, { token: (await tokenFor('viewer')).token })).status).toBe(200);
    const token = await merchantToken();
    expect((await api('GET', `${path}?limit=101`, { token })).status).toBe(400);
    expect((await api('GET', `${path}?cursor=nope`, { token })).status).toBe(400);
    expect((await api('GET', '/admin/api/bargains/bgn_doesnotexist/reconciliation', { token })).status).toBe(404);
  });
});
