// The flash-sales section (/admin/flash-sales, 秒杀): the list, the create form, one campaign
// with its live figures, and cancel. The create form is read into the JSON API's body and checked
// by the same schema and service, so the page and the API accept exactly the same campaigns.
import * as v from 'valibot';
import type { DailySlot } from '../../../src/domain/flash-sale-slots';
import { cancelFlashSale, createFlashSale } from '../../../src/marketing/flash-sale/campaigns';
import type { FlashSaleInput } from '../../../src/marketing/flash-sale/model';
import { flashSaleForAdmin, listFlashSalesForAdmin } from '../../../src/marketing/flash-sale/views';
import { catalogWriteContext } from '../../../src/services/catalog-admin';
import { createFlashSaleBody } from '../schemas';
import { fieldReader, readFormValues, refusedFields, schemaRefusal, type FieldErrors, type FormVocabulary } from './form-kit';
import { FLASH_FORM_ROWS, FlashSaleDetailPage, FlashSaleFormPage, FlashSaleListPage, flashSaleNotices, itemField } from './flash-sales-views';
import { campaignSection, type SubmittedForm } from './campaign-section';
import { PAGE_SIZE, shopTime } from './section';

export const flashSalePages = campaignSection({
  subject: '秒杀活动',
  path: '/admin/flash-sales',
  idPrefix: 'fls',
  notices: flashSaleNotices,
  list: (c, cursor) => listFlashSalesForAdmin(c.var.db, { cursor, limit: PAGE_SIZE, now: c.var.clock.now() }),
  ListPage: FlashSaleListPage,
  FormPage: FlashSaleFormPage,
  emptyForm: () => ({ payment_window_minutes: '5', per_user_limit: '1', per_order_limit: '1' }),
  readForm: readFlashSaleForm,
  vocabulary: (form) => flashSaleForm(form.rowOf),
  async create(c, input) {
    const { id, configured } = await createFlashSale(c.env, catalogWriteContext(c), input);
    return `/admin/flash-sales/${id}?done=${configured ? 'created' : 'created_pending'}`;
  },
  async detail(c, id, notice) {
    const sale = await flashSaleForAdmin(c.env, c.var.db, id, c.var.clock.now(), { live: true });
    return <FlashSaleDetailPage merchant={c.var.merchant} sale={sale} time={shopTime(c, 'medium')} notice={notice} />;
  },
  cancel: (c, id) => cancelFlashSale(c.env, catalogWriteContext(c), id),
});

// ---------------------------------------------------------------------------------------------
// Reading the form

const formFields = ['title', 'starts_at', 'ends_at', 'daily_slots', 'per_user_limit', 'per_order_limit', 'payment_window_minutes', 'shard_count', 'expected_peak_per_second'] as const;
const itemFields = Array.from({ length: FLASH_FORM_ROWS }, (_, row) => [itemField(row, 'sku_id'), itemField(row, 'flash_price'), itemField(row, 'flash_stock')] as const);

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

type FlashSaleForm = SubmittedForm<FlashSaleInput> & {
  /** Form row of each item in the body (blank rows are skipped), to put errors next to the right row. */
  rowOf: number[];
};

/** The submitted form, checked field by field and then by the API's schema; nothing is written here. */
function readFlashSaleForm(body: Record<string, unknown>, timeZone: string): FlashSaleForm {
  const values = readFormValues(body, [...formFields, ...itemFields.flat()]);
  const errors: FieldErrors = {};
  const read = fieldReader(values, errors);

  const dailySlots = parseDailySlotsText(values.daily_slots!);
  if (dailySlots === null) errors.daily_slots = '格式如 10:00-12:00, 20:00-22:00';

  const items: FlashSaleInput['items'] = [];
  const rowOf: number[] = [];
  itemFields.forEach(([skuName, priceName, stockName], row) => {
    if (![skuName, priceName, stockName].some((name) => values[name]!.trim())) return;
    items.push({ sku_id: values[skuName]!.trim(), flash_price_fen: read.money(priceName), flash_stock: read.integer(stockName) });
    rowOf.push(row);
  });

  const candidate = {
    title: values.title!,
    starts_at: read.time('starts_at', timeZone),
    ends_at: read.time('ends_at', timeZone),
    per_user_limit: read.integer('per_user_limit'),
    per_order_limit: read.integer('per_order_limit'),
    payment_window_minutes: read.integer('payment_window_minutes'),
    shard_count: read.optionalInteger('shard_count'),
    expected_peak_per_second: read.optionalInteger('expected_peak_per_second'),
    daily_slots: dailySlots ?? undefined,
    items,
  };
  if (items.length === 0) errors.items = '请至少填写一行秒杀商品';
  if (Object.keys(errors).length) return { values, errors, rowOf };

  const parsed = v.safeParse(createFlashSaleBody, candidate);
  if (parsed.success) return { values, errors, rowOf, input: parsed.output };
  return { values, errors: refusedFields(flashSaleForm(rowOf), schemaRefusal(parsed.issues)), rowOf };
}

/** The form's fields for the API's paths (items.2.flash_price_fen → items.<row>.flash_price), and the words for them. */
const flashSaleForm = (rowOf: number[]): FormVocabulary => ({
  fieldOf(path) {
    const item = /^items\.(\d+)\.(\w+)$/.exec(path);
    if (item) return `items.${rowOf[Number(item[1])] ?? Number(item[1])}.${item[2] === 'flash_price_fen' ? 'flash_price' : item[2]}`;
    if (path.startsWith('daily_slots')) return 'daily_slots';
    return /^items(\.\d+)?$/.test(path) || !path ? 'items' : path;
  },
  messages: {
    per_user_limit: '请输入 1–999 的整数',
    per_order_limit: (m) => (m.includes('per_user_limit') ? '每单限购不能超过每人限购' : '请输入 1–99 的整数'),
    payment_window_minutes: '请输入 1–30 的整数',
    shard_count: (m) => (m.includes('×') ? 'SKU 数 × 分片数不能超过 512' : '请输入 1–64 的整数'),
    expected_peak_per_second: '请输入正整数',
    daily_slots: (m) => (m.includes('overlaps') ? '场次时间有重叠' : m.includes('at most') ? '最多 8 个场次' : '每个场次须在当天内结束，如 10:00-12:00'),
    items: (m) => (m.includes('at most') ? '一个活动最多 20 个 SKU' : '请至少填写一行秒杀商品'),
    'items.sku_id': (m) => (m.includes('already listed') ? '这个 SKU 已在上面填过' : 'SKU 编号应形如 sku_…'),
    'items.flash_price_fen': '秒杀价至少 0.01 元',
    'items.flash_stock': '请输入 1–10000000 的整数',
  },
  fallbackField: 'items',
});
