// The after-sales request page: lines and quantities within what can be asked back (unshipped
// units as money only, shipped ones as returns), a reason, the subscription prompt in the submit
// tap, one Idempotency-Key across retries, and the API's refusal shown next to its line.
import { beforeEach, describe, expect, it } from 'vitest';
import { afterSaleRequestPage } from '../../../miniapp/miniprogram/after-sales/request/page';
import type { AfterSale, Order } from '../../../miniapp/miniprogram/lib/api-types';
import { forgetSubscribeTemplates } from '../../../miniapp/miniprogram/lib/subscribe';
import { find, render, textOf } from './simulate';
import { type Answer, answerRequests, ok, settled } from './wx-request';

const at = '2026-12-01T08:00:00.000Z';
const item = (id: string, title: string, quantity: number) => ({
  id,
  sku_id: `sku_${id}`,
  product_id: 'prd_1',
  title,
  spec_values: [],
  image_url: 'https://img.example.com/1.jpg',
  unit_price_fen: 5000,
  quantity,
  line_total_fen: 5000 * quantity,
  discount_share_fen: 0,
  payable_fen: 5000 * quantity,
});
/** Two units of a dress (one shipped) and a belt not shipped yet. */
const order = (shipped: boolean) =>
  ({
    id: 'ord_1',
    order_no: '2612011600123456',
    status: shipped ? 'partially_shipped' : 'paid',
    items: [item('oit_1', '连衣裙', 2), item('oit_2', '腰带', 1)],
    packages: shipped
      ? [
          {
            id: 'pkg_1',
            seq: 1,
            method: 'express',
            carrier: { id: 'SF', name: '顺丰速运' },
            tracking_no: 'SF1',
            item_desc: '连衣裙*1件',
            lines: [{ order_item_id: 'oit_1', title: '连衣裙', quantity: 1 }],
            completes_order: false,
            shipped_at: at,
            delivered_at: null,
          },
        ]
      : [],
  }) as unknown as Order;
const created = { id: 'afs_1', status: 'requested' } as AfterSale;
const templates = { after_sale_decision: 'TPL_AFTER_SALE', refund_result: 'TPL_REFUND_RESULT', order_paid: 'TPL_ORDER_PAID' };

type Wx = Record<string, (o: any) => void>;
const wx = () => (globalThis as unknown as { wx: Wx }).wx;

/** The shopper's side of WeChat: prompts answered with `accept`, navigation and headers recorded. */
function standIns(answer: 'accept' | 'reject') {
  const seen = { prompts: [] as string[][], redirects: [] as string[], toasts: [] as string[], keys: [] as (string | undefined)[] };
  const request = wx().request!;
  Object.assign(wx(), {
    request: (o: { header?: Record<string, string>; method?: string }) => {
      if (o.method === 'POST') seen.keys.push(o.header?.['Idempotency-Key']);
      request(o);
    },
    requestSubscribeMessage: (o: { tmplIds: string[]; success(r: Record<string, string>): void }) => {
      seen.prompts.push(o.tmplIds);
      o.success(Object.fromEntries([...o.tmplIds.map((id) => [id, answer]), ['errMsg', 'requestSubscribeMessage:ok']]));
    },
    redirectTo: (o: { url: string; success(): void }) => {
      seen.redirects.push(o.url);
      o.success();
    },
    showToast: (o: { title: string }) => seen.toasts.push(o.title),
  });
  return seen;
}

async function open(shipped: boolean, afterSaleAnswer: () => Answer, prompt: 'accept' | 'reject' = 'accept') {
  const calls = answerRequests((method, path) => {
    if (path === '/me/subscriptions') return ok(method === 'GET' ? { templates, allowances: {} } : { allowances: {} });
    if (path === '/orders/ord_1/after-sales') return afterSaleAnswer();
    return ok(order(shipped));
  });
  const seen = standIns(prompt);
  const page = render('after-sales/request', afterSaleRequestPage);
  await (page.instance as unknown as { onLoad(q: Record<string, string>): Promise<boolean> }).onLoad({ id: 'ord_1' });
  await settled();
  return { page, calls, seen };
}

const tapAll = (page: ReturnType<typeof render>, selector: string) => {
  for (const el of page.querySelectorAll(selector) as unknown as { dispatchEvent(name: string): void }[]) el.dispatchEvent('tap');
};
const lineQuantities = (page: ReturnType<typeof render>) => (page.instance.data as { lines: { quantity: number }[] }).lines.map((l) => l.quantity);
const chooseReason = (page: ReturnType<typeof render>, index: number) => find(page, '.reason-picker').dispatchEvent('change', { detail: { value: index } });

beforeEach(() => forgetSubscribeTemplates());

describe('after-sales request page', () => {
  it('a return of a shipped unit: quantities within what shipped, the prompt in the tap, then the request page', async () => {
    const { page, calls, seen } = await open(true, () => ({ status: 201, body: created }));
    expect((page.querySelectorAll('.type-choice') as unknown[]).length).toBe(3);
    (page.querySelectorAll('.type-choice') as unknown as { dispatchEvent(name: string): void }[])[1]!.dispatchEvent('tap'); // 退货退款
    await settled();
    tapAll(page, '.plus');
    await settled();
    tapAll(page, '.plus'); // a second tap cannot go past the one unit shipped
    await settled();
    expect(lineQuantities(page)).toEqual([1, 0]);
    chooseReason(page, 1);
    find(page, '.submit').dispatchEvent('tap');
    await settled();

    expect(seen.prompts).toEqual([['TPL_AFTER_SALE', 'TPL_REFUND_RESULT']]);
    expect(calls.filter((c) => c.method === 'POST')).toEqual([
      { method: 'POST', path: '/me/subscriptions', body: { accepted: ['after_sale_decision', 'refund_result'] } },
      { method: 'POST', path: '/orders/ord_1/after-sales', body: { type: 'return_refund', lines: [{ order_item_id: 'oit_1', quantity: 1 }], reason: '尺码不合适' } },
    ]);
    expect(seen.keys[1]).toMatch(/^mp-/);
    expect(seen.redirects).toEqual(['/pages/after-sale/index?id=afs_1']);
  });

  it("nothing shipped: money only; the API's refusal shows at its line, and the retry keeps the Idempotency-Key", async () => {
    let refuse = true;
    const { page, calls, seen } = await open(
      false,
      () =>
        refuse
          ? {
              status: 400,
              body: { error: { code: 'invalid_input', message: '超出可退数量', details: [{ path: 'body.lines.0.quantity', message: 'at most 0 (not yet shipped and not yet asked back)' }] } },
            }
          : { status: 201, body: created },
      'reject',
    );
    expect((page.querySelectorAll('.type-choice') as unknown[]).length).toBe(1);
    expect(textOf(page, '.type-choice')).toBe('仅退款');
    find(page, '.submit').dispatchEvent('tap');
    await settled();
    expect(seen.toasts.at(-1)).toBe('请选择售后商品和数量');
    // The belt (the second line) is the one asked for, and the one the API refuses.
    (page.querySelectorAll('.plus') as unknown as { dispatchEvent(name: string): void }[])[1]!.dispatchEvent('tap');
    chooseReason(page, 0);
    find(page, '.submit').dispatchEvent('tap');
    await settled();
    expect(textOf(page, '.field-error')).toBe('at most 0 (not yet shipped and not yet asked back)');
    expect((page.instance.data as { fieldErrors: Record<string, string> }).fieldErrors).toEqual({ line1: 'at most 0 (not yet shipped and not yet asked back)' });
    refuse = false;
    find(page, '.submit').dispatchEvent('tap');
    await settled();
    // The prompt was refused both times: nothing reported, the same key for both requests.
    expect(calls.some((c) => c.method === 'POST' && c.path === '/me/subscriptions')).toBe(false);
    expect(seen.keys).toHaveLength(2);
    expect(seen.keys[0]).toBe(seen.keys[1]);
    expect(seen.redirects).toEqual(['/pages/after-sale/index?id=afs_1']);
  });
});
