// Checkout: the lines ("buy now" from the product page, or the cart's selected lines), the
// shipping address (the default, or one chosen from the address book), the price breakdown, and
// submit → order → WeChat Pay. The Idempotency-Key is made once per visit (and coupon choice), so
// a retried submit after a lost answer gets the same order back rather than a second one. The
// coupon: the quote's best unless the shopper picks another or none (coupon-choice component);
// the order takes the coupon the shopper saw.
import { cartApi, meApi, orderApi } from '../../lib/api';
import type { CouponChoiceChange } from '../../components/coupon-choice/component';
import type { Address, CheckoutLines, Quote, QuoteCoupons, QuotePoints } from '../../lib/api-types';
import { payAndShowOrder } from '../../lib/checkout-flow';
import { breakdownOf, type Breakdown } from '../../lib/breakdown';
import { isCouponRefusal } from '../../lib/coupons';
import { newIdempotencyKey } from '../../lib/ids';
import { formatFen } from '../../lib/money';
import { go, toast } from '../../lib/nav';
import { act, definePage, emptyList, loadingState, loadInto } from '../../lib/page';
import { routes } from '../../lib/routes';
import { takeChosenAddress } from '../../lib/selection';
import { askToSubscribe, loadSubscribeTemplates, PAY_MESSAGES } from '../../lib/subscribe';

type Line = Quote['lines'][number] & { specText: string; unitPriceText: string };

export const checkoutPage = definePage({
  data: {
    ...loadingState,
    items: undefined as CheckoutLines['items'],
    address: null as Address | null,
    lines: [] as Line[],
    unavailableCount: 0,
    breakdown: null as Breakdown | null,
    coupon: null as QuoteCoupons['coupon'],
    coupons: { usable: [], unusable: [] } as QuoteCoupons['coupons'],
    /** null until the shopper picks: then the API's best is not asked for any more. */
    couponPick: null as CouponChoiceChange | null,
    idempotencyKey: '',
    submitting: false,
    /** The quote's points line, and how many points the shopper asked to use (0 = none). */
    points: null as QuotePoints | null,
    pointsRequested: 0,
  },
  methods: {
    onRetry(): Promise<boolean> {
      return this.load();
    },
    onLoad(query: Record<string, string | undefined>): Promise<boolean> {
      const quantity = Number(query.quantity ?? '1');
      this.setData({ items: query.sku_id ? [{ sku_id: query.sku_id, quantity }] : undefined, idempotencyKey: newIdempotencyKey() });
      // Read ahead: the prompt at submit must follow the tap at once, before any request.
      void loadSubscribeTemplates();
      return this.load();
    },
    /** Back from the address book with a choice. */
    onShow(): void {
      const chosen = takeChosenAddress();
      if (chosen) this.setData({ address: chosen });
    },
    load(): Promise<boolean> {
      return loadInto(
        this,
        async () => {
          const [addresses, quote] = await Promise.all([
            meApi.addresses(),
            cartApi.quote({ items: this.data.items, coupon_id: this.data.couponPick?.couponId, points: this.data.pointsRequested || undefined }),
          ]);
          return {
            address: this.data.address ?? addresses.items.find((a) => a.is_default) ?? addresses.items[0] ?? null,
            lines: quote.lines.map((l) => ({ ...l, specText: l.spec_values.join(' '), unitPriceText: formatFen(l.effective_unit_price_fen) })),
            unavailableCount: quote.unavailable.length,
            breakdown: breakdownOf(quote),
            coupon: quote.coupon,
            coupons: quote.coupons,
            points: quote.points,
          };
        },
        emptyList('lines'),
      );
    },
    /** Another coupon or none (null: the best again): quoted again, and a new order attempt (its body changed). */
    onCouponChange(event: { detail: CouponChoiceChange | null }): Promise<boolean> {
      this.setData({ couponPick: event.detail, idempotencyKey: newIdempotencyKey() });
      return this.load();
    },
    /** The points switch: quote again with as many points as the order may use, or none (a new order attempt too). */
    onPointsChange(event: { detail: { use: boolean } }): Promise<boolean> {
      this.setData({ pointsRequested: event.detail.use ? (this.data.points?.max_usable ?? 0) : 0, idempotencyKey: newIdempotencyKey() });
      return this.load();
    },
    onChooseAddress(): Promise<void> {
      return go(routes.addresses(true));
    },
    /** Places the order and opens the WeChat Pay cashier; the order page shows how it ended. */
    async onSubmit(): Promise<void> {
      const address = this.data.address;
      if (!address) return toast('请选择收货地址');
      if (this.data.submitting) return;
      this.setData({ submitting: true });
      let orderId = '';
      let couponRefused = false;
      // WeChat lets the prompt follow a tap only, not a request's answer: asked before the order is placed.
      await askToSubscribe(PAY_MESSAGES);
      const placed = await act(async () => {
        const body = { items: this.data.items, address_id: address.id, coupon_id: this.data.coupon?.id ?? null, points: this.data.points?.applied || undefined };
        const order = await orderApi.create(body, this.data.idempotencyKey).catch((error: unknown) => {
          couponRefused = isCouponRefusal(error);
          throw error;
        });
        orderId = order.id;
      });
      if (placed) {
        await payAndShowOrder(orderId, []);
      }
      this.setData({ submitting: false });
      // The coupon shown went to another order meanwhile: quote again with the best one left.
      if (couponRefused) await this.onCouponChange({ detail: null });
    },
  },
});
