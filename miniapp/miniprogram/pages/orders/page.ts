// The shopper's orders, by status tab, paged by cursor.
import { orderApi } from '../../lib/api';
import type { OrderStatus, OrderSummary } from '../../lib/api-types';
import { formatFen } from '../../lib/money';
import { go } from '../../lib/nav';
import { orderStatusText, orderTabs } from '../../lib/order-status';
import { datasetOf, definePage, emptyList, loadingState, loadInto, loadMore, loadsOnShow } from '../../lib/page';
import { routes } from '../../lib/routes';

type Row = OrderSummary & { statusText: string; payableText: string };
const rowOf = (o: OrderSummary): Row => ({ ...o, statusText: orderStatusText[o.status], payableText: formatFen(o.payable_fen) });

export const ordersPage = definePage({
  data: { ...loadingState, tabs: orderTabs, filter: '' as OrderStatus | '', orders: [] as Row[], nextCursor: null as string | null, loadingMore: false },
  methods: {
    ...loadsOnShow,
    onLoad(query: Record<string, string | undefined>): void {
      this.setData({ filter: (query.status ?? '') as OrderStatus | '' });
    },
    load(): Promise<boolean> {
      return loadInto(
        this,
        async () => {
          const page = await orderApi.list(this.data.filter || undefined);
          return { orders: page.items.map(rowOf), nextCursor: page.next_cursor };
        },
        emptyList('orders'),
      );
    },
    onTapTab(event: WechatMiniprogram.BaseEvent): Promise<boolean> {
      this.setData({ filter: datasetOf(event, 'status') as OrderStatus | '' });
      return this.load();
    },
    onReachBottom(): Promise<void> {
      return loadMore(
        this,
        (cursor) => orderApi.list(this.data.filter || undefined, cursor),
        (items) => this.setData({ orders: [...this.data.orders, ...items.map(rowOf)] }),
      );
    },
    onTapOrder(event: WechatMiniprogram.BaseEvent): Promise<void> {
      return go(routes.order(datasetOf(event, 'id')));
    },
  },
});
