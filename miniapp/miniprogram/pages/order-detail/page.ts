// One order: items, amounts, address, packages with their latest tracking, history; pay (while unpaid, with the payment deadline
// counting down), cancel, confirm receipt, ask for a refund.
import { orderApi } from '../../lib/api';
import type { Order, OrderStatus, OrderTracking } from '../../lib/api-types';
import { breakdownOf, type Breakdown } from '../../lib/breakdown';
import { confirmDialog, go, toast } from '../../lib/nav';
import { orderActions, orderStatusText } from '../../lib/order-status';
import { act, definePage, loadingState, loadInto, loadsById } from '../../lib/page';
import { payOrder } from '../../lib/pay';
import { routes } from '../../lib/routes';

/** One package as the shopper reads it: carrier and number, what is in it, the carrier's latest word. */
type PackageView = { key: string; title: string; contents: string; latest: string };
type OrderView = { order: Order; statusText: string; breakdown: Breakdown; actions: ReturnType<typeof orderActions>; history: { at: string; text: string }[]; packages: PackageView[] };

function packagesOf(order: Order, tracking: OrderTracking | null): PackageView[] {
  return order.packages.map((p) => {
    const events = tracking?.packages.find((t) => t.package_id === p.id)?.events ?? [];
    return {
      key: p.id,
      title: `包裹${p.seq} ${p.carrier ? `${p.carrier.name} ${p.tracking_no}` : '无需物流'}${p.delivered_at ? ' 已签收' : ''}`,
      contents: p.lines.map((l) => `${l.title}×${l.quantity}`).join('，'),
      latest: events[0] ? `${events[0].time} ${events[0].context}` : '',
    };
  });
}

const viewOf = (order: Order, tracking: OrderTracking | null = null): OrderView => ({
  order,
  statusText: orderStatusText[order.status],
  breakdown: breakdownOf({ ...order, adjustments: order.discount_fen ? [{ label: '优惠', amount_fen: order.discount_fen }] : [] }),
  actions: orderActions(order.status),
  history: order.events.map((e) => ({ at: e.at ?? '', text: orderStatusText[e.to as OrderStatus] ?? e.to })),
  packages: packagesOf(order, tracking),
});

export const orderDetailPage = definePage({
  data: { ...loadingState, id: '', view: null as OrderView | null, busy: false },
  methods: {
    ...loadsById,
    load(): Promise<boolean> {
      return loadInto(this, async () => {
        const order = await orderApi.get(this.data.id);
        // Packages and their tracking timeline come with the order once it has shipped.
        return { view: viewOf(order, order.packages.length ? await orderApi.tracking(this.data.id) : null) };
      });
    },
    /** Runs one action on the order and shows the order as the API returns it afterwards. */
    async perform(task: () => Promise<Order | null>): Promise<boolean> {
      if (this.data.busy) return false;
      this.setData({ busy: true });
      const done = await act(async () => {
        const order = await task();
        if (order) this.setData({ view: viewOf(order) });
      });
      this.setData({ busy: false });
      return done;
    },
    onPay(): Promise<boolean> {
      return this.perform(async () => {
        const result = await payOrder(this.data.id);
        if (result.outcome === 'cancelled') {
          toast('已取消支付');
          return null;
        }
        return result.order;
      });
    },
    async onCancel(): Promise<boolean> {
      if ((await confirmDialog('取消订单', '确定取消这个订单吗？')) === null) return false;
      return this.perform(() => orderApi.cancel(this.data.id, '买家取消'));
    },
    async onConfirm(): Promise<boolean> {
      if ((await confirmDialog('确认收货', '确认已经收到商品了吗？')) === null) return false;
      return this.perform(() => orderApi.confirm(this.data.id));
    },
    async onRefund(): Promise<boolean> {
      const reason = await confirmDialog('申请退款', '请填写退款原因', true);
      if (reason === null) return false;
      if (!reason.trim()) {
        toast('请填写退款原因');
        return false;
      }
      return this.perform(() => orderApi.refund(this.data.id, reason.trim().slice(0, 80)));
    },
    /** Some lines, a return or an exchange: the after-sales request page (its own subpackage). */
    onAfterSale(): Promise<void> {
      return go(routes.afterSaleRequest(this.data.id));
    },
    onPaymentDeadline(): Promise<boolean> {
      return this.load();
    },
  },
});
