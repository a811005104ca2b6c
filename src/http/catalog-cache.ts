// The storefront's response cache (see src/services/catalog-version.ts for why every key carries
// the catalog version): isolate memory first, then the location's Cache API, then the route.
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { CACHE_ORIGIN, catalogCache, readCatalogVersion } from '../services/catalog-version';
import { replaceResponse } from '../lib/response-headers';

/**
 * A route tells the cache when its answer stops being true (the next 限时折扣 price change) with
 * this internal header, epoch ms; the stored response carries it so no layer serves it later.
 */
const FRESH_UNTIL_HEADER = 'X-Fresh-Until';

export const freshUntil = (c: Context, at: number | null) => {
  if (at !== null) c.header(FRESH_UNTIL_HEADER, String(at));
};

/** A small LRU of whole responses in isolate memory, capped by total body size. */
/** Headers are kept ready to send (X-Cache: HIT included), so a hit builds no new objects but the Response. */
type HotEntry = { body: ArrayBuffer; headers: Headers; etag: string; until: number };
const HOT_MAX_BYTES = 4 * 1024 * 1024;
const HOT_MAX_ENTRY_BYTES = 256 * 1024;
const hotResponses = new Map<string, HotEntry>();
let hotBytes = 0;

function hotGet(key: string, now: number): HotEntry | undefined {
  const entry = hotResponses.get(key);
  if (!entry) return undefined;
  hotResponses.delete(key);
  if (entry.until <= now) {
    hotBytes -= entry.body.byteLength;
    return undefined;
  }
  hotResponses.set(key, entry); // most recently used goes last
  return entry;
}

function hotPut(key: string, entry: HotEntry) {
  if (entry.body.byteLength > HOT_MAX_ENTRY_BYTES) return;
  const previous = hotResponses.get(key);
  if (previous) hotBytes -= previous.body.byteLength;
  hotResponses.delete(key);
  hotResponses.set(key, entry);
  hotBytes += entry.body.byteLength;
  for (const [oldKey, old] of hotResponses) {
    if (hotBytes <= HOT_MAX_BYTES) break;
    hotResponses.delete(oldKey);
    hotBytes -= old.body.byteLength;
  }
}

/**
 * The path with its query parameters sorted, so ?a=1&b=2 and ?b=2&a=1 share one entry. A hot page
 * is asked for with the same query again and again: its normal form is remembered (parsing and
 * sorting the query was a tenth of a cache hit's CPU in bench:profile). Bounded: it starts over
 * when full.
 */
const normalisedQueries = new Map<string, string>();
const NORMALISED_QUERIES_KEPT = 1_000;

function normalisedPathAndQuery(path: string, url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return path;
  const asked = `${path}${url.slice(queryStart)}`;
  const known = normalisedQueries.get(asked);
  if (known !== undefined) return known;
  const params = [...new URLSearchParams(url.slice(queryStart + 1)).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = new URLSearchParams(params).toString();
  const normalised = query ? `${path}?${query}` : path;
  if (normalisedQueries.size >= NORMALISED_QUERIES_KEPT) normalisedQueries.clear();
  normalisedQueries.set(asked, normalised);
  return normalised;
}

export async function etagOf(body: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-1', body));
  return `"${[...digest.slice(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join('')}"`;
}

export const etagMatches = (ifNoneMatch: string | undefined, etag: string) => !!ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*');

export function notModified(etag: string, from: Headers): Response {
  const headers = new Headers();
  for (const name of ['ETag', 'Cache-Control', 'Cache-Tag', 'X-Catalog-Version', 'Vary']) {
    const value = from.get(name);
    if (value) headers.set(name, value);
  }
  headers.set('ETag', etag);
  return new Response(null, { status: 304, headers });
}

/**
 * How long a route's responses may be reused, when that must be shorter than the catalog's
 * CATALOG_S_MAXAGE / CATALOG_MAX_AGE (e.g. flash sales, whose state changes with the clock).
 * A route can only shorten the configured figures, never lengthen them.
 */
export type CacheFreshness = { sMaxAgeSeconds?: number; maxAgeSeconds?: number };

/**
 * Middleware for public catalog GETs: answers from the local cache when it can (304 when the
 * client's ETag matches), otherwise runs the handler and stores a 200 under the versioned key.
 */
export const cachedCatalogResponse = (freshness: CacheFreshness = {}) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const now = c.var.clock.now();
    const sMaxAge = Math.min(Number(c.env.CATALOG_S_MAXAGE), freshness.sMaxAgeSeconds ?? Infinity);
    const maxAge = Math.min(Number(c.env.CATALOG_MAX_AGE), freshness.maxAgeSeconds ?? Infinity);
    const version = await readCatalogVersion(c.env, c.var.clock);
    const key = `${CACHE_ORIGIN}/v${version}${normalisedPathAndQuery(c.req.path, c.req.url)}`;
    const ifNoneMatch = c.req.header('If-None-Match');

    const hot = hotGet(key, now) ?? (await fromLocationCache(key, now, now + sMaxAge * 1000));
    if (hot) return etagMatches(ifNoneMatch, hot.etag) ? notModified(hot.etag, hot.headers) : new Response(hot.body, { status: 200, headers: hot.headers });

    await next();
    if (c.res.status !== 200) return;
    const body = await c.res.arrayBuffer();
    const etag = await etagOf(body);
    const headers = new Headers(c.res.headers);
    headers.delete('Set-Cookie');
    // Never kept past the route's next change: both ages shrink to the seconds left before it.
    const until = Math.min(Number(headers.get(FRESH_UNTIL_HEADER) ?? Infinity), now + sMaxAge * 1000);
    const secondsLeft = Math.max(0, Math.floor((until - now) / 1000));
    headers.set(FRESH_UNTIL_HEADER, String(until));
    headers.set('Cache-Control', `public, max-age=${Math.min(maxAge, secondsLeft)}, s-maxage=${secondsLeft}`);
    headers.set('ETag', etag);
    headers.set('Cache-Tag', 'catalog');
    headers.set('X-Catalog-Version', String(version));
    // Awaited (not waitUntil) so that a read right after a miss is already a hit.
    if (secondsLeft > 0) {
      await catalogCache().put(key, new Response(body, { status: 200, headers }));
      hotPut(key, { body, headers: withXCache(headers, 'HIT'), etag, until });
    }
    headers.set('X-Cache', 'MISS');
    replaceResponse(c, etagMatches(ifNoneMatch, etag) ? notModified(etag, headers) : new Response(body, { status: 200, headers }));
  });

async function fromLocationCache(key: string, now: number, until: number): Promise<HotEntry | undefined> {
  const hit = await catalogCache().match(key);
  if (!hit) return undefined;
  const freshUntil = Number(hit.headers.get(FRESH_UNTIL_HEADER) ?? Infinity);
  if (freshUntil <= now) return undefined;
  const entry = { body: await hit.arrayBuffer(), headers: withXCache(hit.headers, 'HIT'), etag: hit.headers.get('ETag')!, until: Math.min(until, freshUntil) };
  hotPut(key, entry);
  return entry;
}

function withXCache(from: Headers, value: 'HIT'): Headers {
  const headers = new Headers(from);
  headers.set('X-Cache', value);
  return headers;
}
