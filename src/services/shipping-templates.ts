// Shipping templates: the merchant's CRUD, and the shipping policy a quote prices with — each
// template charging over the lines whose products use it, to the shopper's address.
import { and, asc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import { addresses } from '../db/shoppers';
import { ownAddressRead } from './addresses';
import { products, skus } from '../db/catalog';
import { DEFAULT_SHIPPING_TEMPLATE_ID, shippingTemplates } from '../db/shipping';
import type { Db } from '../db/client';
import { mapRead, read, runRead, type Read } from '../db/reads';
import { ONE_SKU_ID, singleSkuId, skuIn, type SkuSelection } from './purchasable';
import { preparedSelect } from '../db/prepared';
import type { PricedLine, ShippingPolicy } from '../domain/pricing';
import { deliversTo, shippingFeeFen, templateProblems, type Destination, type ShippingLine, type ShippingTemplate } from '../domain/shipping';
import { toIso } from '../lib/clock';
import { ApiError, businessRule, conflict, invalidInput, notFound } from '../lib/errors';
import { newId } from '../lib/ids';

type TemplateRow = typeof shippingTemplates.$inferSelect;

const toTemplate = (row: TemplateRow): ShippingTemplate => ({
  id: row.id,
  basis: row.basis,
  defaultRule: row.defaultRule,
  regionRules: row.regionRules,
  freeRules: row.freeRules,
  undeliverableRegions: row.undeliverableRegions,
});

/** A destination with no address yet (a quote before one is chosen) matches no region: the default rules. */
export const NO_DESTINATION: Destination = { province: '', city: '' };

const destinationOfAddress = (a: { province: string; city: string }): Destination => ({ province: a.province, city: a.city });

/** Where a quote ships to: the address chosen (another shopper's: 404), else the shopper's default one, else nowhere yet. */
export const destinationRead = (db: Db, userId: string, addressId?: string): Read<Destination> =>
  addressId
    ? mapRead(ownAddressRead(db, userId, addressId), destinationOfAddress)
    : read(
        [
          db
            .select({ province: addresses.province, city: addresses.city })
            .from(addresses)
            .where(and(eq(addresses.userId, userId), eq(addresses.isDefault, 1)))
            .limit(1),
        ],
        ([[address]]) => (address ? destinationOfAddress(address) : NO_DESTINATION),
      );

export const destinationOf = (db: Db, userId: string, addressId?: string) => runRead(db, destinationRead(db, userId, addressId));

export type Shipping = { policy: ShippingPolicy; undeliverableSkuIds: Set<string> };

/** Each SKU's shipping template and weight, for pricing its lines to whichever destination. */
export type ShippingTemplates = (to: Destination) => Shipping;

/**
 * The shipping templates of these SKUs' products (and the default) in one query: the templates
 * are chosen by a subquery on the SKUs, not by their ids from an earlier answer.
 */
export function shippingTemplatesRead(db: Db, selection: SkuSelection): Read<ShippingTemplates> {
  const parse = (rows: ShippingSkuRow[], templateRows: TemplateRow[]) => shippingOf(rows, new Map(templateRows.map((t) => [t.id, toTemplate(t)])));
  const one = singleSkuId(selection);
  if (one !== null) return read([oneSkuShipping(db, { skuId: one }), oneSkuTemplates(db, { skuId: one })], ([rows, t]) => parse(rows, t));
  const templates = templatesWhere(db, skuIn(skus.id, selection));
  if (Array.isArray(selection) && selection.length === 0) return read([templates], ([t]) => parse([], t));
  return read([skuShippingWhere(db, skuIn(skus.id, selection)), templates], ([rows, t]) => parse(rows, t));
}

const skuShippingWhere = (db: Db, skusWanted: SQL) =>
  db.select({ skuId: skus.id, gramsEach: skus.weightGrams, templateId: products.shippingTemplateId }).from(skus).innerJoin(products, eq(products.id, skus.productId)).where(skusWanted);

function templatesWhere(db: Db, skusWanted: SQL) {
  const templatesOfSkus = db.select({ id: products.shippingTemplateId }).from(skus).innerJoin(products, eq(products.id, skus.productId)).where(skusWanted);
  // The default's id is written into the SQL, not bound: with 100 SKU ids (the most one order
  // has) the subquery already takes all of D1's 100 bound parameters per statement.
  return db
    .select()
    .from(shippingTemplates)
    .where(or(sql`${shippingTemplates.id} = ${sql.raw(`'${DEFAULT_SHIPPING_TEMPLATE_ID}'`)}`, inArray(shippingTemplates.id, templatesOfSkus)));
}

const oneSkuShipping = preparedSelect<{ skuId: string }, ShippingSkuRow[]>((db) => skuShippingWhere(db, eq(skus.id, ONE_SKU_ID)));
const oneSkuTemplates = preparedSelect<{ skuId: string }, TemplateRow[]>((db) => templatesWhere(db, eq(skus.id, ONE_SKU_ID)));

type ShippingSkuRow = { skuId: string; gramsEach: number; templateId: string | null };

function shippingOf(rows: ShippingSkuRow[], templates: Map<string, ShippingTemplate>): ShippingTemplates {
  // A product pointing at a deleted template falls back to the default (deletion refuses while used, but be safe).
  const fallback = templates.get(DEFAULT_SHIPPING_TEMPLATE_ID);
  if (!fallback) throw new Error('the default shipping template is missing: run the migrations');
  const skuShipping = new Map(rows.map((r) => [r.skuId, { template: templates.get(r.templateId ?? '') ?? fallback, gramsEach: r.gramsEach }]));
  return (to) => {
    const undeliverableSkuIds = new Set([...skuShipping].filter(([, s]) => !deliversTo(s.template, to)).map(([skuId]) => skuId));
    const policy: ShippingPolicy = (lines: readonly PricedLine[]) => {
      const groups = new Map<string, { template: ShippingTemplate; lines: ShippingLine[] }>();
      for (const line of lines) {
        const { template, gramsEach } = skuShipping.get(line.skuId) ?? { template: fallback, gramsEach: 0 };
        const group = groups.get(template.id) ?? { template, lines: [] };
        group.lines.push({ quantity: line.quantity, gramsEach, payableFen: line.payableFen });
        groups.set(template.id, group);
      }
      return shippingFeeFen(groups.values(), to);
    };
    return { policy, undeliverableSkuIds };
  };
}

/** The shipping of lines of these SKUs to `to`: the policy to price with, and the SKUs that cannot go there. */
export const loadShipping = async (db: Db, skuIds: string[], to: Destination): Promise<Shipping> => (await runRead(db, shippingTemplatesRead(db, skuIds)))(to);

/** For an engine's single-SKU order (flash sale, group buy, bargain): the policy, or a 422 when the SKU cannot reach the address. */
export const shippingPolicyFor = async (db: Db, skuIds: string[], to: Destination): Promise<ShippingPolicy> => deliverablePolicy(await loadShipping(db, skuIds, to));

/** The policy of an engine's single-SKU order, or a 422 when the SKU cannot reach the address. */
export function deliverablePolicy({ policy, undeliverableSkuIds }: Shipping): ShippingPolicy {
  if (undeliverableSkuIds.size) throw businessRule('not_deliverable', 'This item cannot be delivered to that address.', [{ path: 'body.address_id', message: 'not delivered to this region' }]);
  return policy;
}

// ---------------------------------------------------------------- merchant CRUD

type FeeRuleInput = { first_units: number; first_fee_fen: number; additional_units: number; additional_fee_fen: number };
export type TemplateInput = {
  name: string;
  basis: ShippingTemplate['basis'];
  default_rule: FeeRuleInput;
  region_rules?: (FeeRuleInput & { regions: string[] })[];
  free_rules?: { regions?: string[]; min_amount_fen?: number | null; min_quantity?: number | null }[];
  undeliverable_regions?: string[];
};

const feeRule = (r: FeeRuleInput) => ({ firstUnits: r.first_units, firstFeeFen: r.first_fee_fen, additionalUnits: r.additional_units, additionalFeeFen: r.additional_fee_fen });
const feeRuleView = (r: ShippingTemplate['defaultRule']): FeeRuleInput => ({
  first_units: r.firstUnits,
  first_fee_fen: r.firstFeeFen,
  additional_units: r.additionalUnits,
  additional_fee_fen: r.additionalFeeFen,
});

function fromInput(input: TemplateInput) {
  const template = {
    basis: input.basis,
    defaultRule: feeRule(input.default_rule),
    regionRules: (input.region_rules ?? []).map((r) => ({ ...feeRule(r), regions: r.regions })),
    freeRules: (input.free_rules ?? []).map((f) => ({ regions: f.regions ?? [], minAmountFen: f.min_amount_fen ?? null, minQuantity: f.min_quantity ?? null })),
    undeliverableRegions: input.undeliverable_regions ?? [],
  };
  const problems = templateProblems(template);
  if (problems.length) throw invalidInput(problems, 'The shipping template is not consistent.');
  return { name: input.name, ...template };
}

export const templateView = (t: TemplateRow) => ({
  id: t.id,
  name: t.name,
  basis: t.basis,
  is_default: t.id === DEFAULT_SHIPPING_TEMPLATE_ID,
  default_rule: feeRuleView(t.defaultRule),
  region_rules: t.regionRules.map((r) => ({ regions: r.regions, ...feeRuleView(r) })),
  free_rules: t.freeRules.map((f) => ({ regions: f.regions, min_amount_fen: f.minAmountFen, min_quantity: f.minQuantity })),
  undeliverable_regions: t.undeliverableRegions,
  updated_at: toIso(t.updatedAt),
});

export async function findTemplate(db: Db, id: string) {
  const row = await db.query.shippingTemplates.findFirst({ where: eq(shippingTemplates.id, id) });
  if (!row) throw notFound('Shipping template');
  return row;
}

export const listTemplates = async (db: Db) => (await db.select().from(shippingTemplates).orderBy(asc(shippingTemplates.createdAt), asc(shippingTemplates.id))).map(templateView);

/** Two templates with one name would be indistinguishable in the product form. */
function nameTaken(error: unknown): never {
  if (/shipping_templates\.name/.test(`${(error as Error)?.message} ${String((error as { cause?: unknown })?.cause ?? '')}`)) {
    throw new ApiError(409, 'template_name_taken', 'Another shipping template has this name.', [{ path: 'body.name', message: 'is already in use' }]);
  }
  throw error;
}

export async function createTemplate(db: Db, input: TemplateInput, now: number) {
  const id = newId('shp');
  await db
    .insert(shippingTemplates)
    .values({ id, ...fromInput(input), createdAt: now, updatedAt: now })
    .catch(nameTaken);
  return templateView(await findTemplate(db, id));
}

export async function replaceTemplate(db: Db, id: string, input: TemplateInput, now: number) {
  await findTemplate(db, id);
  await db
    .update(shippingTemplates)
    .set({ ...fromInput(input), updatedAt: now })
    .where(eq(shippingTemplates.id, id))
    .catch(nameTaken);
  return templateView(await findTemplate(db, id));
}

export async function deleteTemplate(db: Db, id: string) {
  if (id === DEFAULT_SHIPPING_TEMPLATE_ID) throw conflict('default_template', 'The default shipping template cannot be deleted.');
  await findTemplate(db, id);
  const user = await db.query.products.findFirst({ where: eq(products.shippingTemplateId, id), columns: { id: true } });
  if (user) throw conflict('template_in_use', 'Products still use this shipping template.');
  await db.delete(shippingTemplates).where(eq(shippingTemplates.id, id));
}

export async function assertTemplateExists(db: Db, id: string | null | undefined) {
  if (!id) return;
  const found = await db.query.shippingTemplates.findFirst({ where: eq(shippingTemplates.id, id), columns: { id: true } });
  if (!found) throw businessRule('unknown_shipping_template', 'The shipping template does not exist.', [{ path: 'body.shipping_template_id', message: 'no such template' }]);
}
