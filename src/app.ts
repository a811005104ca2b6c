// Builds the Hono app: middleware, route mounting, one error handler.
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { methodOverride } from 'hono/method-override';
import { HTTPException } from 'hono/http-exception';
import { adminApiRoutes } from '../routes/admin/api';
import { apiDocsRoutes } from '../routes/api-docs';
import { adminOrderRoutes } from '../routes/admin/orders';
import { adminFulfilmentRoutes } from '../routes/admin/fulfilment';
import { authRoutes } from '../routes/auth';
import { flashSalePurchaseRoutes } from '../routes/flash-sale-purchase';
import { flashSaleRoutes } from '../routes/flash-sales';
import { adminFlashSaleRoutes } from '../routes/admin/flash-sales';
import { adminGroupBuyRoutes } from '../routes/admin/group-buys';
import { groupBuyRoutes } from '../routes/group-buys';
import { adminPageRoutes } from '../routes/admin/page';
import { adminBargainRoutes } from '../routes/admin/bargains';
import { adminCouponRoutes } from '../routes/admin/coupons';
import { adminPromotionRoutes } from '../routes/admin/promotions';
import { bargainRoutes } from '../routes/bargains';
import { cartRoutes } from '../routes/cart';
import { couponRoutes } from '../routes/coupons';
import { catalogRoutes } from '../routes/catalog';
import { healthRoutes } from '../routes/health';
import { meRoutes } from '../routes/me';
import { orderRoutes } from '../routes/orders';
import { trackingRoutes } from '../routes/tracking';
import { afterSaleRoutes } from '../routes/after-sales';
import { subscriptionRoutes } from '../routes/subscriptions';
import { pointsRoutes } from '../routes/points';
import { checkInRoutes } from '../routes/check-ins';
import { membershipRoutes } from '../routes/membership';
import { pointsMallRoutes } from '../routes/points-mall';
import { adminLoyaltyRoutes } from '../routes/admin/loyalty';
import { isWeChatPayCallback, paymentRoutes, weChatPayFailure } from '../routes/payments';
import { createDb } from './db/client';
import type { AppEnv } from './env';
import { ApiError, invalidInput } from './lib/errors';
import { systemClock, type Clock } from './lib/clock';
import { errorFields, logEvent } from './lib/log';
import { apiDocument, type ApiDocument } from './lib/openapi';
import { requestLog } from './lib/request-log';
import { answerHeaders } from './http/answer-headers';

export type AppDeps = { clock?: Clock };

/** How the mini-program sends PATCH (see the middleware below). */
export const METHOD_OVERRIDE_HEADER = 'X-HTTP-Method-Override';

/** Request bodies above this are refused with 413 before they are read. */
export const MAX_BODY_BYTES = 256 * 1024;

export function createApp(deps: AppDeps = {}) {
  const clock = deps.clock ?? systemClock;
  const app = new Hono<AppEnv>();

  // First: the request id and the one log line per request cover everything below.
  app.use(requestLog());
  // Then what every answer carries (request id, security headers, storefront CORS, no-store),
  // set once the route has answered; it answers the storefront's preflights itself.
  app.use(answerHeaders());
  app.use(
    '/admin/api/*',
    cors({
      origin: (origin, c) => (allowedAdminOrigins(c.env.ADMIN_ORIGINS).includes(origin) ? origin : null),
      allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
      allowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
      exposeHeaders: ['X-Request-Id', 'Retry-After'],
      maxAge: 600,
    }),
  );
  // wx.request cannot send PATCH: the mini-program sends POST + X-HTTP-Method-Override: PATCH.
  // Only that one override is honoured (re-dispatched through the whole app); any other is refused.
  const patchOverride = methodOverride({ app, header: METHOD_OVERRIDE_HEADER });
  app.use(async (c, next) => {
    const override = c.req.header(METHOD_OVERRIDE_HEADER);
    if (override === undefined) return next();
    if (c.req.method !== 'POST' || override !== 'PATCH') {
      throw invalidInput([{ path: `header.${METHOD_OVERRIDE_HEADER.toLowerCase()}`, message: 'only PATCH may be sent as POST with this header' }]);
    }
    return patchOverride(c, next);
  });
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
      },
    }),
  );
  app.use(async (c, next) => {
    c.set('clock', clock);
    c.set('db', createDb(c.env.DB));
    return next();
  });

  let apiDoc: Promise<ApiDocument> | undefined;
  const routes = app
    .route('/', healthRoutes)
    .route('/', catalogRoutes)
    .route('/', authRoutes)
    .route('/', meRoutes)
    .route('/', cartRoutes)
    .route('/', orderRoutes)
    .route('/', trackingRoutes)
    .route('/', afterSaleRoutes)
    .route('/', subscriptionRoutes)
    .route('/', paymentRoutes)
    .route('/', flashSalePurchaseRoutes)
    .route('/', flashSaleRoutes)
    .route('/', bargainRoutes)
    .route('/', groupBuyRoutes)
    .route('/', pointsRoutes)
    .route('/', checkInRoutes)
    .route('/', membershipRoutes)
    .route('/', pointsMallRoutes)
    .route('/', couponRoutes)
    .route('/admin/api', adminApiRoutes)
    .route('/admin/api', adminOrderRoutes)
    .route('/admin/api', adminFlashSaleRoutes)
    .route('/admin/api', adminBargainRoutes)
    .route('/admin/api', adminGroupBuyRoutes)
    .route('/admin/api', adminFulfilmentRoutes)
    .route('/admin/api', adminLoyaltyRoutes)
    .route('/admin/api', adminCouponRoutes)
    .route('/admin/api', adminPromotionRoutes)
    .route('/admin', adminPageRoutes)
    // The document of every route above and these two; built once per app, on first request.
    .route(
      '/',
      apiDocsRoutes(() => (apiDoc ??= apiDocument(app))),
    );

  // Refusals made before a route answers (body limit, unknown path or method) speak the caller's
  // language: WeChat Pay's {"code":"FAIL"} on its callback paths, the API's error shape elsewhere.
  const refuse = (c: Context<AppEnv>, apiError: ApiError) =>
    c.json(isWeChatPayCallback(c.req.path) ? weChatPayFailure(apiError.message) : apiError.toBody(c.var.requestId), apiError.status, apiError.headers);
  app.notFound((c) => refuse(c, new ApiError(404, 'not_found', `No route for ${c.req.method} ${c.req.path}.`)));
  app.onError((error, c) => {
    if (!(error instanceof ApiError) && !(error instanceof HTTPException)) {
      logEvent('error', 'unhandled error', { method: c.req.method, path: c.req.path, error: errorFields(error) });
    }
    return refuse(c, toApiError(error));
  });
  return routes;
}

export type AppType = ReturnType<typeof createApp>;

function allowedAdminOrigins(configured: string | undefined): string[] {
  return (configured ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) {
    // Hono raises these for bodies it cannot parse (malformed JSON, wrong Content-Type).
    if (error.status === 400 || error.status === 415) {
      return new ApiError(400, 'invalid_input', error.message || 'The request body is not valid JSON.', [{ path: 'body', message: error.message }]);
    }
    return new ApiError(error.status as ApiError['status'], 'http_error', error.message);
  }
  return new ApiError(500, 'internal_error', 'Something went wrong on our side.');
}
