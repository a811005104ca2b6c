// Coupon templates, the merchant's side: create, edit, the lifecycle (draft → active ⇄ paused →
// ended), and the views. Coupons shoppers already hold are snapshots (shopper_coupons), so an
// edit here never changes them. Product cards show the centre's coupons (storefront.ts), so an
// edit or a move of a template bumps the catalog version like any catalog write.
import { and, desc, eq, inArray, lt, or, type SQL } from 'drizzle-orm';
import * as v from 'valibot';
import { categories, products } from '../../db/catalog';
import type { Db } from '../../db/client';
import { couponTemplates, type couponTemplateStatuses } from '../../db/coupons';
import type { CouponBenefit, CouponKind, Validity } from '../../domain/promotions/coupon';
import { scopeIds, type Scope } from '../../domain/promotions/scope';
import { templateProblems } from '../../domain/promotions/validation';
import { toIso } from '../../lib/clock';
import { decodeCursor, encodeCursor } from '../../lib/cursor';
import { businessRule, conflict, invalidInput, notFound, type ErrorDetail } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { abortUnlessChanged } from '../../db/batch';
import { commitCatalogWrite, type WriteContext } from '../catalog-admin';

export type TemplateRow = typeof couponTemplates.$inferSelect;
export type TemplateStatus = (typeof couponTemplateStatuses)[number];

/** The template fields as the admin API sends them (routes/admin/coupons-schemas.ts). */
export type TemplateInput = {
  name: string;
  description?: string;
  kind: CouponKind;
  threshold_fen?: number;
  amount_off_fen?: number;
  percent_off?: number;
  cap_fen?: number | null;
  scope: { kind: 'all' } | { kind: 'include' | 'exclude'; category_ids: string[]; product_ids: string[] };
  audience?: 'everyone' | 'new_shopper' | 'member_level';
  min_member_level?: number | null;
  total_quantity?: number | null;
  per_shopper_limit?: number;
  in_centre?: boolean;
  claim_starts_at: string;
  claim_ends_at: string;
  validity: { kind: 'fixed'; valid_from: string; valid_until: string } | { kind: 'relative'; days: number };
};

/** Which lifecycle moves are allowed, as one table. */
const lifecycle: Record<'activate' | 'pause' | 'end', { from: readonly TemplateStatus[]; to: TemplateStatus }> = {
  activate: { from: ['draft', 'paused'], to: 'active' },
  pause: { from: ['active'], to: 'paused' },
  end: { from: ['draft', 'active', 'paused'], to: 'ended' },
};
export type LifecycleAction = keyof typeof lifecycle;

function benefitOf(input: TemplateInput, problems: ErrorDetail[]): CouponBenefit {
  const need = (value: number | undefined, field: string) => {
    if (value === undefined) problems.push({ path: `body.${field}`, message: `is required for a ${input.kind} coupon` });
    return value ?? 0;
  };
  switch (input.kind) {
    case 'threshold':
      return { kind: 'threshold', thresholdFen: need(input.threshold_fen, 'threshold_fen'), amountOffFen: need(input.amount_off_fen, 'amount_off_fen') };
    case 'percent':
      return { kind: 'percent', thresholdFen: input.threshold_fen ?? 0, percentOff: need(input.percent_off, 'percent_off'), capFen: input.cap_fen ?? null };
    case 'no_threshold':
      return { kind: 'no_threshold', amountOffFen: need(input.amount_off_fen, 'amount_off_fen') };
  }
}

const scopeOf = (s: TemplateInput['scope']): Scope => (s.kind === 'all' ? { kind: 'all' } : { kind: s.kind, categoryIds: s.category_ids, productIds: s.product_ids });

/** Every scope id must name a real category or product: an unknown one is a 400 on its path. */
export async function unknownScopeIds(db: Db, scope: Scope): Promise<ErrorDetail[]> {
  const { categoryIds, productIds } = scopeIds(scope);
  const [foundCategories, foundProducts] = await Promise.all([
    categoryIds.length ? db.select({ id: categories.id }).from(categories).where(inArray(categories.id, categoryIds)) : [],
    productIds.length ? db.select({ id: products.id }).from(products).where(inArray(products.id, productIds)) : [],
  ]);
  const known = new Set([...foundCategories, ...foundProducts].map((r) => r.id));
  return [
    ...categoryIds.flatMap((id, i) => (known.has(id) ? [] : [{ path: `body.scope.category_ids.${i}`, message: 'no such category' }])),
    ...productIds.flatMap((id, i) => (known.has(id) ? [] : [{ path: `body.scope.product_ids.${i}`, message: 'no such product' }])),
  ];
}

/** The row's fields from a full input, or a 400 naming every field that breaks a rule. */
async function templateFields(db: Db, input: TemplateInput) {
  const problems: ErrorDetail[] = [];
  const benefit = benefitOf(input, problems);
  const validity: Validity =
    input.validity.kind === 'fixed'
      ? { kind: 'fixed', validFrom: Date.parse(input.validity.valid_from), validUntil: Date.parse(input.validity.valid_until) }
      : { kind: 'relative', days: input.validity.days };
  const fields = {
    name: input.name,
    description: input.description ?? '',
    kind: input.kind,
    benefit,
    scope: scopeOf(input.scope),
    audience: input.audience ?? 'everyone',
    minMemberLevel: input.audience === 'member_level' ? (input.min_member_level ?? null) : null,
    totalQuantity: input.total_quantity ?? null,
    perShopperLimit: input.per_shopper_limit ?? 1,
    inCentre: input.in_centre === false ? 0 : 1,
    claimStartsAt: Date.parse(input.claim_starts_at),
    claimEndsAt: Date.parse(input.claim_ends_at),
    validityKind: validity.kind,
    validFrom: validity.kind === 'fixed' ? validity.validFrom : null,
    validUntil: validity.kind === 'fixed' ? validity.validUntil : null,
    validDays: validity.kind === 'relative' ? validity.days : null,
  };
  problems.push(...templateProblems({ benefit, claimStartsAt: fields.claimStartsAt, claimEndsAt: fields.claimEndsAt, validity, audience: fields.audience, minMemberLevel: fields.minMemberLevel }));
  problems.push(...(await unknownScopeIds(db, fields.scope)));
  if (problems.length) throw invalidInput(problems);
  return fields;
}

export async function createTemplate(db: Db, input: TemplateInput, now: number): Promise<string> {
  const fields = await templateFields(db, input);
  const id = newId('cpt');
  await db.insert(couponTemplates).values({ id, ...fields, status: 'draft', createdAt: now, updatedAt: now });
  return id;
}

export async function findTemplate(db: Db, id: string): Promise<TemplateRow> {
  const row = await db.query.couponTemplates.findFirst({ where: eq(couponTemplates.id, id) });
  if (!row) throw notFound('Coupon template');
  return row;
}

/** The input a stored template was made from, so a PATCH can be merged over it and checked whole. */
function inputOf(t: TemplateRow): TemplateInput {
  const b = t.benefit;
  return {
    name: t.name,
    description: t.description,
    kind: t.kind,
    threshold_fen: b.kind === 'no_threshold' ? undefined : b.thresholdFen,
    amount_off_fen: b.kind === 'percent' ? undefined : b.amountOffFen,
    percent_off: b.kind === 'percent' ? b.percentOff : undefined,
    cap_fen: b.kind === 'percent' ? b.capFen : undefined,
    scope: t.scope.kind === 'all' ? { kind: 'all' } : { kind: t.scope.kind, category_ids: [...t.scope.categoryIds], product_ids: [...t.scope.productIds] },
    audience: t.audience,
    min_member_level: t.minMemberLevel,
    total_quantity: t.totalQuantity,
    per_shopper_limit: t.perShopperLimit,
    in_centre: t.inCentre === 1,
    claim_starts_at: new Date(t.claimStartsAt).toISOString(),
    claim_ends_at: new Date(t.claimEndsAt).toISOString(),
    validity:
      t.validityKind === 'fixed' ? { kind: 'fixed', valid_from: new Date(t.validFrom!).toISOString(), valid_until: new Date(t.validUntil!).toISOString() } : { kind: 'relative', days: t.validDays! },
  };
}

/** Edits a template that has not ended. What shoppers already hold keeps what it said when claimed. */
export async function updateTemplate(ctx: WriteContext, id: string, patch: Partial<TemplateInput>): Promise<void> {
  const current = await findTemplate(ctx.db, id);
  if (current.status === 'ended') throw conflict('coupon_ended', 'An ended coupon cannot be edited.');
  const merged = { ...inputOf(current), ...patch };
  // A different kind brings its own benefit fields; the old kind's do not carry over.
  if (patch.kind && patch.kind !== current.kind) for (const f of ['threshold_fen', 'amount_off_fen', 'percent_off', 'cap_fen'] as const) merged[f] = patch[f] as never;
  const fields = await templateFields(ctx.db, merged);
  if (fields.totalQuantity !== null && fields.totalQuantity < current.issuedCount) {
    throw businessRule('total_below_issued', `${current.issuedCount} have already been given out.`, [{ path: 'body.total_quantity', message: `must be at least ${current.issuedCount}` }]);
  }
  await commitCatalogWrite(ctx, [
    ctx.db
      .update(couponTemplates)
      .set({ ...fields, updatedAt: ctx.now })
      .where(eq(couponTemplates.id, id)),
  ]);
}

export async function changeTemplateStatus(ctx: WriteContext, id: string, action: LifecycleAction): Promise<void> {
  const current = await findTemplate(ctx.db, id);
  const move = lifecycle[action];
  if (!move.from.includes(current.status)) throw conflict('illegal_transition', `A coupon that is ${current.status} cannot ${action}.`);
  try {
    await commitCatalogWrite(ctx, [
      ctx.db
        .update(couponTemplates)
        .set({ status: move.to, updatedAt: ctx.now })
        .where(and(eq(couponTemplates.id, id), eq(couponTemplates.status, current.status))),
      abortUnlessChanged(),
    ]);
  } catch (error) {
    if (/batch_assertions/.test(`${(error as Error)?.message} ${String((error as { cause?: unknown })?.cause)}`)) {
      throw conflict('concurrent_change', 'This coupon changed at the same time; reload and try again.');
    }
    throw error;
  }
}

export function benefitView(b: CouponBenefit) {
  switch (b.kind) {
    case 'threshold':
      return { kind: b.kind, threshold_fen: b.thresholdFen, amount_off_fen: b.amountOffFen, percent_off: null, cap_fen: null };
    case 'percent':
      return { kind: b.kind, threshold_fen: b.thresholdFen, amount_off_fen: null, percent_off: b.percentOff, cap_fen: b.capFen };
    case 'no_threshold':
      return { kind: b.kind, threshold_fen: 0, amount_off_fen: b.amountOffFen, percent_off: null, cap_fen: null };
  }
}

export const scopeView = (s: Scope) => (s.kind === 'all' ? { kind: s.kind } : { kind: s.kind, category_ids: s.categoryIds, product_ids: s.productIds });

export function templateView(t: TemplateRow) {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    ...benefitView(t.benefit),
    scope: scopeView(t.scope),
    audience: t.audience,
    min_member_level: t.minMemberLevel,
    total_quantity: t.totalQuantity,
    issued_count: t.issuedCount,
    per_shopper_limit: t.perShopperLimit,
    in_centre: t.inCentre === 1,
    claim_starts_at: toIso(t.claimStartsAt),
    claim_ends_at: toIso(t.claimEndsAt),
    validity: t.validityKind === 'fixed' ? { kind: 'fixed' as const, valid_from: toIso(t.validFrom), valid_until: toIso(t.validUntil) } : { kind: 'relative' as const, days: t.validDays },
    status: t.status,
    created_at: toIso(t.createdAt),
    updated_at: toIso(t.updatedAt),
  };
}

const templateCursor = v.object({ k: v.number(), id: v.string() });

export async function listTemplates(db: Db, filter: { status?: TemplateStatus; cursor?: string; limit: number }) {
  const conditions: SQL[] = [];
  if (filter.status) conditions.push(eq(couponTemplates.status, filter.status));
  if (filter.cursor) {
    const c = decodeCursor(filter.cursor, templateCursor);
    conditions.push(or(lt(couponTemplates.createdAt, c.k), and(eq(couponTemplates.createdAt, c.k), lt(couponTemplates.id, c.id)))!);
  }
  const rows = await db
    .select()
    .from(couponTemplates)
    .where(and(...conditions))
    .orderBy(desc(couponTemplates.createdAt), desc(couponTemplates.id))
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  const last = page[page.length - 1];
  return { items: page.map(templateView), next_cursor: rows.length > filter.limit && last ? encodeCursor({ k: last.createdAt, id: last.id }) : null };
}
