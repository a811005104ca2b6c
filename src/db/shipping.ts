// Fulfilment tables: shipping templates (运费模板) that products point at.
import { integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { shippingBases, type FeeRule, type FreeShippingRule, type RegionFeeRule } from '../domain/shipping';

/** The template every product without its own uses; made from the old flat fee by migration. */
export const DEFAULT_SHIPPING_TEMPLATE_ID = 'shp_default';

export const shippingTemplates = sqliteTable(
  'shipping_templates',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    basis: text('basis', { enum: shippingBases }).notNull(),
    defaultRule: text('default_rule', { mode: 'json' }).$type<FeeRule>().notNull(),
    regionRules: text('region_rules', { mode: 'json' }).$type<RegionFeeRule[]>().notNull(),
    freeRules: text('free_rules', { mode: 'json' }).$type<FreeShippingRule[]>().notNull(),
    undeliverableRegions: text('undeliverable_regions', { mode: 'json' }).$type<string[]>().notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('shipping_templates_name_idx').on(t.name)],
);
