// The mini-program's request layer against the real worker: the token is attached and renewed
// (one refresh for many requests that find it expired, a new wx.login when the refresh token is
// gone), no more than 10 requests are in flight, and API errors become readable messages.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { catalogApi, meApi, orderApi } from '../../../miniapp/miniprogram/lib/api';
import { newIdempotencyKey } from '../../../miniapp/miniprogram/lib/ids';
import { ApiRequestError } from '../../../miniapp/miniprogram/lib/errors';
import { productPage } from '../../../miniapp/miniprogram/pages/product/page';
import { profilePage } from '../../../miniapp/miniprogram/pages/profile/page';
import { currentSession, signIn } from '../../../miniapp/miniprogram/lib/session';
import { api, createCategory, createProduct, json, shippingAddress, tokenFor } from '../../fixtures/helpers';
import { mount } from '../support/page-host';
import { installWx } from '../support/wx-stand-in';

let counter = 0;
const newShopper = () => installWx({ openid: `oMiniReq${Date.now()}${++counter}` });
const callsTo = (wx: ReturnType<typeof installWx>, path: string) => wx.requests.filter((r) => r.path === path).length;
const storeSession = (patch: Record<string, unknown>) => wx().setStorageSync('edge-mall.session', { ...currentSession()!, ...patch });
const wx = () => (globalThis as unknown as { wx: { setStorageSync(k: string, v: unknown): void } }).wx;

async function failureOf(promise: Promise<unknown>): Promise<ApiRequestError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiRequestError);
  return error as ApiRequestError;
}

describe('mini-program request layer', () => {
  it('signs in with wx.login on the first call that needs the shopper, then sends the token', async () => {
    const stand = newShopper();
    expect(currentSession()).toBeNull();
    const addresses = await meApi.addresses();
    expect(addresses.items).toEqual([]);
    expect(callsTo(stand, '/auth/wechat')).toBe(1);
    expect(currentSession()).toMatchObject({ access_token: expect.any(String), user: { id: expect.stringMatching(/^usr_/) } });
    await meApi.addresses();
    expect(callsTo(stand, '/auth/wechat')).toBe(1);
  });

  it('keeps at most 10 requests in flight and still answers all of them', async () => {
    const stand = newShopper();
    const merchant = (await tokenFor('owner')).token;
    const product = await createProduct(merchant, await createCategory(merchant, '并发'));
    const answers = await Promise.all(Array.from({ length: 35 }, () => catalogApi.product(product.id)));
    expect(answers.every((a) => a.id === product.id)).toBe(true);
    expect(stand.maxInFlight).toBe(10);
    expect(callsTo(stand, `/products/${product.id}`)).toBe(35);
  });

  it('refreshes an expiring token once for many requests at the same time, and the rotated refresh token works', async () => {
    const stand = newShopper();
    await signIn();
    const before = currentSession()!;
    storeSession({ expires_at: new Date(Date.now() - 1000).toISOString() });
    const results = await Promise.all(Array.from({ length: 20 }, () => meApi.addresses()));
    expect(results).toHaveLength(20);
    // One refresh: a second use of the same refresh token would revoke the whole family.
    expect(callsTo(stand, '/auth/refresh')).toBe(1);
    expect(callsTo(stand, '/auth/wechat')).toBe(1);
    const after = currentSession()!;
    expect(after.refresh_token).not.toBe(before.refresh_token);
    expect((await api('POST', '/auth/refresh', { body: { refresh_token: after.refresh_token } })).status).toBe(200);
  });

  it('a token the API refuses (401) is renewed and the request sent again', async () => {
    const stand = newShopper();
    await signIn();
    storeSession({ access_token: 'not-a-token' });
    expect((await meApi.addresses()).items).toEqual([]);
    expect(stand.requests.filter((r) => r.path === '/me/addresses').map((r) => r.status)).toEqual([401, 200]);
    expect(callsTo(stand, '/auth/refresh')).toBe(1);
  });

  it('a refresh token that no longer works means signing in again with wx.login', async () => {
    const stand = newShopper();
    const first = await signIn();
    await api('POST', '/auth/logout', { body: { refresh_token: first.refresh_token } });
    storeSession({ expires_at: new Date(Date.now() - 1000).toISOString() });
    expect((await meApi.profile()).id).toBe(first.user!.id);
    expect(stand.requests.filter((r) => r.path.startsWith('/auth/')).map((r) => [r.path, r.status])).toEqual([
      ['/auth/wechat', 200],
      ['/auth/refresh', 401],
      ['/auth/wechat', 200],
    ]);
  });

  it('turns API errors into readable messages: unknown id, invalid field, business rule; nothing written', async () => {
    newShopper();
    const missing = await failureOf(catalogApi.product('prd_doesnotexist'));
    expect([missing.status, missing.code, missing.message]).toEqual([404, 'not_found', '内容不存在或已下架']);
    const invalid = await failureOf(meApi.createAddress({ ...shippingAddress, phone: '12345' }));
    expect(invalid.status).toBe(400);
    expect(invalid.message).toMatch(/^提交的信息有误（phone：/);
    expect(invalid.details[0]?.path).toBe('body.phone');
    const merchant = (await tokenFor('owner')).token;
    const product = await createProduct(merchant, await createCategory(merchant, '错误'), { specs: [], skus: [{ spec_values: [], price_fen: 100, original_price_fen: 100, stock: 1 }] });
    await meApi.createAddress(shippingAddress);
    const tooMany = await failureOf(orderApi.create({ items: [{ sku_id: product.skus[0].id, quantity: 5 }] }, newIdempotencyKey()));
    expect([tooMany.status, tooMany.code, tooMany.message]).toEqual([422, 'insufficient_stock', '库存不足，请减少数量']);
    const refused = await failureOf(catalogApi.search('x'.repeat(41)));
    expect(refused.message).toMatch(/^提交的信息有误（q：/);
    expect((await env.DB.prepare('SELECT count(*) AS n FROM orders').first<{ n: number }>())!.n).toBe(0);
  });

  it('a request the dev runtime lost mid-request (503, "worker restarted") is sent again only when that is safe: same Idempotency-Key (issue 16.5)', async () => {
    const stand = newShopper();
    const merchant = (await tokenFor('owner')).token;
    const product = await createProduct(merchant, await createCategory(merchant, '重启'), { specs: [], skus: [{ spec_values: [], price_fen: 100, original_price_fen: 100, stock: 5 }] });
    await meApi.createAddress(shippingAddress);
    // The worker made the order, but the answer was lost twice: the layer repeats the same key and gets that order.
    const key = newIdempotencyKey();
    stand.restartMidRequest = 2;
    const order = await orderApi.create({ items: [{ sku_id: product.skus[0].id, quantity: 1 }] }, key);
    expect(callsTo(stand, '/orders')).toBe(3);
    const rows = await env.DB.prepare('SELECT id FROM orders WHERE idempotency_key = ?').bind(key).all<{ id: string }>();
    expect(rows.results).toEqual([{ id: order.id }]);
    expect((await env.DB.prepare('SELECT stock FROM skus WHERE id = ?').bind(product.skus[0].id).first<{ stock: number }>())!.stock).toBe(4);
    // GETs too; a POST without a key is not repeated (it may have been applied): the shopper sees an error.
    stand.restartMidRequest = 1;
    expect((await catalogApi.product(product.id)).id).toBe(product.id);
    stand.restartMidRequest = 1;
    const lost = await failureOf(orderApi.confirm(order.id));
    expect(lost.status).toBe(503);
    expect(callsTo(stand, `/orders/${order.id}/confirm`)).toBe(1);
  });

  it('a request that gets no answer (offline) is a readable network error; pages show it with a retry', async () => {
    const stand = newShopper();
    stand.offline = true;
    const error = await failureOf(catalogApi.categories());
    expect([error.code, error.message]).toEqual(['network_error', '网络不可用，请检查网络后重试']);
    const page = mount(productPage);
    await page.onLoad({ id: 'prd_x' });
    expect(page.data).toMatchObject({ status: 'error', errorMessage: '网络不可用，请检查网络后重试' });
    stand.offline = false;
    await page.onRetry();
    expect(page.data).toMatchObject({ status: 'error', errorMessage: '内容不存在或已下架' });
  });

  it('sends PATCH as POST with the override header; the worker refuses any other override', async () => {
    newShopper();
    const created = await meApi.createAddress(shippingAddress);
    const updated = await meApi.updateAddress(created.id, { detail: '文一路 2 号' });
    expect(updated.detail).toBe('文一路 2 号');
    const token = currentSession()!.access_token;
    for (const [method, override] of [
      ['POST', 'DELETE'],
      ['POST', 'patch'],
      ['GET', 'PATCH'],
    ] as const) {
      const res = await api(method, `/me/addresses/${created.id}`, { token, headers: { 'X-HTTP-Method-Override': override }, ...(method === 'POST' && { body: {} }) });
      expect(res.status, `${method} ${override}`).toBe(400);
      expect((await json(res)).error.details[0].path).toBe('header.x-http-method-override');
    }
    expect((await meApi.address(created.id)).detail).toBe('文一路 2 号');
  });

  it('the profile page signs in, binds the phone through getPhoneNumber and signs out', async () => {
    const stand = newShopper();
    const profile = mount(profilePage);
    await profile.onShow();
    expect(profile.data).toMatchObject({ status: 'ready', signedIn: false });
    expect(await profile.onSignIn()).toBe(true);
    expect(profile.data).toMatchObject({ signedIn: true, maskedPhone: '' });
    expect(await profile.onGetPhoneNumber({ detail: { errMsg: 'getPhoneNumber:fail user deny' } })).toBe(false);
    expect(await profile.onGetPhoneNumber({ detail: { code: `phone:13812345678:${stand.openid}` } })).toBe(true);
    expect(profile.data.maskedPhone).toBe('138****5678');
    const user = await env.DB.prepare('SELECT phone FROM users WHERE id = ?').bind(currentSession()!.user!.id).first<{ phone: string }>();
    expect(user!.phone).toBe('+8613812345678');
    await profile.onSignOut();
    expect(profile.data.signedIn).toBe(false);
    expect(currentSession()).toBeNull();
  });
});
