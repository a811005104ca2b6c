// Valibot schemas for the bargain (砍价) admin API. Rules that need the catalog or the clock
// (the SKU on sale, the starting price within its price, a start in the past) are 422s from
// src/marketing/bargain/campaigns.ts; these are the 400s.
import * as v from 'valibot';
import { MAX_HELPERS_NEEDED } from '../../src/domain/bargain';
import { fen, idOf, pageQuery, queryInt, text } from '../../src/lib/validate';
import { countUpTo, isoTime } from './schemas';

export const createBargainBody = v.pipe(
  v.strictObject({
    title: text(60),
    sku_id: idOf('sku'),
    start_price_fen: v.pipe(fen, v.minValue(2, 'must be at least 2 fen')),
    floor_price_fen: v.pipe(fen, v.minValue(1, 'must be at least 1 fen')),
    helpers_needed: countUpTo(MAX_HELPERS_NEEDED),
    session_minutes: v.pipe(countUpTo(7 * 24 * 60), v.minValue(5, 'must be at least 5')),
    launches_per_shopper: v.optional(countUpTo(100), 1),
    helps_per_day: v.optional(countUpTo(100), 3),
    buy_before_floor: v.optional(v.boolean('must be true or false'), false),
    new_helper_bonus_pct: v.optional(v.pipe(v.number('must be an integer'), v.integer('must be an integer'), v.minValue(0, 'must not be negative'), v.maxValue(400, 'must be at most 400')), 0),
    starts_at: isoTime,
    ends_at: isoTime,
  }),
  v.forward(
    v.partialCheck([['starts_at'], ['ends_at']], (b) => Date.parse(b.ends_at) > Date.parse(b.starts_at), 'must be after starts_at'),
    ['ends_at'],
  ),
  v.forward(
    v.partialCheck([['start_price_fen'], ['floor_price_fen']], (b) => b.floor_price_fen < b.start_price_fen, 'must be below start_price_fen'),
    ['floor_price_fen'],
  ),
  // Every cut is at least 1 fen, so the difference must cover one fen per helper.
  v.forward(
    v.partialCheck(
      [['start_price_fen'], ['floor_price_fen'], ['helpers_needed']],
      (b) => b.start_price_fen - b.floor_price_fen >= b.helpers_needed,
      'must be at most start_price_fen − floor_price_fen (each cut is at least 1 fen)',
    ),
    ['helpers_needed'],
  ),
);

export const bargainListQuery = v.strictObject({ ...pageQuery });
export const bargainParam = v.object({ id: idOf('bgn') });
export const reconciliationQuery = v.strictObject({ cursor: pageQuery.cursor, limit: v.optional(queryInt(1, 100), '50') });
