// The cart (a tab): lines with their live price and availability, select / quantity / remove,
// and the totals the API computes for the selected lines as checkout quotes them (member prices,
// 满减/满折, the best coupon held, shipping).
import { cartApi } from '../../lib/api';
import type { Cart } from '../../lib/api-types';
import { breakdownOf, type Breakdown } from '../../lib/breakdown';
import { formatFen } from '../../lib/money';
import { go, confirmDialog } from '../../lib/nav';
import { act, datasetOf, definePage, emptyList, loadingState, loadInto, loadsOnShow } from '../../lib/page';
import { routes } from '../../lib/routes';

const unavailableText: Record<string, string> = {
  product_unpublished: '已下架',
  sku_removed: '规格已失效',
  out_of_stock: '已售罄',
  insufficient_stock: '库存不足',
};

/** Why a line costs less than its list price (the API's price_source). */
const priceSourceText: Record<string, string> = { member: '会员价', member_level: '会员折扣', timed_discount: '限时价' };

type Line = Cart['items'][number] & { specText: string; priceText: string; listPriceText: string; priceBadge: string; unavailableText: string };
type Totals = { selectedCount: number; itemsTotalText: string; adjustments: Breakdown['adjustments']; shippingText: string; payableText: string };

function viewOf(cart: Cart): { lines: Line[]; totals: Totals; allSelected: boolean } {
  const s = cart.summary;
  return {
    lines: cart.items.map((l) => ({
      ...l,
      specText: l.spec_values.join(' '),
      // What checkout charges per unit, and the list price struck through when that is lower.
      priceText: l.price_fen === null ? '' : formatFen(l.effective_unit_price_fen ?? l.price_fen),
      listPriceText: l.price_fen !== null && l.effective_unit_price_fen !== null && l.effective_unit_price_fen < l.price_fen ? formatFen(l.price_fen) : '',
      priceBadge: priceSourceText[l.price_source ?? ''] ?? '',
      unavailableText: l.unavailable_reason ? (unavailableText[l.unavailable_reason] ?? '不可购买') : '',
    })),
    totals: {
      selectedCount: s.selected_count,
      itemsTotalText: formatFen(s.items_total_fen),
      adjustments: breakdownOf(s).adjustments,
      shippingText: s.shipping_fee_fen > 0 ? formatFen(s.shipping_fee_fen) : '免运费',
      payableText: formatFen(s.payable_fen),
    },
    allSelected: cart.items.length > 0 && cart.items.every((l) => l.selected),
  };
}

export const cartPage = definePage({
  data: { ...loadingState, lines: [] as Line[], totals: null as Totals | null, allSelected: false },
  methods: {
    ...loadsOnShow,
    load(): Promise<boolean> {
      return loadInto(this, async () => viewOf(await cartApi.cart()), emptyList('lines'));
    },
    /** Every change answers with the whole cart, totals included: show exactly that. */
    async change(task: () => Promise<Cart>): Promise<boolean> {
      return act(async () => {
        const cart = await task();
        this.setData({ ...viewOf(cart), status: cart.items.length ? 'ready' : 'empty' });
      });
    },
    onToggleLine(event: WechatMiniprogram.BaseEvent): Promise<boolean> {
      const id = datasetOf(event, 'id');
      const line = this.data.lines.find((l) => l.id === id);
      return this.change(() => cartApi.update(id, { selected: !line?.selected }));
    },
    onToggleAll(): Promise<boolean> {
      return this.change(() => cartApi.selectAll(!this.data.allSelected));
    },
    onChangeQuantity(event: WechatMiniprogram.BaseEvent): Promise<boolean> {
      const id = datasetOf(event, 'id');
      const delta = Number(datasetOf(event, 'delta'));
      const line = this.data.lines.find((l) => l.id === id);
      if (!line || line.quantity + delta < 1) return Promise.resolve(false);
      return this.change(() => cartApi.update(id, { quantity: line.quantity + delta }));
    },
    async onRemoveLine(event: WechatMiniprogram.BaseEvent): Promise<boolean> {
      const id = datasetOf(event, 'id');
      if ((await confirmDialog('删除商品', '确定从购物车删除这件商品吗？')) === null) return false;
      return this.change(() => cartApi.remove(id));
    },
    onTapProduct(event: WechatMiniprogram.BaseEvent): Promise<void> {
      return go(routes.product(datasetOf(event, 'id')));
    },
    onCheckout(): Promise<void> | undefined {
      if (!this.data.totals?.selectedCount) return void wx.showToast({ title: '请选择要结算的商品', icon: 'none' });
      return go(routes.checkout());
    },
    onGoShopping(): Promise<void> {
      return go(routes.home());
    },
  },
});
