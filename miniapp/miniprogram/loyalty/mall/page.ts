// 积分商城: the items (points, or points + cash), the shopper's balance, exchanging one (a coupon at
// once; a SKU becomes an order to the default address whose cash part is paid with WeChat Pay),
// and 我的兑换. The API guards stock, limits and the balance; its refusals show as sentences.
import { loyaltyApi } from '../../lib/api';
import type { MallExchangePage, MallItem } from '../../lib/api-types';
import { payAndShowOrder } from '../../lib/checkout-flow';
import { newIdempotencyKey } from '../../lib/ids';
import { formatFen } from '../../lib/money';
import { confirmDialog, go, toast } from '../../lib/nav';
import { act, datasetOf, definePage, loadingState, loadInto, loadMore } from '../../lib/page';
import { routes } from '../../lib/routes';

type ItemRow = MallItem & { priceText: string; affordable: boolean };
type ExchangeRow = MallExchangePage['items'][number] & { priceText: string; date: string };

const priceText = (points: number, cashFen: number) => (cashFen > 0 ? `${points} 积分 + ${formatFen(cashFen)}` : `${points} 积分`);
const exchangeRow = (e: MallExchangePage['items'][number]): ExchangeRow => ({ ...e, priceText: priceText(e.points, e.cash_fen), date: (e.created_at ?? '').slice(0, 10) });

export const mallPage = definePage({
  data: {
    ...loadingState,
    tab: 'items' as 'items' | 'mine',
    balance: 0,
    items: [] as ItemRow[],
    exchanges: [] as ExchangeRow[],
    nextCursor: null as string | null,
    loadingMore: false,
    /** One key per item for this visit: a retried tap after a lost answer is the same exchange. */
    keys: {} as Record<string, string>,
    exchanging: false,
  },
  methods: {
    onRetry(): Promise<boolean> {
      return this.load();
    },
    onLoad(query: Record<string, string | undefined>): Promise<boolean> {
      this.setData({ tab: query.tab === 'mine' ? 'mine' : 'items' });
      return this.load();
    },
    load(): Promise<boolean> {
      return loadInto(this, async () => {
        const [points, items, mine] = await Promise.all([loyaltyApi.points(), loyaltyApi.mallItems(), loyaltyApi.myExchanges()]);
        const spendable = points.can_spend ? points.balance : 0;
        return {
          balance: points.balance,
          items: items.items.map((i) => ({ ...i, priceText: priceText(i.points_price, i.cash_fen), affordable: i.points_price <= spendable })),
          exchanges: mine.items.map(exchangeRow),
          nextCursor: mine.next_cursor,
        };
      });
    },
    onTapTab(event: WechatMiniprogram.BaseEvent): void {
      this.setData({ tab: datasetOf(event, 'tab') === 'mine' ? 'mine' : 'items' });
    },
    onReachBottom(): Promise<void> {
      if (this.data.tab !== 'mine') return Promise.resolve();
      return loadMore(this, loyaltyApi.myExchanges, (items) => this.setData({ exchanges: [...this.data.exchanges, ...items.map(exchangeRow)] }));
    },
    async onExchange(event: WechatMiniprogram.BaseEvent): Promise<boolean> {
      const item = this.data.items.find((i) => i.id === datasetOf(event, 'id'));
      if (!item || this.data.exchanging) return false;
      if ((await confirmDialog('确认兑换', `${item.title}：${item.priceText}`)) === null) return false;
      const key = this.data.keys[item.id] ?? newIdempotencyKey();
      this.setData({ exchanging: true, keys: { ...this.data.keys, [item.id]: key } });
      let orderId: string | null = null;
      const done = await act(async () => {
        orderId = (await loyaltyApi.exchange(item.id, {}, key)).order_id;
      });
      this.setData({ exchanging: false, keys: { ...this.data.keys, [item.id]: newIdempotencyKey() } });
      if (done && orderId) {
        await payAndShowOrder(orderId);
        return true;
      }
      if (done) toast('兑换成功');
      await this.load();
      return done;
    },
    onTapExchange(event: WechatMiniprogram.BaseEvent): Promise<void> {
      const orderId = datasetOf(event, 'order');
      return orderId ? go(routes.order(orderId)) : Promise.resolve();
    },
  },
});
