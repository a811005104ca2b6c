// The spec / SKU picker: one row per spec, values that cannot be bought with the other choices
// are disabled, and "change" reports the chosen SKU (or null) and the quantity.
import type { ProductSku, ProductSpec } from '../../lib/api-types';
import { formatFen, formatFenRange } from '../../lib/money';
import { defineComponent } from '../../lib/page';
import { initialChoice, pickerRows, skuFor, toggle, type Choice, type PickerRow } from '../../lib/sku';

export type SpecPickerChange = { skuId: string | null; quantity: number };

export const specPicker = defineComponent({
  properties: {
    specs: { type: Array, value: [] as ProductSpec[] },
    skus: { type: Array, value: [] as ProductSku[] },
  },
  data: { choice: [] as Choice, rows: [] as PickerRow[], skuId: '', quantity: 1, maxQuantity: 1, priceText: '', stockText: '', hint: '', productKey: '', reported: '' },
  observers: {
    'specs, skus'() {
      this.reset();
    },
  },
  lifetimes: {
    attached() {
      this.reset();
    },
  },
  methods: {
    /** A new product starts over; the same one passed down again (the page re-rendered) keeps the choice. */
    reset(): void {
      const productKey = this.data.skus.map((s) => `${s.id}:${s.stock}`).join();
      if (productKey === this.data.productKey) return;
      this.setData({ productKey });
      this.show(initialChoice(this.data.specs, this.data.skus), 1);
    },
    onTapValue(event: { currentTarget: { dataset: { index: number; value: string } } }) {
      const { index, value } = event.currentTarget.dataset;
      this.show(toggle(this.data.specs, this.data.skus, this.data.choice, Number(index), value), this.data.quantity);
    },
    onMinus() {
      this.show(this.data.choice, this.data.quantity - 1);
    },
    onPlus() {
      this.show(this.data.choice, this.data.quantity + 1);
    },
    show(choice: Choice, wantedQuantity: number) {
      const { specs, skus } = this.data;
      const sku = skuFor(skus, choice);
      const prices = skus.map((s) => s.price_fen);
      const maxQuantity = Math.max(1, sku?.stock ?? 1);
      const quantity = Math.min(Math.max(1, wantedQuantity), maxQuantity);
      const missing = specs.filter((_, i) => choice[i] === null).map((s) => s.name);
      this.setData({
        choice,
        rows: pickerRows(specs, skus, choice),
        skuId: sku?.id ?? '',
        quantity,
        maxQuantity,
        priceText: sku ? formatFen(sku.price_fen) : prices.length ? formatFenRange(Math.min(...prices), Math.max(...prices)) : '',
        stockText: sku ? (sku.stock > 0 ? `库存 ${sku.stock} 件` : '已售罄') : '',
        hint: missing.length ? `请选择 ${missing.join(' ')}` : '',
      });
      // Reported only when it changes: the page's answer re-renders it, which must not loop.
      const change: SpecPickerChange = { skuId: sku && sku.stock > 0 ? sku.id : null, quantity };
      const reported = `${change.skuId}×${change.quantity}`;
      if (reported === this.data.reported) return;
      this.setData({ reported });
      this.triggerEvent('change', change);
    },
  },
});
