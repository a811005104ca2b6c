// The D1 batch primitives the consistency rules rest on (DESIGN.md, "Consistency").
import { env } from 'cloudflare:test';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { abortUnlessChanged, runBatch } from '../../../src/db/batch';
import { createDb } from '../../../src/db/client';
import { ApiError } from '../../../src/lib/errors';

const db = createDb(env.DB);
const now = Date.now();
const insertCategory = (id: string) => sql`INSERT INTO categories (id, name, sort_order, created_at, updated_at) VALUES (${id}, ${id}, 0, ${now}, ${now})`;
const exists = async (id: string) => !!(await env.DB.prepare('SELECT 1 FROM categories WHERE id = ?').bind(id).first());

describe('abortUnlessChanged', () => {
  it('lets the batch through when the guarded update changed a row', async () => {
    await runBatch(db, [insertCategory('cat_guard_a')]);
    await runBatch(db, [sql`UPDATE categories SET name = 'renamed' WHERE id = 'cat_guard_a'`, abortUnlessChanged(), insertCategory('cat_guard_b')]);
    expect(await exists('cat_guard_b')).toBe(true);
  });

  it('rolls back the whole batch, earlier statements included, when it changed nothing', async () => {
    const attempt = runBatch(db, [insertCategory('cat_guard_c'), sql`UPDATE categories SET name = 'x' WHERE id = 'cat_missing'`, abortUnlessChanged(), insertCategory('cat_guard_d')]);
    await expect(attempt).rejects.toBeInstanceOf(ApiError);
    await expect(attempt).rejects.toMatchObject({ status: 409, code: 'concurrent_change' });
    expect(await exists('cat_guard_c')).toBe(false);
    expect(await exists('cat_guard_d')).toBe(false);
  });
});
