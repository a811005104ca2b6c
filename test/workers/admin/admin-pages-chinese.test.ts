// Every message a merchant reads on the admin page is Chinese: each section's form refused in the
// ways that used to surface the API's English (schema issues, service refusals with English
// details), the login form, and the error pages; plus the font stack that lets Linux draw it.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/lib/errors';
import { pageMessage, refusedFields } from '../../../routes/admin/pages/form-kit';
import { bargainFormFields, shopLocalTime as shopTime } from '../../fixtures/bargain';
import { adminFormPost as post, adminPage as page, adminSession, createCategory, createProduct, insertAccount, placeOrder, json, shopperWithAddress, tokenFor } from '../../fixtures/helpers';

const HOUR = 3_600_000;

let operator: string;
let viewer: string;
let operatorToken: string;
let skuId: string;
let productId: string;

beforeAll(async () => {
  operatorToken = (await tokenFor('operator')).token;
  const categoryId = await createCategory(operatorToken, '中文提示');
  const product = await createProduct(operatorToken, categoryId, { specs: [], skus: [{ spec_values: [], price_fen: 12_000, original_price_fen: 15_000, stock: 50 }] });
  productId = product.id;
  skuId = product.skus[0].id;
  operator = (await adminSession('operator')).cookie;
  viewer = (await adminSession('viewer')).cookie;
});

const CJK = /[\u3400-\u9fff]/;
/** Three or more English words in a row: an API sentence leaking onto the page. */
const ENGLISH_SENTENCE = /[A-Za-z]{2,}(?:[\s,.'’()-]+[A-Za-z]{2,}){2,}/;

/** The texts of the page's error region: the field messages and the error notices. */
function errorRegion(html: string): string[] {
  const texts = [...html.matchAll(/<span class="field-error">([^<]*)<\/span>/g), ...html.matchAll(/<div class="notice error" role="alert">([^<]*)<\/div>/g)].map((m) => m[1]!);
  expect(texts.length, 'the page shows an error').toBeGreaterThan(0);
  return texts;
}

function expectChinese(html: string) {
  for (const text of errorRegion(html)) {
    expect(text, text).toMatch(CJK);
    expect(text, text).not.toMatch(ENGLISH_SENTENCE);
  }
}

async function refused(path: string, fields: Record<string, string>, status: number) {
  const res = await post(path, fields, { cookie: operator });
  expect(res.status).toBe(status);
  const html = await res.text();
  expectChinese(html);
  return html;
}

describe('every admin section answers a bad form in Chinese', () => {
  it('login', async () => {
    const { username } = await insertAccount('viewer');
    const res = await post('/admin/login', { username, password: 'not the password' });
    expect(res.status).toBe(401);
    const html = await res.text();
    expectChinese(html);
    expect(html).toContain('用户名或密码不正确');
    const empty = await post('/admin/login', { username });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('请输入用户名和密码。');
  });

  it('products: an empty title (the schema says "must not be empty") and a price that is not money', async () => {
    const html = await refused(`/admin/products/${productId}`, { title: '   ', [`${skuId}.price`]: 'abc' }, 400);
    expect(html).toContain('请填写标题，最多 60 个字');
    expect(html).toContain('请输入金额');
    const tooLong = await refused(`/admin/products/${productId}`, { subtitle: '长'.repeat(121) }, 400);
    expect(tooLong).toContain('副标题最多 120 个字');
  });

  it('orders: a tracking number with a space, and no carrier', async () => {
    const shopper = await shopperWithAddress();
    const order = await json<{ id: string }>(placeOrder(shopper.token, { items: [{ sku_id: skuId, quantity: 1 }] }));
    await env.DB.prepare("UPDATE orders SET status = 'paid', paid_at = ? WHERE id = ?").bind(Date.now(), order.id).run();
    const html = await refused(`/admin/orders/${order.id}/ship`, { carrier: '顺丰', tracking_no: 'SF 123' }, 400);
    expect(html).toContain('只能包含字母、数字和 -');
    expect(await refused(`/admin/orders/${order.id}/ship`, { carrier: '', tracking_no: 'SF123' }, 400)).toContain('请填写承运商');
  });

  it('flash sales: an unknown SKU (a 422 with English details) and a shard count out of range (a schema issue)', async () => {
    const fields = (overrides: Record<string, string>) => ({
      title: '中文秒杀',
      starts_at: shopTime(Date.now() + 24 * HOUR),
      ends_at: shopTime(Date.now() + 26 * HOUR),
      per_user_limit: '1',
      per_order_limit: '1',
      payment_window_minutes: '5',
      'items.0.sku_id': skuId,
      'items.0.flash_price': '9.9',
      'items.0.flash_stock': '5',
      ...overrides,
    });
    expect(await refused('/admin/flash-sales', fields({ 'items.0.sku_id': 'sku_doesnotexist' }), 422)).toContain('没有这个 SKU');
    expect(await refused('/admin/flash-sales', fields({ shard_count: '65' }), 400)).toContain('请输入 1–64 的整数');
    expect(await refused('/admin/flash-sales', fields({ 'items.0.sku_id': 'not-a-sku' }), 400)).toContain('SKU 编号应形如 sku_');
  });

  it('bargains: a malformed SKU id and a session too short', async () => {
    const fields = (overrides: Record<string, string>) => bargainFormFields(skuId, overrides);
    expect(await refused('/admin/bargains', fields({ sku_id: 'not-a-sku' }), 400)).toContain('SKU 编号应形如 sku_');
    expect(await refused('/admin/bargains', fields({ session_minutes: '1' }), 400)).toContain('请输入 5–10080 的整数');
  });

  it('group buys: every refusal that used to show the API’s English', async () => {
    const fields = (overrides: Record<string, string>) => ({
      title: '中文拼团',
      starts_at: shopTime(Date.now() + 24 * HOUR),
      ends_at: shopTime(Date.now() + 48 * HOUR),
      sku_id: skuId,
      group_price: '99',
      group_size: '3',
      duration_minutes: '1440',
      payment_window_minutes: '15',
      per_user_limit: '1',
      full_room_policy: 'refuse',
      ...overrides,
    });
    const cases: [Record<string, string>, number, string][] = [
      [{ group_price: '130' }, 422, '拼团价必须低于商品售价'],
      [{ group_size: '1' }, 400, '成团人数为 2–100 的整数'],
      [{ group_price: '', group_size: '', tiers: '5:90, 2:80', max_size: '6' }, 400, '每一档的人数须多于上一档'],
      [{ group_price: '', group_size: '', tiers: '2:90, 5:95', max_size: '6' }, 400, '每一档的价格须低于上一档'],
      [{ group_price: '', group_size: '', tiers: '2:190, 5:80', max_size: '6' }, 422, '第一档的价格必须低于商品售价'],
      [{ sku_id: 'sku_doesnotexist' }, 422, '没有这个 SKU'],
      [{ leader_discount: '100' }, 422, '团长优惠必须低于拼团价'],
      [{ payment_window_minutes: '100', duration_minutes: '60' }, 400, '支付时限不能长于成团时限'],
      [{ group_price: '' }, 400, '请填写拼团价'],
      [{ full_room_policy: 'whatever' }, 400, '请选择团满时的做法'],
      [{ starts_at: shopTime(Date.now() - 2 * HOUR) }, 422, '开始时间已经过去'],
    ];
    for (const [overrides, status, message] of cases) {
      expect(await refused('/admin/group-buys', fields(overrides), status), JSON.stringify(overrides)).toContain(message);
    }
  });
});

describe('error pages are Chinese too', () => {
  it('names what a 404 did not find, in every section', async () => {
    for (const [path, message] of [
      ['/admin/products/prd_doesnotexist', '没有找到这个商品。'],
      ['/admin/orders/ord_doesnotexist', '没有找到这个订单。'],
      ['/admin/flash-sales/fls_doesnotexist', '没有找到这个秒杀活动。'],
      ['/admin/bargains/bgn_doesnotexist', '没有找到这个砍价活动。'],
      ['/admin/group-buys/gbc_doesnotexist', '没有找到这个拼团活动。'],
    ]) {
      const res = await page(path!, { cookie: viewer });
      expect(res.status, path).toBe(404);
      const html = await res.text();
      expect(html).toContain(message);
      expectChinese(html);
    }
  });

  it('explains a bad link, a missing role, a form from another site and a second cancel', async () => {
    const bad = await page('/admin/products/not-an-id', { cookie: viewer });
    expect(bad.status).toBe(400);
    expectChinese(await bad.text());
    const role = await post(`/admin/products/${productId}/unpublish`, {}, { cookie: viewer });
    expect(role.status).toBe(403);
    expect(await role.text()).toContain('你的账号没有这个操作的权限。');
    const foreign = await post(`/admin/products/${productId}/unpublish`, {}, { cookie: operator, headers: { Origin: 'https://evil.test' } });
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toContain('这个表单不是从本站的页面提交的');
    const created = await post('/admin/bargains', bargainFormFields(skuId, { title: '取消两次', start_price: '100' }), { cookie: operator });
    const id = created.headers.get('Location')!.split('/')[3]!.split('?')[0]!;
    expect((await post(`/admin/bargains/${id}/cancel`, {}, { cookie: operator })).status).toBe(303);
    const again = await post(`/admin/bargains/${id}/cancel`, {}, { cookie: operator });
    expect(again.status).toBe(409);
    const html = await again.text();
    expect(html).toContain('这个活动已经取消或结算了。');
    expectChinese(html);
  });

  it('has Chinese for any refusal, even a code or a field it has never seen', () => {
    for (const status of [400, 401, 403, 404, 409, 422, 429, 500, 503, 418] as const) {
      const message = pageMessage(new ApiError(status, 'some_future_code', 'Something went wrong in English.'));
      expect(message, String(status)).toMatch(CJK);
      expect(message).not.toMatch(ENGLISH_SENTENCE);
    }
    expect(pageMessage(new Error('not an ApiError'))).toBe('服务器出错了，请稍后再试。');
    const errors = refusedFields(
      { fieldOf: (path) => path, messages: {}, fallbackField: 'title' },
      { code: 'some_future_code', details: [{ path: 'body.new_field', message: 'must be a brand new thing' }] },
    );
    expect(errors).toEqual({ new_field: '这一项填写不正确，请检查' });
  });
});

describe('the page’s fonts', () => {
  it('names the Linux CJK fonts after the macOS and Windows ones', async () => {
    const html = await (await page('/admin/login')).text();
    const stack = /body\{font:14px\/1\.5 ([^;]+);/.exec(html)?.[1];
    expect(stack?.split(',')).toEqual(expect.arrayContaining(['PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'sans-serif']));
    expect(stack!.indexOf('Noto Sans CJK SC')).toBeLessThan(stack!.indexOf('sans-serif'));
  });
});
