// Parcel tracking: every express package is subscribed at the provider (快递100 protocol, through
// the outbox); signed pushes and, when they stop coming, polls store the carrier's events as the
// order's timeline; a delivered package is booked once (markPackageDelivered). The sweep also
// confirms receipt for shoppers who do not: N days after the last delivery, or M days after
// shipping when no carrier ever reported (fulfilment settings). A shopper's return parcel is
// tracked the same way; its delivery to the merchant starts the after-sale's auto-refund timer.
import { and, asc, eq, inArray, isNotNull, isNull, lte, or, sql } from 'drizzle-orm';
import { orders, outbox } from '../db/orders';
import { carriers, shipments, trackingEvents } from '../db/shipping';
import type { Db } from '../db/client';
import type { Env } from '../env';
import type { Clock } from '../lib/clock';
import { toIso } from '../lib/clock';
import { ApiError } from '../lib/errors';
import { newId } from '../lib/ids';
import { logEvent } from '../lib/log';
import { DELIVERED_STATE, Kuaidi100Client, md5UpperHex, verifiedPush, type TrackingResult } from '../tracking/kuaidi100';
import { markPackageDelivered } from './shipping-uploads';
import { getFulfilmentSettings } from './fulfilment-settings';
import { applyTransition } from './order-transitions';
import { returnParcelDelivered } from './after-sale-returns';
import { afterSales } from '../db/after-sales';

const DAY_MS = 86_400_000;
type Deps = { db: Db; env: Env; clock: Clock };

export function trackingClientOf(env: Env): Kuaidi100Client | null {
  if (!env.TRACKING_API_BASE || !env.TRACKING_KEY || !env.TRACKING_CUSTOMER) return null;
  return new Kuaidi100Client({ apiBase: env.TRACKING_API_BASE, key: env.TRACKING_KEY, customer: env.TRACKING_CUSTOMER });
}

/** The push salt of one package: derived from our key, so a push for one package cannot pass as another's. */
const saltOf = async (env: Env, packageId: string) => (await md5UpperHex(`${env.TRACKING_KEY ?? ''}:${packageId}`)).slice(0, 24);

export const subscribeTrackingStatement = (db: Db, shipmentId: string, now: number) =>
  db.insert(outbox).values({ id: newId('obx'), kind: 'subscribe_tracking', subjectId: shipmentId, nextAttemptAt: now, createdAt: now, updatedAt: now });

/** The outbox's subscription of one package at the provider (none configured: nothing to do). */
export async function subscribeTracking({ db, env }: Deps, shipmentId: string, now: number) {
  const client = trackingClientOf(env);
  const shipment = await db.query.shipments.findFirst({ where: eq(shipments.id, shipmentId) });
  if (!client || !shipment?.carrierId || !shipment.trackingNo || !env.PUBLIC_BASE_URL) return;
  const callback = `${env.PUBLIC_BASE_URL.replace(/\/+$/, '')}/tracking/kuaidi100/notify/${shipment.id}`;
  await client.subscribe(shipment.carrierId, shipment.trackingNo, callback, await saltOf(env, shipment.id));
  await db.update(shipments).set({ trackingSubscribedAt: now }).where(eq(shipments.id, shipmentId));
}

/** Stores the events (a replay adds nothing) and the state; a delivery is booked once. */
async function applyTracking(db: Db, shipment: typeof shipments.$inferSelect, result: TrackingResult, now: number) {
  const rows = result.events.map((e) => ({
    id: newId('trk'),
    shipmentId: shipment.id,
    orderId: shipment.orderId,
    eventTime: e.time,
    context: e.context.slice(0, 500),
    state: e.state,
    createdAt: now,
  }));
  for (let i = 0; i < rows.length; i += 10)
    await db
      .insert(trackingEvents)
      .values(rows.slice(i, i + 10))
      .onConflictDoNothing();
  await db.update(shipments).set({ trackingState: result.state, trackingCheckedAt: now }).where(eq(shipments.id, shipment.id));
  if (result.state === DELIVERED_STATE) await markPackageDelivered(db, shipment.id, now, now);
}

const badSignature = () => new ApiError(400, 'bad_signature', 'The push is not signed for this package.');

/** A signed push from the provider: applied when its signature holds for this package (else 400). */
export async function receiveTrackingPush(db: Db, env: Env, packageId: string, form: { param: string; sign: string }, now: number) {
  const shipment = await db.query.shipments.findFirst({ where: eq(shipments.id, packageId) });
  const result = shipment ? await verifiedPush(form.param, form.sign, await saltOf(env, packageId)) : null;
  if (!shipment || !result) throw badSignature();
  await applyTracking(db, shipment, result, now);
}

// ---------------------------------------------------------------- the shopper's return parcels

export const subscribeReturnTrackingStatement = (db: Db, afterSaleId: string, now: number) =>
  db.insert(outbox).values({ id: newId('obx'), kind: 'subscribe_return_tracking', subjectId: afterSaleId, nextAttemptAt: now, createdAt: now, updatedAt: now });

/** The outbox's subscription of a return parcel (the carrier and number the shopper posted). */
export async function subscribeReturnTracking({ db, env }: Deps, afterSaleId: string, now: number) {
  const client = trackingClientOf(env);
  const row = await db.query.afterSales.findFirst({ where: eq(afterSales.id, afterSaleId) });
  if (!client || !row?.returnCarrierId || !row.returnTrackingNo || !env.PUBLIC_BASE_URL) return;
  const callback = `${env.PUBLIC_BASE_URL.replace(/\/+$/, '')}/tracking/kuaidi100/return-notify/${row.id}`;
  await client.subscribe(row.returnCarrierId, row.returnTrackingNo, callback, await saltOf(env, row.id));
  await db.update(afterSales).set({ returnTrackingSubscribedAt: now }).where(eq(afterSales.id, row.id));
}

/** A return parcel's state: once delivered to the merchant, the auto-refund timer counts from then. */
async function applyReturnTracking(db: Db, row: typeof afterSales.$inferSelect, result: TrackingResult, now: number) {
  await db.update(afterSales).set({ returnTrackingCheckedAt: now }).where(eq(afterSales.id, row.id));
  if (result.state === DELIVERED_STATE) await returnParcelDelivered(db, row.id, now);
}

/** A signed push about a return parcel (the after-sale's own salt), else 400. */
export async function receiveReturnTrackingPush(db: Db, env: Env, afterSaleId: string, form: { param: string; sign: string }, now: number) {
  const row = await db.query.afterSales.findFirst({ where: eq(afterSales.id, afterSaleId) });
  const result = row ? await verifiedPush(form.param, form.sign, await saltOf(env, afterSaleId)) : null;
  if (!row || !result) throw badSignature();
  await applyReturnTracking(db, row, result, now);
}

/** The polling fallback for return parcels still on their way back. */
async function pollSilentReturns(db: Db, client: Kuaidi100Client, now: number, batchSize: number) {
  const silent = await db
    .select()
    .from(afterSales)
    .where(
      and(
        eq(afterSales.status, 'returned'),
        isNull(afterSales.returnDeliveredAt),
        isNotNull(afterSales.returnTrackingSubscribedAt),
        or(isNull(afterSales.returnTrackingCheckedAt), lte(afterSales.returnTrackingCheckedAt, now - POLL_AFTER_SILENCE_MS)),
        lte(afterSales.returnTrackingSubscribedAt, now - POLL_AFTER_SILENCE_MS),
      ),
    )
    .limit(batchSize);
  for (const row of silent) {
    try {
      await applyReturnTracking(db, row, await client.query(row.returnCarrierId!, row.returnTrackingNo!), now);
    } catch (error) {
      await db.update(afterSales).set({ returnTrackingCheckedAt: now }).where(eq(afterSales.id, row.id));
      logEvent('warn', 'return tracking poll failed', { after_sale_id: row.id, error });
    }
  }
  return silent.length;
}

const POLL_AFTER_SILENCE_MS = 4 * 3600_000;

/** The polling fallback: subscribed, undelivered packages nobody has heard of for a while. */
export async function pollSilentTracking({ db, env }: Deps, now: number, batchSize = 10) {
  const client = trackingClientOf(env);
  if (!client) return 0;
  const silent = await db
    .select()
    .from(shipments)
    .where(
      and(
        eq(shipments.method, 'express'),
        isNull(shipments.deliveredAt),
        isNotNull(shipments.trackingSubscribedAt),
        or(isNull(shipments.trackingCheckedAt), lte(shipments.trackingCheckedAt, now - POLL_AFTER_SILENCE_MS)),
        lte(shipments.shippedAt, now - POLL_AFTER_SILENCE_MS),
      ),
    )
    .limit(batchSize);
  for (const shipment of silent) {
    try {
      await applyTracking(db, shipment, await client.query(shipment.carrierId!, shipment.trackingNo!), now);
    } catch (error) {
      await db.update(shipments).set({ trackingCheckedAt: now }).where(eq(shipments.id, shipment.id));
      logEvent('warn', 'tracking poll failed', { package_id: shipment.id, error });
    }
  }
  return silent.length + (await pollSilentReturns(db, client, now, batchSize));
}

/** The order's tracking timeline: each package with its events, newest first. */
export async function trackingTimeline(db: Db, orderId: string) {
  const packages = await db.select().from(shipments).where(eq(shipments.orderId, orderId)).orderBy(asc(shipments.seq));
  const [events, carrierRows] = await Promise.all([
    db.select().from(trackingEvents).where(eq(trackingEvents.orderId, orderId)),
    db
      .select()
      .from(carriers)
      .where(
        inArray(
          carriers.id,
          packages.map((p) => p.carrierId ?? ''),
        ),
      ),
  ]);
  const names = new Map(carrierRows.map((c) => [c.id, c.name]));
  return {
    order_id: orderId,
    packages: packages.map((p) => ({
      package_id: p.id,
      seq: p.seq,
      method: p.method,
      carrier: p.carrierId ? { id: p.carrierId, name: names.get(p.carrierId) ?? p.carrierId } : null,
      tracking_no: p.trackingNo,
      state: p.trackingState,
      shipped_at: toIso(p.shippedAt),
      delivered_at: toIso(p.deliveredAt),
      events: events
        .filter((e) => e.shipmentId === p.id)
        .sort((a, b) => b.eventTime.localeCompare(a.eventTime))
        .map((e) => ({ time: e.eventTime, context: e.context, state: e.state })),
    })),
  };
}

/**
 * Confirms receipt for shipped orders whose shopper did not: every package delivered more than N
 * days ago, or shipped more than M days ago with no delivery ever reported.
 */
export async function autoConfirmReceipts(db: Db, now: number, batchSize = 50) {
  const settings = await getFulfilmentSettings(db);
  const deliveredBefore = now - settings.autoConfirmDaysAfterDelivery * DAY_MS;
  const shippedBefore = now - settings.autoConfirmDaysWithoutTracking * DAY_MS;
  const due = await db
    .select()
    .from(orders)
    .where(
      and(
        eq(orders.status, 'shipped'),
        sql`(
          (NOT EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = ${orders.id} AND s.delivered_at IS NULL)
            AND (SELECT MAX(s.delivered_at) FROM shipments s WHERE s.order_id = ${orders.id}) <= ${deliveredBefore})
          OR (NOT EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = ${orders.id} AND s.delivered_at IS NOT NULL)
            AND COALESCE((SELECT MAX(s.shipped_at) FROM shipments s WHERE s.order_id = ${orders.id}), ${orders.shippedAt}) <= ${shippedBefore})
        )`,
      ),
    )
    .limit(batchSize);
  let confirmed = 0;
  for (const order of due) {
    try {
      await applyTransition(db, order, { event: 'confirm_receipt', actor: { type: 'system', id: null }, reason: 'Receipt confirmed automatically', set: { completedAt: now } }, now);
      confirmed++;
    } catch (error) {
      logEvent('warn', 'auto-confirm skipped', { order_id: order.id, error }); // changed meanwhile (e.g. a refund): fine
    }
  }
  return confirmed;
}
