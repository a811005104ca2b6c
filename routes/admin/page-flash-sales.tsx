// The admin page's flash sales (秒杀): the list, the create form and one campaign with its live
// figures and the cancel button. Like the other views: no scripts, no raw(), all text escaped.
// The create form is read into the JSON API's body and checked by the same schema and service,
// so the page and the API accept exactly the same campaigns.
import type { FC } from 'hono/jsx';
import * as v from 'valibot';
import type { ApiError } from '../../src/lib/errors';
import { formatFenWithYuanSign, parseYuanToFen } from '../../src/lib/money';
import { zonedLocalTimeToEpoch } from '../../src/lib/zoned-time';
import type { DailySlot } from '../../src/domain/flash-sale-slots';
import type { AdminFlashSale, FlashSaleInput, listFlashSalesForAdmin } from '../../src/marketing/flash-sale/campaigns';
import type { CampaignState } from '../../src/domain/campaign';
import { roleAllows, type MerchantPrincipal } from '../../src/services/merchant-auth';
import type { FormatTime } from './page-orders';
import { CampaignListPage, Field, Layout, Notice, type FieldErrors, type FormValues } from './page-views';
import { createFlashSaleBody } from './schemas';

export type FlashSaleSummary = Awaited<ReturnType<typeof listFlashSalesForAdmin>>['items'][number];

/** Item rows the create form offers; campaigns with more SKUs go through the JSON API. */
export const FLASH_FORM_ROWS = 5;

export const flashSaleStateLabels: Record<CampaignState, string> = {
  upcoming: '未开始',
  live: '进行中',
  ended: '已结束',
  cancelled: '已取消',
  settled: '已结算',
};

/** The notice after a successful action (the redirect's ?done=). */
export const flashSaleNotices = {
  created: '秒杀活动已创建，库存已从商品中划出。',
  created_pending: '秒杀活动已创建，库存已从商品中划出；库存服务暂时不可用，将在首次访问时自动完成配置。',
  cancelled: '秒杀活动已取消，已停止售卖；未售出的库存在结算时退回商品。',
} as const;
export type FlashSaleNotice = keyof typeof flashSaleNotices;

export const itemField = (row: number, field: 'sku_id' | 'flash_price' | 'flash_stock') => `items.${row}.${field}`;

// ---------------------------------------------------------------------------------------------
// Reading the form

const formFields = ['title', 'starts_at', 'ends_at', 'daily_slots', 'per_user_limit', 'per_order_limit', 'payment_window_minutes', 'shard_count', 'expected_peak_per_second'] as const;

export function emptyFlashSaleForm(): FormValues {
  return { payment_window_minutes: '5', per_user_limit: '1', per_order_limit: '1' };
}

/**
 * Daily slots as merchants type them: "10:00-12:00, 20:00-22:00" (any of , ， 、 or spaces
 * between slots, - – — ~ or 至 inside one). Blank: no slots. null: not in that shape.
 */
export function parseDailySlotsText(text: string): DailySlot[] | undefined | null {
  const parts = text.split(/[,，、;；\s]+/).filter(Boolean);
  if (parts.length === 0) return undefined;
  const slots = parts.map((part) => /^(\d{1,2}:\d{2})\s*[-–—~至]\s*(\d{1,2}:\d{2})$/.exec(part)).map((m) => m && { start: m[1]!.padStart(5, '0'), end: m[2]!.padStart(5, '0') });
  return slots.every((slot) => slot !== null) ? (slots as DailySlot[]) : null;
}

export const formatDailySlots = (slots: DailySlot[] | null) => (slots ?? []).map((s) => `${s.start}-${s.end}`).join(', ');

/**
 * A <TimeField> of a submitted form as an ISO time: the wall-clock time typed in the shop's time
 * zone, or '' with the field's error set when it is not a real time.
 */
export function readTimeField(values: FormValues, errors: FieldErrors, name: string, timeZone: string): string {
  const epoch = zonedLocalTimeToEpoch(values[name]!, timeZone);
  if (epoch === null) errors[name] = '请选择日期和时间';
  return epoch === null ? '' : new Date(epoch).toISOString();
}

export type FlashSaleForm = {
  values: FormValues;
  errors: FieldErrors;
  /** The body for the service when every field is valid. */
  input?: FlashSaleInput;
  /** Form row of each item in the body (blank rows are skipped), to put errors next to the right row. */
  rowOf: number[];
};

/** The submitted form, checked field by field and then by the API's schema; nothing is written here. */
export function readFlashSaleForm(body: Record<string, unknown>, timeZone: string): FlashSaleForm {
  const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
  const values: FormValues = {};
  for (const name of formFields) values[name] = text(name);
  const errors: FieldErrors = {};

  const time = (name: 'starts_at' | 'ends_at') => readTimeField(values, errors, name, timeZone);
  const integer = (name: string, optional = false) => {
    const raw = (values[name] ?? text(name)).trim();
    if (raw === '' && optional) return undefined;
    if (!/^\d{1,9}$/.test(raw)) {
      errors[name] = '请输入正整数';
      return 0;
    }
    return Number(raw);
  };

  const dailySlots = parseDailySlotsText(values.daily_slots!);
  if (dailySlots === null) errors.daily_slots = '格式如 10:00-12:00, 20:00-22:00';

  const items: FlashSaleInput['items'] = [];
  const rowOf: number[] = [];
  for (let row = 0; row < FLASH_FORM_ROWS; row++) {
    const [skuName, priceName, stockName] = [itemField(row, 'sku_id'), itemField(row, 'flash_price'), itemField(row, 'flash_stock')];
    values[skuName] = text(skuName);
    values[priceName] = text(priceName);
    values[stockName] = text(stockName);
    if (!values[skuName]!.trim() && !values[priceName]!.trim() && !values[stockName]!.trim()) continue;
    const priceFen = parseYuanToFen(values[priceName]!);
    if (priceFen === null) errors[priceName] = '请输入金额，最多两位小数，如 9.90';
    items.push({ sku_id: values[skuName]!.trim(), flash_price_fen: priceFen ?? 0, flash_stock: integer(stockName) ?? 0 });
    rowOf.push(row);
  }

  const candidate = {
    title: values.title!,
    starts_at: time('starts_at'),
    ends_at: time('ends_at'),
    per_user_limit: integer('per_user_limit'),
    per_order_limit: integer('per_order_limit'),
    payment_window_minutes: integer('payment_window_minutes'),
    shard_count: integer('shard_count', true),
    expected_peak_per_second: integer('expected_peak_per_second', true),
    daily_slots: dailySlots ?? undefined,
    items,
  };
  if (items.length === 0) errors.items = '请至少填写一行秒杀商品';
  if (Object.keys(errors).length) return { values, errors, rowOf };

  const parsed = v.safeParse(createFlashSaleBody, candidate);
  if (parsed.success) return { values, errors, rowOf, input: parsed.output };
  for (const issue of parsed.issues) {
    const field = formFieldOf(`body.${v.getDotPath(issue) ?? ''}`, rowOf);
    errors[field] ??= schemaMessage(field, issue.message);
  }
  return { values, errors, rowOf };
}

/** The form field an API error path points at: body.items.2.flash_price_fen → items.<row>.flash_price. */
export function formFieldOf(path: string, rowOf: number[]): string {
  const field = path.replace(/^body\.?/, '');
  const item = /^items\.(\d+)\.(\w+)$/.exec(field);
  if (item) {
    const name = item[2] === 'flash_price_fen' ? 'flash_price' : item[2]!;
    return `items.${rowOf[Number(item[1])] ?? Number(item[1])}.${name}`;
  }
  if (field.startsWith('daily_slots')) return 'daily_slots';
  return /^items\.\d+$/.test(field) ? 'items' : field || 'items';
}

/** Messages for people, by field; the schema's own (English) message when there is none. */
function schemaMessage(field: string, message: string): string {
  const name = field.replace(/^items\.\d+\./, 'items.');
  const messages: Record<string, string> = {
    title: '请填写标题，最多 60 个字',
    ends_at: '结束时间必须晚于开始时间',
    per_user_limit: '请输入 1–999 的整数',
    per_order_limit: message.includes('per_user_limit') ? '每单限购不能超过每人限购' : '请输入 1–99 的整数',
    payment_window_minutes: '请输入 1–30 的整数',
    shard_count: message.includes('×') ? 'SKU 数 × 分片数不能超过 512' : '请输入 1–64 的整数',
    expected_peak_per_second: '请输入正整数',
    daily_slots: message.includes('overlaps') ? '场次时间有重叠' : message.includes('at most') ? '最多 8 个场次' : '每个场次须在当天内结束，如 10:00-12:00',
    'items.sku_id': message.includes('already listed') ? '这个 SKU 已在上面填过' : 'SKU 编号应形如 sku_…',
    'items.flash_price': '秒杀价至少 0.01 元',
    'items.flash_stock': '请输入 1–10000000 的整数',
  };
  return messages[name] ?? message;
}

/** Business-rule messages for people, by the API's error code. */
const ruleMessages: Record<string, string> = {
  starts_in_past: '开始时间已经过去',
  sku_not_found: '没有这个 SKU',
  sku_not_sellable: '这个 SKU 已删除，或商品未上架',
  flash_price_above_price: '秒杀价不能高于商品售价',
  insufficient_stock: '秒杀库存不能超过商品当前库存',
  flash_sale_overlap: '这个 SKU 在这段时间已有秒杀活动',
  no_slot_in_window: '活动时间内没有任何场次',
};

/** The refused form's messages from the service's error (a 400/409/422 that wrote nothing). */
export function flashSaleFormErrors(error: ApiError, rowOf: number[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const detail of error.details) {
    const field = formFieldOf(detail.path, rowOf);
    errors[field] ??= ruleMessages[error.code] ?? schemaMessage(field, detail.message);
  }
  if (Object.keys(errors).length === 0) errors.items = ruleMessages[error.code] ?? error.message;
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Views

export const FlashSaleListPage: FC<{ merchant: MerchantPrincipal; rows: FlashSaleSummary[]; nextHref: string | null; time: FormatTime }> = ({ merchant, rows, nextHref, time }) => (
  <CampaignListPage title="秒杀" merchant={merchant} createHref="/admin/flash-sales/new" createLabel="新建秒杀活动" empty={rows.length === 0} emptyText="还没有秒杀活动。" nextHref={nextHref}>
    <thead>
      <tr>
        <th>活动</th>
        <th>状态</th>
        <th>开始</th>
        <th>结束</th>
        <th class="num">SKU 数</th>
        <th class="num">秒杀库存</th>
      </tr>
    </thead>
    <tbody>
      {rows.map((s) => (
        <tr>
          <td>
            <a href={`/admin/flash-sales/${s.id}`}>{s.title}</a>
          </td>
          <td>{flashSaleStateLabels[s.state]}</td>
          <td>{time(s.starts_at)}</td>
          <td>{time(s.ends_at)}</td>
          <td class="num">{s.items.length}</td>
          <td class="num">{s.items.reduce((n, i) => n + i.flash_stock, 0)}</td>
        </tr>
      ))}
    </tbody>
  </CampaignListPage>
);

export const TimeField: FC<{ name: string; label: string; values: FormValues; errors: FieldErrors }> = ({ name, label, values, errors }) => (
  <label>
    {label}
    <input type="datetime-local" name={name} value={values[name] ?? ''} aria-invalid={errors[name] ? 'true' : undefined} required />
    {errors[name] && <span class="field-error">{errors[name]}</span>}
  </label>
);

export const FlashSaleFormPage: FC<{ merchant: MerchantPrincipal; values: FormValues; errors: FieldErrors; timeZone: string }> = ({ merchant, values, errors, timeZone }) => {
  const field = { values, errors, editable: true };
  const rows = Array.from({ length: FLASH_FORM_ROWS }, (_, row) => row);
  return (
    <Layout title="新建秒杀活动" merchant={merchant}>
      {Object.keys(errors).length > 0 && <Notice kind="error">有字段填写不正确，什么都没有保存。请修改后重试。</Notice>}
      <form method="post" action="/admin/flash-sales">
        <label>
          标题
          <Field name="title" label="标题" {...field} />
        </label>
        <TimeField name="starts_at" label={`开始时间（${timeZone}）`} values={values} errors={errors} />
        <TimeField name="ends_at" label={`结束时间（${timeZone}）`} values={values} errors={errors} />
        <label>
          每日场次（可空：整段时间都可抢；如 10:00-12:00, 20:00-22:00）
          <Field name="daily_slots" label="每日场次" {...field} />
        </label>
        <label>
          每人限购（件）
          <Field name="per_user_limit" label="每人限购" inputmode="numeric" {...field} />
        </label>
        <label>
          每单限购（件）
          <Field name="per_order_limit" label="每单限购" inputmode="numeric" {...field} />
        </label>
        <label>
          支付时限（分钟，1–30）
          <Field name="payment_window_minutes" label="支付时限" inputmode="numeric" {...field} />
        </label>
        <label>
          分片数（1–64，可空：按预计峰值计算，否则为 1）
          <Field name="shard_count" label="分片数" inputmode="numeric" {...field} />
        </label>
        <label>
          预计峰值（每秒抢购请求数，可空）
          <Field name="expected_peak_per_second" label="预计峰值" inputmode="numeric" {...field} />
        </label>
        <section>
          <h2>秒杀商品</h2>
          {errors.items && <Notice kind="error">{errors.items}</Notice>}
          <table>
            <thead>
              <tr>
                <th>SKU 编号</th>
                <th class="num">秒杀价（元）</th>
                <th class="num">秒杀库存</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr>
                  <td>
                    <Field name={itemField(row, 'sku_id')} label={`第 ${row + 1} 行 SKU 编号`} {...field} />
                  </td>
                  <td class="num">
                    <Field name={itemField(row, 'flash_price')} label={`第 ${row + 1} 行秒杀价`} inputmode="decimal" {...field} />
                  </td>
                  <td class="num">
                    <Field name={itemField(row, 'flash_stock')} label={`第 ${row + 1} 行秒杀库存`} inputmode="numeric" {...field} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p class="muted">秒杀库存在创建时从商品库存中划出；空行会被忽略。</p>
        </section>
        <button type="submit">创建</button>
      </form>
      <p>
        <a href="/admin/flash-sales">返回列表</a>
      </p>
    </Layout>
  );
};

export const FlashSaleDetailPage: FC<{ merchant: MerchantPrincipal; sale: AdminFlashSale; time: FormatTime; notice?: FlashSaleNotice | undefined }> = ({ merchant, sale, time, notice }) => {
  const canCancel = roleAllows(merchant.role, 'operator') && (sale.state === 'upcoming' || sale.state === 'live');
  return (
    <Layout title={`秒杀：${sale.title}`} merchant={merchant}>
      {notice && <Notice kind="ok">{flashSaleNotices[notice]}</Notice>}
      <p>
        状态：{flashSaleStateLabels[sale.state]} · <a href="/admin/flash-sales">返回列表</a>
      </p>
      <section>
        <h2>活动</h2>
        <dl>
          <dt>开始</dt>
          <dd>{time(sale.starts_at)}</dd>
          <dt>结束</dt>
          <dd>{time(sale.ends_at)}</dd>
          {sale.cancelled_at && (
            <>
              <dt>取消于</dt>
              <dd>{time(sale.cancelled_at)}</dd>
            </>
          )}
          <dt>每日场次</dt>
          <dd>{sale.daily_slots ? formatDailySlots(sale.daily_slots) : '全天（整段时间）'}</dd>
          <dt>每人限购</dt>
          <dd>{sale.per_user_limit}</dd>
          <dt>每单限购</dt>
          <dd>{sale.per_order_limit}</dd>
          <dt>支付时限</dt>
          <dd>{sale.payment_window_minutes} 分钟</dd>
          <dt>分片数</dt>
          <dd>{sale.shard_count}</dd>
        </dl>
      </section>
      <section>
        <h2>商品与实时库存</h2>
        <table>
          <thead>
            <tr>
              <th>商品</th>
              <th>规格</th>
              <th>SKU</th>
              <th class="num">售价</th>
              <th class="num">秒杀价</th>
              <th class="num">秒杀库存</th>
              <th class="num">可售</th>
              <th class="num">待支付</th>
              <th class="num">已支付</th>
            </tr>
          </thead>
          <tbody>
            {sale.items.map((i) => (
              <tr>
                <td>{i.title}</td>
                <td>{i.spec_values.join(' / ') || '默认'}</td>
                <td>{i.sku_id}</td>
                <td class="num">{formatFenWithYuanSign(i.price_fen)}</td>
                <td class="num">{formatFenWithYuanSign(i.flash_price_fen)}</td>
                <td class="num">{i.flash_stock}</td>
                <td class="num">{i.live ? i.live.available : '—'}</td>
                <td class="num">{i.live ? i.live.held : '—'}</td>
                <td class="num">{i.live ? i.live.paid : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {canCancel && (
        <form method="post" action={`/admin/flash-sales/${sale.id}/cancel`}>
          <button class="secondary" type="submit">
            取消活动
          </button>
        </form>
      )}
    </Layout>
  );
};
