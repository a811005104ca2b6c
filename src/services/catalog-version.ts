// Edge caching of the public storefront.
//
// Every cache key carries the catalog version. Merchant writes bump the version in D1 (in the
// same batch as the change) and then record the new version here, so the next storefront read
// builds a new key and misses. No purge of every colo is needed.
//
// Three layers, fastest first:
// 1. this isolate's memory: the version (for CATALOG_VERSION_MEMORY_MS, 1 s by default) and a
//    size-capped set of hot responses. A hit here touches neither the Cache API nor D1.
// 2. the location's Cache API: the version (VERSION_TTL_SECONDS) and every response.
// 3. D1, on a miss.
// So after a write, the isolate that made it serves the new data at once, other isolates in the
// same location within CATALOG_VERSION_MEMORY_MS (set it to 0 for "at once" everywhere in the
// location, at the price of a Cache API lookup per hit), other locations within
// VERSION_TTL_SECONDS.
// This module keeps the version; src/http/catalog-cache.ts is the response cache that uses it.
import type { Env } from '../env';
import type { Clock } from '../lib/clock';

export const CACHE_ORIGIN = 'https://catalog-cache.internal';
const VERSION_KEY = `${CACHE_ORIGIN}/catalog-version`;
/** How long another location may serve the previous version after a merchant write. */
export const VERSION_TTL_SECONDS = 5;

export const catalogCache = () => caches.default;

/**
 * The version as this isolate last saw it. When it runs out, each request arriving meanwhile
 * looks the version up itself: sharing one lookup's promise between requests ties the others
 * to the request that started it, and when that request is cancelled (its client went away)
 * the runtime never resolves the others ("your Worker's code had hung"): seen in bench:catalog.
 */
let versionInMemory: { version: number; until: number } | undefined;

const memoryTtlMs = (env: Env) => Number(env.CATALOG_VERSION_MEMORY_MS ?? 1000);

export async function readCatalogVersion(env: Env, clock: Clock): Promise<number> {
  const now = clock.now();
  if (versionInMemory && versionInMemory.until > now) return versionInMemory.version;
  const version = await lookUpVersion(env);
  versionInMemory = { version, until: now + memoryTtlMs(env) };
  return version;
}

async function lookUpVersion(env: Env): Promise<number> {
  const cached = await catalogCache().match(VERSION_KEY);
  if (cached) return Number(await cached.text());
  const row = await env.DB.prepare('SELECT version FROM catalog_state WHERE id = 1').first<{ version: number }>();
  const version = row?.version ?? 0;
  await storeVersionInCache(version);
  return version;
}

const storeVersionInCache = (version: number) => catalogCache().put(VERSION_KEY, new Response(String(version), { headers: { 'Cache-Control': `max-age=${VERSION_TTL_SECONDS}` } }));

/** After a merchant write: this isolate and this location see the new version at once. */
export async function rememberCatalogVersion(version: number, env: Env, clock: Clock): Promise<void> {
  versionInMemory = { version, until: clock.now() + memoryTtlMs(env) };
  await storeVersionInCache(version);
}

/** The SQL that merchant writes add to their batch. */
export const BUMP_CATALOG_VERSION_SQL = 'UPDATE catalog_state SET version = version + 1 WHERE id = 1 RETURNING version';
