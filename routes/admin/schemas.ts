// Valibot schemas for the admin API bodies. Limits here are the product's input limits.
import * as v from 'valibot';
import { merchantRoles } from '../../src/db/merchants';
import { MAX_SKUS_PER_PRODUCT, MAX_SPEC_DIMENSIONS } from '../../src/domain/catalog';
import { fen, httpsUrl, idOf, text } from '../../src/lib/validate';

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
    delta: v.optional(v.pipe(stockQuantity, v.minValue(-10_000_000), v.maxValue(10_000_000), v.check((n) => n !== 0, 'must not be zero'))),
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
