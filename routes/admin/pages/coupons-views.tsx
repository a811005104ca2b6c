// The coupons section's HTML (优惠券): the list, the create form, one template with its figures
// and the lifecycle buttons.
import type { FC } from 'hono/jsx';
import { formatFenWithYuanSign } from '../../../src/lib/money';
import type { templateStats } from '../../../src/services/coupons/stats';
import type { templateView } from '../../../src/services/coupons/templates';
import { roleAllows, type MerchantPrincipal } from '../../../src/services/merchant-auth';
import { ChoiceField, CreateFormPage, LabeledField, TimeField, type FieldErrors, type FormValues } from './form-kit';
import { Layout, ListPage, Notice, TableHead } from './layout';
import type { FormatTime } from './section';

export type TemplateView = ReturnType<typeof templateView>;
export type TemplateStats = Awaited<ReturnType<typeof templateStats>>;

export const couponNotices = {
  created: '优惠券已创建（草稿），启用后顾客才能领取。',
  activate: '已启用：顾客现在可以领取。',
  pause: '已暂停：顾客不能再领取，已领的照常可用。',
  end: '已结束。',
} as const;
export type CouponNotice = keyof typeof couponNotices;

export const kindLabels = { threshold: '满减券', percent: '折扣券', no_threshold: '无门槛券' } as const;
const statusLabels = { draft: '草稿', active: '领取中', paused: '已暂停', ended: '已结束' } as const;

/** 满100减20 / 满0打9折（最多减10元） / 无门槛减5元 */
export function benefitText(t: Pick<TemplateView, 'kind' | 'threshold_fen' | 'amount_off_fen' | 'percent_off' | 'cap_fen'>): string {
  if (t.kind === 'threshold') return `满${formatFenWithYuanSign(t.threshold_fen)}减${formatFenWithYuanSign(t.amount_off_fen ?? 0)}`;
  if (t.kind === 'no_threshold') return `无门槛减${formatFenWithYuanSign(t.amount_off_fen ?? 0)}`;
  const cap = t.cap_fen === null ? '' : `（最多减${formatFenWithYuanSign(t.cap_fen)}）`;
  return `${t.threshold_fen ? `满${formatFenWithYuanSign(t.threshold_fen)}` : ''}减${t.percent_off}%${cap}`;
}

export const CouponListPage: FC<{ merchant: MerchantPrincipal; rows: TemplateView[]; nextHref: string | null; time: FormatTime }> = ({ merchant, rows, nextHref, time }) => (
  <ListPage title="优惠券" merchant={merchant} create={{ href: '/admin/coupons/new', label: '新建优惠券' }} empty={rows.length === 0} emptyText="还没有优惠券。" nextHref={nextHref}>
    <TableHead columns={['名称', '类型', '优惠', '状态', { num: '已发放' }, { num: '总量' }, '领取截止']} />
    <tbody>
      {rows.map((t) => (
        <tr>
          <td>
            <a href={`/admin/coupons/${t.id}`}>{t.name}</a>
          </td>
          <td>{kindLabels[t.kind]}</td>
          <td>{benefitText(t)}</td>
          <td>{statusLabels[t.status]}</td>
          <td class="num">{t.issued_count}</td>
          <td class="num">{t.total_quantity ?? '不限'}</td>
          <td>{time(t.claim_ends_at)}</td>
        </tr>
      ))}
    </tbody>
  </ListPage>
);

export const CouponFormPage: FC<{ merchant: MerchantPrincipal; values: FormValues; errors: FieldErrors; timeZone: string }> = ({ merchant, values, errors, timeZone }) => {
  const field = { values, errors };
  return (
    <CreateFormPage title="新建优惠券" merchant={merchant} action="/admin/coupons" errors={errors} listHref="/admin/coupons">
      <LabeledField name="name" label="名称" {...field} />
      <ChoiceField name="kind" label="类型" choices={kindLabels} {...field} />
      <LabeledField name="threshold" label="使用门槛（元；满减券必填，折扣券可填 0）" inputmode="decimal" {...field} />
      <LabeledField name="amount_off" label="减免金额（元；满减券、无门槛券）" inputmode="decimal" {...field} />
      <LabeledField name="percent_off" label="折扣（减 %，1–99；折扣券）" inputmode="numeric" {...field} />
      <LabeledField name="cap" label="最多减（元，可不填；折扣券）" inputmode="decimal" {...field} />
      <LabeledField name="total_quantity" label="发放总量（不填 = 不限）" inputmode="numeric" {...field} />
      <LabeledField name="per_shopper_limit" label="每人限领" inputmode="numeric" {...field} />
      <LabeledField name="valid_days" label="领取后有效天数（领取当天算第 1 天，到第 N 天 23:59:59）" inputmode="numeric" {...field} />
      <TimeField name="claim_starts_at" label={`开始领取（${timeZone}）`} {...field} />
      <TimeField name="claim_ends_at" label={`结束领取（${timeZone}）`} {...field} />
    </CreateFormPage>
  );
};

const actions = { activate: '启用', pause: '暂停', end: '结束' } as const;
const allowed: Record<TemplateView['status'], (keyof typeof actions)[]> = { draft: ['activate', 'end'], active: ['pause', 'end'], paused: ['activate', 'end'], ended: [] };

export const CouponDetailPage: FC<{ merchant: MerchantPrincipal; template: TemplateView; stats: TemplateStats; time: FormatTime; notice?: CouponNotice | undefined }> = ({
  merchant,
  template,
  stats,
  time,
  notice,
}) => (
  <Layout title={`优惠券：${template.name}`} merchant={merchant}>
    {notice && <Notice kind="ok">{couponNotices[notice]}</Notice>}
    <p>
      状态：{statusLabels[template.status]} · <a href="/admin/coupons">返回列表</a>
    </p>
    <dl>
      <dt>类型</dt>
      <dd>{kindLabels[template.kind]}</dd>
      <dt>优惠</dt>
      <dd>{benefitText(template)}</dd>
      <dt>每人限领</dt>
      <dd>{template.per_shopper_limit} 张</dd>
      <dt>领取时间</dt>
      <dd>
        {time(template.claim_starts_at)} – {time(template.claim_ends_at)}
      </dd>
      <dt>有效期</dt>
      <dd>{template.validity.kind === 'relative' ? `领取后 ${template.validity.days} 天` : `${time(template.validity.valid_from)} – ${time(template.validity.valid_until)}`}</dd>
    </dl>
    <section>
      <h2>数据</h2>
      <dl data-testid="coupon-stats">
        <dt>已发放</dt>
        <dd data-stat="issued">
          {stats.issued_count} / {stats.total_quantity ?? '不限'}
        </dd>
        <dt>未使用</dt>
        <dd data-stat="unused">{stats.unused}</dd>
        <dt>下单锁定中</dt>
        <dd data-stat="locked">{stats.locked}</dd>
        <dt>已使用</dt>
        <dd data-stat="used">{stats.used}</dd>
        <dt>用券订单金额</dt>
        <dd data-stat="gmv">{formatFenWithYuanSign(stats.gmv_fen)}</dd>
        <dt>优惠成本</dt>
        <dd data-stat="cost">{formatFenWithYuanSign(stats.discount_cost_fen)}</dd>
      </dl>
    </section>
    {roleAllows(merchant.role, 'operator') && (
      <div class="toolbar">
        {allowed[template.status].map((action) => (
          <form method="post" action={`/admin/coupons/${template.id}/${action}`}>
            <button class={action === 'activate' ? undefined : 'secondary'} type="submit">
              {actions[action]}
            </button>
          </form>
        ))}
      </div>
    )}
  </Layout>
);
