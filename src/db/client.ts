import { drizzle } from 'drizzle-orm/d1';
import * as schema from './schema';

// drizzle() walks the whole schema to build its relational-query config: done once per D1
// binding (an isolate keeps its bindings), not once per request.
const clients = new WeakMap<D1Database, ReturnType<typeof build>>();
const build = (d1: D1Database) => drizzle(d1, { schema });

export function createDb(d1: D1Database) {
  const known = clients.get(d1);
  if (known) return known;
  const db = build(d1);
  clients.set(d1, db);
  return db;
}
export type Db = ReturnType<typeof createDb>;
