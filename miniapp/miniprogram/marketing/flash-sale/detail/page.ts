// One flash sale: its products with the live remaining units, and "抢购": the API holds a unit
// in the SKU's stock object and creates the pending order, paid here at once.
import { flashSaleApi } from '../../../lib/api';
import type { FlashSaleDetail, FlashSaleProduct } from '../../../lib/api-types';
import { payAndShowOrder } from '../../../lib/checkout-flow';
import { FLASH_PAY_MESSAGES } from '../../../lib/subscribe';
import { withCountdown } from '../../../lib/flash-sale';
import { newIdempotencyKey } from '../../../lib/ids';
import { formatFen } from '../../../lib/money';
import { act, datasetOf, definePage, loadingState, loadInto, loadsById } from '../../../lib/page';

type Item = FlashSaleProduct & { priceText: string; originalText: string; specText: string; soldOut: boolean };
const itemOf = (p: FlashSaleProduct): Item => ({
  ...p,
  priceText: formatFen(p.flash_price_fen),
  originalText: formatFen(p.original_price_fen),
  specText: p.spec_values.join(' '),
  soldOut: p.remaining === 0,
});

export const flashSaleDetailPage = definePage({
  data: {
    ...loadingState,
    id: '',
    campaign: null as ReturnType<typeof withCountdown<FlashSaleDetail>> | null,
    items: [] as Item[],
    /** One key per item for this visit: a retried tap after a lost answer is the same purchase. */
    keys: {} as Record<string, string>,
    buying: false,
  },
  methods: {
    ...loadsById,
    load(): Promise<boolean> {
      return loadInto(this, async () => {
        const detail = await flashSaleApi.get(this.data.id);
        return { campaign: withCountdown(detail), items: detail.products.map(itemOf) };
      });
    },
    onCountdownEnd(): Promise<boolean> {
      return this.load();
    },
    async onBuy(event: WechatMiniprogram.BaseEvent): Promise<boolean> {
      const item = this.data.items.find((i) => i.item_id === datasetOf(event, 'id'));
      if (!item || this.data.buying) return false;
      const key = this.data.keys[item.item_id] ?? newIdempotencyKey();
      this.setData({ buying: true, keys: { ...this.data.keys, [item.item_id]: key } });
      let orderId = '';
      const reserved = await act(async () => {
        orderId = (await flashSaleApi.reserve(this.data.id, { sku_id: item.sku_id, quantity: 1 }, key)).id;
      });
      if (reserved) await payAndShowOrder(orderId, FLASH_PAY_MESSAGES);
      else await this.load();
      this.setData({ buying: false });
      return reserved;
    },
  },
});
