// Live stock on the cached product page, the way edge shops serve inventory: the page (titles,
// prices, specs, images) comes from the catalog cache, which only a merchant write invalidates;
// the stock figures, which every order moves, are read separately — one indexed D1 query per
// product, remembered in isolate memory for a second — and merged into each answer.
import { createMiddleware } from 'hono/factory';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { stockStatus } from '../domain/catalog';
import type { AppEnv } from '../env';
import { etagMatches, etagOf, notModified, replaceResponse } from './catalog-cache';

/** How old the stock on a product page may be, and its Cache-Control (browsers and shared caches). */
export const LIVE_STOCK_SECONDS = 1;

type LiveStock = { total: number; bySku: Map<string, number>; signature: string };
type Merged = { innerEtag: string; body: string; etag: string };
type Remembered = { stock: LiveStock; until: number; merged?: Merged };

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

type ProductPage = { stock_status: string; skus: { id: string; stock: number; stock_status: string }[] };

function mergeStock(page: ProductPage, stock: LiveStock): ProductPage {
  return {
    ...page,
    stock_status: stockStatus(stock.total),
    skus: page.skus.map((s) => {
      const live = stock.bySku.get(s.id) ?? 0;
      return { ...s, stock: live, stock_status: stockStatus(live) };
    }),
  };
}

/**
 * Around the cached GET /products/:id: merges the live stock into the cached page, with an ETag
 * of both (304 when it matches) and a Cache-Control no longer than the stock's freshness. The
 * merged page is remembered with the stock, so a hit within the second costs no parse and no D1.
 */
export const withLiveStock = createMiddleware<AppEnv>(async (c, next) => {
  const ifNoneMatch = c.req.header('If-None-Match');
  await next();
  if (c.res.status !== 200) return;
  const entry = await liveStockOf(c.var.db, c.req.param('id')!, c.var.clock.now());
  const innerEtag = c.res.headers.get('ETag') ?? '';
  let merged = entry.merged;
  if (!merged || merged.innerEtag !== innerEtag) {
    const body = JSON.stringify(mergeStock(await c.res.json<ProductPage>(), entry.stock));
    merged = { innerEtag, body, etag: await etagOf(new TextEncoder().encode(`${innerEtag}/${entry.stock.signature}`).buffer as ArrayBuffer) };
    entry.merged = merged;
  }
  const headers = new Headers(c.res.headers);
  headers.set('ETag', merged.etag);
  headers.set('Cache-Control', `public, max-age=0, s-maxage=${LIVE_STOCK_SECONDS}`);
  headers.delete('Content-Length');
  replaceResponse(c, etagMatches(ifNoneMatch, merged.etag) ? notModified(merged.etag, headers) : new Response(merged.body, { status: 200, headers }));
});
