// One after-sales request (售后): its status, the merchant's decision, once approved the return
// address and the form to send the goods back (carrier and tracking number), an exchange's
// replacement parcel, and withdrawing the request while nothing has been sent.
import { afterSaleApi } from '../../lib/api';
import { afterSaleStatusText } from '../../lib/after-sale-status';
import type { AfterSale } from '../../lib/api-types';
import { ApiRequestError, messageOf } from '../../lib/errors';
import { confirmDialog, toast } from '../../lib/nav';
import { act, definePage, loadingState, loadInto, loadsById } from '../../lib/page';

const viewOf = (a: AfterSale) => ({
  afterSale: a,
  statusText: afterSaleStatusText[a.status],
  canShipBack: a.status === 'approved',
  // The transition table's cancel: requested or approved (src/domain/after-sale.ts).
  canCancel: a.status === 'requested' || a.status === 'approved',
});

export const afterSalePage = definePage({
  data: { ...loadingState, id: '', view: null as ReturnType<typeof viewOf> | null, carrier: '', trackingNo: '', fieldErrors: {} as Record<string, string>, sending: false },
  methods: {
    ...loadsById,
    load(): Promise<boolean> {
      return loadInto(this, async () => ({ view: viewOf(await afterSaleApi.get(this.data.id)) }));
    },
    onCarrier(event: WechatMiniprogram.Input): void {
      this.setData({ carrier: event.detail.value });
    },
    onTrackingNo(event: WechatMiniprogram.Input): void {
      this.setData({ trackingNo: event.detail.value });
    },
    async onCancel(): Promise<boolean> {
      if (this.data.sending || (await confirmDialog('撤销申请', '确定撤销这个售后申请吗？')) === null) return false;
      this.setData({ sending: true });
      const done = await act(async () => this.setData({ view: viewOf(await afterSaleApi.cancel(this.data.id)) }));
      this.setData({ sending: false });
      return done;
    },
    async onShipBack(): Promise<boolean> {
      if (this.data.sending) return false;
      this.setData({ sending: true, fieldErrors: {} });
      try {
        const updated = await afterSaleApi.returnShipment(this.data.id, this.data.carrier.trim(), this.data.trackingNo.trim());
        this.setData({ view: viewOf(updated) });
        return true;
      } catch (error) {
        const fieldErrors = error instanceof ApiRequestError ? Object.fromEntries(error.details.map((d) => [d.path.replace(/^body\./, ''), d.message])) : {};
        this.setData({ fieldErrors });
        toast(messageOf(error));
        return false;
      } finally {
        this.setData({ sending: false });
      }
    },
  },
});
