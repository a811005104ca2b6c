// Asking for after-sales (售后) on an order: which lines and how many of each, money only or a
// return for a refund or an exchange, a reason and a description. Units not yet shipped can only
// be refunded as money; shipped ones can be sent back. The API has the last word (what was
// already asked back, the after-sales window) and names the line it refuses. One
// Idempotency-Key per request, kept across retries, so a lost answer never makes two requests.
// The submit tap first asks for the decision and refund messages; then the request's own page
// (pages/after-sale) shows its status.
import { afterSaleTypeText } from '../../lib/after-sale-status';
import { afterSaleApi, orderApi } from '../../lib/api';
import type { AfterSaleType, Order } from '../../lib/api-types';
import { ApiRequestError, messageOf } from '../../lib/errors';
import { newIdempotencyKey } from '../../lib/ids';
import { replace, toast } from '../../lib/nav';
import { datasetOf, definePage, loadingState, loadInto, loadsById } from '../../lib/page';
import { routes } from '../../lib/routes';
import { AFTER_SALE_MESSAGES, askToSubscribe, loadSubscribeTemplates } from '../../lib/subscribe';

type Line = { id: string; title: string; imageUrl: string; refundable: number; returnable: number; quantity: number };
type TypeChoice = { value: AfterSaleType; label: string };

const typeChoices: TypeChoice[] = (['refund_only', 'return_refund', 'exchange'] as const).map((value) => ({ value, label: afterSaleTypeText[value] }));
export const reasons = ['不想要了', '尺码不合适', '商品与描述不符', '质量问题', '少件漏发', '发错货', '其他'];

/** Per line: units not shipped (money only) and units shipped (may come back). */
function linesOf(order: Order): Line[] {
  const shipped = new Map<string, number>();
  for (const p of order.packages) for (const l of p.lines) shipped.set(l.order_item_id, (shipped.get(l.order_item_id) ?? 0) + l.quantity);
  return order.items.map((i) => {
    const out = shipped.get(i.id) ?? 0;
    return { id: i.id, title: i.title, imageUrl: i.image_url ?? '', refundable: i.quantity - out, returnable: out, quantity: 0 };
  });
}

const mostOf = (line: Line, type: AfterSaleType) => (type === 'refund_only' ? line.refundable : line.returnable);

/** The types the order allows: nothing shipped yet, money only. */
const typesFor = (lines: Line[]) => (lines.some((l) => l.returnable > 0) ? typeChoices : typeChoices.slice(0, 1));

export const afterSaleRequestPage = definePage({
  data: {
    ...loadingState,
    id: '',
    lines: [] as Line[],
    types: typeChoices,
    type: 'refund_only' as AfterSaleType,
    reasons,
    reasonIndex: -1,
    description: '',
    fieldErrors: {} as Record<string, string>,
    submitting: false,
    key: '',
  },
  methods: {
    // Opened with ?id=<order id>.
    ...loadsById,
    load(): Promise<boolean> {
      // The template ids are read ahead, so the submit tap can prompt at once.
      void loadSubscribeTemplates();
      return loadInto(this, async () => {
        const lines = linesOf(await orderApi.get(this.data.id));
        const types = typesFor(lines);
        return { lines, types, type: types.some((t) => t.value === this.data.type) ? this.data.type : 'refund_only', key: this.data.key || newIdempotencyKey() };
      });
    },
    onType(event: WechatMiniprogram.BaseEvent): void {
      const type = datasetOf(event, 'type') as AfterSaleType;
      // Quantities chosen for another type may exceed what this one allows.
      this.setData({ type, lines: this.data.lines.map((l) => ({ ...l, quantity: Math.min(l.quantity, mostOf(l, type)) })), fieldErrors: {} });
    },
    onQuantity(event: WechatMiniprogram.BaseEvent): void {
      const id = datasetOf(event, 'id');
      const step = Number(datasetOf(event, 'step'));
      this.setData({ lines: this.data.lines.map((l) => (l.id === id ? { ...l, quantity: Math.max(0, Math.min(mostOf(l, this.data.type), l.quantity + step)) } : l)) });
    },
    onReason(event: WechatMiniprogram.PickerChange): void {
      this.setData({ reasonIndex: Number(event.detail.value) });
    },
    onDescription(event: WechatMiniprogram.Input): void {
      this.setData({ description: event.detail.value });
    },
    async onSubmit(): Promise<boolean> {
      if (this.data.submitting) return false;
      const chosen = this.data.lines.flatMap((l, i) => (l.quantity > 0 ? [{ index: i, line: { order_item_id: l.id, quantity: l.quantity } }] : []));
      const reason = reasons[this.data.reasonIndex];
      const missing = !chosen.length ? '请选择售后商品和数量' : !reason ? '请选择售后原因' : '';
      if (missing || !reason) {
        toast(missing);
        return false;
      }
      this.setData({ submitting: true, fieldErrors: {} });
      // Asked in the tap, before the request (WeChat allows the prompt only from a tap).
      await askToSubscribe(AFTER_SALE_MESSAGES);
      try {
        const description = this.data.description.trim();
        const created = await afterSaleApi.request(this.data.id, { type: this.data.type, lines: chosen.map((c) => c.line), reason, ...(description && { description }) }, this.data.key);
        await replace(routes.afterSale(created.id));
        return true;
      } catch (error) {
        this.setData({ fieldErrors: error instanceof ApiRequestError ? fieldErrorsOf(error, chosen) : {} });
        toast(messageOf(error));
        return false;
      } finally {
        this.setData({ submitting: false });
      }
    },
  },
});

/** The API names lines by their place in the request (body.lines.0.quantity): shown next to the order's line. */
function fieldErrorsOf(error: ApiRequestError, chosen: { index: number }[]): Record<string, string> {
  return Object.fromEntries(
    error.details.map((d) => {
      const line = /^body\.lines\.(\d+)\./.exec(d.path);
      const index = line ? chosen[Number(line[1])]?.index : undefined;
      return [index === undefined ? d.path.replace(/^body\./, '') : `line${index}`, d.message];
    }),
  );
}
