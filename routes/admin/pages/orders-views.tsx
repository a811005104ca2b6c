// The orders section's HTML: the list with its status filter, and one order's detail with the
// ship and refund-decision forms.
import type { FC } from 'hono/jsx';
import { canApply, orderStatuses, type OrderStatus } from '../../../src/domain/order-state';
import { formatFenWithYuanSign } from '../../../src/lib/money';
import type { listOrders, orderView } from '../../../src/services/order-views';
import { roleAllows, type MerchantPrincipal } from '../../../src/services/merchant-auth';
import { Field, RefusedNotice, type FieldErrors, type FormValues } from './form-kit';
import { Layout, NextPageLink, Notice, TableHead } from './layout';
import type { FormatTime } from './section';

export type OrderSummary = Awaited<ReturnType<typeof listOrders>>['items'][number];
/** What orderView gives a merchant: the shopper's view plus the buyer (phone masked). */
export type MerchantOrderView = Extract<Awaited<ReturnType<typeof orderView>>, { buyer: unknown }>;
export type OrderAction = 'ship' | 'approve' | 'reject';
/** A submitted action form that failed validation: shown again with the input and the messages. */
export type ActionForm = { action: OrderAction; values: FormValues; errors: FieldErrors };

export const orderStatusLabels: Record<OrderStatus, string> = {
  partially_shipped: '部分发货',
  pending_payment: '待付款',
  paid: '待发货',
  shipped: '已发货',
  completed: '已完成',
  cancelled: '已取消',
  refund_requested: '退款申请中',
  refunding: '退款中',
  refunded: '已退款',
  partially_refunded: '部分退款',
  refund_rejected: '退款已拒绝',
};

const refundStatusLabels: Record<MerchantOrderView['refunds'][number]['status'], string> = {
  requested: '待处理',
  rejected: '已拒绝',
  processing: '退款中',
  succeeded: '已退款',
  failed: '退款失败',
};

const actorLabels: Record<MerchantOrderView['events'][number]['actor'], string> = {
  shopper: '买家',
  merchant: '商家',
  system: '系统',
  wechat_pay: '微信支付',
};

/** The notice after a successful action (the redirect's ?done=). */
export const orderNotices = {
  shipped: '已发货。',
  refund_approved: '已同意退款，退款将提交到微信支付。',
  refund_rejected: '已拒绝退款。',
} as const;
export type OrderNotice = keyof typeof orderNotices;

const statusLabel = (status: string | null) => (status === null ? '—' : (orderStatusLabels[status as OrderStatus] ?? status));

export const OrderListPage: FC<{
  merchant: MerchantPrincipal;
  status: string;
  rows: OrderSummary[];
  nextHref: string | null;
  time: FormatTime;
}> = ({ merchant, status, rows, nextHref, time }) => (
  <Layout title="订单" merchant={merchant}>
    <form class="toolbar" method="get" action="/admin/orders">
      <select name="status" aria-label="状态">
        <option value="" selected={status === ''}>
          全部状态
        </option>
        {orderStatuses.map((value) => (
          <option value={value} selected={status === value}>
            {orderStatusLabels[value]}
          </option>
        ))}
      </select>
      <button type="submit">筛选</button>
    </form>
    <table>
      <TableHead columns={['订单号', '状态', { num: '实付' }, { num: '件数' }, '商品', '下单时间']} />
      <tbody>
        {rows.map((o) => (
          <tr>
            <td>
              <a href={`/admin/orders/${o.id}`}>{o.order_no}</a>
            </td>
            <td>{orderStatusLabels[o.status]}</td>
            <td class="num">{formatFenWithYuanSign(o.payable_fen)}</td>
            <td class="num">{o.item_count}</td>
            <td>{o.first_item ? o.first_item.title : <span class="muted">—</span>}</td>
            <td>{time(o.created_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
    {rows.length === 0 && <p class="muted">没有找到订单。</p>}
    <NextPageLink href={nextHref} />
  </Layout>
);

/** One action's form; its input and messages come back when this form was the one that failed. */
const ActionFormView: FC<{
  orderId: string;
  action: OrderAction;
  failed: ActionForm | undefined;
  fields: { name: string; label: string }[];
  submit: string;
  secondary?: boolean;
}> = ({ orderId, action, failed, fields, submit, secondary }) => {
  const path = { ship: 'ship', approve: 'refund/approve', reject: 'refund/reject' }[action];
  const mine = failed?.action === action ? failed : undefined;
  return (
    <form method="post" action={`/admin/orders/${orderId}/${path}`}>
      {fields.map((f) => (
        <label>
          {f.label}
          <Field name={f.name} label={f.label} values={mine?.values ?? {}} errors={mine?.errors ?? {}} editable />
        </label>
      ))}
      <button class={secondary ? 'secondary' : undefined} type="submit">
        {submit}
      </button>
    </form>
  );
};

export const OrderDetailPage: FC<{
  merchant: MerchantPrincipal;
  order: MerchantOrderView;
  time: FormatTime;
  notice?: OrderNotice | undefined;
  failed?: ActionForm | undefined;
}> = ({ merchant, order, time, notice, failed }) => {
  const operator = roleAllows(merchant.role, 'operator');
  // The forms appear only when the state machine (and the service's own rule) would accept them.
  const canShip = operator && canApply('ship', order.status, order.ship_hold !== null) && order.shipped_at === null;
  const openRefund = order.refunds.find((r) => r.status === 'requested');
  const canDecide = operator && openRefund !== undefined && canApply('approve_refund', order.status) && canApply('reject_refund', order.status);
  const a = order.address;
  return (
    <Layout title={`订单 ${order.order_no}`} merchant={merchant}>
      {notice && <Notice kind="ok">{orderNotices[notice]}</Notice>}
      <RefusedNotice errors={failed?.errors ?? {}} />
      <p>
        状态：{orderStatusLabels[order.status]} · <a href="/admin/orders">返回列表</a>
      </p>

      <section>
        <h2>商品</h2>
        <table>
          <TableHead columns={['商品', '规格', { num: '单价' }, { num: '数量' }, { num: '小计' }, { num: '优惠' }, { num: '实付' }]} />
          <tbody>
            {order.items.map((i) => (
              <tr>
                <td>{i.title}</td>
                <td>{i.spec_values.join(' / ') || '默认'}</td>
                <td class="num">{formatFenWithYuanSign(i.unit_price_fen)}</td>
                <td class="num">{i.quantity}</td>
                <td class="num">{formatFenWithYuanSign(i.line_total_fen)}</td>
                <td class="num">{formatFenWithYuanSign(i.discount_share_fen)}</td>
                <td class="num">{formatFenWithYuanSign(i.payable_fen)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section>
        <h2>金额</h2>
        <dl>
          <dt>商品合计</dt>
          <dd>{formatFenWithYuanSign(order.items_total_fen)}</dd>
          <dt>优惠</dt>
          <dd>{formatFenWithYuanSign(order.discount_fen)}</dd>
          <dt>运费</dt>
          <dd>{formatFenWithYuanSign(order.shipping_fee_fen)}</dd>
          <dt>实付</dt>
          <dd>{formatFenWithYuanSign(order.payable_fen)}</dd>
          <dt>已退款</dt>
          <dd>{formatFenWithYuanSign(order.refunded_fen)}</dd>
        </dl>
      </section>

      <section>
        <h2>收货与买家</h2>
        <dl>
          <dt>收货人</dt>
          <dd>{a.recipient}</dd>
          <dt>联系电话</dt>
          <dd>{a.phone}</dd>
          <dt>地区</dt>
          <dd>{[a.province, a.city, a.district].join(' ')}</dd>
          <dt>详细地址</dt>
          <dd>
            {a.detail}
            {a.postal_code && <span class="muted">（邮编 {a.postal_code}）</span>}
          </dd>
          <dt>买家</dt>
          <dd>
            {order.buyer.nickname || <span class="muted">—</span>} <span class="muted">{order.buyer.id}</span>
          </dd>
          <dt>买家手机</dt>
          <dd>{order.buyer.phone ?? <span class="muted">未绑定</span>}</dd>
          <dt>买家备注</dt>
          <dd>{order.note || <span class="muted">—</span>}</dd>
        </dl>
      </section>

      <section>
        <h2>时间与物流</h2>
        <dl>
          <dt>下单时间</dt>
          <dd>{time(order.created_at)}</dd>
          <dt>付款时间</dt>
          <dd>{order.paid_at ? time(order.paid_at) : <span class="muted">—</span>}</dd>
          <dt>发货时间</dt>
          <dd>{order.shipped_at ? time(order.shipped_at) : <span class="muted">—</span>}</dd>
          <dt>承运商</dt>
          <dd>{order.carrier ?? <span class="muted">—</span>}</dd>
          <dt>运单号</dt>
          <dd>{order.tracking_no ?? <span class="muted">—</span>}</dd>
        </dl>
        {canShip && (
          <ActionFormView
            orderId={order.id}
            action="ship"
            failed={failed}
            fields={[
              { name: 'carrier', label: '承运商' },
              { name: 'tracking_no', label: '运单号' },
            ]}
            submit="发货"
          />
        )}
      </section>

      <section>
        <h2>退款</h2>
        {order.refunds.length === 0 ? (
          <p class="muted">没有退款记录。</p>
        ) : (
          <table>
            <TableHead columns={[{ num: '金额' }, '原因', '状态', '处理备注', '申请时间']} />
            <tbody>
              {order.refunds.map((r) => (
                <tr>
                  <td class="num">{formatFenWithYuanSign(r.amount_fen)}</td>
                  <td>{r.reason}</td>
                  <td>{refundStatusLabels[r.status]}</td>
                  <td>{r.decision_note ?? ''}</td>
                  <td>{time(r.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {canDecide && (
          <>
            <ActionFormView orderId={order.id} action="approve" failed={failed} fields={[{ name: 'note', label: '备注（可不填）' }]} submit="同意退款" />
            <ActionFormView orderId={order.id} action="reject" failed={failed} fields={[{ name: 'note', label: '拒绝理由' }]} submit="拒绝退款" secondary />
          </>
        )}
      </section>

      <section>
        <h2>状态记录</h2>
        <table>
          <TableHead columns={['变化', '操作方', '原因', '时间']} />
          <tbody>
            {order.events.map((e) => (
              <tr>
                <td>
                  {statusLabel(e.from)} → {statusLabel(e.to)}
                </td>
                <td>{actorLabels[e.actor]}</td>
                <td>{e.reason}</td>
                <td>{time(e.at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>
  );
};
