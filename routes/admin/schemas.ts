// Valibot schemas for the admin API bodies. Limits here are the product's input limits.
import * as v from 'valibot';
import { merchantRoles } from '../../src/services/merchant-auth';
import { MAX_SKUS_PER_PRODUCT, MAX_SPEC_DIMENSIONS } from '../../src/domain/catalog';
import { fen, httpsUrl, idOf, pageQuery, text } from '../../src/lib/validate';
import { MAX_STOCK_OBJECTS_PER_CAMPAIGN, shardCountFor } from '../../src/marketing/flash-sale/model';
import { dailySlotProblems, MAX_DAILY_SLOTS, SLOT_TIME_PATTERN, type DailySlot } from '../../src/domain/flash-sale-slots';

const specValue = text(32);
const tag = v.pipe(text(32), v.regex(/^[^,]+$/, 'must not contain a comma'));

export const skuBody = v.strictObject({
  spec_values: v.pipe(v.array(specValue), v.maxLength(MAX_SPEC_DIMENSIONS)),
  price_fen: fen,
  original_price_fen: fen,
  member_price_fen: v.optional(v.nullable(fen)),
  stock: v.optional(v.pipe(v.number(), v.integer('must be an integer'), v.minValue(0, 'must not be negative'), v.maxValue(10_000_000))),
  code: v.optional(v.nullable(text(64))),
  image_url: v.optional(v.nullable(httpsUrl)),
  weight_grams: v.optional(v.pipe(v.number(), v.integer('must be an integer'), v.minValue(0, 'must not be negative'), v.maxValue(1_000_000, 'must be at most 1000000 grams'))),
});

const productFields = {
  category_id: idOf('cat'),
  title: text(60),
  subtitle: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(120, 'must have at most 120 characters'))),
  description: v.optional(v.pipe(v.string(), v.maxLength(10_000, 'must have at most 10000 characters'))),
  main_image_url: httpsUrl,
  image_urls: v.optional(v.pipe(v.array(httpsUrl), v.maxLength(20, 'at most 20 images'))),
  tags: v.optional(v.pipe(v.array(tag), v.maxLength(20, 'at most 20 tags'))),
  specs: v.pipe(
    v.array(v.strictObject({ name: text(16), values: v.pipe(v.array(specValue), v.minLength(1, 'needs at least one value'), v.maxLength(50)) })),
    v.maxLength(MAX_SPEC_DIMENSIONS, `at most ${MAX_SPEC_DIMENSIONS} spec dimensions`),
  ),
  skus: v.pipe(v.array(skuBody), v.minLength(1, 'needs at least one SKU'), v.maxLength(MAX_SKUS_PER_PRODUCT, `at most ${MAX_SKUS_PER_PRODUCT} SKUs`)),
  shipping_template_id: v.optional(v.nullable(idOf('shp'))),
};

export const createProductBody = v.strictObject(productFields);

export const updateProductBody = v.pipe(
  v.strictObject({
    category_id: v.optional(productFields.category_id),
    title: v.optional(productFields.title),
    subtitle: productFields.subtitle,
    description: productFields.description,
    main_image_url: v.optional(productFields.main_image_url),
    image_urls: productFields.image_urls,
    tags: productFields.tags,
    specs: v.optional(productFields.specs),
    skus: v.optional(productFields.skus),
    shipping_template_id: productFields.shipping_template_id,
  }),
  v.check((body) => Object.keys(body).length > 0, 'must change at least one field'),
);

export const updateSkuBody = v.pipe(
  v.strictObject({
    price_fen: v.optional(fen),
    original_price_fen: v.optional(fen),
    member_price_fen: v.optional(v.nullable(fen)),
    code: v.optional(v.nullable(text(64))),
    image_url: v.optional(v.nullable(httpsUrl)),
  }),
  v.check((body) => Object.keys(body).length > 0, 'must change at least one field'),
);

const stockQuantity = v.pipe(v.number(), v.integer('must be an integer'));
export const stockAdjustmentBody = v.pipe(
  v.strictObject({
    delta: v.optional(
      v.pipe(
        stockQuantity,
        v.minValue(-10_000_000),
        v.maxValue(10_000_000),
        v.check((n) => n !== 0, 'must not be zero'),
      ),
    ),
    set_to: v.optional(v.pipe(stockQuantity, v.minValue(0, 'must not be negative'), v.maxValue(10_000_000))),
    reason: text(200),
  }),
  v.check((b) => (b.delta === undefined) !== (b.set_to === undefined), 'give exactly one of delta or set_to'),
);

export const categoryBody = v.strictObject({
  name: text(20),
  parent_id: v.optional(v.nullable(idOf('cat'))),
  icon_url: v.optional(v.nullable(httpsUrl)),
  sort_order: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100_000))),
});

export const updateCategoryBody = v.pipe(
  v.strictObject({
    name: v.optional(categoryBody.entries.name),
    parent_id: categoryBody.entries.parent_id,
    icon_url: categoryBody.entries.icon_url,
    sort_order: categoryBody.entries.sort_order,
  }),
  v.check((body) => Object.keys(body).length > 0, 'must change at least one field'),
);

export const loginBody = v.strictObject({ username: text(64), password: v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(256)) });

const password = v.pipe(v.string(), v.minLength(10, 'must have at least 10 characters'), v.maxLength(256, 'must have at most 256 characters'));
export const createAccountBody = v.strictObject({
  username: v.pipe(v.string(), v.regex(/^[a-z0-9_.-]{3,32}$/, 'must be 3–32 of a-z 0-9 _ . -')),
  display_name: text(32),
  password,
  role: v.picklist(merchantRoles, `must be one of ${merchantRoles.join(', ')}`),
});

export const updateAccountBody = v.pipe(
  v.strictObject({
    display_name: v.optional(text(32)),
    role: v.optional(createAccountBody.entries.role),
    disabled: v.optional(v.boolean()),
    password: v.optional(password),
  }),
  v.check((body) => Object.keys(body).length > 0, 'must change at least one field'),
);

export const settingsBody = v.pipe(
  v.strictObject({
    shipping_flat_fee_fen: v.optional(fen),
    free_shipping_threshold_fen: v.optional(v.nullable(fen)),
    payment_window_minutes: v.optional(v.pipe(v.number(), v.integer('must be an integer'), v.minValue(1, 'must be at least 1'), v.maxValue(24 * 60, 'must be at most 1440'))),
  }),
  v.check((body) => Object.keys(body).length > 0, 'must change at least one field'),
);

// Flash sales (秒杀). Business rules that need the catalog or the clock (price, stock, overlap,
// a start in the past) are 422s from src/marketing/flash-sale/campaigns.ts; these are the 400s.
export const countUpTo = (max: number) => v.pipe(v.number('must be an integer'), v.integer('must be an integer'), v.minValue(1, 'must be at least 1'), v.maxValue(max, `must be at most ${max}`));

/** An ISO 8601 time with its offset (…Z or …+08:00), a real calendar date. */
export const isoTime = v.pipe(
  v.string('must be an ISO 8601 time'),
  v.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/, 'must be an ISO 8601 time with a time zone, e.g. 2026-06-18T20:00:00+08:00'),
  v.check((s) => {
    const [y, m, d] = s.slice(0, 10).split('-').map(Number) as [number, number, number];
    return m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate() && Number.isFinite(Date.parse(s));
  }, 'is not a real date and time'),
);

export const MAX_FLASH_SALE_ITEMS = 20;

export const flashSaleItemBody = v.strictObject({
  sku_id: idOf('sku'),
  flash_price_fen: v.pipe(fen, v.minValue(1, 'must be at least 1 fen')),
  flash_stock: countUpTo(10_000_000),
});

/** A SKU listed twice: the issue names the later row's sku_id. */
const noDuplicateSkus = v.rawCheck<v.InferOutput<typeof flashSaleItemBody>[]>(({ dataset, addIssue }) => {
  if (!dataset.typed) return;
  const seen = new Set<string>();
  dataset.value.forEach((item, index) => {
    if (seen.has(item.sku_id)) {
      addIssue({
        message: 'lists a SKU already listed in this flash sale',
        path: [
          { type: 'array', origin: 'value', input: dataset.value, key: index, value: item },
          { type: 'object', origin: 'value', input: item, key: 'sku_id', value: item.sku_id },
        ],
      });
    }
    seen.add(item.sku_id);
  });
});

const slotTime = v.pipe(v.string('must be a time HH:MM'), v.regex(SLOT_TIME_PATTERN, 'must be a time HH:MM (00:00–24:00)'));

/** Slots that end before they start, or overlap: the issue names the offending slot's field. */
const validDailySlots = v.rawCheck<DailySlot[]>(({ dataset, addIssue }) => {
  if (!dataset.typed) return;
  for (const [index, message] of dailySlotProblems(dataset.value)) {
    const slot = dataset.value[index]!;
    const key = message.startsWith('end') ? 'end' : 'start';
    addIssue({
      message,
      path: [
        { type: 'array', origin: 'value', input: dataset.value, key: index, value: slot },
        { type: 'object', origin: 'value', input: slot, key, value: slot[key] },
      ],
    });
  }
});

export const dailySlotsBody = v.pipe(
  v.array(v.strictObject({ start: slotTime, end: slotTime })),
  v.minLength(1, 'needs at least one slot (leave it out to sell for the whole window)'),
  v.maxLength(MAX_DAILY_SLOTS, `at most ${MAX_DAILY_SLOTS} slots`),
  validDailySlots,
);

export const createFlashSaleBody = v.pipe(
  v.strictObject({
    title: text(60),
    starts_at: isoTime,
    ends_at: isoTime,
    per_user_limit: countUpTo(999),
    per_order_limit: countUpTo(99),
    payment_window_minutes: v.optional(countUpTo(30), 5),
    shard_count: v.optional(countUpTo(64)),
    expected_peak_per_second: v.optional(countUpTo(10_000_000)),
    /** Recurring daily slots in the shop's time zone; without them the sale runs for the whole window. */
    daily_slots: v.optional(dailySlotsBody),
    items: v.pipe(v.array(flashSaleItemBody), v.minLength(1, 'needs at least one SKU'), v.maxLength(MAX_FLASH_SALE_ITEMS, `at most ${MAX_FLASH_SALE_ITEMS} SKUs`), noDuplicateSkus),
  }),
  v.forward(
    v.partialCheck([['starts_at'], ['ends_at']], (b) => Date.parse(b.ends_at) > Date.parse(b.starts_at), 'must be after starts_at'),
    ['ends_at'],
  ),
  v.forward(
    v.partialCheck([['per_user_limit'], ['per_order_limit']], (b) => b.per_order_limit <= b.per_user_limit, 'must not be more than per_user_limit'),
    ['per_order_limit'],
  ),
  v.forward(
    v.partialCheck(
      [['items'], ['shard_count'], ['expected_peak_per_second']],
      (b) => b.items.length * shardCountFor(b) <= MAX_STOCK_OBJECTS_PER_CAMPAIGN,
      `SKUs × shards must be at most ${MAX_STOCK_OBJECTS_PER_CAMPAIGN}`,
    ),
    ['shard_count'],
  ),
);

export const flashSaleListQuery = v.strictObject({
  status: v.optional(v.picklist(['scheduled', 'cancelled', 'settled'], 'must be scheduled, cancelled or settled')),
  ...pageQuery,
});
