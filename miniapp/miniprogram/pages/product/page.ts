// Product detail: images, description, the spec / SKU picker, add to cart and buy now.
import type { SpecPickerChange } from '../../components/spec-picker/component';
import { cartApi, catalogApi } from '../../lib/api';
import type { ProductDetail } from '../../lib/api-types';
import { go, toast } from '../../lib/nav';
import { act, definePage, loadingState, loadInto, loadsById } from '../../lib/page';
import { routes } from '../../lib/routes';

export const productPage = definePage({
  data: { ...loadingState, id: '', product: null as ProductDetail | null, skuId: null as string | null, quantity: 1, adding: false },
  methods: {
    ...loadsById,
    load(): Promise<boolean> {
      return loadInto(this, async () => ({ product: await catalogApi.product(this.data.id) }));
    },
    /** From the spec picker: the SKU chosen (null until every spec has an in-stock value). */
    onSpecChange(event: { detail: SpecPickerChange }): void {
      this.setData({ skuId: event.detail.skuId, quantity: event.detail.quantity });
    },
    chosenSku(): string | null {
      if (!this.data.skuId) toast('请选择规格');
      return this.data.skuId;
    },
    async onAddToCart(): Promise<boolean> {
      const skuId = this.chosenSku();
      if (!skuId || this.data.adding) return false;
      this.setData({ adding: true });
      const added = await act(() => cartApi.add(skuId, this.data.quantity));
      this.setData({ adding: false });
      if (added) wx.showToast({ title: '已加入购物车', icon: 'success' });
      return added;
    },
    async onBuyNow(): Promise<void> {
      const skuId = this.chosenSku();
      if (skuId) await go(routes.checkout({ sku_id: skuId, quantity: this.data.quantity }));
    },
    onGoCart(): Promise<void> {
      return go(routes.cart());
    },
    onShareAppMessage(): WechatMiniprogram.Page.ICustomShareContent {
      const product = this.data.product;
      return { title: product?.title ?? '', path: routes.product(this.data.id), imageUrl: product?.main_image_url ?? '' };
    },
  },
});
