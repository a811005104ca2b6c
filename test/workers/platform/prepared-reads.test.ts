// Selects prepared once per isolate (src/db/prepared.ts) and run in a read beside builders
// (src/db/reads.ts): each request's values reach its own statement, the rows are mapped as
// drizzle maps them, and the select is built once.
import { env } from 'cloudflare:test';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { categories } from '../../../src/db/catalog';
import { createDb } from '../../../src/db/client';
import { preparedSelect } from '../../../src/db/prepared';
import { combine, read, runRead } from '../../../src/db/reads';

const db = createDb(env.DB);
const now = Date.now();

async function seedCategories(ids: string[]) {
  await env.DB.batch(ids.map((id, i) => env.DB.prepare('INSERT INTO categories (id, name, sort_order, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').bind(id, `name of ${id}`, i, now, now)));
}

let builds = 0;
const categoryNamed = preparedSelect<{ id: string }, { name: string; sortOrder: number }[]>((d) => {
  builds += 1;
  return d
    .select({ name: categories.name, sortOrder: categories.sortOrder })
    .from(categories)
    .where(eq(categories.id, sql.placeholder('id')));
});

describe('prepared selects', () => {
  it('bind each request its own values, beside a builder in one batch, and are built once', async () => {
    await seedCategories(['cat_prep_a', 'cat_prep_b', 'cat_prep_c']);
    const readFor = (id: string) =>
      combine({
        prepared: read([categoryNamed(db, { id })], ([rows]) => rows),
        builder: read([db.select({ id: categories.id }).from(categories).where(eq(categories.id, 'cat_prep_c'))], ([rows]) => rows.map((r) => r.id)),
      });
    const [a, b, missing] = await Promise.all([runRead(db, readFor('cat_prep_a')), runRead(db, readFor('cat_prep_b')), runRead(db, readFor('cat_prep_none'))]);
    expect(a.prepared).toEqual([{ name: 'name of cat_prep_a', sortOrder: 0 }]);
    expect(b.prepared).toEqual([{ name: 'name of cat_prep_b', sortOrder: 1 }]);
    expect(missing.prepared).toEqual([]);
    expect([a.builder, b.builder, missing.builder]).toEqual([['cat_prep_c'], ['cat_prep_c'], ['cat_prep_c']]);
    expect(builds).toBe(1);
  });

  it('refuses a request that leaves a placeholder without a value, before anything is sent', async () => {
    const unbound = categoryNamed(db, {} as { id: string });
    await expect(
      runRead(
        db,
        read([unbound], ([rows]) => rows),
      ),
    ).rejects.toThrow(/No value for placeholder "id"/);
  });

  it('are built again for another D1 binding (a db per binding, like the client)', async () => {
    const before = builds;
    const sameDatabase = new Proxy(env.DB, {
      get: (target, prop) => {
        const value = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const other = createDb(sameDatabase);
    await runRead(
      other,
      read([categoryNamed(other, { id: 'cat_prep_a' })], ([rows]) => rows),
    );
    expect(builds).toBe(before + 1);
  });
});
