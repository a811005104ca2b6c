// Live stock on the cached product page, the way edge shops serve inventory (the merge into the
// page is src/http/live-stock.ts): the page (titles,
// prices, specs, images) comes from the catalog cache, which only a merchant write invalidates;
// the stock figures, which every order moves, are read separately — one indexed D1 query per
// product, remembered in isolate memory for a second — and merged into each answer.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';

/** How old the stock on a product page may be, and its Cache-Control (browsers and shared caches). */
export const LIVE_STOCK_SECONDS = 1;

export type LiveStock = { total: number; bySku: Map<string, number>; signature: string };
/** The page with this stock merged in, ready to send: its bytes, ETag and headers (set once, copied per answer). */
type Merged = { innerEtag: string; body: Uint8Array; etag: string; headers: Headers };
export type Remembered = { stock: LiveStock; until: number; merged?: Merged };

const remembered = new Map<string, Remembered>();
const MAX_REMEMBERED = 2_000;

export async function liveStockOf(db: Db, productId: string, now: number): Promise<Remembered> {
  const hit = remembered.get(productId);
  if (hit && hit.until > now) return hit;
  const rows = await db.all<{ id: string; stock: number; total_stock: number }>(
    sql`SELECT s.id, s.stock, p.total_stock FROM skus s JOIN products p ON p.id = s.product_id WHERE s.product_id = ${productId} AND s.active = 1`,
  );
  const stock: LiveStock = {
    total: rows[0]?.total_stock ?? 0,
    bySku: new Map(rows.map((r) => [r.id, r.stock])),
    signature: `${rows[0]?.total_stock ?? 0}|${rows.map((r) => `${r.id}:${r.stock}`).join(',')}`,
  };
  if (remembered.size >= MAX_REMEMBERED) remembered.clear();
  const entry = { stock, until: now + LIVE_STOCK_SECONDS * 1000 };
  remembered.set(productId, entry);
  return entry;
}
