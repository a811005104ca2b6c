// Flash-sale campaigns whose stock objects cannot be reached, settlement after the end, and the
// admin page's 秒杀 section.
import { createExecutionContext, env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../../src/app';
import { shardFor } from '../../../../src/domain/flash-sale';
import { ManualClock } from '../../../../src/lib/clock';
import { newId } from '../../../../src/lib/ids';
import { settleEndedFlashSales } from '../../../../src/marketing/flash-sale/settlement';
import { runScheduledWork } from '../../../../src/services/scheduled';
import { adminFormPost, adminPage, api, BASE, json } from '../../../fixtures/helpers';
import { setUpFlashSaleAdmin, operator, viewer, sessions, newSku, iso, campaignBody, create, created, stockObject, one, skuStock, writableState, HOUR } from '../../../fixtures/flash-sale-admin';

beforeAll(setUpFlashSaleAdmin);

describe('stock objects that cannot be reached', () => {
  /** The app with a FLASH_SALE_STOCK binding whose every call fails, as if the objects were unreachable. */
  function appWithUnreachableObjects() {
    const unreachable = new Proxy(env.FLASH_SALE_STOCK, {
      get(target, prop) {
        if (prop === 'get') return () => new Proxy({}, { get: () => () => Promise.reject(new Error('object unreachable')) });
        const value = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const app = createApp();
    return (method: string, path: string, token: string, body?: unknown) =>
      app.request(
        `${BASE}${path}`,
        { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) },
        { ...env, FLASH_SALE_STOCK: unreachable },
        createExecutionContext(),
      );
  }

  it('answers 503 after saving the campaign; the first read configures the objects from D1', async () => {
    const { skuId } = await newSku({ stock: 30 });
    const call = appWithUnreachableObjects();
    const res = await call('POST', '/admin/api/flash-sales', operator, campaignBody(skuId, { shard_count: 2, items: [{ sku_id: skuId, flash_price_fen: 990, flash_stock: 9 }] }));
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).toBe('1');
    const location = res.headers.get('Location')!;
    expect(location).toMatch(/^\/admin\/api\/flash-sales\/fls_/);
    expect((await json(res)).error.code).toBe('stock_objects_unavailable');
    // Saved: the stock has left the SKU, and the objects know nothing yet.
    expect(await skuStock(skuId)).toBe(21);
    const itemId = (await one<{ id: string }>('SELECT id FROM flash_sale_items WHERE sku_id = ?', skuId)).id;
    expect((await stockObject(itemId, 0).snapshot()).config).toBeNull();
    // A retry of the same body is refused (it would be a second campaign), not a double take.
    expect((await create(campaignBody(skuId, { shard_count: 2, items: [{ sku_id: skuId, flash_price_fen: 990, flash_stock: 9 }] }))).status).toBe(422);

    const detail = await json(api('GET', location, { token: viewer }));
    expect(detail.items[0].live).toEqual({ available: 9, held: 0, paid: 0, released: 0 });
    expect((await stockObject(itemId, 0).snapshot()).config).toMatchObject({ initialStock: 5, shardCount: 2 });
    expect((await stockObject(itemId, 1).snapshot()).config).toMatchObject({ initialStock: 4, shardCount: 2 });

    // Unreachable on read: a 503 with Retry-After, never a 500.
    const unreadable = await call('GET', location, viewer);
    expect(unreadable.status).toBe(503);
    expect(unreadable.headers.get('Retry-After')).toBe('1');
  });

  it('cancels in D1 even when the objects cannot be told; the next use closes them', async () => {
    const { skuId } = await newSku();
    const now = Date.now();
    const sale = await created(campaignBody(skuId, { starts_at: iso(now - 1000), ends_at: iso(now + HOUR) }));
    const res = await appWithUnreachableObjects()('POST', `/admin/api/flash-sales/${sale.id}/cancel`, operator);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ status: 'cancelled', stock_objects_closed: false });
    expect((await stockObject(sale.items[0].id).snapshot()).config!.endsAt).toBe(Date.parse(sale.ends_at));
    // Shoppers are refused by the purchase path (D1 says cancelled); a read closes the objects.
    await api('GET', `/admin/api/flash-sales/${sale.id}`, { token: viewer });
    expect((await stockObject(sale.items[0].id).snapshot()).config!.endsAt).toBeLessThanOrEqual(Date.now());
  });
});

describe('settlement', () => {
  /** Runs the cron sweep until it has looked at this campaign (other tests' leftovers may come first). */
  async function settle(flashSaleId: string, now: number) {
    for (let run = 0; run < 10; run++) {
      const outcome = (await runScheduledWork(env, new ManualClock(now))).flashSales.find((o) => o.flash_sale_id === flashSaleId);
      if (outcome) return outcome;
    }
    throw new Error('never looked at');
  }

  it('waits for held reservations, then gives the unsold units back to the SKU once', async () => {
    const { productId, skuId } = await newSku({ stock: 40 });
    const now = Date.now();
    const sale = await created(campaignBody(skuId, { starts_at: iso(now - 1000), ends_at: iso(now + HOUR), shard_count: 2, items: [{ sku_id: skuId, flash_price_fen: 990, flash_stock: 10 }] }));
    const itemId = sale.items[0].id;
    const [buyer, waiter] = [newId('usr'), newId('usr')];
    const paid = await stockObject(itemId, shardFor(buyer, 2)).reserve({ reservationId: newId('rsv'), userId: buyer, quantity: 1, nowMs: now });
    expect(paid.ok && (await stockObject(itemId, shardFor(buyer, 2)).confirmPaid(paid.reservationId, 'ord_x'))).toBe('paid');
    const held = await stockObject(itemId, shardFor(waiter, 2)).reserve({ reservationId: newId('rsv'), userId: waiter, quantity: 1, nowMs: now });
    expect(held.ok).toBe(true);
    expect(await skuStock(skuId)).toBe(30);

    // Not ended yet: not due.
    expect((await settleEndedFlashSales(env, now)).find((o) => o.flash_sale_id === sale.id)).toBeUndefined();
    const after = now + 2 * HOUR;
    expect(await settle(sale.id, after)).toMatchObject({ outcome: 'waiting', waiting_for: expect.stringContaining('reservations_held') });
    expect(await skuStock(skuId)).toBe(30);

    expect(held.ok && (await stockObject(itemId, shardFor(waiter, 2)).release(held.reservationId, 'expired'))).toBe('released');
    expect(await settle(sale.id, after)).toMatchObject({ outcome: 'settled', returned: { [skuId]: 9 } });
    expect(await skuStock(skuId)).toBe(39);
    expect((await one<{ total_stock: number }>('SELECT total_stock FROM products WHERE id = ?', productId)).total_stock).toBe(39);
    const ledger = await one<{ delta: number; stock_after: number }>('SELECT delta, stock_after FROM stock_ledger WHERE reason = ?', `flash sale ${sale.id} settled`);
    expect(ledger).toEqual({ delta: 9, stock_after: 39 });
    expect((await json(api('GET', `/admin/api/flash-sales/${sale.id}`, { token: viewer }))).status).toBe('settled');

    // Again: nothing is due for it, nothing comes back twice.
    expect((await settleEndedFlashSales(env, after)).find((o) => o.flash_sale_id === sale.id)).toBeUndefined();
    expect(await skuStock(skuId)).toBe(39);
    // The SKU is free for another campaign.
    expect((await create(campaignBody(skuId))).status).toBe(201);
  });

  it('settles a cancelled campaign right away, returning all of its stock', async () => {
    const { skuId } = await newSku({ stock: 20 });
    const sale = await created(campaignBody(skuId, { shard_count: 3, items: [{ sku_id: skuId, flash_price_fen: 990, flash_stock: 7 }] }));
    expect(await skuStock(skuId)).toBe(13);
    await api('POST', `/admin/api/flash-sales/${sale.id}/cancel`, { token: operator });
    expect(await settle(sale.id, Date.now())).toMatchObject({ outcome: 'settled', returned: { [skuId]: 7 } });
    expect(await skuStock(skuId)).toBe(20);
  });
});

describe('admin page', () => {
  /** Tomorrow's date in the shop's time zone, as datetime-local wants it. */
  const shopDate = (daysAhead: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + daysAhead * 24 * HOUR));

  function formFields(skuId: string, overrides: Record<string, string> = {}) {
    const day = shopDate(2);
    return {
      title: '晚八点 <b>秒杀</b>',
      starts_at: `${day}T20:00`,
      ends_at: `${day}T21:30`,
      per_user_limit: '2',
      per_order_limit: '1',
      payment_window_minutes: '5',
      shard_count: '',
      expected_peak_per_second: '',
      'items.0.sku_id': skuId,
      'items.0.flash_price': '9.9',
      'items.0.flash_stock': '12',
      ...overrides,
    };
  }

  it('has a 秒杀 nav entry and lists campaigns with their state, escaped', async () => {
    const { skuId } = await newSku();
    const sale = await created(campaignBody(skuId, { title: '<script>alert(1)</script> 秒杀' }));
    const res = await adminPage('/admin/flash-sales', { cookie: sessions.viewer });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Security-Policy')).toContain("default-src 'none'");
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('<a href="/admin/flash-sales">秒杀</a>');
    expect(html).toContain(`<a href="/admin/flash-sales/${sale.id}">&lt;script&gt;alert(1)&lt;/script&gt; 秒杀</a></td><td>未开始</td>`);
    expect(html).not.toContain('<script>');
    // Viewers get no create link.
    expect(html).not.toContain('/admin/flash-sales/new');
    expect(await (await adminPage('/admin/flash-sales', { cookie: sessions.operator })).text()).toContain('href="/admin/flash-sales/new"');
    expect((await adminPage('/admin/flash-sales?cursor=garbage', { cookie: sessions.viewer })).status).toBe(400);
    expect((await adminPage('/admin/flash-sales')).headers.get('Location')).toBe('/admin/login');
  });

  it('creates a campaign from the form, reading times in Asia/Shanghai and prices in yuan', async () => {
    const { skuId } = await newSku({ stock: 50 });
    const form = await adminPage('/admin/flash-sales/new', { cookie: sessions.operator });
    expect(form.status).toBe(200);
    const formHtml = await form.text();
    expect(formHtml).toContain('action="/admin/flash-sales"');
    expect(formHtml).toContain('type="datetime-local" name="starts_at"');
    expect(formHtml).toContain('name="items.4.flash_stock"');

    const fields = formFields(skuId);
    const res = await adminFormPost('/admin/flash-sales', fields, { cookie: sessions.operator });
    expect(res.status).toBe(303);
    const location = res.headers.get('Location')!;
    expect(location).toMatch(/^\/admin\/flash-sales\/fls_\w+\?done=created$/);
    const id = location.split('/')[3]!.split('?')[0]!;
    const row = await one<{ title: string; starts_at: number; ends_at: number; shard_count: number }>('SELECT title, starts_at, ends_at, shard_count FROM flash_sales WHERE id = ?', id);
    expect(row).toEqual({ title: '晚八点 <b>秒杀</b>', starts_at: Date.parse(`${fields.starts_at}:00+08:00`), ends_at: Date.parse(`${fields.ends_at}:00+08:00`), shard_count: 1 });
    expect(await one('SELECT flash_price_fen, flash_stock FROM flash_sale_items WHERE flash_sale_id = ?', id)).toEqual({ flash_price_fen: 990, flash_stock: 12 });
    expect(await skuStock(skuId)).toBe(38);

    const detail = await (await adminPage(location, { cookie: sessions.operator })).text();
    expect(detail).toContain('秒杀活动已创建');
    expect(detail).toContain('晚八点 &lt;b&gt;秒杀&lt;/b&gt;');
    expect(detail).toContain(`<td>${skuId}</td><td class="num">¥199.00</td><td class="num">¥9.90</td><td class="num">12</td><td class="num">12</td><td class="num">0</td><td class="num">0</td>`);
    expect(detail).toContain('20:00:00');
    expect(detail).toContain('全天（整段时间）');
    expect(detail).toContain(`action="/admin/flash-sales/${id}/cancel"`);
  });

  it('creates a campaign with daily slots typed as merchants write them', async () => {
    const { skuId } = await newSku({ stock: 50 });
    const res = await adminFormPost('/admin/flash-sales', formFields(skuId, { daily_slots: '20:00-22:00，9:30~11:00' }), { cookie: sessions.operator });
    expect(res.status).toBe(303);
    const id = res.headers.get('Location')!.split('/')[3]!.split('?')[0]!;
    expect(JSON.parse((await one<{ daily_slots: string }>('SELECT daily_slots FROM flash_sales WHERE id = ?', id)).daily_slots)).toEqual([
      { start: '20:00', end: '22:00' },
      { start: '09:30', end: '11:00' },
    ]);
    expect(await (await adminPage(`/admin/flash-sales/${id}`, { cookie: sessions.operator })).text()).toContain('20:00-22:00, 09:30-11:00');
  });

  it.each([
    [{ 'items.0.flash_price': '200' }, 'items.0.flash_price', 422, '秒杀价不能高于商品售价'],
    [{ 'items.0.flash_price': '9.999' }, 'items.0.flash_price', 400, '请输入金额'],
    [{ 'items.0.flash_stock': '51' }, 'items.0.flash_stock', 422, '秒杀库存不能超过商品当前库存'],
    [{ ends_at: '' }, 'ends_at', 400, '请选择日期和时间'],
    [{ per_order_limit: '3' }, 'per_order_limit', 400, '每单限购不能超过每人限购'],
    [{ 'items.0.sku_id': 'sku_doesnotexist' }, 'items.0.sku_id', 422, '没有这个 SKU'],
    [{ daily_slots: '10点到12点' }, 'daily_slots', 400, '格式如 10:00-12:00'],
    [{ daily_slots: '10:00-12:00, 11:00-13:00' }, 'daily_slots', 400, '场次时间有重叠'],
    [{ 'items.0.sku_id': '', 'items.0.flash_price': '', 'items.0.flash_stock': '' }, null, 400, '请至少填写一行秒杀商品'],
  ] as const)('refuses %o, naming %s (%i), keeps the input and writes nothing', async (overrides, field, status, message) => {
    const { skuId } = await newSku({ stock: 50 });
    const before = await writableState();
    const res = await adminFormPost('/admin/flash-sales', formFields(skuId, overrides as Record<string, string>), { cookie: sessions.operator });
    expect(res.status).toBe(status);
    const html = await res.text();
    expect(html).toContain(message);
    if (field) expect(html).toMatch(new RegExp(`name="${field.replace(/\./g, '\\.')}" value="[^"]*"[^>]* aria-invalid="true"[^>]*/><span class="field-error">`));
    expect(html).toContain('value="晚八点 &lt;b&gt;秒杀&lt;/b&gt;"');
    expect(await writableState()).toEqual(before);
  });

  it('puts an error of a later row next to that row when earlier rows are blank', async () => {
    const { skuId } = await newSku({ stock: 5 });
    const res = await adminFormPost(
      '/admin/flash-sales',
      formFields(skuId, { 'items.0.sku_id': '', 'items.0.flash_price': '', 'items.0.flash_stock': '', 'items.2.sku_id': skuId, 'items.2.flash_price': '1', 'items.2.flash_stock': '6' }),
      { cookie: sessions.operator },
    );
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/name="items\.2\.flash_stock" value="6" inputmode="numeric" aria-label="[^"]+" aria-invalid="true"\/><span class="field-error">/);
  });

  it('shows live figures and cancels through the form; viewers and other origins are refused', async () => {
    const { skuId } = await newSku({ stock: 50 });
    const now = Date.now();
    const sale = await created(campaignBody(skuId, { starts_at: iso(now - 1000), ends_at: iso(now + HOUR), shard_count: 2 }));
    const shopper = newId('usr');
    await stockObject(sale.items[0].id, shardFor(shopper, 2)).reserve({ reservationId: newId('rsv'), userId: shopper, quantity: 1, nowMs: Date.now() });
    const viewerHtml = await (await adminPage(`/admin/flash-sales/${sale.id}`, { cookie: sessions.viewer })).text();
    expect(viewerHtml).toContain('状态：进行中');
    expect(viewerHtml).toContain('<td class="num">10</td><td class="num">9</td><td class="num">1</td><td class="num">0</td>');
    expect(viewerHtml).not.toContain('/cancel');

    const before = await writableState();
    expect((await adminFormPost(`/admin/flash-sales/${sale.id}/cancel`, {}, { cookie: sessions.viewer })).status).toBe(403);
    expect((await adminFormPost(`/admin/flash-sales/${sale.id}/cancel`, {}, { cookie: sessions.operator, headers: { Origin: 'https://evil.test' } })).status).toBe(403);
    expect((await adminFormPost('/admin/flash-sales', formFields(skuId), { cookie: sessions.viewer })).status).toBe(403);
    expect((await adminPage('/admin/flash-sales/new', { cookie: sessions.viewer })).status).toBe(403);
    expect(await writableState()).toEqual(before);

    const res = await adminFormPost(`/admin/flash-sales/${sale.id}/cancel`, {}, { cookie: sessions.operator });
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe(`/admin/flash-sales/${sale.id}?done=cancelled`);
    expect((await one<{ status: string }>('SELECT status FROM flash_sales WHERE id = ?', sale.id)).status).toBe('cancelled');
    const html = await (await adminPage(`/admin/flash-sales/${sale.id}?done=cancelled`, { cookie: sessions.operator })).text();
    expect(html).toContain('秒杀活动已取消');
    expect(html).toContain('状态：已取消');
    expect(html).not.toContain('/cancel"');
    // A second cancel is an error page, not a crash.
    const again = await adminFormPost(`/admin/flash-sales/${sale.id}/cancel`, {}, { cookie: sessions.operator });
    expect(again.status).toBe(409);
    expect(again.headers.get('Content-Type')).toContain('text/html');
  });

  it('renders unknown campaigns as 404 pages and bad ids as 400 pages', async () => {
    const missing = await adminPage('/admin/flash-sales/fls_doesnotexist', { cookie: sessions.viewer });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('Content-Type')).toContain('text/html');
    expect((await adminPage('/admin/flash-sales/bad-id', { cookie: sessions.viewer })).status).toBe(400);
    expect((await adminPage('/admin/flash-sales/fls_doesnotexist?done=whatever', { cookie: sessions.viewer })).status).toBe(400);
    expect((await SELF.fetch(`${BASE}/admin/flash-sales/fls_doesnotexist/cancel`, { method: 'POST', redirect: 'manual', headers: { Cookie: sessions.operator, Origin: BASE } })).status).toBe(404);
  });
});
