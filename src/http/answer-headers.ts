// What every answer carries, set in one pass once the route has answered: the request id, the
// security headers for what the answer is, the storefront's open CORS, and no-store unless the
// route chose its own Cache-Control. One middleware and one list per kind of answer, where four
// middlewares each read the answer's headers and set their own (issue 12's eighth pass: the bare
// route's answer is the hottest path there is, and each read or set is a call into the runtime).
//
// Security headers by what the response is: an HTML page (the admin, the API docs) gets the full
// browser set; a JSON answer the few that mean something for data (no MIME sniffing, HTTPS only,
// no referrer leak, no cross-origin embedding) — framing or XSS-filter headers on JSON protect
// nothing.
//
// CORS for the storefront: any origin may read it. Shoppers authenticate with a bearer token,
// never a cookie, so a page on another site can do nothing a shopper's browser would not let it.
// Hono's cors() sets its headers on a placeholder response before the route runs, and Hono then
// copies the route's answer into another Response to merge them; these are set once, on the
// route's answer. Preflights are answered as cors({ origin: '*', maxAge: 600 }) answered them.
// The admin API's CORS (an allow-list of origins) is Hono's cors() in app.ts.
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { REQUEST_ID_HEADER } from '../lib/request-log';
import { setResponseHeaders } from '../lib/response-headers';

type HeaderList = readonly (readonly [string, string])[];

const FOR_DATA: HeaderList = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
  // same-origin: browsers then send a real Origin on the admin page's own form POSTs (which
  // are checked), while nothing leaks to other sites.
  ['Referrer-Policy', 'same-origin'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
];

const FOR_PAGES: HeaderList = [
  ...FOR_DATA,
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'SAMEORIGIN'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
];

const STOREFRONT_CORS: HeaderList = [
  ['Access-Control-Allow-Origin', '*'],
  ['Access-Control-Expose-Headers', 'X-Request-Id,Retry-After'],
];
const ALLOWED_METHODS = 'GET,HEAD,PUT,POST,DELETE,PATCH,QUERY';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

/** Per-user data, admin and payments must never be stored by a shared cache or the browser. */
const NOT_STORED: HeaderList = [['Cache-Control', 'no-store']];

// Every combination, built once: [page][storefront][no-store].
const lists = [FOR_DATA, FOR_PAGES].map((security) => [[], STOREFRONT_CORS].map((cors) => [[], NOT_STORED].map((cache) => [...security, ...cors, ...cache])));

export const answerHeaders = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const storefront = !c.req.path.startsWith('/admin');
    if (storefront && c.req.method === 'OPTIONS') {
      c.res = preflight(c.req.header('Access-Control-Request-Headers'));
    } else {
      await next();
    }
    const headers = c.res.headers;
    const isPage = headers.get('Content-Type')?.startsWith('text/html') ?? false;
    // Only the storefront's catalog routes set their own Cache-Control.
    const notStored = !headers.has('Cache-Control');
    setResponseHeaders(c, lists[Number(isPage)]![Number(storefront)]![Number(notStored)]!, [REQUEST_ID_HEADER, c.var.requestId]);
  });

function preflight(requested: string | undefined): Response {
  const headers = new Headers([...STOREFRONT_CORS, ['Access-Control-Max-Age', PREFLIGHT_MAX_AGE_SECONDS], ['Access-Control-Allow-Methods', ALLOWED_METHODS]]);
  if (requested) {
    headers.set(
      'Access-Control-Allow-Headers',
      requested
        .split(',')
        .map((h) => h.trim())
        .join(','),
    );
    headers.append('Vary', 'Access-Control-Request-Headers');
  }
  return new Response(null, { status: 204, headers });
}
