// The admin page's bargains (砍价): the list, the create form and one campaign with its figures
// and the cancel button. Like the other views: no scripts, no raw(), all text escaped. The form
// is read into the JSON API's body and checked by the same schema and service, so the page and
// the API accept exactly the same campaigns.
import type { FC } from 'hono/jsx';
import * as v from 'valibot';
import type { ApiError } from '../../src/lib/errors';
import { formatFenWithYuanSign, parseYuanToFen } from '../../src/lib/money';
import type { AdminBargainCampaign, BargainCampaignInput } from '../../src/marketing/bargain/campaigns';
import type { CampaignState } from '../../src/domain/campaign';
import { roleAllows, type MerchantPrincipal } from '../../src/services/merchant-auth';
import { createBargainBody } from './bargains-schemas';
import { readTimeField, TimeField } from './page-flash-sales';
import type { FormatTime } from './page-orders';
import { Field, Layout, Notice, type FieldErrors, type FormValues } from './page-views';

export const bargainStateLabels: Record<CampaignState, string> = { upcoming: '未开始', live: '进行中', ended: '已结束', cancelled: '已取消', settled: '已结算' };

/** The notice after a successful action (the redirect's ?done=). */
export const bargainNotices = {
  created: '砍价活动已创建。',
  cancelled: '砍价活动已取消：不能再发起新的砍价；已发起的砍价照常进行到结束。',
} as const;
export type BargainNotice = keyof typeof bargainNotices;


const formFields = ['title', 'sku_id', 'start_price', 'floor_price', 'helpers_needed', 'session_minutes', 'launches_per_shopper', 'helps_per_day', 'new_helper_bonus_pct', 'starts_at', 'ends_at', 'buy_before_floor'] as const;

export const emptyBargainForm = (): FormValues => ({ helpers_needed: '10', session_minutes: '1440', launches_per_shopper: '1', helps_per_day: '3', new_helper_bonus_pct: '0' });

/** The form's field for an API path: body.start_price_fen → start_price. */
const formFieldOf = (path: string) => path.replace(/^body\.?/, '').replace(/_fen$/, '') || 'title';

const schemaMessages: Record<string, string> = {
  title: '请填写标题，最多 60 个字',
  sku_id: 'SKU 编号应形如 sku_…',
  start_price: '起始价至少 0.02 元',
  floor_price: '底价至少 0.01 元，且必须低于起始价',
  helpers_needed: '请输入 1–100 的整数，且每位好友至少能砍 0.01 元（起始价 − 底价 ≥ 人数 × 0.01 元）',
  session_minutes: '请输入 5–10080 的整数',
  launches_per_shopper: '请输入 1–100 的整数',
  helps_per_day: '请输入 1–100 的整数',
  new_helper_bonus_pct: '请输入 0–400 的整数',
  ends_at: '结束时间必须晚于开始时间',
};

const ruleMessages: Record<string, [field: string, message: string]> = {
  starts_in_past: ['starts_at', '开始时间已经过去'],
  sku_not_found: ['sku_id', '没有这个 SKU'],
  sku_not_sellable: ['sku_id', '这个 SKU 已删除，或商品未上架'],
  start_above_price: ['start_price', '起始价不能高于商品售价'],
};

export type BargainForm = { values: FormValues; errors: FieldErrors; input?: BargainCampaignInput };

/** The submitted form, checked field by field and then by the API's schema; nothing is written here. */
export function readBargainForm(body: Record<string, unknown>, timeZone: string): BargainForm {
  const values: FormValues = {};
  for (const name of formFields) values[name] = typeof body[name] === 'string' ? (body[name] as string) : '';
  const errors: FieldErrors = {};
  const time = (name: 'starts_at' | 'ends_at') => readTimeField(values, errors, name, timeZone);
  const integer = (name: string) => {
    if (/^\d{1,9}$/.test(values[name]!.trim())) return Number(values[name]!.trim());
    errors[name] = '请输入整数';
    return 0;
  };
  const money = (name: string) => {
    const fen = parseYuanToFen(values[name]!);
    if (fen === null) errors[name] = '请输入金额，最多两位小数，如 9.90';
    return fen ?? 0;
  };
  const candidate = {
    title: values.title!,
    sku_id: values.sku_id!.trim(),
    start_price_fen: money('start_price'),
    floor_price_fen: money('floor_price'),
    helpers_needed: integer('helpers_needed'),
    session_minutes: integer('session_minutes'),
    launches_per_shopper: integer('launches_per_shopper'),
    helps_per_day: integer('helps_per_day'),
    buy_before_floor: values.buy_before_floor === 'on',
    new_helper_bonus_pct: integer('new_helper_bonus_pct'),
    starts_at: time('starts_at'),
    ends_at: time('ends_at'),
  };
  if (Object.keys(errors).length) return { values, errors };
  const parsed = v.safeParse(createBargainBody, candidate);
  if (parsed.success) return { values, errors, input: parsed.output };
  for (const issue of parsed.issues) {
    const field = formFieldOf(`body.${v.getDotPath(issue) ?? ''}`);
    errors[field] ??= schemaMessages[field] ?? issue.message;
  }
  return { values, errors };
}

/** The refused form's messages from the service's error (a 400/409/422 that wrote nothing). */
export function bargainFormErrors(error: ApiError): FieldErrors {
  const rule = ruleMessages[error.code];
  if (rule) return { [rule[0]]: rule[1] };
  const errors: FieldErrors = {};
  for (const detail of error.details) errors[formFieldOf(detail.path)] ??= detail.message;
  if (Object.keys(errors).length === 0) errors.title = error.message;
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Views

export const BargainListPage: FC<{ merchant: MerchantPrincipal; rows: AdminBargainCampaign[]; nextHref: string | null; time: FormatTime }> = ({ merchant, rows, nextHref, time }) => (
  <Layout title="砍价" merchant={merchant}>
    {roleAllows(merchant.role, 'operator') && (
      <p>
        <a href="/admin/bargains/new">新建砍价活动</a>
      </p>
    )}
    <table>
      <thead>
        <tr>
          <th>活动</th>
          <th>商品</th>
          <th>状态</th>
          <th class="num">起始价</th>
          <th class="num">底价</th>
          <th class="num">需好友</th>
          <th>结束</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((b) => (
          <tr>
            <td>
              <a href={`/admin/bargains/${b.id}`}>{b.title}</a>
            </td>
            <td>{b.product_title}</td>
            <td>{bargainStateLabels[b.state]}</td>
            <td class="num">{formatFenWithYuanSign(b.start_price_fen)}</td>
            <td class="num">{formatFenWithYuanSign(b.floor_price_fen)}</td>
            <td class="num">{b.helpers_needed}</td>
            <td>{time(b.ends_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
    {rows.length === 0 && <p class="muted">还没有砍价活动。</p>}
    {nextHref && (
      <p>
        <a href={nextHref}>下一页 →</a>
      </p>
    )}
  </Layout>
);

export const BargainFormPage: FC<{ merchant: MerchantPrincipal; values: FormValues; errors: FieldErrors; timeZone: string }> = ({ merchant, values, errors, timeZone }) => {
  const field = { values, errors, editable: true };
  const labelled = (name: string, label: string, inputmode?: 'decimal' | 'numeric') => (
    <label>
      {label}
      <Field name={name} label={label} inputmode={inputmode} {...field} />
    </label>
  );
  return (
    <Layout title="新建砍价活动" merchant={merchant}>
      {Object.keys(errors).length > 0 && <Notice kind="error">有字段填写不正确，什么都没有保存。请修改后重试。</Notice>}
      <form method="post" action="/admin/bargains">
        {labelled('title', '标题')}
        {labelled('sku_id', 'SKU 编号')}
        {labelled('start_price', '起始价（元，不高于售价）', 'decimal')}
        {labelled('floor_price', '底价（元）', 'decimal')}
        {labelled('helpers_needed', '砍到底价需要的好友人数（1–100）', 'numeric')}
        {labelled('session_minutes', '每次砍价的有效时长（分钟）', 'numeric')}
        {labelled('launches_per_shopper', '每人可发起次数', 'numeric')}
        {labelled('helps_per_day', `每人每天可帮砍次数（按 ${timeZone} 的日期）`, 'numeric')}
        {labelled('new_helper_bonus_pct', '新用户多砍（%，0–400；新用户：从未付款且注册不满 7 天）', 'numeric')}
        <label>
          <input type="checkbox" name="buy_before_floor" checked={values.buy_before_floor === 'on'} /> 未砍到底价也可按当前价购买
        </label>
        <TimeField name="starts_at" label={`开始时间（${timeZone}）`} values={values} errors={errors} />
        <TimeField name="ends_at" label={`结束时间（${timeZone}）`} values={values} errors={errors} />
        <button type="submit">创建</button>
      </form>
      <p>
        <a href="/admin/bargains">返回列表</a>
      </p>
    </Layout>
  );
};

export const BargainDetailPage: FC<{ merchant: MerchantPrincipal; bargain: AdminBargainCampaign; time: FormatTime; notice?: BargainNotice | undefined }> = ({ merchant, bargain, time, notice }) => {
  const canCancel = roleAllows(merchant.role, 'operator') && (bargain.state === 'upcoming' || bargain.state === 'live');
  return (
    <Layout title={`砍价：${bargain.title}`} merchant={merchant}>
      {notice && <Notice kind="ok">{bargainNotices[notice]}</Notice>}
      <p>
        状态：{bargainStateLabels[bargain.state]} · <a href="/admin/bargains">返回列表</a>
      </p>
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
      {canCancel && (
        <form method="post" action={`/admin/bargains/${bargain.id}/cancel`}>
          <button class="secondary" type="submit">
            取消活动
          </button>
        </form>
      )}
    </Layout>
  );
};
