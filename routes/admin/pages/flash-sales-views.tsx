// The flash-sales section's HTML (秒杀): the list, the create form and one campaign with its live
// figures and the cancel button.
import type { FC } from 'hono/jsx';
import type { DailySlot } from '../../../src/domain/flash-sale-slots';
import { formatFenWithYuanSign } from '../../../src/lib/money';
import type { AdminFlashSale, listFlashSalesForAdmin } from '../../../src/marketing/flash-sale/views';
import type { MerchantPrincipal } from '../../../src/services/merchant-auth';
import { CreateFormPage, Field, LabeledField, TimeField, type FieldErrors, type FormValues } from './form-kit';
import { CampaignDetailPage, campaignStateLabels, cancelHref, ListPage, Notice, TableHead } from './layout';
import type { FormatTime } from './section';

export type FlashSaleSummary = Awaited<ReturnType<typeof listFlashSalesForAdmin>>['items'][number];

/** Item rows the create form offers; campaigns with more SKUs go through the JSON API. */
export const FLASH_FORM_ROWS = 5;

/** The notice after a successful action (the redirect's ?done=). */
export const flashSaleNotices = {
  created: '秒杀活动已创建，库存已从商品中划出。',
  created_pending: '秒杀活动已创建，库存已从商品中划出；库存服务暂时不可用，将在首次访问时自动完成配置。',
  cancelled: '秒杀活动已取消，已停止售卖；未售出的库存在结算时退回商品。',
} as const;
export type FlashSaleNotice = keyof typeof flashSaleNotices;

export const itemField = (row: number, field: 'sku_id' | 'flash_price' | 'flash_stock') => `items.${row}.${field}`;

export const formatDailySlots = (slots: DailySlot[] | null) => (slots ?? []).map((s) => `${s.start}-${s.end}`).join(', ');

export const FlashSaleListPage: FC<{ merchant: MerchantPrincipal; rows: FlashSaleSummary[]; nextHref: string | null; time: FormatTime }> = ({ merchant, rows, nextHref, time }) => (
  <ListPage title="秒杀" merchant={merchant} create={{ href: '/admin/flash-sales/new', label: '新建秒杀活动' }} empty={rows.length === 0} emptyText="还没有秒杀活动。" nextHref={nextHref}>
    <TableHead columns={['活动', '状态', '开始', '结束', { num: 'SKU 数' }, { num: '秒杀库存' }]} />
    <tbody>
      {rows.map((s) => (
        <tr>
          <td>
            <a href={`/admin/flash-sales/${s.id}`}>{s.title}</a>
          </td>
          <td>{campaignStateLabels[s.state]}</td>
          <td>{time(s.starts_at)}</td>
          <td>{time(s.ends_at)}</td>
          <td class="num">{s.items.length}</td>
          <td class="num">{s.items.reduce((n, i) => n + i.flash_stock, 0)}</td>
        </tr>
      ))}
    </tbody>
  </ListPage>
);

export const FlashSaleFormPage: FC<{ merchant: MerchantPrincipal; values: FormValues; errors: FieldErrors; timeZone: string }> = ({ merchant, values, errors, timeZone }) => {
  const field = { values, errors };
  const rows = Array.from({ length: FLASH_FORM_ROWS }, (_, row) => row);
  return (
    <CreateFormPage title="新建秒杀活动" merchant={merchant} action="/admin/flash-sales" errors={errors} listHref="/admin/flash-sales">
      <LabeledField name="title" label="标题" {...field} />
      <TimeField name="starts_at" label={`开始时间（${timeZone}）`} {...field} />
      <TimeField name="ends_at" label={`结束时间（${timeZone}）`} {...field} />
      <LabeledField name="daily_slots" label="每日场次（可空：整段时间都可抢；如 10:00-12:00, 20:00-22:00）" {...field} />
      <LabeledField name="per_user_limit" label="每人限购（件）" inputmode="numeric" {...field} />
      <LabeledField name="per_order_limit" label="每单限购（件）" inputmode="numeric" {...field} />
      <LabeledField name="payment_window_minutes" label="支付时限（分钟，1–30）" inputmode="numeric" {...field} />
      <LabeledField name="shard_count" label="分片数（1–64，可空：按预计峰值计算，否则为 1）" inputmode="numeric" {...field} />
      <LabeledField name="expected_peak_per_second" label="预计峰值（每秒抢购请求数，可空）" inputmode="numeric" {...field} />
      <section>
        <h2>秒杀商品</h2>
        {errors.items && <Notice kind="error">{errors.items}</Notice>}
        <table>
          <TableHead columns={['SKU 编号', { num: '秒杀价（元）' }, { num: '秒杀库存' }]} />
          <tbody>
            {rows.map((row) => (
              <tr>
                <td>
                  <Field name={itemField(row, 'sku_id')} label={`第 ${row + 1} 行 SKU 编号`} editable {...field} />
                </td>
                <td class="num">
                  <Field name={itemField(row, 'flash_price')} label={`第 ${row + 1} 行秒杀价`} inputmode="decimal" editable {...field} />
                </td>
                <td class="num">
                  <Field name={itemField(row, 'flash_stock')} label={`第 ${row + 1} 行秒杀库存`} inputmode="numeric" editable {...field} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p class="muted">秒杀库存在创建时从商品库存中划出；空行会被忽略。</p>
      </section>
    </CreateFormPage>
  );
};

export const FlashSaleDetailPage: FC<{ merchant: MerchantPrincipal; sale: AdminFlashSale; time: FormatTime; notice?: FlashSaleNotice | undefined }> = ({ merchant, sale, time, notice }) => (
  <CampaignDetailPage
    title={`秒杀：${sale.title}`}
    merchant={merchant}
    notice={notice && flashSaleNotices[notice]}
    state={campaignStateLabels[sale.state]}
    listHref="/admin/flash-sales"
    cancelAction={cancelHref(sale.state, `/admin/flash-sales/${sale.id}/cancel`)}
  >
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
        <TableHead columns={['商品', '规格', 'SKU', { num: '售价' }, { num: '秒杀价' }, { num: '秒杀库存' }, { num: '可售' }, { num: '待支付' }, { num: '已支付' }]} />
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
  </CampaignDetailPage>
);
