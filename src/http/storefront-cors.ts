// CORS for the storefront: any origin may read it. Shoppers authenticate with a bearer token,
// never a cookie, so a page on another site can do nothing a shopper's browser would not let it.
//
// Hono's cors() sets its headers on a placeholder response before the route runs, and Hono then
// copies the route's answer into yet another Response to merge them: two Responses more per
// request on the hottest path (bench:profile). This sets them once, on the route's answer.
// Preflights are answered as cors({ origin: '*', maxAge: 600 }) answered them.
import { createMiddleware } from 'hono/factory';
import { setResponseHeaders } from '../lib/response-headers';

const EXPOSED = 'X-Request-Id,Retry-After';
const ON_EVERY_ANSWER: [string, string][] = [
  ['Access-Control-Allow-Origin', '*'],
  ['Access-Control-Expose-Headers', EXPOSED],
];
const ALLOWED_METHODS = 'GET,HEAD,PUT,POST,DELETE,PATCH,QUERY';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

export const storefrontCors = () =>
  createMiddleware(async (c, next) => {
    if (c.req.method === 'OPTIONS') {
      const headers = new Headers([...ON_EVERY_ANSWER, ['Access-Control-Max-Age', PREFLIGHT_MAX_AGE_SECONDS], ['Access-Control-Allow-Methods', ALLOWED_METHODS]]);
      const requested = c.req.header('Access-Control-Request-Headers');
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
    await next();
    setResponseHeaders(c, ON_EVERY_ANSWER);
  });
