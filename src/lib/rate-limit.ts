// Per-client rate limits through the Workers Rate Limiting binding ([[ratelimits]] in wrangler.toml).
// One middleware for every limited route: rateLimit('<class>'). Each route class has its own binding
// (its own limit and period) and counts each client (src/lib/client-address.ts) separately.
import { createMiddleware } from 'hono/factory';
import { uniqueSymbol } from 'hono-openapi';
import type { AppEnv, Env } from '../env';
import { clientAddress } from './client-address';
import { tooManyRequests } from './errors';

type RateLimitBinding = { [K in keyof Env]: Env[K] extends RateLimit ? K : never }[keyof Env];

/**
 * The route classes. periodSeconds must equal the binding's `simple.period` in wrangler.toml (a test
 * checks it): the binding does not say when its window ends, so Retry-After is one whole period,
 * after which the count has certainly started again.
 */
export const rateLimitClasses = {
  merchant_login: { binding: 'RATE_LIMIT_MERCHANT_LOGIN', periodSeconds: 60 },
  shopper_sign_in: { binding: 'RATE_LIMIT_SHOPPER_SIGN_IN', periodSeconds: 60 },
  search: { binding: 'RATE_LIMIT_SEARCH', periodSeconds: 10 },
  claim: { binding: 'RATE_LIMIT_CLAIM', periodSeconds: 10 },
} as const satisfies Record<string, { binding: RateLimitBinding; periodSeconds: 10 | 60 }>;

export type RateLimitClass = keyof typeof rateLimitClasses;

/**
 * Refuses with 429 rate_limited and Retry-After once the calling client has used up its budget for
 * this route class. Requests without CF-Connecting-IP (from inside Cloudflare) are not counted.
 */
export function rateLimit(routeClass: RateLimitClass, message = 'Too many requests from your network; try again later.') {
  const { binding, periodSeconds } = rateLimitClasses[routeClass];
  const middleware = createMiddleware<AppEnv>(async (c, next) => {
    const client = clientAddress(c.req.header('CF-Connecting-IP'));
    if (client !== undefined) {
      const { success } = await c.env[binding].limit({ key: `${routeClass}:${client}` });
      if (!success) throw tooManyRequests(periodSeconds, message);
    }
    await next();
  });
  // Shown in the OpenAPI document (hono-openapi reads this marker from any route handler).
  return Object.assign(middleware, {
    [uniqueSymbol]: {
      spec: {
        responses: {
          429: { description: `Rate limited (${routeClass}: per client, ${periodSeconds} s window); see Retry-After.`, headers: { 'Retry-After': { schema: { type: 'integer' } } } },
        },
      },
    },
  });
}
