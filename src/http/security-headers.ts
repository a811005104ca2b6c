// Security headers by what the response is. An HTML page (the admin, the API docs) gets the full
// browser set; a JSON answer gets the few that mean something for data (no MIME sniffing, HTTPS
// only, no referrer leak, no cross-origin embedding). Every header set is a call into the runtime
// on the hottest path, and framing or XSS-filter headers on JSON protect nothing.
import { createMiddleware } from 'hono/factory';
import { setResponseHeaders } from '../lib/response-headers';

const forData: [string, string][] = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
  // same-origin: browsers then send a real Origin on the admin page's own form POSTs (which
  // are checked), while nothing leaks to other sites.
  ['Referrer-Policy', 'same-origin'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
];

const forPages: [string, string][] = [
  ...forData,
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'SAMEORIGIN'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
];

export const securityHeaders = () =>
  createMiddleware(async (c, next) => {
    await next();
    const isPage = c.res.headers.get('Content-Type')?.startsWith('text/html') ?? false;
    setResponseHeaders(c, isPage ? forPages : forData);
  });
