// Per-client rate limits (Workers Rate Limiting binding, miniflare's implementation): every limited
// route answers 429 rate_limited with Retry-After once one client has used its budget, other clients
// are unaffected, and the budgets are the ones wrangler.toml declares.
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { rateLimitClasses, type RateLimitClass } from '../../../src/lib/rate-limit';
import { BASE } from '../../fixtures/helpers';

type Limited = { routeClass: RateLimitClass; method: string; path: string; body?: string; contentType?: string };

// Every limited route. The limit is checked before authentication and validation, so these need no
// token or valid body: each answer (401, 400, 404…) counts against the client.
const limitedRoutes: Limited[] = [
  { routeClass: 'merchant_login', method: 'POST', path: '/admin/api/login', body: '{"username":"nobody","password":"x"}' },
  { routeClass: 'merchant_login', method: 'POST', path: '/admin/login', body: 'username=nobody&password=x', contentType: 'application/x-www-form-urlencoded' },
  { routeClass: 'shopper_sign_in', method: 'POST', path: '/auth/wechat', body: '{}' },
  { routeClass: 'shopper_sign_in', method: 'POST', path: '/auth/refresh', body: '{}' },
  { routeClass: 'shopper_sign_in', method: 'POST', path: '/auth/phone', body: '{}' },
  { routeClass: 'search', method: 'GET', path: '/search?q=%E8%A1%AC%E8%A1%AB' },
  { routeClass: 'claim', method: 'POST', path: '/flash-sales/fls_ratelimit/reserve', body: '{}' },
  { routeClass: 'claim', method: 'POST', path: '/bargains/bgn_ratelimit/sessions', body: '{}' },
  { routeClass: 'claim', method: 'POST', path: '/bargains/sessions/bgs_ratelimit/help', body: '{}' },
  { routeClass: 'claim', method: 'POST', path: '/group-buys/gbc_ratelimit/rooms', body: '{}' },
  { routeClass: 'claim', method: 'POST', path: '/group-buys/rooms/grm_ratelimit/join', body: '{}' },
];

let lastOctets = 0;
/** A client address no other test uses (the binding's counts live for the whole run). */
const freshIp = () => `198.51.${100 + Math.floor(++lastOctets / 250)}.${lastOctets % 250}`;

function call(route: Limited, ip: string | undefined) {
  return SELF.fetch(`${BASE}${route.path}`, {
    method: route.method,
    redirect: 'manual',
    headers: { ...(ip && { 'CF-Connecting-IP': ip }), 'Content-Type': route.contentType ?? 'application/json', Origin: BASE },
    body: route.body,
  });
}

/** wrangler.toml's `simple` for the class's binding (vitest.config.ts reads the file). */
function configured(routeClass: RateLimitClass) {
  const entry = env.TEST_RATE_LIMITS.find((r) => r.name === rateLimitClasses[routeClass].binding);
  if (!entry) throw new Error(`wrangler.toml has no [[ratelimits]] ${rateLimitClasses[routeClass].binding}`);
  return entry.simple;
}

/** miniflare counts in fixed windows of `period`: start a burst early in one, so it cannot straddle two. */
async function startOfWindow(periodSeconds: number) {
  const periodMs = periodSeconds * 1000;
  const left = periodMs - (Date.now() % periodMs);
  if (left < Math.min(4000, periodMs / 2)) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

async function spend(route: Limited, ip: string, times: number) {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) statuses.push((await call(route, ip)).status);
  return statuses;
}

describe('rate limits', () => {
  it('wrangler.toml declares one binding per route class, with the period the worker puts in Retry-After', () => {
    for (const [routeClass, { binding, periodSeconds }] of Object.entries(rateLimitClasses)) {
      const entry = env.TEST_RATE_LIMITS.find((r) => r.name === binding);
      expect(entry, routeClass).toBeDefined();
      expect(entry!.simple.period).toBe(periodSeconds);
      expect([10, 60]).toContain(entry!.simple.period);
    }
    expect(new Set(env.TEST_RATE_LIMITS.map((r) => r.namespace_id)).size).toBe(env.TEST_RATE_LIMITS.length);
  });

  for (const route of limitedRoutes) {
    it(`${route.method} ${route.path.split('?')[0]}: 429 with Retry-After after ${route.routeClass}'s limit, for that client only`, async () => {
      const { limit, period } = configured(route.routeClass);
      await startOfWindow(period);
      const ip = freshIp();
      const allowed = await spend(route, ip, limit);
      expect(allowed.filter((s) => s === 429)).toEqual([]);

      const refused = await call(route, ip);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('Retry-After')).toBe(String(period));
      const requestId = refused.headers.get('X-Request-Id');
      expect(requestId).toMatch(/^req_/);
      if (route.path.startsWith('/admin/login')) {
        expect(await refused.text()).toContain('尝试过于频繁，请稍后再试');
      } else {
        const body = (await refused.json()) as { error: { code: string; request_id: string } };
        expect(body.error.code).toBe('rate_limited');
        expect(body.error.request_id).toBe(requestId);
      }

      // Another client, and the same client on another route class, still get through.
      expect((await call(route, freshIp())).status).not.toBe(429);
      const other = limitedRoutes.find((r) => r.routeClass !== route.routeClass)!;
      expect((await call(other, ip)).status).not.toBe(429);
    });
  }

  it('the routes of one class share the client budget (the admin form and the API login)', async () => {
    const [apiLogin, formLogin] = limitedRoutes.filter((r) => r.routeClass === 'merchant_login');
    const { limit, period } = configured('merchant_login');
    await startOfWindow(period);
    const ip = freshIp();
    await spend(apiLogin!, ip, limit);
    expect((await call(formLogin!, ip)).status).toBe(429);
  });

  it('an IPv6 client counts as its /64: rotating the low 64 bits does not get around the limit', async () => {
    const route = limitedRoutes.find((r) => r.routeClass === 'claim')!;
    const { limit, period } = configured('claim');
    await startOfWindow(period);
    const prefix = `2001:db8:${++lastOctets}:1`;
    for (let i = 0; i < limit; i++) expect((await call(route, `${prefix}:${i.toString(16)}::1`)).status).not.toBe(429);
    expect((await call(route, `${prefix}:ffff:ffff:ffff:ffff`)).status).toBe(429);
    expect((await call(route, `2001:db8:${lastOctets}:2::1`)).status).not.toBe(429);
  });

  it('a request without CF-Connecting-IP did not come through the edge and is not counted', async () => {
    // Cloudflare sets CF-Connecting-IP on every request from the internet (and `wrangler dev` on every
    // local one); only a caller inside Cloudflare, like a service binding, arrives without it.
    const route = limitedRoutes.find((r) => r.routeClass === 'claim')!;
    const statuses: number[] = [];
    for (let i = 0; i < configured('claim').limit + 5; i++) statuses.push((await call(route, undefined)).status);
    expect(statuses.filter((s) => s === 429)).toEqual([]);
  });
});
