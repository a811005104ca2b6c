// How an order's status reads to a shopper, and what they may do with it (the API's state
// machine, src/domain/order-state.ts, has the final say; these only decide which buttons show).
import type { OrderStatus } from './api-types';

export const orderStatusText: Record<OrderStatus, string> = {
  pending_payment: '待付款',
  paid: '待发货',
  partially_shipped: '部分发货',
  shipped: '待收货',
  completed: '已完成',
  cancelled: '已取消',
  refund_requested: '退款申请中',
  refunding: '退款中',
  refunded: '已退款',
  partially_refunded: '部分退款',
  refund_rejected: '退款被拒绝',
};

const refundable: OrderStatus[] = ['paid', 'partially_shipped', 'shipped', 'completed', 'partially_refunded', 'refund_rejected'];

export function orderActions(status: OrderStatus) {
  return {
    canPay: status === 'pending_payment',
    canCancel: status === 'pending_payment',
    canConfirm: status === 'shipped',
    canRefund: refundable.includes(status),
  };
}

/** The tabs of the order list. */
export const orderTabs: { status: OrderStatus | ''; label: string }[] = [
  { status: '', label: '全部' },
  { status: 'pending_payment', label: '待付款' },
  { status: 'paid', label: '待发货' },
  { status: 'shipped', label: '待收货' },
  { status: 'completed', label: '已完成' },
  { status: 'refund_requested', label: '退款' },
];
