// One after-sales request (售后): its status, the merchant's decision, and once approved the
// return address and the form to send the goods back (carrier and tracking number).
import { afterSaleApi } from '../../lib/api';
import { afterSaleStatusText } from '../../lib/after-sale-status';
import type { AfterSale } from '../../lib/api-types';
import { ApiRequestError, messageOf } from '../../lib/errors';
import { toast } from '../../lib/nav';
import { definePage, loadingState, loadInto, loadsById } from '../../lib/page';

const viewOf = (a: AfterSale) => ({ afterSale: a, statusText: afterSaleStatusText[a.status], canShipBack: a.status === 'approved' });

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
