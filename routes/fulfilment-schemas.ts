// Valibot schemas of fulfilment: shipping templates, shipments, return shipments, settings.
import * as v from 'valibot';
import { deliveryMethods, shippingBases } from '../src/domain/shipping';
import { fen, idOf, text } from '../src/lib/validate';

const MAX_REGIONS = 400;
const count = (max: number, min = 0) => v.pipe(v.number(), v.integer('must be an integer'), v.minValue(min, `must be at least ${min}`), v.maxValue(max, `must be at most ${max}`));
/** "浙江省" or "浙江省/杭州市". */
const region = v.pipe(text(40), v.regex(/^[^/]+(\/[^/]+)?$/, 'must be a province or province/city'));
const regions = v.pipe(v.array(region), v.maxLength(MAX_REGIONS, `at most ${MAX_REGIONS} regions`));
const feeRule = {
  first_units: count(1_000_000),
  first_fee_fen: fen,
  additional_units: count(1_000_000),
  additional_fee_fen: fen,
};

export const shippingTemplateBody = v.strictObject({
  name: text(40),
  basis: v.picklist(shippingBases),
  default_rule: v.strictObject(feeRule),
  region_rules: v.optional(v.pipe(v.array(v.strictObject({ regions: v.pipe(regions, v.minLength(1, 'needs at least one region')), ...feeRule })), v.maxLength(100))),
  free_rules: v.optional(
    v.pipe(v.array(v.strictObject({ regions: v.optional(regions), min_amount_fen: v.optional(v.nullable(fen)), min_quantity: v.optional(v.nullable(count(100_000, 1))) })), v.maxLength(100)),
  ),
  undeliverable_regions: v.optional(regions),
});

/** WeChat's tracking_no: 1–128 characters; carriers use letters, digits and -. */
export const trackingNo = v.pipe(
  v.string(),
  v.minLength(1, 'must have 1 to 128 characters'),
  v.maxLength(128, 'must have 1 to 128 characters'),
  v.regex(/^[A-Za-z0-9-]+$/, 'must be letters, digits or -'),
);
export const shipmentLinesBody = v.pipe(
  v.array(v.strictObject({ order_item_id: idOf('oit'), quantity: count(100_000, 1) })),
  v.minLength(1, 'needs at least one line (or leave lines out to ship everything left)'),
  v.maxLength(100),
);

export const shipmentBody = v.strictObject({
  method: v.optional(v.picklist(deliveryMethods)),
  carrier: v.optional(text(32)),
  tracking_no: v.optional(trackingNo),
  lines: v.optional(shipmentLinesBody),
});

/** A carrier and tracking number (the shopper's return, the merchant's exchange shipment). */
export const returnShipmentBody = v.strictObject({ carrier: text(32), tracking_no: trackingNo });

const days = (max: number) => count(max, 1);
export const fulfilmentSettingsBody = v.pipe(
  v.strictObject({
    auto_confirm_days_after_delivery: v.optional(days(60)),
    auto_confirm_days_without_tracking: v.optional(days(90)),
    after_sale_window_days: v.optional(days(90)),
    auto_approve_days: v.optional(days(30)),
    return_ship_days: v.optional(days(30)),
    auto_refund_days_after_return: v.optional(days(30)),
    return_address: v.optional(
      v.strictObject({ recipient: text(32), phone: v.pipe(text(20), v.regex(/^[0-9+-]{5,20}$/, 'must be a phone number')), province: text(20), city: text(20), district: text(20), detail: text(120) }),
    ),
    subscribe_templates: v.optional(v.record(v.pipe(v.string(), v.regex(/^[a-z_]{1,40}$/, 'must be a template key')), text(64))),
  }),
  v.check((b) => Object.keys(b).length > 0, 'must change at least one setting'),
);
