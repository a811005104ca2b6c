// The admin page's group buys (拼团): the list, the create form (one SKU; campaigns with more
// go through the JSON API) and one campaign with its rooms and the cancel button. Like the other
// views: no scripts, no raw(), all text escaped. The form is read into the JSON API's body and
// checked by the same schema and service, so the page and the API accept the same campaigns.
import type { FC } from 'hono/jsx';
import * as v from 'valibot';
import type { ApiError } from '../../src/lib/errors';
import { formatFenWithYuanSign, parseYuanToFen } from '../../src/lib/money';
import type { AdminGroupBuy, GroupBuyInput, listGroupBuysForAdmin } from '../../src/marketing/group-buy/campaigns';
import type { roomsOfCampaign } from '../../src/marketing/group-buy/rooms';
import { roleAllows, type MerchantPrincipal } from '../../src/services/merchant-auth';
import { createGroupBuyBody } from './group-buys-schemas';
import { readTimeField, TimeField } from './page-flash-sales';
import type { FormatTime } from './page-orders';
import { CampaignListPage, Field, Layout, Notice, type FieldErrors, type FormValues } from './page-views';

export type GroupBuySummary = Awaited<ReturnType<typeof listGroupBuysForAdmin>>['items'][number];
export type GroupBuyRoomRow = Awaited<ReturnType<typeof roomsOfCampaign>>[number];

export const groupBuyNotices = {
  created: '拼团活动已创建。',
  cancelled: '拼团活动已取消：不能再开团或参团，进行中的团照常结束。',
} as const;
export type GroupBuyNotice = keyof typeof groupBuyNotices;

const roomStatusLabels = { open: '进行中', succeeded: '已成团', failed: '未成团' } as const;
const policyLabels = { refuse: '提示已满', new_room: '自动开新团' } as const;

// ---------------------------------------------------------------------------------------------
// Reading the form

const textFields = ['title', 'starts_at', 'ends_at', 'sku_id', 'group_price', 'group_size', 'tiers', 'max_size', 'leader_discount', 'duration_minutes', 'payment_window_minutes', 'per_user_limit', 'simulate_share_percent', 'full_room_policy'] as const;

export const emptyGroupBuyForm = (): FormValues => ({ duration_minutes: '1440', payment_window_minutes: '15', per_user_limit: '1', full_room_policy: 'refuse' });

export type GroupBuyForm = { values: FormValues; errors: FieldErrors; input?: GroupBuyInput };

/** "2:90, 5:80" (size:price in yuan) → tiers in fen; null when a part is not of that form. */
export function parseTiers(text: string): { min_size: number; price_fen: number }[] | null {
  const parts = text.split(/[,，\s]+/).filter(Boolean);
  const tiers = parts.map((part) => {
    const m = /^(\d{1,3})[:：](.+)$/.exec(part);
    const priceFen = m ? parseYuanToFen(m[2]!) : null;
    return m && priceFen !== null ? { min_size: Number(m[1]), price_fen: priceFen } : null;
  });
  return tiers.every((t) => t !== null) ? (tiers as { min_size: number; price_fen: number }[]) : null;
}

/** The submitted form, checked field by field and then by the API's schema; nothing is written here. */
export function readGroupBuyForm(body: Record<string, unknown>, timeZone: string): GroupBuyForm {
  const values: FormValues = {};
  for (const name of textFields) values[name] = typeof body[name] === 'string' ? (body[name] as string).trim() : '';
  const errors: FieldErrors = {};
  const time = (name: 'starts_at' | 'ends_at') => readTimeField(values, errors, name, timeZone);
  const integer = (name: string) => {
    if (values[name] === '') return undefined;
    if (!/^\d{1,9}$/.test(values[name]!)) errors[name] = '请输入正整数';
    return Number(values[name]);
  };
  const money = (name: string) => {
    if (values[name] === '') return undefined;
    const fen = parseYuanToFen(values[name]!);
    if (fen === null) errors[name] = '请输入金额，最多两位小数，如 9.90';
    return fen ?? 0;
  };
  const tiers = values.tiers ? parseTiers(values.tiers) : [];
  if (tiers === null) errors.tiers = '格式如 2:90, 5:80（人数:每人价格）';
  const candidate = {
    title: values.title,
    starts_at: time('starts_at'),
    ends_at: time('ends_at'),
    skus: [{ sku_id: values.sku_id, ...(values.group_price ? { group_price_fen: money('group_price') } : {}) }],
    ...(tiers?.length ? { tiers, max_size: integer('max_size') } : { group_size: integer('group_size') }),
    leader_discount_fen: money('leader_discount'),
    duration_minutes: integer('duration_minutes'),
    payment_window_minutes: integer('payment_window_minutes'),
    per_user_limit: integer('per_user_limit'),
    simulate_share_percent: integer('simulate_share_percent') ?? null,
    full_room_policy: values.full_room_policy,
  };
  if (Object.keys(errors).length) return { values, errors };
  const parsed = v.safeParse(createGroupBuyBody, candidate);
  if (parsed.success) return { values, errors, input: parsed.output };
  for (const issue of parsed.issues) errors[formFieldOf(`body.${v.getDotPath(issue) ?? ''}`)] ??= issue.message;
  return { values, errors };
}

/** The form field an API error path points at (body.skus.0.group_price_fen → group_price). */
export function formFieldOf(path: string): string {
  const field = path.replace(/^body\.?/, '');
  if (field.startsWith('skus.0.group_price_fen')) return 'group_price';
  if (field.startsWith('skus')) return 'sku_id';
  if (field.startsWith('tiers')) return 'tiers';
  if (field === 'leader_discount_fen') return 'leader_discount';
  return (textFields as readonly string[]).includes(field) ? field : 'title';
}

/** The refused form's messages from the service's error (a 400/409/422 that wrote nothing). */
export function groupBuyFormErrors(error: ApiError): FieldErrors {
  const errors: FieldErrors = {};
  for (const detail of error.details) errors[formFieldOf(detail.path)] ??= detail.message;
  if (Object.keys(errors).length === 0) errors.title = error.message;
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Views

const tierText = (tiers: { min_size: number; price_fen: number }[]) => tiers.map((t) => `${t.min_size} 人 ${formatFenWithYuanSign(t.price_fen)}`).join(' / ');

export const GroupBuyListPage: FC<{ merchant: MerchantPrincipal; rows: GroupBuySummary[]; nextHref: string | null; time: FormatTime }> = ({ merchant, rows, nextHref, time }) => (
  <CampaignListPage title="拼团" merchant={merchant} createHref="/admin/group-buys/new" createLabel="新建拼团活动" empty={rows.length === 0} emptyText="还没有拼团活动。" nextHref={nextHref}>
    <thead>
      <tr>
        <th>活动</th>
        <th>状态</th>
        <th>成团人数</th>
        <th>价格</th>
        <th>开始</th>
        <th>结束</th>
      </tr>
    </thead>
    <tbody>
      {rows.map((g) => (
        <tr>
          <td>
            <a href={`/admin/group-buys/${g.id}`}>{g.title}</a>
          </td>
          <td>{g.status === 'scheduled' ? '有效' : '已取消'}</td>
          <td>{g.tiers.length ? `${g.group_size}–${g.max_size} 人` : `${g.group_size} 人`}</td>
          <td>{g.tiers.length ? tierText(g.tiers) : g.skus.map((s) => formatFenWithYuanSign(s.group_price_fen)).join(' / ')}</td>
          <td>{time(g.starts_at)}</td>
          <td>{time(g.ends_at)}</td>
        </tr>
      ))}
    </tbody>
  </CampaignListPage>
);

const Labeled: FC<{ name: string; label: string; values: FormValues; errors: FieldErrors; inputmode?: 'decimal' | 'numeric' }> = ({ name, label, values, errors, inputmode }) => (
  <label>
    {label}
    <Field name={name} label={label} values={values} errors={errors} editable inputmode={inputmode} />
  </label>
);

export const GroupBuyFormPage: FC<{ merchant: MerchantPrincipal; values: FormValues; errors: FieldErrors; timeZone: string }> = ({ merchant, values, errors, timeZone }) => {
  const field = { values, errors };
  return (
    <Layout title="新建拼团活动" merchant={merchant}>
      {Object.keys(errors).length > 0 && <Notice kind="error">请改正标出的内容。</Notice>}
      <form method="post" action="/admin/group-buys">
        <Labeled name="title" label="标题" {...field} />
        <TimeField name="starts_at" label={`开始（${timeZone}）`} {...field} />
        <TimeField name="ends_at" label={`结束（${timeZone}）`} {...field} />
        <Labeled name="sku_id" label="SKU 编号" {...field} />
        <Labeled name="group_price" label="拼团价（元；阶梯拼团不填）" inputmode="decimal" {...field} />
        <Labeled name="group_size" label="成团人数（阶梯拼团不填）" inputmode="numeric" {...field} />
        <Labeled name="tiers" label="阶梯（人数:每人价格，如 2:90, 5:80, 10:70）" {...field} />
        <Labeled name="max_size" label="最多人数（阶梯拼团）" inputmode="numeric" {...field} />
        <Labeled name="leader_discount" label="团长优惠（元）" inputmode="decimal" {...field} />
        <Labeled name="duration_minutes" label="成团时限（分钟）" inputmode="numeric" {...field} />
        <Labeled name="payment_window_minutes" label="支付时限（分钟）" inputmode="numeric" {...field} />
        <Labeled name="per_user_limit" label="每人限参团数" inputmode="numeric" {...field} />
        <Labeled name="simulate_share_percent" label="模拟成团：已付人数达到百分之几时（不填则不模拟）" inputmode="numeric" {...field} />
        <label>
          团满时
          <select name="full_room_policy">
            {Object.entries(policyLabels).map(([value, label]) => (
              <option value={value} selected={values.full_room_policy === value}>
                {label}
              </option>
            ))}
          </select>
          {errors.full_room_policy && <span class="field-error">{errors.full_room_policy}</span>}
        </label>
        <button type="submit">创建</button>
      </form>
    </Layout>
  );
};

export const GroupBuyDetailPage: FC<{ merchant: MerchantPrincipal; campaign: AdminGroupBuy; rooms: GroupBuyRoomRow[]; time: FormatTime; notice?: GroupBuyNotice | undefined }> = ({
  merchant,
  campaign,
  rooms,
  time,
  notice,
}) => (
  <Layout title={campaign.title} merchant={merchant}>
    {notice && <Notice kind="ok">{groupBuyNotices[notice]}</Notice>}
    <dl>
      <dt>状态</dt>
      <dd>{campaign.status === 'scheduled' ? (campaign.live ? '进行中' : '有效（不在活动时间内）') : '已取消'}</dd>
      <dt>时间</dt>
      <dd>
        {time(campaign.starts_at)} – {time(campaign.ends_at)}
      </dd>
      <dt>成团人数</dt>
      <dd>{campaign.tiers.length ? `${campaign.group_size}–${campaign.max_size} 人（${tierText(campaign.tiers)}）` : `${campaign.group_size} 人`}</dd>
      <dt>团长优惠</dt>
      <dd>{formatFenWithYuanSign(campaign.leader_discount_fen)}</dd>
      <dt>时限</dt>
      <dd>
        成团 {campaign.duration_minutes} 分钟，支付 {campaign.payment_window_minutes} 分钟
      </dd>
      <dt>模拟成团</dt>
      <dd>{campaign.simulate_share_percent === null ? '不模拟' : `已付达到 ${campaign.simulate_share_percent}%`}</dd>
      <dt>团满时</dt>
      <dd>{policyLabels[campaign.full_room_policy]}</dd>
      <dt>团数</dt>
      <dd>
        进行中 {campaign.rooms.open}，已成团 {campaign.rooms.succeeded}，未成团 {campaign.rooms.failed}
      </dd>
    </dl>
    <section>
      <h2>SKU</h2>
      <table>
        <thead>
          <tr>
            <th>SKU</th>
            <th>规格</th>
            <th class="num">原价</th>
            <th class="num">拼团价</th>
          </tr>
        </thead>
        <tbody>
          {campaign.skus.map((s) => (
            <tr>
              <td>{s.sku_id}</td>
              <td>{s.spec_text || '—'}</td>
              <td class="num">{formatFenWithYuanSign(s.price_fen)}</td>
              <td class="num">{formatFenWithYuanSign(s.group_price_fen)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
    <section>
      <h2>最近的团</h2>
      <table>
        <thead>
          <tr>
            <th>团</th>
            <th>邀请码</th>
            <th>状态</th>
            <th>截止</th>
            <th class="num">成团人数</th>
          </tr>
        </thead>
        <tbody>
          {rooms.map((r) => (
            <tr>
              <td>{r.id}</td>
              <td>{r.inviteCode}</td>
              <td>{roomStatusLabels[r.status]}</td>
              <td>{time(new Date(r.expiresAt).toISOString())}</td>
              <td class="num">{r.finalSize === null ? '—' : r.simulatedCount ? `${r.finalSize}（含模拟 ${r.simulatedCount}）` : r.finalSize}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rooms.length === 0 && <p class="muted">还没有人开团。</p>}
    </section>
    {roleAllows(merchant.role, 'operator') && campaign.status === 'scheduled' && (
      <form method="post" action={`/admin/group-buys/${campaign.id}/cancel`}>
        <button type="submit">取消活动</button>
      </form>
    )}
  </Layout>
);
