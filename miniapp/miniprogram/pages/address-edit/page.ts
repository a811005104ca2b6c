// Add or edit an address. The API validates every field; a refusal names the field, which is
// shown next to it.
import { meApi } from '../../lib/api';
import type { AddressInput } from '../../lib/api-types';
import { ApiRequestError, messageOf } from '../../lib/errors';
import { back, toast } from '../../lib/nav';
import { definePage, loadingState, loadInto, loadsById } from '../../lib/page';

type Form = Required<Pick<AddressInput, 'recipient' | 'phone' | 'province' | 'city' | 'district' | 'detail'>> & { is_default: boolean };
const emptyForm: Form = { recipient: '', phone: '', province: '', city: '', district: '', detail: '', is_default: false };

export const addressEditPage = definePage({
  data: { ...loadingState, id: '', form: emptyForm, fieldErrors: {} as Record<string, string>, saving: false },
  methods: {
    ...loadsById,
    load(): Promise<boolean> {
      return loadInto(this, async () => {
        if (!this.data.id) return { form: emptyForm };
        const a = await meApi.address(this.data.id);
        return { form: { recipient: a.recipient, phone: a.phone, province: a.province, city: a.city, district: a.district, detail: a.detail, is_default: a.is_default } };
      });
    },
    onInput(event: WechatMiniprogram.Input & { currentTarget: { dataset: { field: keyof Form } } }): void {
      this.setData({ form: { ...this.data.form, [event.currentTarget.dataset.field]: event.detail.value } });
    },
    onToggleDefault(): void {
      this.setData({ form: { ...this.data.form, is_default: !this.data.form.is_default } });
    },
    async onSave(): Promise<boolean> {
      if (this.data.saving) return false;
      this.setData({ saving: true, fieldErrors: {} });
      try {
        const form = { ...this.data.form };
        if (this.data.id) await meApi.updateAddress(this.data.id, form);
        else await meApi.createAddress(form);
        back();
        return true;
      } catch (error) {
        const fieldErrors = error instanceof ApiRequestError ? Object.fromEntries(error.details.map((d) => [d.path.replace(/^body\./, ''), d.message])) : {};
        this.setData({ fieldErrors });
        toast(messageOf(error));
        return false;
      } finally {
        this.setData({ saving: false });
      }
    },
  },
});
