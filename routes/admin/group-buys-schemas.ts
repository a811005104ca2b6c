// Valibot schemas for the group-buy admin API. Rules across fields (tiers, sizes, prices against
// the catalog) are checked by src/marketing/group-buy/campaigns.ts with the same field paths.
import * as v from 'valibot';
import { fen, idOf, pageQuery, text } from '../../src/lib/validate';
import { countUpTo, isoTime } from './schemas';

export const MAX_GROUP_BUY_SKUS = 50;
export const MAX_TIERS = 10;
/** The largest room (seats). */
export const MAX_GROUP_SIZE = 100;

const size = v.pipe(countUpTo(MAX_GROUP_SIZE), v.minValue(2, 'must be at least 2'));
const positiveFen = v.pipe(fen, v.minValue(1, 'must be at least 1 fen'));

export const createGroupBuyBody = v.strictObject({
  title: text(60),
  starts_at: isoTime,
  ends_at: isoTime,
  skus: v.pipe(
    v.array(v.strictObject({ sku_id: idOf('sku'), group_price_fen: v.optional(positiveFen) })),
    v.minLength(1, 'needs at least one SKU'),
    v.maxLength(MAX_GROUP_BUY_SKUS, `at most ${MAX_GROUP_BUY_SKUS} SKUs`),
  ),
  group_size: v.optional(size),
  max_size: v.optional(size),
  tiers: v.optional(v.pipe(v.array(v.strictObject({ min_size: size, price_fen: positiveFen })), v.maxLength(MAX_TIERS, `at most ${MAX_TIERS} tiers`))),
  leader_discount_fen: v.optional(fen),
  duration_minutes: v.pipe(countUpTo(7 * 24 * 60), v.minValue(5, 'must be at least 5')),
  payment_window_minutes: v.optional(v.pipe(countUpTo(120), v.minValue(2, 'must be at least 2'))),
  per_user_limit: v.optional(countUpTo(99)),
  simulate_share_percent: v.optional(v.nullable(countUpTo(100))),
  full_room_policy: v.optional(v.picklist(['refuse', 'new_room'], 'must be refuse or new_room')),
});

export const groupBuyListQuery = v.strictObject({
  status: v.optional(v.picklist(['scheduled', 'cancelled'], 'must be scheduled or cancelled')),
  ...pageQuery,
});

export const groupBuyParam = v.object({ id: idOf('gbc') });
export const roomParam = v.object({ roomId: idOf('grm') });
