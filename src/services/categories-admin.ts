// Merchant writes to the category tree (one level of children, no cycles, no deleting a
// category that still has products or children). Each write bumps the catalog version.
import { eq } from 'drizzle-orm';
import { categories, products } from '../db/catalog';
import type { Db } from '../db/client';
import { businessRule, conflict, notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { commitCatalogWrite, type WriteContext } from './catalog-admin';

export type CategoryInput = { name: string; parent_id?: string | null; icon_url?: string | null; sort_order?: number };

async function assertValidParent(db: Db, parentId: string | null | undefined, selfId?: string) {
  if (!parentId) return;
  const parent = await db.query.categories.findFirst({ where: eq(categories.id, parentId) });
  if (!parent) throw businessRule('unknown_category', 'The parent category does not exist.', [{ path: 'body.parent_id', message: 'no such category' }]);
  if (parent.parentId !== null || parentId === selfId) {
    throw businessRule('category_depth', 'Categories have two levels: the parent must be a top-level category.', [{ path: 'body.parent_id', message: 'must be a top-level category' }]);
  }
}

export async function createCategory(ctx: WriteContext, input: CategoryInput): Promise<string> {
  await assertValidParent(ctx.db, input.parent_id);
  const id = newId('cat');
  await commitCatalogWrite(ctx, [
    ctx.db.insert(categories).values({
      id,
      parentId: input.parent_id ?? null,
      name: input.name,
      iconUrl: input.icon_url ?? null,
      sortOrder: input.sort_order ?? 0,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    }),
  ]);
  return id;
}

export async function updateCategory(ctx: WriteContext, categoryId: string, patch: Partial<CategoryInput>): Promise<void> {
  const category = await ctx.db.query.categories.findFirst({ where: eq(categories.id, categoryId) });
  if (!category) throw notFound('Category');
  if (patch.parent_id) {
    await assertValidParent(ctx.db, patch.parent_id, categoryId);
    const child = await ctx.db.query.categories.findFirst({ where: eq(categories.parentId, categoryId) });
    if (child) throw businessRule('category_depth', 'A category with sub-categories cannot become a sub-category.');
  }
  await commitCatalogWrite(ctx, [
    ctx.db
      .update(categories)
      .set({
        name: patch.name ?? category.name,
        parentId: patch.parent_id === undefined ? category.parentId : patch.parent_id,
        iconUrl: patch.icon_url === undefined ? category.iconUrl : patch.icon_url,
        sortOrder: patch.sort_order ?? category.sortOrder,
        updatedAt: ctx.now,
      })
      .where(eq(categories.id, categoryId)),
  ]);
}

export async function deleteCategory(ctx: WriteContext, categoryId: string): Promise<void> {
  const category = await ctx.db.query.categories.findFirst({ where: eq(categories.id, categoryId) });
  if (!category) throw notFound('Category');
  const [child, product] = await Promise.all([
    ctx.db.query.categories.findFirst({ where: eq(categories.parentId, categoryId) }),
    ctx.db.query.products.findFirst({ where: eq(products.categoryId, categoryId) }),
  ]);
  if (child || product) throw conflict('category_in_use', 'The category still has sub-categories or products.');
  await commitCatalogWrite(ctx, [ctx.db.delete(categories).where(eq(categories.id, categoryId))]);
}
