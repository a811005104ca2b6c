// The bargains section's HTML (砍价): the list, the create form and one campaign with its figures
// and the cancel button.
import type { FC } from 'hono/jsx';
import { formatFenWithYuanSign } from '../../../src/lib/money';
import type { AdminBargainCampaign } from '../../../src/marketing/bargain/campaigns';
import type { MerchantPrincipal } from '../../../src/services/merchant-auth';
import { CreateFormPage, LabeledField, TimeField, type FieldErrors, type FormValues } from './form-kit';
import { CampaignDetailPage, campaignStateLabels, cancelHref, ListPage, TableHead } from './layout';
import type { FormatTime } from './section';

/** The notice after a successful action (the redirect's ?done=). */
export const bargainNotices = {
  created: '砍价活动已创建。',
  cancelled: '砍价活动已取消：不能再发起新的砍价；已发起的砍价照常进行到结束。',
} as const;
export type BargainNotice = keyof typeof bargainNotices;

export const BargainListPage: FC<{ merchant: MerchantPrincipal; rows: AdminBargainCampaign[]; nextHref: string | null; time: FormatTime }> = ({ merchant, rows, nextHref, time }) => (
  <ListPage title="砍价" merchant={merchant} create={{ href: '/admin/bargains/new', label: '新建砍价活动' }} empty={rows.length === 0} emptyText="还没有砍价活动。" nextHref={nextHref}>
    <TableHead columns={['活动', '商品', '状态', { num: '起始价' }, { num: '底价' }, { num: '需好友' }, '结束']} />
    <tbody>
      {rows.map((b) => (
        <tr>
          <td>
            <a href={`/admin/bargains/${b.id}`}>{b.title}</a>
          </td>
          <td>{b.product_title}</td>
          <td>{campaignStateLabels[b.state]}</td>
          <td class="num">{formatFenWithYuanSign(b.start_price_fen)}</td>
          <td class="num">{formatFenWithYuanSign(b.floor_price_fen)}</td>
          <td class="num">{b.helpers_needed}</td>
          <td>{time(b.ends_at)}</td>
        </tr>
      ))}
    </tbody>
  </ListPage>
);

export const BargainFormPage: FC<{ merchant: MerchantPrincipal; values: FormValues; errors: FieldErrors; timeZone: string }> = ({ merchant, values, errors, timeZone }) => {
  const field = { values, errors };
  return (
    <CreateFormPage title="新建砍价活动" merchant={merchant} action="/admin/bargains" errors={errors} listHref="/admin/bargains">
      <LabeledField name="title" label="标题" {...field} />
      <LabeledField name="sku_id" label="SKU 编号" {...field} />
      <LabeledField name="start_price" label="起始价（元，不高于售价）" inputmode="decimal" {...field} />
      <LabeledField name="floor_price" label="底价（元）" inputmode="decimal" {...field} />
      <LabeledField name="helpers_needed" label="砍到底价需要的好友人数（1–100）" inputmode="numeric" {...field} />
      <LabeledField name="session_minutes" label="每次砍价的有效时长（分钟）" inputmode="numeric" {...field} />
      <LabeledField name="launches_per_shopper" label="每人可发起次数" inputmode="numeric" {...field} />
      <LabeledField name="helps_per_day" label={`每人每天可帮砍次数（按 ${timeZone} 的日期）`} inputmode="numeric" {...field} />
      <LabeledField name="new_helper_bonus_pct" label="新用户多砍（%，0–400；新用户：从未付款且注册不满 7 天）" inputmode="numeric" {...field} />
      <label>
        <input type="checkbox" name="buy_before_floor" checked={values.buy_before_floor === 'on'} /> 未砍到底价也可按当前价购买
      </label>
      <TimeField name="starts_at" label={`开始时间（${timeZone}）`} {...field} />
      <TimeField name="ends_at" label={`结束时间（${timeZone}）`} {...field} />
    </CreateFormPage>
  );
};

export const BargainDetailPage: FC<{ merchant: MerchantPrincipal; bargain: AdminBargainCampaign; time: FormatTime; notice?: BargainNotice | undefined }> = ({ merchant, bargain, time, notice }) => (
  <CampaignDetailPage
    title={`砍价：${bargain.title}`}
    merchant={merchant}
    notice={notice && bargainNotices[notice]}
    state={campaignStateLabels[bargain.state]}
    listHref="/admin/bargains"
    cancelAction={cancelHref(bargain.state, `/admin/bargains/${bargain.id}/cancel`)}
  >
    <dl>
      <dt>商品</dt>
      <dd>
        {bargain.product_title} · {bargain.spec_values.join(' / ') || '默认'} · {bargain.sku_id} · 售价 {formatFenWithYuanSign(bargain.sku_price_fen)}
      </dd>
      <dt>起始价 → 底价</dt>
      <dd>
        {formatFenWithYuanSign(bargain.start_price_fen)} → {formatFenWithYuanSign(bargain.floor_price_fen)}
      </dd>
      <dt>需好友</dt>
      <dd>{bargain.helpers_needed} 人</dd>
      <dt>有效时长</dt>
      <dd>{bargain.session_minutes} 分钟</dd>
      <dt>每人可发起</dt>
      <dd>{bargain.launches_per_shopper} 次</dd>
      <dt>每人每天可帮砍</dt>
      <dd>{bargain.helps_per_day} 次</dd>
      <dt>新用户多砍</dt>
      <dd>{bargain.new_helper_bonus_pct}%</dd>
      <dt>未到底价可购买</dt>
      <dd>{bargain.buy_before_floor ? '是' : '否'}</dd>
      <dt>开始</dt>
      <dd>{time(bargain.starts_at)}</dd>
      <dt>结束</dt>
      <dd>{time(bargain.ends_at)}</dd>
      {bargain.stats && (
        <>
          <dt>已发起 / 已下单 / 已付款</dt>
          <dd>
            {bargain.stats.sessions} / {bargain.stats.orders} / {bargain.stats.paid_orders}
          </dd>
        </>
      )}
    </dl>
  </CampaignDetailPage>
);
