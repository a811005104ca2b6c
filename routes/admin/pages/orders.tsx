// The orders section (/admin/orders): the list, one order's detail, and its action forms (ship,
// approve or reject a refund). Each form is checked with the JSON API's limits before the order
// service is called; a refused form comes back with its input and Chinese messages, a 400 that
// wrote nothing.
import * as v from 'valibot';
import { orderStatuses } from '../../../src/domain/order-state';
import { idOf, pageQuery, text, validate } from '../../../src/lib/validate';
import { decideRefund, findOrder, shipOrder } from '../../../src/services/orders';
import { listOrders, orderView } from '../../../src/services/order-views';
import type { OrderRow } from '../../../src/services/order-transitions';
import { readFormValues, refusedFields, schemaRefusal } from './form-kit';
import { OrderDetailPage, OrderListPage, orderNotices, type ActionForm, type MerchantOrderView, type OrderAction } from './orders-views';
import { adminSection, doneQuery, merchantActor, nextPageHref, PAGE_SIZE, render, sameOrigin, session, shopTime, type PageContext } from './section';

const orderParam = validate('param', v.object({ id: idOf('ord') }));

const orderListQuery = validate(
  'query',
  v.object({
    status: v.optional(v.picklist(['', ...orderStatuses], 'is not an order status')),
    cursor: pageQuery.cursor,
  }),
);

// The same limits as the JSON API's bodies (routes/admin/orders.ts); the words are the page's.
const actionForms = {
  ship: {
    schema: v.object({ carrier: text(32), tracking_no: v.pipe(text(40), v.regex(/^[A-Za-z0-9-]+$/)) }),
    messages: { carrier: '请填写承运商，最多 32 个字', tracking_no: '请填写运单号：最多 40 个字符，只能包含字母、数字和 -' },
  },
  approve: { schema: v.object({ note: v.pipe(v.string(), v.trim(), v.maxLength(200)) }), messages: { note: '备注最多 200 个字' } },
  reject: { schema: v.object({ note: text(200) }), messages: { note: '请填写拒绝理由，最多 200 个字' } },
} satisfies Record<OrderAction, { schema: v.ObjectSchema<v.ObjectEntries, undefined>; messages: Record<string, string> }>;

export const orderPages = adminSection('订单')
  .get('/', session('viewer'), orderListQuery, async (c) => {
    const { status = '', cursor } = c.req.valid('query');
    const page = await listOrders(c.var.db, { status: status || undefined, cursor, limit: PAGE_SIZE });
    const nextHref = nextPageHref('/admin/orders', page.next_cursor, { status });
    return render(c, <OrderListPage merchant={c.var.merchant} status={status} rows={page.items} nextHref={nextHref} time={shopTime(c)} />);
  })
  .get('/:id', session('viewer'), orderParam, doneQuery(orderNotices), async (c) => {
    const order = await merchantOrderView(c, await findOrder(c.var.db, c.req.valid('param').id));
    return render(c, <OrderDetailPage merchant={c.var.merchant} order={order} time={shopTime(c, 'medium')} notice={c.req.valid('query').done} />);
  })
  .post('/:id/ship', sameOrigin, session('operator'), orderParam, async (c) => {
    const order = await findOrder(c.var.db, c.req.valid('param').id);
    const form = await readActionForm(c, 'ship');
    if (!form.success) return renderRefusedForm(c, order, form.failed);
    await shipOrder(c.var.db, order, merchantActor(c), form.output, c.var.clock.now());
    return c.redirect(`/admin/orders/${order.id}?done=shipped`, 303);
  })
  .post('/:id/refund/:decision{approve|reject}', sameOrigin, session('operator'), orderParam, async (c) => {
    const order = await findOrder(c.var.db, c.req.valid('param').id);
    const decision = c.req.param('decision') === 'approve' ? 'approve' : 'reject';
    const form = await readActionForm(c, decision);
    if (!form.success) return renderRefusedForm(c, order, form.failed);
    await decideRefund(c.var.db, order, merchantActor(c), decision, form.output.note, c.var.clock.now());
    return c.redirect(`/admin/orders/${order.id}?done=${decision === 'approve' ? 'refund_approved' : 'refund_rejected'}`, 303);
  });

async function merchantOrderView(c: PageContext, order: OrderRow): Promise<MerchantOrderView> {
  const view = await orderView(c.var.db, order, 'merchant');
  if (!('buyer' in view)) throw new Error('orderView left out the buyer in a merchant view');
  return view;
}

/** The submitted fields of one action form, checked; nothing is written until this succeeds. */
async function readActionForm<A extends OrderAction>(c: PageContext, action: A) {
  const { schema, messages } = actionForms[action];
  const fields = Object.keys(schema.entries);
  const values = readFormValues(await c.req.parseBody(), fields);
  const result = v.safeParse(schema as (typeof actionForms)[A]['schema'], values);
  if (result.success) return { success: true as const, output: result.output as v.InferOutput<(typeof actionForms)[A]['schema']> };
  const errors = refusedFields({ fieldOf: (path) => path || fields[0]!, messages, fallbackField: fields[0]! }, schemaRefusal(result.issues));
  return { success: false as const, failed: { action, values, errors } satisfies ActionForm };
}

/** The detail page again, with the refused form's input and messages: a 400 that wrote nothing. */
async function renderRefusedForm(c: PageContext, order: OrderRow, failed: ActionForm) {
  const view = await merchantOrderView(c, order);
  return render(c, <OrderDetailPage merchant={c.var.merchant} order={view} time={shopTime(c, 'medium')} failed={failed} />, 400);
}
