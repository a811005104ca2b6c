// How an after-sales request reads to the shopper (the API's transition table, src/domain/after-sale.ts, has the final say).
import type { AfterSale, AfterSaleType } from './api-types';

export const afterSaleStatusText: Record<AfterSale['status'], string> = {
  requested: '等待商家处理',
  approved: '商家已同意，请寄回商品',
  returned: '已寄回，等待商家收货',
  received: '商家已收货',
  refunding: '退款中',
  refund_failed: '退款遇到问题，商家处理中',
  refunded: '已退款',
  exchanged: '已换货，新商品已发出',
  rejected: '商家已拒绝',
  cancelled: '已取消',
  closed: '已关闭',
};

export const afterSaleTypeText: Record<AfterSaleType, string> = { refund_only: '仅退款', return_refund: '退货退款', exchange: '换货' };
