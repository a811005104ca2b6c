// Bargains (砍价) for shoppers. The campaign list and detail are public and cached for a second
// (their state changes with the clock; creating or cancelling a campaign bumps the catalog
// version). Everything under /bargains/sessions is per shopper and never cached.
//   GET  /bargains                          live campaigns
//   GET  /bargains/:campaignId              one campaign
//   POST /bargains/:campaignId/sessions     launch (Idempotency-Key)          → 201 {session}
//   GET  /bargains/sessions                 the signed-in shopper's sessions
//   GET  /bargains/sessions/:sessionId      any signed-in shopper with the link
//   POST /bargains/sessions/:sessionId/help one cut                           → 201 {cut_fen, session}
//   POST /bargains/sessions/:sessionId/buy  the owner buys (Idempotency-Key)  → 201 {order}
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../src/env';
import { rateLimit } from '../src/lib/rate-limit';
import { idempotencyHeader, idOf, noBody, pageQuery, queryInt, validate } from '../src/lib/validate';
import { storefrontBargain, storefrontBargains } from '../src/marketing/bargain/campaigns';
import { buyBargain } from '../src/marketing/bargain/orders';
import { findSessionRow, helpSession, launchSession, listOwnSessions, sessionState, sessionView } from '../src/marketing/bargain/sessions';
import { cachedCatalogResponse } from '../src/http/catalog-cache';
import { createContextOf } from '../src/services/orders';
import { orderView } from '../src/services/order-views';
import { requireShopper } from '../src/http/auth';

const freshness = cachedCatalogResponse({ sMaxAgeSeconds: 1, maxAgeSeconds: 1 });
const campaignParam = validate('param', v.object({ campaignId: idOf('bgn') }));
const sessionParam = validate('param', v.object({ sessionId: idOf('bgs') }));
const noQuery = validate('query', v.strictObject({}));
/** Each listed session is read from its own object: pages are kept small. */
const sessionPageQuery = v.strictObject({ ...pageQuery, limit: v.optional(queryInt(1, 20), '10') });

const claimLimit = rateLimit('claim');

const replayed = (created: boolean): Record<string, string> => (created ? {} : { 'Idempotent-Replayed': 'true' });

export const bargainRoutes = new Hono<AppEnv>()
  .get('/bargains', freshness, validate('query', v.strictObject({ ...pageQuery })), async (c) => {
    const q = c.req.valid('query');
    return c.json(await storefrontBargains(c.var.db, { cursor: q.cursor, limit: q.limit, now: c.var.clock.now() }));
  })
  // Before /bargains/:campaignId, so "sessions" is never read as a campaign id.
  .get('/bargains/sessions', requireShopper(), validate('query', sessionPageQuery), async (c) => {
    const q = c.req.valid('query');
    return c.json(await listOwnSessions(c.env, c.var.db, { ownerId: c.var.shopper.id, cursor: q.cursor, limit: q.limit, now: c.var.clock.now() }));
  })
  .get('/bargains/sessions/:sessionId', requireShopper(), sessionParam, noQuery, async (c) => {
    const { sessionId } = c.req.valid('param');
    await findSessionRow(c.var.db, sessionId); // 404 before an object is set up for an id D1 does not know
    return c.json(sessionView(await sessionState(c.env, c.var.db, sessionId), c.var.shopper.id, c.var.clock.now()));
  })
  .post('/bargains/sessions/:sessionId/help', claimLimit, requireShopper(), sessionParam, noBody, async (c) => {
    const now = c.var.clock.now();
    const { cutFen, state } = await helpSession(
      c.env,
      { db: c.var.db, helperId: c.var.shopper.id, now, timeZone: c.env.SHOP_TIME_ZONE, afterReply: (work) => c.executionCtx.waitUntil(work) },
      c.req.valid('param').sessionId,
    );
    return c.json({ cut_fen: cutFen, session: sessionView(state, c.var.shopper.id, now) }, 201);
  })
  .post('/bargains/sessions/:sessionId/buy', requireShopper(), sessionParam, idempotencyHeader, validate('json', v.strictObject({ address_id: v.optional(idOf('adr')) })), async (c) => {
    const { sessionId } = c.req.valid('param');
    const body = c.req.valid('json');
    const { order, created } = await buyBargain(c.env, await createContextOf(c, c.req.valid('header')['idempotency-key'], { bargain_session_id: sessionId, ...body }), {
      sessionId,
      addressId: body.address_id,
    });
    return c.json({ order: await orderView(c.var.db, order, 'shopper') }, 201, replayed(created));
  })
  .get('/bargains/:campaignId', freshness, campaignParam, noQuery, async (c) => c.json(await storefrontBargain(c.var.db, c.req.valid('param').campaignId, c.var.clock.now())))
  .post('/bargains/:campaignId/sessions', claimLimit, requireShopper(), campaignParam, idempotencyHeader, noBody, async (c) => {
    const now = c.var.clock.now();
    const ctx = { db: c.var.db, ownerId: c.var.shopper.id, now, idempotencyKey: c.req.valid('header')['idempotency-key'] };
    const { state, created } = await launchSession(c.env, ctx, c.req.valid('param').campaignId);
    return c.json({ session: sessionView(state, c.var.shopper.id, now) }, 201, replayed(created));
  });
