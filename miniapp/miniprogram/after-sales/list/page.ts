// The shopper's after-sales requests, newest first, paged by cursor: what was asked, where it
// stands; a tap opens the request (its status, the return address, the return shipment).
import { afterSaleStatusText, afterSaleTypeText } from '../../lib/after-sale-status';
import { afterSaleApi } from '../../lib/api';
import type { AfterSale } from '../../lib/api-types';
import { formatFen } from '../../lib/money';
import { go } from '../../lib/nav';
import { datasetOf, definePage, emptyList, loadingState, loadInto, loadMore, loadsOnShow } from '../../lib/page';
import { routes } from '../../lib/routes';

type Row = { id: string; typeText: string; statusText: string; amountText: string; summary: string };
const rowOf = (a: AfterSale): Row => ({
  id: a.id,
  typeText: afterSaleTypeText[a.type],
  statusText: afterSaleStatusText[a.status],
  amountText: formatFen(a.amount_fen),
  summary: a.lines.map((l) => `${l.title}×${l.quantity}`).join('，'),
});

export const afterSalesPage = definePage({
  data: { ...loadingState, afterSales: [] as Row[], nextCursor: null as string | null, loadingMore: false },
  methods: {
    ...loadsOnShow,
    load(): Promise<boolean> {
      return loadInto(
        this,
        async () => {
          const page = await afterSaleApi.list();
          return { afterSales: page.items.map(rowOf), nextCursor: page.next_cursor };
        },
        emptyList('afterSales'),
      );
    },
    onReachBottom(): Promise<void> {
      return loadMore(
        this,
        (cursor) => afterSaleApi.list(cursor),
        (items) => this.setData({ afterSales: [...this.data.afterSales, ...items.map(rowOf)] }),
      );
    },
    onTapAfterSale(event: WechatMiniprogram.BaseEvent): Promise<void> {
      return go(routes.afterSale(datasetOf(event, 'id')));
    },
  },
});
