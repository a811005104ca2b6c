// The address book: list, set the default, delete, edit, import from WeChat (wx.chooseAddress);
// opened with ?choose=1 from the checkout, a tap picks the address and goes back.
import { meApi } from '../../lib/api';
import type { Address } from '../../lib/api-types';
import { back, confirmDialog, go } from '../../lib/nav';
import { act, datasetOf, definePage, emptyList, loadingState, loadInto, loadsOnShow } from '../../lib/page';
import { routes } from '../../lib/routes';
import { chooseAddress } from '../../lib/selection';

function wechatAddress(): Promise<WechatMiniprogram.ChooseAddressSuccessCallbackResult | null> {
  return new Promise((resolve) => wx.chooseAddress({ success: resolve, fail: () => resolve(null) }));
}

export const addressesPage = definePage({
  data: { ...loadingState, choosing: false, addresses: [] as Address[] },
  methods: {
    ...loadsOnShow,
    onLoad(query: Record<string, string | undefined>): void {
      this.setData({ choosing: query.choose === '1' });
    },
    load(): Promise<boolean> {
      return loadInto(this, async () => ({ addresses: (await meApi.addresses()).items }), emptyList('addresses'));
    },
    addressOf(event: WechatMiniprogram.BaseEvent): Address | undefined {
      return this.data.addresses.find((a) => a.id === datasetOf(event, 'id'));
    },
    onTapAddress(event: WechatMiniprogram.BaseEvent): Promise<void> | undefined {
      const address = this.addressOf(event);
      if (!address) return undefined;
      if (!this.data.choosing) return go(routes.addressEdit(address.id));
      chooseAddress(address);
      back();
      return undefined;
    },
    async onSetDefault(event: WechatMiniprogram.BaseEvent): Promise<boolean> {
      const id = datasetOf(event, 'id');
      return (await act(() => meApi.updateAddress(id, { is_default: true }))) && this.load();
    },
    async onDelete(event: WechatMiniprogram.BaseEvent): Promise<boolean> {
      const id = datasetOf(event, 'id');
      if ((await confirmDialog('删除地址', '确定删除这个地址吗？')) === null) return false;
      return (await act(() => meApi.deleteAddress(id))) && this.load();
    },
    onAdd(): Promise<void> {
      return go(routes.addressEdit());
    },
    async onImportFromWeChat(): Promise<boolean> {
      const picked = await wechatAddress();
      if (!picked) return false;
      const created = await act(() =>
        meApi.createAddress({
          recipient: picked.userName,
          phone: picked.telNumber,
          province: picked.provinceName,
          city: picked.cityName,
          district: picked.countyName,
          detail: picked.detailInfo,
          postal_code: /^\d{6}$/.test(picked.postalCode) ? picked.postalCode : null,
        }),
      );
      return created && this.load();
    },
  },
});
