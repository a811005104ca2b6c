// The after-sales page: an approved return shows the return address and takes the return
// shipment; a refused tracking number is shown next to its field.
import { describe, expect, it } from 'vitest';
import type { AfterSale } from '../../../miniapp/miniprogram/lib/api-types';
import { afterSalePage } from '../../../miniapp/miniprogram/pages/after-sale/page';
import { find, render, shows, textOf } from './simulate';
import { answerRequests, ok, settled } from './wx-request';

const at = '2026-12-01T08:00:00.000Z';
const approved: AfterSale = {
  id: 'afs_1',
  order_id: 'ord_1',
  type: 'return_refund',
  status: 'approved',
  reason: '尺码不合适',
  description: '',
  image_urls: [],
  amount_fen: 12900,
  lines: [{ order_item_id: 'oit_1', sku_id: 'sku_1', title: '连衣裙', quantity: 1, amount_fen: 12900 }],
  return_address: { recipient: '售后部', phone: '057188886666', province: '浙江省', city: '杭州市', district: '余杭区', detail: '仓库路 8 号' },
  return_shipment: null,
  exchange_shipment: null,
  restock: false,
  refund_id: null,
  decision_note: 'approved',
  due_at: at,
  created_at: at,
  updated_at: at,
};

async function open(answer: Parameters<typeof answerRequests>[0]) {
  const calls = answerRequests(answer);
  const page = render('pages/after-sale', afterSalePage);
  await (page.instance as unknown as { onLoad(q: Record<string, string>): Promise<boolean> }).onLoad({ id: 'afs_1' });
  await settled();
  return { page, calls };
}

const type = (page: ReturnType<typeof render>, selector: string, value: string) => find(page, selector).dispatchEvent('input', { detail: { value } });

describe('after-sale page', () => {
  it('an approved return shows where to send it and takes the carrier and tracking number', async () => {
    const { page, calls } = await open((method) => (method === 'POST' ? ok({ ...approved, status: 'returned', return_shipment: { carrier: 'ZTO', tracking_no: 'ZT1' } }) : ok(approved)));
    expect(textOf(page, '.after-sale-status')).toBe('商家已同意，请寄回商品');
    expect(textOf(page, '.return-address')).toContain('浙江省杭州市余杭区仓库路 8 号');
    type(page, '.carrier', '中通');
    type(page, '.tracking-no', 'ZT1');
    find(page, '.ship-back').dispatchEvent('tap');
    await settled();
    expect(calls.at(-1)).toEqual({ method: 'POST', path: '/after-sales/afs_1/return-shipment', body: { carrier: '中通', tracking_no: 'ZT1' } });
    expect(textOf(page, '.after-sale-status')).toBe('已寄回，等待商家收货');
    expect(shows(page, '.ship-back')).toBe(false);
    expect(textOf(page, '.return-shipment')).toBe('退货物流 ZTO ZT1');
  });

  it("shows the API's refusal next to the tracking number", async () => {
    const { page } = await open((method) =>
      method === 'POST'
        ? { status: 400, body: { error: { code: 'invalid_input', message: 'invalid', details: [{ path: 'body.tracking_no', message: 'must be letters, digits or -' }] } } }
        : ok(approved),
    );
    type(page, '.carrier', '中通');
    type(page, '.tracking-no', 'ZT 1');
    find(page, '.ship-back').dispatchEvent('tap');
    await settled();
    expect(textOf(page, '.field-error')).toBe('must be letters, digits or -');
  });

  it('a request not sent back yet can be withdrawn after a confirmation; an exchange shows its replacement parcel', async () => {
    const { page, calls } = await open((method) => (method === 'POST' ? ok({ ...approved, status: 'cancelled' }) : ok(approved)));
    (globalThis as unknown as { wx: Record<string, unknown> }).wx.showModal = (o: { success(r: { confirm: boolean }): void }) => o.success({ confirm: true });
    find(page, '.cancel').dispatchEvent('tap');
    await settled();
    expect(calls.at(-1)).toEqual({ method: 'POST', path: '/after-sales/afs_1/cancel', body: undefined });
    expect(textOf(page, '.after-sale-status')).toBe('已取消');
    expect(shows(page, '.cancel')).toBe(false);

    const exchanged = {
      ...approved,
      type: 'exchange' as const,
      status: 'exchanged' as const,
      exchange_shipment: { carrier: 'SF', tracking_no: 'SFEX1', package_id: 'pkg_1', uploaded_to_wechat: true },
    };
    const shown = await open(() => ok(exchanged));
    expect(textOf(shown.page, '.exchange-shipment')).toBe('换货物流 SF SFEX1');
    expect(shows(shown.page, '.cancel')).toBe(false);
  });
});
