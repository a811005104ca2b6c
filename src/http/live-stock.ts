// Merges the live stock (src/services/live-stock.ts) into the cached product page.
import { createMiddleware } from 'hono/factory';
import { stockStatus } from '../domain/catalog';
import type { AppEnv } from '../env';
import { LIVE_STOCK_SECONDS, liveStockOf, type LiveStock } from '../services/live-stock';
import { etagMatches, etagOf, notModified } from './catalog-cache';
import { replaceResponse } from '../lib/response-headers';

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
    const body = new TextEncoder().encode(JSON.stringify(mergeStock(await c.res.json<ProductPage>(), entry.stock)));
    const etag = await etagOf(new TextEncoder().encode(`${innerEtag}/${entry.stock.signature}`).buffer as ArrayBuffer);
    const headers = new Headers(c.res.headers);
    headers.set('ETag', etag);
    headers.set('Cache-Control', `public, max-age=0, s-maxage=${LIVE_STOCK_SECONDS}`);
    headers.delete('Content-Length');
    merged = { innerEtag, body, etag, headers };
    entry.merged = merged;
  }
  // The cached page's X-Cache (HIT, or MISS on the read that filled the cache) is this answer's.
  const headers = new Headers(merged.headers);
  const xCache = c.res.headers.get('X-Cache');
  if (xCache) headers.set('X-Cache', xCache);
  replaceResponse(c, etagMatches(ifNoneMatch, merged.etag) ? notModified(merged.etag, headers) : new Response(merged.body, { status: 200, headers }));
});
