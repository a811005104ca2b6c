// Edge caching of the public storefront.
//
// Every cache key carries the catalog version. Merchant writes bump the version in D1 (in the
// same batch as the change) and then store the new version in this location's cache, so the
// next storefront read here builds a new key and misses; other locations pick the new version
// up when their cached copy of it expires (VERSION_TTL_SECONDS). No purge of every colo needed.
// A cache hit costs two local cache lookups (version, response) and no D1 query.
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv, Env } from '../env';

const CACHE_ORIGIN = 'https://catalog-cache.internal';
const VERSION_KEY = `${CACHE_ORIGIN}/catalog-version`;
/** How long another location may serve the previous version after a merchant write. */
export const VERSION_TTL_SECONDS = 5;

const catalogCache = () => caches.default;

export async function readCatalogVersion(env: Env): Promise<number> {
  const cached = await catalogCache().match(VERSION_KEY);
  if (cached) return Number(await cached.text());
  const row = await env.DB.prepare('SELECT version FROM catalog_state WHERE id = 1').first<{ version: number }>();
  const version = row?.version ?? 0;
  await rememberCatalogVersion(version);
  return version;
}

export async function rememberCatalogVersion(version: number): Promise<void> {
  await catalogCache().put(
    VERSION_KEY,
    new Response(String(version), { headers: { 'Cache-Control': `max-age=${VERSION_TTL_SECONDS}` } }),
  );
}

/** The SQL that merchant writes add to their batch. */
export const BUMP_CATALOG_VERSION_SQL = 'UPDATE catalog_state SET version = version + 1 WHERE id = 1 RETURNING version';

/** The same URL with its query parameters sorted, so ?a=1&b=2 and ?b=2&a=1 share one entry. */
function normalisedPathAndQuery(url: URL): string {
  const params = [...url.searchParams.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = new URLSearchParams(params).toString();
  return query ? `${url.pathname}?${query}` : url.pathname;
}

async function etagOf(body: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-1', body));
  return `"${[...digest.slice(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join('')}"`;
}

const etagMatches = (ifNoneMatch: string | undefined, etag: string) =>
  !!ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*');

function notModified(etag: string, from: Headers): Response {
  const headers = new Headers();
  for (const name of ['ETag', 'Cache-Control', 'Cache-Tag', 'X-Catalog-Version', 'Vary']) {
    const value = from.get(name);
    if (value) headers.set(name, value);
  }
  headers.set('ETag', etag);
  return new Response(null, { status: 304, headers });
}

/**
 * Middleware for public catalog GETs: answers from the local cache when it can (304 when the
 * client's ETag matches), otherwise runs the handler and stores a 200 under the versioned key.
 */
export const cachedCatalogResponse = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const version = await readCatalogVersion(c.env);
    const key = `${CACHE_ORIGIN}/v${version}${normalisedPathAndQuery(new URL(c.req.url))}`;
    const ifNoneMatch = c.req.header('If-None-Match');

    const hit = await catalogCache().match(key);
    if (hit) {
      const etag = hit.headers.get('ETag')!;
      if (etagMatches(ifNoneMatch, etag)) return notModified(etag, hit.headers);
      const response = new Response(hit.body, hit);
      response.headers.set('X-Cache', 'HIT');
      return response;
    }

    await next();
    if (c.res.status !== 200) return;
    const body = await c.res.arrayBuffer();
    const etag = await etagOf(body);
    const headers = new Headers(c.res.headers);
    headers.delete('Set-Cookie');
    headers.set('Cache-Control', `public, max-age=${c.env.CATALOG_MAX_AGE}, s-maxage=${c.env.CATALOG_S_MAXAGE}`);
    headers.set('ETag', etag);
    headers.set('Cache-Tag', 'catalog');
    headers.set('X-Catalog-Version', String(version));
    const stored = new Response(body, { status: 200, headers });
    // Awaited (not waitUntil) so that a read right after a miss is already a hit.
    await catalogCache().put(key, stored);
    headers.set('X-Cache', 'MISS');
    replaceResponse(c, etagMatches(ifNoneMatch, etag) ? notModified(etag, headers) : new Response(body, { status: 200, headers }));
  });

/** Hono merges the old response's headers into a newly assigned c.res; clearing it first avoids that. */
function replaceResponse(c: Context, response: Response) {
  c.res = undefined as unknown as Response;
  c.res = response;
}
