// The after-sales section (/admin/after-sales): the list of requests and one request with the
// merchant's decisions (同意, 拒绝, 确认收货, 退款). Every action goes through the after-sales service,
// which asks the transition table; a refused action is an error page that wrote nothing.
import type { FC } from 'hono/jsx';
import * as v from 'valibot';
import { afterSaleTransition, type AfterSaleEvent, type AfterSaleStatus, type AfterSaleType } from '../../../src/domain/after-sale';
import { idOf, text, validate } from '../../../src/lib/validate';
import { formatFenAsYuan } from '../../../src/lib/money';
import { afterSaleView, approveAfterSale, findAfterSale, listAfterSales, receiveReturn, refundAfterSale, rejectAfterSale, retryAfterSaleRefund } from '../../../src/services/after-sales';
import type { MerchantPrincipal } from '../../../src/services/merchant-auth';
import { ApiError } from '../../../src/lib/errors';
import { Layout, Notice, TableHead } from './layout';
import { adminSection, cursorQuery, doneQuery, merchantActor, nextPageHref, PAGE_SIZE, render, sameOrigin, session, shopTime, type FormatTime } from './section';

type View = Awaited<ReturnType<typeof afterSaleView>>;

const typeLabels: Record<AfterSaleType, string> = { refund_only: '仅退款', return_refund: '退货退款', exchange: '换货' };
const statusLabels: Record<AfterSaleStatus, string> = {
  requested: '待处理',
  approved: '已同意，待买家寄回',
  returned: '买家已寄回',
  received: '已收到退货',
  refunding: '退款中',
  refund_failed: '退款失败，待重试',
  refunded: '已退款',
  exchanged: '已换货',
  rejected: '已拒绝',
  cancelled: '买家已取消',
  closed: '已关闭（买家未寄回）',
};
const notices = { approved: '已同意这个售后申请。', rejected: '已拒绝这个售后申请。', received: '已确认收到退货。', refunded: '退款已提交微信支付。', retried: '退款已重新提交微信支付。' };
const afterSaleParam = validate('param', v.object({ id: idOf('afs') }));

const List: FC<{ merchant: MerchantPrincipal; rows: View[]; nextHref: string | null; time: FormatTime }> = ({ merchant, rows, nextHref, time }) => (
  <Layout title="售后" merchant={merchant}>
    <table>
      <TableHead columns={['申请时间', '类型', '状态', '原因', { num: '金额' }, '']} />
      <tbody>
        {rows.map((r) => (
          <tr>
            <td>{time(r.created_at)}</td>
            <td>{typeLabels[r.type]}</td>
            <td>{statusLabels[r.status]}</td>
            <td>{r.reason}</td>
            <td class="num">{formatFenAsYuan(r.amount_fen)}</td>
            <td>
              <a href={`/admin/after-sales/${r.id}`}>查看</a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
    {rows.length === 0 && <p class="muted">还没有售后申请。</p>}
    {nextHref && <a href={nextHref}>下一页</a>}
  </Layout>
);

/** A decision's button, shown only when the transition table allows it now. */
const can = (r: View, event: AfterSaleEvent) => afterSaleTransition(r.type, r.status, event).ok;

const Detail: FC<{ merchant: MerchantPrincipal; r: View; time: FormatTime; notice?: keyof typeof notices | undefined }> = ({ merchant, r, time, notice }) => (
  <Layout title={`售后 ${typeLabels[r.type]}`} merchant={merchant}>
    {notice && <Notice kind="ok">{notices[notice]}</Notice>}
    <dl>
      <dt>状态</dt>
      <dd>{statusLabels[r.status]}</dd>
      <dt>订单</dt>
      <dd>
        <a href={`/admin/orders/${r.order_id}`}>{r.order_id}</a>
      </dd>
      <dt>原因</dt>
      <dd>{r.reason}</dd>
      <dt>说明</dt>
      <dd>{r.description || <span class="muted">—</span>}</dd>
      <dt>退款金额</dt>
      <dd>{formatFenAsYuan(r.amount_fen)}</dd>
      <dt>商品</dt>
      <dd>{r.lines.map((l) => `${l.title} × ${l.quantity}`).join('；')}</dd>
      <dt>退货物流</dt>
      <dd>{r.return_shipment ? `${r.return_shipment.carrier} ${r.return_shipment.tracking_no}` : <span class="muted">—</span>}</dd>
      <dt>申请时间</dt>
      <dd>{time(r.created_at)}</dd>
      <dt>自动处理时间</dt>
      <dd>{r.due_at ? time(r.due_at) : <span class="muted">—</span>}</dd>
    </dl>
    <section class="toolbar">
      {(can(r, 'approve') || can(r, 'approve_refund')) && (
        <form class="inline" method="post" action={`/admin/after-sales/${r.id}/approve`}>
          <button type="submit">同意</button>
        </form>
      )}
      {can(r, 'reject') && (
        <form class="inline" method="post" action={`/admin/after-sales/${r.id}/reject`}>
          <input type="text" name="reason" placeholder="拒绝理由" required maxlength={200} />
          <button class="secondary" type="submit">
            拒绝
          </button>
        </form>
      )}
      {can(r, 'receive') && (
        <form class="inline" method="post" action={`/admin/after-sales/${r.id}/receive`}>
          <label>
            <input type="checkbox" name="restock" value="1" checked /> 可再次销售（退回库存）
          </label>
          <button type="submit">确认收货</button>
        </form>
      )}
      {can(r, 'refund') && (
        <form class="inline" method="post" action={`/admin/after-sales/${r.id}/refund`}>
          <button type="submit">退款</button>
        </form>
      )}
      {can(r, 'retry_refund') && (
        <form class="inline" method="post" action={`/admin/after-sales/${r.id}/retry-refund`}>
          <button type="submit">重新退款</button>
        </form>
      )}
    </section>
  </Layout>
);

const rejectForm = v.object({ reason: text(200) });

export const afterSalePages = adminSection('售后申请')
  .get('/', session('viewer'), cursorQuery, async (c) => {
    const page = await listAfterSales(c.var.db, { cursor: c.req.valid('query').cursor, limit: PAGE_SIZE });
    return render(c, <List merchant={c.var.merchant} rows={page.items} nextHref={nextPageHref('/admin/after-sales', page.next_cursor)} time={shopTime(c)} />);
  })
  .get('/:id', session('viewer'), afterSaleParam, doneQuery(notices), async (c) => {
    const r = await afterSaleView(c.var.db, await findAfterSale(c.var.db, c.req.valid('param').id));
    return render(c, <Detail merchant={c.var.merchant} r={r} time={shopTime(c, 'medium')} notice={c.req.valid('query').done} />);
  })
  .post('/:id/:action{approve|reject|receive|refund|retry-refund}', sameOrigin, session('operator'), afterSaleParam, async (c) => {
    const row = await findAfterSale(c.var.db, c.req.valid('param').id);
    const now = c.var.clock.now();
    const body = await c.req.parseBody();
    const action = c.req.param('action') as 'approve' | 'reject' | 'receive' | 'refund' | 'retry-refund';
    if (action === 'approve') await approveAfterSale(c.var.db, row, merchantActor(c), now);
    if (action === 'refund') await refundAfterSale(c.var.db, row, merchantActor(c), now);
    if (action === 'retry-refund') await retryAfterSaleRefund(c.var.db, row, merchantActor(c), now);
    if (action === 'receive') await receiveReturn(c.var.db, row, body.restock === '1', now);
    if (action === 'reject') {
      const form = v.safeParse(rejectForm, { reason: typeof body.reason === 'string' ? body.reason : '' });
      if (!form.success) throw new ApiError(400, 'invalid_input', '请填写拒绝理由，最多 200 个字', [{ path: 'body.reason', message: form.issues[0].message }]);
      await rejectAfterSale(c.var.db, row, form.output.reason, now);
    }
    const done = { approve: 'approved', reject: 'rejected', receive: 'received', refund: 'refunded', 'retry-refund': 'retried' }[action];
    return c.redirect(`/admin/after-sales/${row.id}?done=${done}`, 303);
  });
