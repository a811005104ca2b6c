// The merchant's coupon and promotion API: bad input (400 with field paths, nothing written),
// roles, redeem codes and their CSV, issues to lists of shoppers, new-shopper grants, and store
// promotions at checkout.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/lib/ids';
import { activeCoupon, couponBody } from '../../fixtures/coupons';
import { api, createCategory, createProduct, json, manyShoppers, shopperToken, shopperWithAddress, tokenFor } from '../../fixtures/helpers';

let operator: string;
let viewer: string;
let categoryId: string;
beforeAll(async () => {
  operator = (await tokenFor('operator')).token;
  viewer = (await tokenFor('viewer')).token;
  categoryId = await createCategory(operator, '促销');
});

const rowCount = async (table: string) => (await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())!.n;
const HOUR = 3_600_000;
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

describe('coupon templates: bad input', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['amount ≤ 0', { amount_off_fen: 0 }, 'body.amount_off_fen'],
    ['negative amount', { kind: 'no_threshold', amount_off_fen: -5 }, 'body.amount_off_fen'],
    ['percent below 1', { kind: 'percent', percent_off: 0 }, 'body.percent_off'],
    ['percent above 99', { kind: 'percent', percent_off: 100 }, 'body.percent_off'],
    ['满减 amount ≥ threshold', { threshold_fen: 2000, amount_off_fen: 2000 }, 'body.amount_off_fen'],
    ['claim window ending before it starts', { claim_starts_at: iso(HOUR), claim_ends_at: iso(-HOUR) }, 'body.claim_ends_at'],
    ['validity ending before it starts', { validity: { kind: 'fixed', valid_from: iso(2 * HOUR), valid_until: iso(HOUR) } }, 'body.validity.valid_until'],
    ['unknown category in scope', { scope: { kind: 'include', category_ids: ['cat_doesnotexist00'] } }, 'body.scope.category_ids.0'],
    ['unknown product in scope', { scope: { kind: 'exclude', product_ids: ['prd_doesnotexist00'] } }, 'body.scope.product_ids.0'],
    ['bad scope kind', { scope: { kind: 'some' } }, 'body.scope.kind'],
    ['member level audience without a level', { audience: 'member_level' }, 'body.min_member_level'],
  ];
  it.each(cases)('%s → 400 naming %s, nothing written', async (_name, overrides, path) => {
    const before = await rowCount('coupon_templates');
    const res = await api('POST', '/admin/api/coupons', { token: operator, body: couponBody(overrides) });
    expect(res.status).toBe(400);
    const { error } = await json(res);
    expect(error.code).toBe('invalid_input');
    expect(error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(await rowCount('coupon_templates')).toBe(before);
  });

  it('viewers read, only operators write', async () => {
    expect((await api('POST', '/admin/api/coupons', { token: viewer, body: couponBody() })).status).toBe(403);
    const template = await activeCoupon(operator);
    expect((await api('GET', `/admin/api/coupons/${template.id}`, { token: viewer })).status).toBe(200);
    expect((await api('POST', `/admin/api/coupons/${template.id}/pause`, { token: viewer })).status).toBe(403);
    expect((await api('GET', '/admin/api/promotions', { token: viewer })).status).toBe(200);
    expect((await api('POST', '/admin/api/promotions', { token: viewer, body: {} })).status).toBe(403);
  });

  it('edits keep what shoppers already hold; the lifecycle is a table', async () => {
    const template = await activeCoupon(operator, { amount_off_fen: 2000 });
    const shopper = await shopperToken();
    const held = await json(api('POST', `/coupons/${template.id}/claim`, { token: shopper.token, headers: { 'Idempotency-Key': 'edit-test-key-1' } }));
    const edited = await json(api('PATCH', `/admin/api/coupons/${template.id}`, { token: operator, body: { amount_off_fen: 3000 } }));
    expect(edited.amount_off_fen).toBe(3000);
    expect((await json(api('GET', '/me/coupons', { token: shopper.token }))).items.find((c: { id: string }) => c.id === held.id).amount_off_fen).toBe(2000);
    expect((await api('POST', `/admin/api/coupons/${template.id}/end`, { token: operator })).status).toBe(200);
    expect((await json(api('POST', `/admin/api/coupons/${template.id}/pause`, { token: operator }))).error.code).toBe('illegal_transition');
  });

  it('50 simultaneous pauses of one template: one moves it, the others are 409s', async () => {
    const template = await activeCoupon(operator);
    const answers = await Promise.all(Array.from({ length: 50 }, () => api('POST', `/admin/api/coupons/${template.id}/pause`, { token: operator })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    expect((await json(api('GET', `/admin/api/coupons/${template.id}`, { token: operator }))).status).toBe('paused');
  });
});

describe('redeem codes', () => {
  it('single-use and multi-use codes, exported as CSV with a UTF-8 BOM', async () => {
    const template = await activeCoupon(operator, { name: '兑换券', per_shopper_limit: 1 });
    const single = await json(api('POST', `/admin/api/coupons/${template.id}/codes`, { token: operator, body: { count: 3 } }));
    expect(single).toMatchObject({ count: 3, max_uses: 1 });
    const csvRes = await api('GET', `/admin/api/coupons/${template.id}/codes.csv?batch_id=${single.batch_id}`, { token: viewer });
    expect(csvRes.headers.get('Content-Type')).toContain('text/csv');
    const bytes = new Uint8Array(await csvRes.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes).replace('\uFEFF', '').trim().split('\r\n');
    expect(lines[0]).toBe('兑换码,优惠券,可用次数,已用次数,批次,生成时间');
    const codes = lines.slice(1).map((l) => l.split(',')[0]!);
    expect(new Set(codes).size).toBe(3);

    const [a, b] = [await shopperToken(), await shopperToken()];
    const redeemed = await api('POST', '/coupons/redeem', { token: a.token, body: { code: codes[0]!.toLowerCase() } });
    expect(redeemed.status).toBe(201);
    expect((await json(redeemed)).template_id).toBe(template.id);
    const used = await api('POST', '/coupons/redeem', { token: b.token, body: { code: codes[0] } });
    expect([used.status, (await json(used)).error.code]).toEqual([422, 'code_used']);
    const invalid = await api('POST', '/coupons/redeem', { token: b.token, body: { code: 'NOSUCHCODE99' } });
    expect([invalid.status, (await json(invalid)).error.code]).toEqual([422, 'code_invalid']);

    const multi = await json(api('POST', `/admin/api/coupons/${template.id}/codes`, { token: operator, body: { count: 1, max_uses: 2 } }));
    const multiCode = (await (await api('GET', `/admin/api/coupons/${template.id}/codes.csv?batch_id=${multi.batch_id}`, { token: viewer })).text()).split('\r\n')[1]!.split(',')[0]!;
    const c = await shopperToken();
    expect((await api('POST', '/coupons/redeem', { token: a.token, body: { code: multiCode } })).status).toBe(201);
    expect((await json(api('POST', '/coupons/redeem', { token: a.token, body: { code: multiCode } }))).error.code).toBe('code_used');
    expect((await api('POST', '/coupons/redeem', { token: b.token, body: { code: multiCode } })).status).toBe(201);
    expect((await json(api('POST', '/coupons/redeem', { token: c.token, body: { code: multiCode } }))).error.code).toBe('code_used');
    expect((await json(api('GET', `/admin/api/coupons/${template.id}/stats`, { token: viewer }))).issued_count).toBe(3);
  });
});

describe('issuing to a list of shoppers', () => {
  it('is batched, idempotent by key, resumable, and counts exactly', async () => {
    const template = await activeCoupon(operator, { total_quantity: 1000 });
    const shoppers = await manyShoppers(250);
    const userIds = [...shoppers.map((s) => s.id), 'usr_nosuchshopper01'];
    const send = (key: string, ids = userIds) => api('POST', `/admin/api/coupons/${template.id}/issues`, { token: operator, body: { user_ids: ids }, headers: { 'Idempotency-Key': key } });
    const issue = await json(send('issue-key-00001'));
    expect(issue).toMatchObject({ status: 'done', shopper_count: 251, issued_count: 250, delivered_up_to: 251 });
    // A crash after the first chunk is resumed by sending the same request again; nothing is issued twice.
    await env.DB.prepare("UPDATE coupon_issues SET next_index = 100, status = 'running' WHERE id = ?").bind(issue.id).run();
    expect(await json(send('issue-key-00001'))).toMatchObject({ id: issue.id, status: 'done', issued_count: 250 });
    expect((await json(send('issue-key-00001', userIds.slice(1)))).error.code).toBe('idempotency_key_reused');
    expect((await json(api('GET', `/admin/api/coupons/${template.id}`, { token: operator }))).issued_count).toBe(250);
    expect((await env.DB.prepare('SELECT count(*) AS n FROM shopper_coupons WHERE template_id = ?').bind(template.id).first<{ n: number }>())!.n).toBe(250);

    const small = await activeCoupon(operator, { total_quantity: 120 });
    const stopped = await json(api('POST', `/admin/api/coupons/${small.id}/issues`, { token: operator, body: { user_ids: userIds }, headers: { 'Idempotency-Key': 'issue-key-00002' } }));
    expect(stopped).toMatchObject({ status: 'sold_out', issued_count: 100 });
  });

  it('grants new-shopper coupons on the first sign-in only', async () => {
    const template = await activeCoupon(operator, { name: '新人券', audience: 'new_shopper', kind: 'no_threshold', threshold_fen: undefined, amount_off_fen: 500 });
    const openid = `oNewShopper${Date.now()}`;
    const first = await json(api('POST', '/auth/wechat', { body: { code: `ok:${openid}` } }));
    const wallet = await json(api('GET', '/me/coupons', { token: first.access_token }));
    expect(wallet.items.filter((c: { template_id: string }) => c.template_id === template.id)).toHaveLength(1);
    const again = await json(api('POST', '/auth/wechat', { body: { code: `ok:${openid}:oUnion${openid}` } }));
    expect((await json(api('GET', '/me/coupons', { token: again.access_token }))).items.filter((c: { template_id: string }) => c.template_id === template.id)).toHaveLength(1);
  });

  it('a grant lost after the shopper was created is made at the next sign-in; a shopper from before the window gets none', async () => {
    const template = await activeCoupon(operator, { name: '新人补发', audience: 'new_shopper', kind: 'no_threshold', threshold_fen: undefined, amount_off_fen: 300 });
    // The shopper row exists (the sign-in crashed before granting) and one from before the claim window.
    const lost = `oLostGrant${Date.now()}`;
    const veteran = `oVeteran${Date.now()}`;
    const insert = (openid: string, createdAt: number) =>
      env.DB.prepare('INSERT INTO users (id, openid, nickname, member_level, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?)').bind(newId('usr'), openid, '', createdAt, createdAt).run();
    await insert(lost, Date.now());
    await insert(veteran, Date.now() - 2 * HOUR);
    // A login code is single-use: the second sign-in sends another (with a unionid).
    const walletAfterSignIn = async (openid: string, code = `ok:${openid}`) => {
      const session = await json(api('POST', '/auth/wechat', { body: { code } }));
      return (await json(api('GET', '/me/coupons', { token: session.access_token }))).items.filter((c: { template_id: string }) => c.template_id === template.id);
    };
    expect(await walletAfterSignIn(lost)).toHaveLength(1);
    expect(await walletAfterSignIn(lost, `ok:${lost}:oUnion${lost}`)).toHaveLength(1);
    expect(await walletAfterSignIn(veteran)).toHaveLength(0);
  });
});

describe('store promotions', () => {
  it('refuses tiers out of order and windows that end first, with field paths', async () => {
    const before = await rowCount('promotion_activities');
    const tiered = { type: 'tiered', name: '满减', scope: { kind: 'all' }, condition: 'amount', benefit: 'amount_off', starts_at: iso(-HOUR), ends_at: iso(HOUR) };
    const outOfOrder = await json(
      api('POST', '/admin/api/promotions', {
        token: operator,
        body: {
          ...tiered,
          tiers: [
            { threshold: 20000, value: 3000 },
            { threshold: 10000, value: 1000 },
          ],
        },
      }),
    );
    expect(outOfOrder.error.details.map((d: { path: string }) => d.path)).toContain('body.tiers.1.threshold');
    const backwards = await json(api('POST', '/admin/api/promotions', { token: operator, body: { ...tiered, tiers: [{ threshold: 10000, value: 1000 }], starts_at: iso(HOUR), ends_at: iso(-HOUR) } }));
    expect(backwards.error.details.map((d: { path: string }) => d.path)).toContain('body.ends_at');
    const unknown = await json(
      api('POST', '/admin/api/promotions', { token: operator, body: { ...tiered, tiers: [{ threshold: 10000, value: 1000 }], scope: { kind: 'include', category_ids: ['cat_nosuchcategory'] } } }),
    );
    expect(unknown.error.details.map((d: { path: string }) => d.path)).toContain('body.scope.category_ids.0');
    const percent = await json(
      api('POST', '/admin/api/promotions', {
        token: operator,
        body: { type: 'timed_discount', name: '限时', product_id: 'prd_nosuchproduct0', kind: 'percent_off', value: 120, starts_at: iso(-HOUR), ends_at: iso(HOUR) },
      }),
    );
    expect(percent.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.product_id', 'body.value']);
    expect(await rowCount('promotion_activities')).toBe(before);
  });

  it('stack at checkout: 限时折扣 price, then the best tier, then the coupon', async () => {
    const product = await createProduct(operator, categoryId, { specs: [], skus: [{ spec_values: [], price_fen: 12000, original_price_fen: 12000, member_price_fen: 11000, stock: 50 }] });
    const skuId = product.skus[0].id;
    const timed = await api('POST', '/admin/api/promotions', {
      token: operator,
      body: { type: 'timed_discount', name: '限时9折', product_id: product.id, kind: 'percent_off', value: 10, starts_at: iso(-HOUR), ends_at: iso(HOUR) },
    });
    expect(timed.status).toBe(201);
    const tiers = await api('POST', '/admin/api/promotions', {
      token: operator,
      body: {
        type: 'tiered',
        name: '满100减10 满200减30',
        scope: { kind: 'include', category_ids: [categoryId] },
        condition: 'amount',
        benefit: 'amount_off',
        tiers: [
          { threshold: 10000, value: 1000 },
          { threshold: 20000, value: 3000 },
        ],
        starts_at: iso(-HOUR),
        ends_at: iso(HOUR),
      },
    });
    expect(tiers.status).toBe(201);
    const member = await shopperWithAddress({ memberLevel: 1 });
    const template = await activeCoupon(operator, { kind: 'no_threshold', threshold_fen: undefined, amount_off_fen: 500 });
    await api('POST', `/coupons/${template.id}/claim`, { token: member.token, headers: { 'Idempotency-Key': 'stack-claim-01' } });
    const quote = await json(api('POST', '/checkout/quote', { token: member.token, body: { items: [{ sku_id: skuId, quantity: 2 }] } }));
    // 10800 (限时9折, below the 11000 member price) × 2 = 21600 → 满200减30 → 18600 → 无门槛 500 → 18100.
    expect(quote.lines[0]).toMatchObject({ effective_unit_price_fen: 10800, price_source: 'timed_discount', member_price_applied: false });
    expect(quote.promotion).toMatchObject({ name: '满100减10 满200减30', saving_fen: 3000 });
    expect(quote.coupon).toMatchObject({ saving_fen: 500 });
    expect(quote).toMatchObject({ items_total_fen: 21600, discount_fen: 3500 });
    expect(quote.adjustments.map((a: { source: string }) => a.source)).toEqual(['promotion', 'coupon']);
    await api('POST', `/admin/api/promotions/${(await json(timed)).id}/end`, { token: operator });
    const after = await json(api('POST', '/checkout/quote', { token: member.token, body: { items: [{ sku_id: skuId, quantity: 2 }] } }));
    expect(after.lines[0]).toMatchObject({ effective_unit_price_fen: 11000, price_source: 'member' });
  });
});
