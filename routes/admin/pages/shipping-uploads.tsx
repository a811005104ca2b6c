// The failed shipping uploads section (/admin/shipping-uploads): what WeChat refused to take of our
// shipping information (发货信息) after every retry, each with a retry button, and the orders whose
// state at WeChat disagrees with ours at the last reconciliation. Until WeChat has a payment's
// shipping, its money stays frozen, so this list is what the merchant must empty.
import type { FC } from 'hono/jsx';
import * as v from 'valibot';
import { idOf, validate } from '../../../src/lib/validate';
import type { MerchantPrincipal } from '../../../src/services/merchant-auth';
import { failedShippingUploads, retryShippingUpload, type FailedShippingUploads } from '../../../src/services/shipping-uploads';
import { Layout, Notice, TableHead } from './layout';
import { adminSection, doneQuery, render, sameOrigin, session, shopTime, type FormatTime } from './section';

const kindLabels: Record<FailedShippingUploads['items'][number]['kind'], string> = {
  upload_shipping: '上传发货信息',
  correct_shipping: '重新发货（修改物流）',
  notify_confirm_receive: '提醒确认收货',
};
/** WeChat's order_state (get_order). */
const wechatStates: Record<number, string> = { 1: '待发货', 2: '已发货', 3: '确认收货', 4: '交易完成', 5: '已退款', 6: '资金待结算' };
const notices = { retried: '已重新提交，稍后自动上传到微信。' };

const OrderLink: FC<{ id: string }> = ({ id }) => <a href={`/admin/orders/${id}`}>{id}</a>;

const Page: FC<{ merchant: MerchantPrincipal; failed: FailedShippingUploads; time: FormatTime; notice?: keyof typeof notices | undefined }> = ({ merchant, failed, time, notice }) => (
  <Layout title="发货上传" merchant={merchant}>
    {notice && <Notice kind="ok">{notices[notice]}</Notice>}
    <section>
      <h2>上传失败</h2>
      <table>
        <TableHead columns={['失败时间', '操作', '订单', { num: '尝试次数' }, '微信的回复', '']} />
        <tbody>
          {failed.items.map((f) => (
            <tr>
              <td>{time(f.failed_at)}</td>
              <td>{kindLabels[f.kind]}</td>
              <td>
                <OrderLink id={f.order_id} />
              </td>
              <td class="num">{f.attempts}</td>
              <td>{f.last_error ?? ''}</td>
              <td>
                <form class="inline" method="post" action={`/admin/shipping-uploads/${f.id}/retry`}>
                  <button type="submit">重试</button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {failed.items.length === 0 && <p class="muted">没有上传失败的发货信息。</p>}
    </section>
    <section>
      <h2>与微信不一致</h2>
      <table>
        <TableHead columns={['订单', '微信状态', '差异', '检查时间']} />
        <tbody>
          {failed.mismatches.map((m) => (
            <tr>
              <td>
                <OrderLink id={m.order_id} />
              </td>
              <td>{m.wechat_order_state === null ? '' : (wechatStates[m.wechat_order_state] ?? String(m.wechat_order_state))}</td>
              <td>{m.mismatch ?? ''}</td>
              <td>{time(m.checked_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {failed.mismatches.length === 0 && <p class="muted">微信的发货状态与本店一致。</p>}
    </section>
  </Layout>
);

export const shippingUploadPages = adminSection('发货上传记录')
  .get('/', session('viewer'), doneQuery(notices), async (c) =>
    render(c, <Page merchant={c.var.merchant} failed={await failedShippingUploads(c.var.db)} time={shopTime(c, 'medium')} notice={c.req.valid('query').done} />),
  )
  .post('/:id/retry', sameOrigin, session('operator'), validate('param', v.object({ id: idOf('obx') })), async (c) => {
    await retryShippingUpload(c.var.db, c.req.valid('param').id, c.var.clock.now());
    return c.redirect('/admin/shipping-uploads?done=retried', 303);
  });
