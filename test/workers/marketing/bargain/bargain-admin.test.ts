// Bargain campaigns in the admin (JSON API and page) and on the storefront, and every bad input
// to the bargain routes: a clear 4xx naming the field, nothing written.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { bargainCampaign, bargainCounts, bargainFormFields, bargainShoppers, buy, launched, merchantToken, type Shopper } from '../../../fixtures/bargain';
import { adminFormPost, adminPage, adminSession, api, createCategory, createProduct, json, newIdempotencyKey, tokenFor } from '../../../fixtures/helpers';

const HOUR = 3_600_000;
let operator: string;
let viewer: string;
let skuId: string;

beforeAll(async () => {
  operator = (await tokenFor('operator')).token;
  viewer = (await tokenFor('viewer')).token;
  const product = await createProduct(await merchantToken(), await createCategory(await merchantToken(), '砍价后台'), {
    specs: [],
    skus: [{ spec_values: [], price_fen: 19_900, original_price_fen: 29_900, stock: 20 }],
  });
  skuId = product.skus[0].id;
});

const body = (overrides: Record<string, unknown> = {}) => ({
  title: '好友帮砍 0 元拿',
  sku_id: skuId,
  start_price_fen: 19_900,
  floor_price_fen: 990,
  helpers_needed: 10,
  session_minutes: 1440,
  launches_per_shopper: 2,
  helps_per_day: 3,
  buy_before_floor: false,
  new_helper_bonus_pct: 50,
  starts_at: new Date(Date.now()).toISOString(),
  ends_at: new Date(Date.now() + 72 * HOUR).toISOString(),
  ...overrides,
});

describe('admin API', () => {
  it('creates a campaign (operator), shows it with figures, lists it, cancels it once', async () => {
    const res = await api('POST', '/admin/api/bargains', { token: operator, body: body() });
    expect(res.status).toBe(201);
    const created = await json(res);
    expect(res.headers.get('Location')).toBe(`/admin/api/bargains/${created.id}`);
    expect(created).toMatchObject({
      title: '好友帮砍 0 元拿',
      sku_id: skuId,
      start_price_fen: 19_900,
      floor_price_fen: 990,
      helpers_needed: 10,
      launches_per_shopper: 2,
      helps_per_day: 3,
      new_helper_bonus_pct: 50,
      buy_before_floor: false,
      state: 'live',
      stats: { sessions: 0, orders: 0, paid_orders: 0 },
    });
    const [owner] = await bargainShoppers(1);
    await launched(owner!, created.id);
    expect((await json(api('GET', `/admin/api/bargains/${created.id}`, { token: viewer }))).stats).toEqual({ sessions: 1, orders: 0, paid_orders: 0 });
    const list = await json(api('GET', '/admin/api/bargains?limit=50', { token: viewer }));
    expect(list.items.some((c: { id: string }) => c.id === created.id)).toBe(true);

    const cancelled = await api('POST', `/admin/api/bargains/${created.id}/cancel`, { token: operator });
    expect(cancelled.status).toBe(200);
    expect((await json(cancelled)).state).toBe('cancelled');
    expect(await json(api('POST', `/admin/api/bargains/${created.id}/cancel`, { token: operator }))).toMatchObject({ error: { code: 'campaign_closed' } });
    // A cancelled campaign takes no launches and is gone from the storefront; its sessions run on.
    const [late] = await bargainShoppers(1);
    expect((await api('POST', `/bargains/${created.id}/sessions`, { token: late!.token, headers: { 'Idempotency-Key': newIdempotencyKey() } })).status).toBe(404);
    expect((await api('GET', `/bargains/${created.id}`)).status).toBe(404);
  });

  it('viewers read, but their writes are 403s that write nothing; no token is a 401', async () => {
    const before = await bargainCounts();
    expect((await api('POST', '/admin/api/bargains', { token: viewer, body: body() })).status).toBe(403);
    const { campaign } = await bargainCampaign();
    const mid = await bargainCounts();
    expect(mid.bargain_campaigns).toBe(before.bargain_campaigns! + 1);
    expect((await api('POST', `/admin/api/bargains/${campaign.id}/cancel`, { token: viewer })).status).toBe(403);
    expect((await api('GET', '/admin/api/bargains')).status).toBe(401);
    expect((await json(api('GET', `/admin/api/bargains/${campaign.id}`, { token: viewer }))).state).toBe('live');
    expect(await bargainCounts()).toEqual(mid);
  });

  it.each([
    [{ title: '' }, 'body.title'],
    [{ sku_id: 'prd_x' }, 'body.sku_id'],
    [{ start_price_fen: 99.5 }, 'body.start_price_fen'],
    [{ floor_price_fen: 0 }, 'body.floor_price_fen'],
    [{ floor_price_fen: 19_900 }, 'body.floor_price_fen'],
    [{ start_price_fen: 1_005, floor_price_fen: 1_000, helpers_needed: 6 }, 'body.helpers_needed'],
    [{ helpers_needed: 101 }, 'body.helpers_needed'],
    [{ session_minutes: 4 }, 'body.session_minutes'],
    [{ launches_per_shopper: 0 }, 'body.launches_per_shopper'],
    [{ helps_per_day: 101 }, 'body.helps_per_day'],
    [{ buy_before_floor: 'yes' }, 'body.buy_before_floor'],
    [{ new_helper_bonus_pct: 401 }, 'body.new_helper_bonus_pct'],
    [{ starts_at: '2026-13-01T00:00:00Z' }, 'body.starts_at'],
    [{ ends_at: new Date(Date.now() - HOUR).toISOString() }, 'body.ends_at'],
    [{ surprise: 1 }, 'body.surprise'],
  ])('refuses %o with a 400 naming %s, writing nothing', async (overrides, path) => {
    const before = await bargainCounts();
    const res = await api('POST', '/admin/api/bargains', { token: operator, body: body(overrides) });
    expect(res.status).toBe(400);
    const error = (await json(res)).error;
    expect(error.code).toBe('invalid_input');
    expect(error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(await bargainCounts()).toEqual(before);
  });

  it.each([
    [{ sku_id: 'sku_doesnotexist' }, 'sku_not_found', 'body.sku_id'],
    [{ start_price_fen: 19_901 }, 'start_above_price', 'body.start_price_fen'],
    [{ starts_at: new Date(Date.now() - 2 * HOUR).toISOString() }, 'starts_in_past', 'body.starts_at'],
  ])('refuses %o with a 422 %s, writing nothing', async (overrides, code, path) => {
    const before = await bargainCounts();
    const res = await api('POST', '/admin/api/bargains', { token: operator, body: body(overrides) });
    expect(res.status).toBe(422);
    expect(await json(res)).toMatchObject({ error: { code, details: [{ path }] } });
    expect(await bargainCounts()).toEqual(before);
  });

  it('refuses malformed JSON, bad ids and bad cursors with 400s; unknown campaigns are 404s', async () => {
    const before = await bargainCounts();
    expect((await api('POST', '/admin/api/bargains', { token: operator, rawBody: '{"title":', headers: { 'Content-Type': 'application/json' } })).status).toBe(400);
    expect((await api('GET', '/admin/api/bargains/fls_abc', { token: viewer })).status).toBe(400);
    expect((await api('GET', '/admin/api/bargains?cursor=garbage', { token: viewer })).status).toBe(400);
    expect((await api('GET', '/admin/api/bargains?limit=0', { token: viewer })).status).toBe(400);
    expect((await api('GET', '/admin/api/bargains/bgn_doesnotexist', { token: viewer })).status).toBe(404);
    expect((await api('POST', '/admin/api/bargains/bgn_doesnotexist/cancel', { token: operator })).status).toBe(404);
    expect(await bargainCounts()).toEqual(before);
  });
});

describe('storefront', () => {
  it('lists live campaigns (public, cached, no upcoming or cancelled ones) and shows one', async () => {
    const { campaign } = await bargainCampaign({ start: 5_000, floor: 1, helpers: 5 });
    const upcoming = (await api('POST', '/admin/api/bargains', { token: operator, body: body({ starts_at: new Date(Date.now() + HOUR).toISOString() }) }).then(json)).id;
    const res = await api('GET', '/bargains?limit=50');
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toMatch(/public, max-age=1, s-maxage=1/);
    expect(res.headers.get('ETag')).toBeTruthy();
    const list = await json(res);
    expect(list.server_time).toBeTruthy();
    const shown = list.items.find((c: { id: string }) => c.id === campaign.id);
    expect(shown).toMatchObject({
      start_price_fen: 5_000,
      floor_price_fen: 1,
      helpers_needed: 5,
      session_minutes: 60,
      buy_before_floor: false,
      product_id: campaign.product_id,
      sku_id: campaign.sku_id,
    });
    expect(shown.image).toMatch(/^https:\/\//);
    expect(Object.keys(shown)).not.toContain('launches_per_shopper');
    expect(list.items.some((c: { id: string }) => c.id === upcoming)).toBe(false);

    const detail = await json(api('GET', `/bargains/${campaign.id}`));
    expect(detail).toMatchObject({ id: campaign.id, state: 'live' });
    expect(await json(api('GET', `/bargains/${upcoming}`))).toMatchObject({ state: 'upcoming' });
    const [owner] = await bargainShoppers(1);
    expect(await json(api('POST', `/bargains/${upcoming}/sessions`, { token: owner!.token, headers: { 'Idempotency-Key': newIdempotencyKey() } }))).toMatchObject({ error: { code: 'not_started' } });
  });

  it('pages through campaigns with a cursor', async () => {
    for (let i = 0; i < 3; i++) await bargainCampaign();
    const first = await json(api('GET', '/bargains?limit=2'));
    expect(first.items).toHaveLength(2);
    const second = await json(api('GET', `/bargains?limit=2&cursor=${first.next_cursor}`));
    expect(second.items.length).toBeGreaterThan(0);
    expect(second.items.map((c: { id: string }) => c.id)).not.toContain(first.items[0].id);
  });
});

describe('bad input to the shopper routes: a clear 4xx, nothing written', () => {
  let owner: Shopper;
  let other: Shopper;
  let sessionId: string;
  let campaignId: string;

  beforeAll(async () => {
    [owner, other] = (await bargainShoppers(2)) as [Shopper, Shopper];
    campaignId = (await bargainCampaign({ launches: 5, buyBeforeFloor: true })).campaign.id;
    sessionId = (await launched(owner, campaignId)).id;
  });

  const key = () => ({ 'Idempotency-Key': newIdempotencyKey() });
  const cases: [string, () => Promise<Response>, number, string | null][] = [
    ['list with a bad limit', () => api('GET', '/bargains?limit=100'), 400, 'query.limit'],
    ['list with an unknown query field', () => api('GET', '/bargains?x=1'), 400, 'query.x'],
    ['a campaign id of the wrong kind', () => api('GET', '/bargains/fls_123'), 400, 'param.campaignId'],
    ['launch without a token', () => api('POST', `/bargains/${campaignId}/sessions`, { headers: key() }), 401, null],
    ['launch without an Idempotency-Key', () => api('POST', `/bargains/${campaignId}/sessions`, { token: owner.token }), 400, 'header.idempotency-key'],
    ['launch with a short Idempotency-Key', () => api('POST', `/bargains/${campaignId}/sessions`, { token: owner.token, headers: { 'Idempotency-Key': 'short' } }), 400, 'header.idempotency-key'],
    ['launch with body fields', () => api('POST', `/bargains/${campaignId}/sessions`, { token: owner.token, headers: key(), body: { price_fen: 1 } }), 400, 'body.price_fen'],
    ['launch of an unknown campaign', () => api('POST', '/bargains/bgn_doesnotexist/sessions', { token: owner.token, headers: key() }), 404, null],
    ['my sessions with a bad cursor', () => api('GET', '/bargains/sessions?cursor=garbage', { token: owner.token }), 400, 'query.cursor'],
    ['my sessions with a limit over 20', () => api('GET', '/bargains/sessions?limit=21', { token: owner.token }), 400, 'query.limit'],
    ['my sessions without a token', () => api('GET', '/bargains/sessions'), 401, null],
    ['a session id of the wrong kind', () => api('GET', '/bargains/sessions/ord_123', { token: owner.token }), 400, 'param.sessionId'],
    ['help with body fields', () => api('POST', `/bargains/sessions/${sessionId}/help`, { token: other.token, body: { cut_fen: 9_999 } }), 400, 'body.cut_fen'],
    ['help with malformed JSON', () => api('POST', `/bargains/sessions/${sessionId}/help`, { token: other.token, rawBody: '{', headers: { 'Content-Type': 'application/json' } }), 400, 'body'],
    ['help without a token', () => api('POST', `/bargains/sessions/${sessionId}/help`), 401, null],
    ['help of an unknown session', () => api('POST', '/bargains/sessions/bgs_doesnotexist/help', { token: other.token }), 404, null],
    ['buy with a bad address id', () => buy(owner, sessionId, undefined, undefined, { address_id: 'usr_1' }), 400, 'body.address_id'],
    ['buy with an unknown field', () => buy(owner, sessionId, undefined, undefined, { price_fen: 1 }), 400, 'body.price_fen'],
    ["buy with another shopper's address", () => buy(owner, sessionId, undefined, undefined, { address_id: 'adr_notmine' }), 404, null],
    ['buy without an Idempotency-Key', () => api('POST', `/bargains/sessions/${sessionId}/buy`, { token: owner.token, body: {} }), 400, 'header.idempotency-key'],
    ['buy by someone else', () => buy(other, sessionId), 403, null],
    ['buy of an unknown session', () => buy(owner, 'bgs_doesnotexist'), 404, null],
  ];

  it.each(cases)('%s', async (_name, call, status, path) => {
    const before = await bargainCounts();
    const state = await env.BARGAIN_SESSION.get(env.BARGAIN_SESSION.idFromName(sessionId)).state();
    const res = await call();
    expect(res.status).toBe(status);
    const error = (await json(res)).error;
    expect(error.message).toBeTruthy();
    if (path) expect(error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(await bargainCounts()).toEqual(before);
    expect(await env.BARGAIN_SESSION.get(env.BARGAIN_SESSION.idFromName(sessionId)).state()).toEqual(state);
  });

  it('an Idempotency-Key reused for another request is a 422', async () => {
    const k = newIdempotencyKey();
    const second = (await launched(owner, campaignId)).id;
    expect((await buy(owner, sessionId, undefined, k)).status).toBe(201);
    const before = await bargainCounts();
    expect(await json(buy(owner, second, undefined, k))).toMatchObject({ error: { code: 'idempotency_key_reused' } });
    expect(await bargainCounts()).toEqual(before);
  });
});

describe('admin page', () => {
  let sessions: Record<'operator' | 'viewer', string>;
  beforeAll(async () => {
    sessions = { operator: (await adminSession('operator')).cookie, viewer: (await adminSession('viewer')).cookie };
  });

  const formFields = (overrides: Record<string, string> = {}) => bargainFormFields(skuId, overrides);

  it('has a 砍价 nav entry, lists campaigns escaped, and offers the form to operators only', async () => {
    await api('POST', '/admin/api/bargains', { token: operator, body: body({ title: '<script>x</script> 砍价' }) });
    const res = await adminPage('/admin/bargains', { cookie: sessions.viewer });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<a href="/admin/bargains">砍价</a>');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt; 砍价');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('/admin/bargains/new');
    expect(await (await adminPage('/admin/bargains', { cookie: sessions.operator })).text()).toContain('href="/admin/bargains/new"');
    expect((await adminPage('/admin/bargains/new', { cookie: sessions.viewer })).status).toBe(403);
    expect((await adminPage('/admin/bargains')).headers.get('Location')).toBe('/admin/login');
  });

  it('creates a campaign from the form (yuan, Asia/Shanghai times), shows it, and cancels it', async () => {
    const fields = formFields();
    const res = await adminFormPost('/admin/bargains', fields, { cookie: sessions.operator });
    expect(res.status).toBe(303);
    const location = res.headers.get('Location')!;
    expect(location).toMatch(/^\/admin\/bargains\/bgn_\w+\?done=created$/);
    const id = location.split('/')[3]!.split('?')[0]!;
    const row = await env.DB.prepare('SELECT title, start_price_fen, floor_price_fen, helpers_needed, buy_before_floor, new_helper_bonus_pct, starts_at FROM bargain_campaigns WHERE id = ?')
      .bind(id)
      .first();
    expect(row).toEqual({
      title: '帮我砍 <b>一刀</b>',
      start_price_fen: 19_900,
      floor_price_fen: 990,
      helpers_needed: 8,
      buy_before_floor: 1,
      new_helper_bonus_pct: 100,
      starts_at: Date.parse(`${fields.starts_at}:00+08:00`),
    });
    const detail = await (await adminPage(location, { cookie: sessions.operator })).text();
    expect(detail).toContain('砍价活动已创建');
    expect(detail).toContain('¥199.00 → ¥9.90');
    expect(detail).toContain(`action="/admin/bargains/${id}/cancel"`);
    expect(await (await adminPage(location, { cookie: sessions.viewer })).text()).not.toContain('/cancel"');
    expect((await adminFormPost(`/admin/bargains/${id}/cancel`, {}, { cookie: sessions.viewer })).status).toBe(403);
    expect((await adminFormPost(`/admin/bargains/${id}/cancel`, {}, { cookie: sessions.operator, headers: { Origin: 'https://evil.example' } })).status).toBe(403);
    const cancel = await adminFormPost(`/admin/bargains/${id}/cancel`, {}, { cookie: sessions.operator });
    expect(cancel.headers.get('Location')).toBe(`/admin/bargains/${id}?done=cancelled`);
    expect(await env.DB.prepare('SELECT status FROM bargain_campaigns WHERE id = ?').bind(id).first('status')).toBe('cancelled');
  });

  it.each([
    [{ floor_price: '9.999' }, 'floor_price', 400, '请输入金额'],
    [{ floor_price: '300' }, 'floor_price', 400, '底价至少 0.01 元，且必须低于起始价'],
    [{ start_price: '0.05', floor_price: '0.01' }, 'helpers_needed', 400, '每位好友至少能砍 0.01 元'],
    [{ start_price: '300' }, 'start_price', 422, '起始价不能高于商品售价'],
    [{ sku_id: 'sku_doesnotexist' }, 'sku_id', 422, '没有这个 SKU'],
    [{ ends_at: '' }, 'ends_at', 400, '请选择日期和时间'],
    [{ helps_per_day: 'x' }, 'helps_per_day', 400, '请输入整数'],
  ] as const)('refuses %o, naming %s (%i), keeping the input and writing nothing', async (overrides, field, status, message) => {
    const before = await bargainCounts();
    const res = await adminFormPost('/admin/bargains', formFields(overrides as Record<string, string>), { cookie: sessions.operator });
    expect(res.status).toBe(status);
    const html = await res.text();
    expect(html).toContain(message);
    expect(html).toMatch(new RegExp(`name="${field}" value="[^"]*"[^>]* aria-invalid="true"`));
    expect(html).toContain('value="帮我砍 &lt;b&gt;一刀&lt;/b&gt;"');
    expect(await bargainCounts()).toEqual(before);
  });

  it('renders unknown campaigns as 404 pages and bad ids as 400 pages', async () => {
    expect((await adminPage('/admin/bargains/bgn_doesnotexist', { cookie: sessions.viewer })).status).toBe(404);
    expect((await adminPage('/admin/bargains/xyz', { cookie: sessions.viewer })).status).toBe(400);
  });
});
