// Valibot schemas for the coupon admin API. Rules across fields (a 满减 amount below its
// threshold, windows that end after they start, scope ids that exist) are the coupon service's,
// with the same field paths.
import * as v from 'valibot';
import { couponKinds } from '../../src/domain/promotions/coupon';
import { fen, idOf, pageQuery, text } from '../../src/lib/validate';
import { countUpTo, isoTime } from './schemas';

const MAX_SCOPE_IDS = 100;
const integer = v.pipe(v.number('must be an integer'), v.integer('must be an integer'));

export const scopeBody = v.variant(
  'kind',
  [
    v.strictObject({ kind: v.literal('all') }),
    v.strictObject({
      kind: v.picklist(['include', 'exclude'], 'must be all, include or exclude'),
      category_ids: v.optional(v.pipe(v.array(idOf('cat')), v.maxLength(MAX_SCOPE_IDS)), []),
      product_ids: v.optional(v.pipe(v.array(idOf('prd')), v.maxLength(MAX_SCOPE_IDS)), []),
    }),
  ],
  'must be {"kind":"all"} or {"kind":"include"|"exclude", …}',
);

const validityBody = v.variant(
  'kind',
  [v.strictObject({ kind: v.literal('fixed'), valid_from: isoTime, valid_until: isoTime }), v.strictObject({ kind: v.literal('relative'), days: countUpTo(365) })],
  'must be {"kind":"fixed", …} or {"kind":"relative", "days": N}',
);

const templateFields = {
  name: text(40),
  description: v.optional(v.pipe(v.string(), v.maxLength(200, 'must have at most 200 characters'))),
  kind: v.picklist(couponKinds, 'must be threshold, percent or no_threshold'),
  threshold_fen: v.optional(fen),
  // Not `fen`: 0 and below are refused by the service's rule with their own message.
  amount_off_fen: v.optional(v.pipe(integer, v.maxValue(1_000_000_000, 'is too large'))),
  percent_off: v.optional(integer),
  cap_fen: v.optional(v.nullable(v.pipe(integer, v.maxValue(1_000_000_000, 'is too large')))),
  scope: scopeBody,
  audience: v.optional(v.picklist(['everyone', 'new_shopper', 'member_level'], 'must be everyone, new_shopper or member_level')),
  min_member_level: v.optional(v.nullable(countUpTo(99))),
  total_quantity: v.optional(v.nullable(countUpTo(100_000_000))),
  per_shopper_limit: v.optional(countUpTo(99)),
  in_centre: v.optional(v.boolean()),
  claim_starts_at: isoTime,
  claim_ends_at: isoTime,
  validity: validityBody,
};

export const createTemplateBody = v.strictObject(templateFields);
export const updateTemplateBody = v.pipe(
  v.strictObject(
    Object.fromEntries(Object.entries(templateFields).map(([k, s]) => [k, v.optional(s)])) as { [K in keyof typeof templateFields]: v.OptionalSchema<(typeof templateFields)[K], undefined> },
  ),
  v.check((b) => Object.keys(b).length > 0, 'must change at least one field'),
);

export const templateParam = v.object({ id: idOf('cpt') });
export const templateListQuery = v.strictObject({ status: v.optional(v.picklist(['draft', 'active', 'paused', 'ended'])), ...pageQuery });
export const issueBody = v.strictObject({ user_ids: v.pipe(v.array(idOf('usr')), v.minLength(1, 'needs at least one shopper'), v.maxLength(5000, 'at most 5000 shoppers per issue')) });
export const issueParam = v.object({ id: idOf('cpt'), issueId: idOf('cpi') });
export const codesBody = v.strictObject({ count: countUpTo(2000), max_uses: v.optional(countUpTo(1_000_000), 1) });
export const codesQuery = v.strictObject({ batch_id: v.optional(idOf('rcb')) });
