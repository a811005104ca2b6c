// The group-buy API around the rooms: campaigns in the admin (validation with field paths,
// roles, cancel), the public storefront reads, open rooms and invite codes, and every bad input
// answered with a clear 4xx that writes nothing.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { caller, createCampaign, joinRoom, openRoom, roomObject } from '../../../fixtures/group-buy';
import { api, createCategory, createProduct, json, manyShoppers, newIdempotencyKey, tokenFor } from '../../../fixtures/helpers';

let operator: string;
let viewer: string;
let categoryId: string;
const call = caller();

beforeAll(async () => {
  operator = (await tokenFor('operator')).token;
  viewer = (await tokenFor('viewer')).token;
  categoryId = await createCategory(operator, '拼团接口');
});

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

async function newSku(priceFen = 12_000) {
  const product = await createProduct(operator, categoryId, { specs: [], skus: [{ spec_values: [], price_fen: priceFen, original_price_fen: priceFen, stock: 50 }] });
  return product.skus[0].id as string;
}

const body = (skuId: string, overrides: Record<string, unknown> = {}) => ({
  title: '两人团',
  starts_at: iso(Date.now()),
  ends_at: iso(Date.now() + 48 * HOUR),
  skus: [{ sku_id: skuId, group_price_fen: 9900 }],
  group_size: 2,
  duration_minutes: 60,
  ...overrides,
});

const counts = async () => {
  const tables = ['group_buys', 'group_buy_skus', 'group_buy_rooms', 'group_buy_members', 'orders', 'payments'];
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = (await env.DB.prepare(`SELECT count(*) AS n FROM ${t}`).first<{ n: number }>())!.n;
  return out;
};

describe('campaigns in the admin', () => {
  it('creates plain and tiered campaigns and shows them on the storefront', async () => {
    const skuId = await newSku();
    const res = await api('POST', '/admin/api/group-buys', { token: operator, body: body(skuId, { leader_discount_fen: 500, simulate_share_percent: 50, full_room_policy: 'new_room' }) });
    expect(res.status).toBe(201);
    const plain = await json(res);
    expect(plain).toMatchObject({
      group_size: 2,
      max_size: 2,
      tiers: [],
      leader_discount_fen: 500,
      simulate_share_percent: 50,
      full_room_policy: 'new_room',
      status: 'scheduled',
      state: 'live',
      live: true,
    });
    expect(plain.skus).toEqual([{ sku_id: skuId, spec_text: '', price_fen: 12_000, group_price_fen: 9900 }]);

    const tieredSku = await newSku();
    const tiers = [
      { min_size: 2, price_fen: 9000 },
      { min_size: 5, price_fen: 8000 },
    ];
    const tiered = await json(api('POST', '/admin/api/group-buys', { token: operator, body: { ...body(tieredSku, { skus: [{ sku_id: tieredSku }], tiers, max_size: 8 }), group_size: undefined } }));
    expect(tiered).toMatchObject({ group_size: 2, max_size: 8, tiers, skus: [{ group_price_fen: 9000 }] });

    const list = await json(api('GET', '/group-buys'));
    expect(list.items.map((c: any) => c.id)).toEqual(expect.arrayContaining([plain.id, tiered.id]));
    expect(typeof list.server_time).toBe('string');
    const detail = await api('GET', `/group-buys/${tiered.id}`);
    expect(detail.headers.get('Cache-Control')).toContain('public');
    expect(await json(detail)).toMatchObject({ id: tiered.id, tiers, open_rooms: [] });
    expect((await json(api('GET', '/admin/api/group-buys', { token: viewer }))).items.length).toBeGreaterThanOrEqual(2);
  });

  it('names the field of every invalid body with a 400 and writes nothing', async () => {
    const skuId = await newSku();
    const before = await counts();
    const cases: [Record<string, unknown>, string][] = [
      [{ ...body(skuId), group_size: 1 }, 'body.group_size'],
      [{ ...body(skuId), group_size: undefined }, 'body.group_size'],
      [{ ...body(skuId), skus: [] }, 'body.skus'],
      [{ ...body(skuId), skus: [{ sku_id: skuId }] }, 'body.skus.0.group_price_fen'],
      [{ ...body(skuId), skus: [{ sku_id: skuId, group_price_fen: 1.5 }] }, 'body.skus.0.group_price_fen'],
      [{ ...body(skuId), skus: [{ sku_id: 'nope', group_price_fen: 100 }] }, 'body.skus.0.sku_id'],
      [{ ...body(skuId), duration_minutes: 0 }, 'body.duration_minutes'],
      [{ ...body(skuId), payment_window_minutes: 90 }, 'body.payment_window_minutes'],
      [{ ...body(skuId), ends_at: 'tomorrow' }, 'body.ends_at'],
      [{ ...body(skuId), ends_at: iso(Date.now() - HOUR) }, 'body.ends_at'],
      [{ ...body(skuId), max_size: 5 }, 'body.max_size'],
      [{ ...body(skuId), full_room_policy: 'maybe' }, 'body.full_room_policy'],
      [{ ...body(skuId), simulate_share_percent: 101 }, 'body.simulate_share_percent'],
      [{ ...body(skuId), extra: 1 }, 'body.extra'],
      [
        {
          ...body(skuId, { skus: [{ sku_id: skuId }] }),
          group_size: undefined,
          tiers: [
            { min_size: 3, price_fen: 9000 },
            { min_size: 2, price_fen: 9500 },
          ],
          max_size: 5,
        },
        'body.tiers.1.min_size',
      ],
      [
        {
          ...body(skuId, { skus: [{ sku_id: skuId }] }),
          group_size: undefined,
          tiers: [
            { min_size: 2, price_fen: 9000 },
            { min_size: 6, price_fen: 8000 },
          ],
          max_size: 5,
        },
        'body.tiers.1.min_size',
      ],
      [
        {
          ...body(skuId),
          tiers: [
            { min_size: 2, price_fen: 9000 },
            { min_size: 3, price_fen: 8000 },
          ],
        },
        'body.skus.0.group_price_fen',
      ],
    ];
    for (const [b, path] of cases) {
      const res = await api('POST', '/admin/api/group-buys', { token: operator, body: b });
      expect([res.status, path]).toEqual([400, path]);
      expect((await json(res)).error.details.map((d: any) => d.path)).toContain(path);
    }
    expect(await counts()).toEqual(before);
  });

  it('refuses group prices at or above the SKU price and SKUs of two products with a 422', async () => {
    const skuId = await newSku(9000);
    const other = await newSku();
    const before = await counts();
    const dear = await api('POST', '/admin/api/group-buys', { token: operator, body: body(skuId) });
    expect(dear.status).toBe(422);
    expect((await json(dear)).error.details[0].path).toBe('body.skus.0.group_price_fen');
    const mixed = await api('POST', '/admin/api/group-buys', {
      token: operator,
      body: body(other, {
        skus: [
          { sku_id: other, group_price_fen: 100 },
          { sku_id: await newSku(), group_price_fen: 100 },
        ],
      }),
    });
    expect(mixed.status).toBe(422);
    expect(await counts()).toEqual(before);
  });

  it('viewers read but cannot write (403), no token is a 401, unknown ids 404, bad ids 400', async () => {
    const skuId = await newSku();
    const before = await counts();
    expect((await api('POST', '/admin/api/group-buys', { token: viewer, body: body(skuId) })).status).toBe(403);
    expect((await api('POST', '/admin/api/group-buys', { body: body(skuId) })).status).toBe(401);
    expect(await counts()).toEqual(before);
    const { campaign } = await createCampaign(operator, categoryId);
    expect((await api('POST', `/admin/api/group-buys/${campaign.id}/cancel`, { token: viewer })).status).toBe(403);
    expect((await api('GET', `/admin/api/group-buys/${campaign.id}`, { token: viewer })).status).toBe(200);
    expect((await api('GET', '/admin/api/group-buys/gbc_doesnotexist', { token: viewer })).status).toBe(404);
    expect((await api('GET', '/admin/api/group-buys/bad-id', { token: viewer })).status).toBe(400);
    expect((await api('GET', '/admin/api/group-buys?status=open', { token: viewer })).status).toBe(400);
  });

  it('cancel stops new rooms and joins; a second cancel is a 409', async () => {
    const { campaign, skuId } = await createCampaign(operator, categoryId);
    const [leader, joiner] = await manyShoppers(2);
    const roomId = (await openRoom(call, leader!.token, campaign.id, skuId)).body.room.id;
    expect((await api('POST', `/admin/api/group-buys/${campaign.id}/cancel`, { token: operator })).status).toBe(200);
    expect((await api('POST', `/admin/api/group-buys/${campaign.id}/cancel`, { token: operator })).status).toBe(409);
    const join = await joinRoom(call, joiner!.token, roomId, skuId);
    expect([join.status, join.body.error.code]).toEqual([422, 'group_buy_not_live']);
    expect((await api('GET', `/group-buys/${campaign.id}`)).status).toBe(404);
  });
});

describe('rooms for shoppers', () => {
  it('lists open rooms with masked leaders, finds a room by invite code, lists my rooms', async () => {
    const { campaign, skuId } = await createCampaign(operator, categoryId, { groupSize: 3 });
    const [leader, other] = await manyShoppers(2);
    await env.DB.prepare("UPDATE users SET nickname = '李小龙' WHERE id = ?").bind(leader!.id).run();
    const opened = await openRoom(call, leader!.token, campaign.id, skuId);
    const rooms = await json(api('GET', `/group-buys/${campaign.id}/rooms`));
    expect(rooms.items).toEqual([{ id: opened.body.room.id, leader: { name: '李**', avatar_url: null }, seats_left: 2, expires_at: opened.body.room.expires_at, server_time: expect.any(String) }]);
    const byCode = await json(call('GET', `/group-buys/rooms?invite_code=${opened.body.room.invite_code}`, { token: other!.token }));
    expect(byCode.items[0].id).toBe(opened.body.room.id);
    expect((await json(call('GET', '/group-buys/rooms?mine=1', { token: other!.token }))).items).toEqual([]);
    expect((await json(call('GET', '/group-buys/rooms?mine=1', { token: leader!.token }))).items.map((r: any) => r.id)).toEqual([opened.body.room.id]);
  });

  it('bad input: a clear 4xx with the field, and no seat, order or member written', async () => {
    const { campaign, skuId } = await createCampaign(operator, categoryId, { groupSize: 3 });
    const [leader, shopper] = await manyShoppers(2);
    const noAddress = (await manyShoppers(1))[0]!;
    await env.DB.prepare('DELETE FROM addresses WHERE user_id = ?').bind(noAddress.id).run();
    const roomId = (await openRoom(call, leader!.token, campaign.id, skuId)).body.room.id as string;
    const otherSku = await newSku();
    const before = await counts();
    const key = () => ({ 'Idempotency-Key': newIdempotencyKey() });
    const post = (path: string, b: unknown, token: string | undefined = shopper!.token, headers: Record<string, string> = key()) => call('POST', path, { token, body: b, headers });
    const cases: [Promise<Response>, number, string?][] = [
      [post(`/group-buys/rooms/${roomId}/join`, {}), 400, 'body.sku_id'],
      [post(`/group-buys/rooms/${roomId}/join`, { sku_id: 'abc' }), 400, 'body.sku_id'],
      [post(`/group-buys/rooms/${roomId}/join`, { sku_id: skuId, address_id: 7 }), 400, 'body.address_id'],
      [post(`/group-buys/rooms/${roomId}/join`, { sku_id: skuId, quantity: 2 }), 400, 'body.quantity'],
      [post(`/group-buys/rooms/${roomId}/join`, { sku_id: skuId }, shopper!.token, {}), 400, 'header.idempotency-key'],
      [post(`/group-buys/rooms/${roomId}/join`, { sku_id: skuId }, ''), 401],
      [post(`/group-buys/rooms/not-a-room/join`, { sku_id: skuId }), 400, 'param.roomId'],
      [post(`/group-buys/rooms/grm_doesnotexist/join`, { sku_id: skuId }), 404],
      [post(`/group-buys/rooms/${roomId}/join`, { sku_id: otherSku }), 422, 'body.sku_id'],
      [post(`/group-buys/rooms/${roomId}/join`, { sku_id: skuId, address_id: 'adr_notmine' }), 404],
      [post(`/group-buys/rooms/${roomId}/join`, { sku_id: skuId }, noAddress.token), 422, 'body.address_id'],
      [post(`/group-buys/rooms/${roomId}/join`, { sku_id: skuId }, leader!.token), 422],
      [post(`/group-buys/gbc_doesnotexist/rooms`, { sku_id: skuId }), 404],
      [post(`/group-buys/bad/rooms`, { sku_id: skuId }), 400, 'param.campaignId'],
      [call('GET', '/group-buys/rooms', { token: shopper!.token }), 400, 'query'],
      [call('GET', '/group-buys/rooms?mine=2', { token: shopper!.token }), 400, 'query.mine'],
      [call('GET', '/group-buys/rooms?mine=1&invite_code=ABCDEFGH', { token: shopper!.token }), 400, 'query'],
      [call('GET', '/group-buys/rooms?invite_code=abc', { token: shopper!.token }), 400, 'query.invite_code'],
      [call('GET', '/group-buys/rooms?invite_code=ZZZZZZZZ', { token: shopper!.token }), 404],
      [call('GET', '/group-buys/rooms?mine=1'), 401],
      [call('GET', `/group-buys/rooms/${roomId}`), 401],
      [call('GET', '/group-buys/rooms/grm_doesnotexist', { token: shopper!.token }), 404],
      [call('GET', `/group-buys/${campaign.id}/rooms?limit=0`), 400, 'query.limit'],
      [call('GET', '/group-buys?x=1'), 400, 'query.x'],
    ];
    for (const [response, status, path] of cases) {
      const res = await response;
      const answer = (await res.json()) as any;
      expect([res.status, answer.error?.code]).toEqual([status, expect.any(String)]);
      if (path) expect(answer.error.details.map((d: any) => d.path)).toContain(path);
    }
    expect(await counts()).toEqual(before);
    expect((await roomObject(roomId).state())!.heldCount).toBe(1);
  });

  it('holds the per-user limit across rooms, also when two rooms are opened at once', async () => {
    const { campaign, skuId } = await createCampaign(operator, categoryId, { groupSize: 3, perUserLimit: 1 });
    const [shopper] = await manyShoppers(1);
    const opened = await Promise.all(Array.from({ length: 6 }, () => openRoom(call, shopper!.token, campaign.id, skuId)));
    expect(opened.filter((r) => r.status === 201)).toHaveLength(1);
    expect(opened.filter((r) => r.status !== 201).every((r) => r.status === 422 && r.body.error.code === 'per_user_limit')).toBe(true);
    const members = await env.DB.prepare('SELECT count(*) AS n FROM group_buy_members WHERE user_id = ?').bind(shopper!.id).first<{ n: number }>();
    expect(members!.n).toBe(1);
    // The losers' seats were let go again: nothing is held for an order that does not exist.
    const rooms = (await env.DB.prepare('SELECT count(*) AS n FROM group_buy_rooms WHERE group_buy_id = ?').bind(campaign.id).first<{ n: number }>())!.n;
    expect(rooms).toBe(1);
    expect((await json(api('GET', `/admin/api/group-buys/${campaign.id}/reconciliation`, { token: viewer }))).ok).toBe(true);
  });
});
