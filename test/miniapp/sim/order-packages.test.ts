// The order page shows each package of a partly shipped order, what is in it and the carrier's
// latest event (from GET /orders/:id/tracking, asked only once something has shipped).
import { describe, expect, it } from 'vitest';
import type { Order, OrderTracking } from '../../../miniapp/miniprogram/lib/api-types';
import { orderDetailPage } from '../../../miniapp/miniprogram/pages/order-detail/page';
import { render, shows, textOf } from './simulate';
import { answerRequests, ok, settled } from './wx-request';

const at = '2026-12-01T08:00:00.000Z';
const order = (packages: Order['packages']) =>
  ({
    id: 'ord_1',
    order_no: '2612011600123456',
    status: packages.length ? 'partially_shipped' : 'paid',
    items: [
      {
        id: 'oit_1',
        sku_id: 'sku_1',
        product_id: 'prd_1',
        title: '连衣裙',
        spec_values: ['红色'],
        image_url: 'https://img.example.com/1.jpg',
        unit_price_fen: 12900,
        quantity: 2,
        line_total_fen: 25800,
        discount_share_fen: 0,
        payable_fen: 25800,
      },
    ],
    items_total_fen: 25800,
    discount_fen: 0,
    shipping_fee_fen: 0,
    payable_fen: 25800,
    refunded_fen: 0,
    ship_hold: null,
    address: { recipient: '王五', phone: '13900001111', province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路 1 号', postal_code: null },
    note: '',
    payment_deadline: at,
    paid_at: at,
    shipped_at: packages.length ? at : null,
    carrier: null,
    tracking_no: null,
    completed_at: null,
    cancelled_at: null,
    packages,
    refunds: [],
    events: [],
    created_at: at,
  }) as Order;

const firstPackage: Order['packages'][number] = {
  id: 'pkg_1',
  seq: 1,
  method: 'express',
  carrier: { id: 'SF', name: '顺丰速运' },
  tracking_no: 'SF100',
  item_desc: '连衣裙*1件',
  lines: [{ order_item_id: 'oit_1', title: '连衣裙', quantity: 1 }],
  completes_order: false,
  shipped_at: at,
  delivered_at: null,
};
const tracking: OrderTracking = {
  order_id: 'ord_1',
  packages: [
    {
      package_id: 'pkg_1',
      seq: 1,
      method: 'express',
      carrier: { id: 'SF', name: '顺丰速运' },
      tracking_no: 'SF100',
      state: '0',
      shipped_at: at,
      delivered_at: null,
      events: [
        { time: '2026-12-01 18:00:00', context: '快件已到达【杭州转运中心】', state: '0' },
        { time: '2026-12-01 16:00:00', context: '快件已由快递员揽收', state: '1' },
      ],
    },
  ],
};

async function open(o: Order) {
  const calls = answerRequests((_method, path) => (path.endsWith('/tracking') ? ok(tracking) : ok(o)));
  const page = render('pages/order-detail', orderDetailPage);
  const instance = page.instance as unknown as { onLoad(q: Record<string, string>): Promise<boolean> };
  await instance.onLoad({ id: 'ord_1' });
  await settled();
  return { page, calls };
}

describe('order detail packages', () => {
  it('shows each package with its contents and the latest tracking event', async () => {
    const { page, calls } = await open(order([firstPackage]));
    expect(textOf(page, '.order-status')).toBe('部分发货');
    expect(textOf(page, '.package-title')).toBe('包裹1 顺丰速运 SF100');
    expect(textOf(page, '.package-contents')).toBe('连衣裙×1');
    expect(textOf(page, '.package-latest')).toBe('2026-12-01 18:00:00 快件已到达【杭州转运中心】');
    expect(calls.map((c) => c.path)).toEqual(['/orders/ord_1', '/orders/ord_1/tracking']);
  });

  it('an order not shipped yet shows no packages and does not ask for tracking', async () => {
    const { page, calls } = await open(order([]));
    expect(shows(page, '.packages')).toBe(false);
    expect(calls.map((c) => c.path)).toEqual(['/orders/ord_1']);
  });
});
