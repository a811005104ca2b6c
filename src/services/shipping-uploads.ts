// Telling WeChat what shipped (发货信息管理): every package is uploaded through the outbox (its row
// written in the package's own batch), stating all packages so far with is_all_delivered on the
// last; upload_time always later than the previous one; the one re-shipping correction guarded in
// D1 before WeChat is called; "payment not known yet" (10060001) retried with the outbox's backoff,
// any other refusal left dead in the outbox for the admin list of failed uploads and its retry
// button. get_order reconciles WeChat's view on the sweep; notify_confirm_receive goes once, when
// every package has been delivered.
import { and, asc, desc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { orders, outbox, payments } from '../db/orders';
import { shipments, shippingUploads } from '../db/shipping';
import { abortUnlessChanged, runBatch, type Statement } from '../db/batch';
import type { Db } from '../db/client';
import type { Env } from '../env';
import type { Clock } from '../lib/clock';
import { toIso } from '../lib/clock';
import { conflict, notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { logEvent } from '../lib/log';
import { getShippingOrder, notifyConfirmReceive, uploadShippingInfo, type ServerApi } from '../wechat/order-shipping';
import { loginClientOf } from './wechat';
import { orderPage, subscribeMessageStatements } from './subscribe-messages';

export const shippingOutboxKinds = ['upload_shipping', 'correct_shipping', 'notify_confirm_receive'] as const;
type ShippingOutboxKind = (typeof shippingOutboxKinds)[number];
type Deps = { db: Db; env: Env; clock: Clock };

/** The outbox row that uploads a new package (in the package's batch). */
export const uploadShipmentStatement = (db: Db, shipmentId: string, now: number): Statement =>
  db.insert(outbox).values({ id: newId('obx'), kind: 'upload_shipping', subjectId: shipmentId, nextAttemptAt: now, createdAt: now, updatedAt: now });

async function paidPaymentOf(db: Db, orderId: string) {
  const payment = await db.query.payments.findFirst({ where: and(eq(payments.orderId, orderId), eq(payments.status, 'succeeded')) });
  if (!payment?.payerOpenid) throw new Error(`order ${orderId}: no successful payment to report shipping for`);
  return payment;
}

/** Uploads every package of the order so far; books what WeChat now knows. */
async function uploadPackages({ db, env, clock }: Deps, orderId: string, now: number) {
  const [order, payment, packages, state] = await Promise.all([
    db.query.orders.findFirst({ where: eq(orders.id, orderId) }),
    paidPaymentOf(db, orderId),
    db.select().from(shipments).where(eq(shipments.orderId, orderId)).orderBy(asc(shipments.seq)),
    db.query.shippingUploads.findFirst({ where: eq(shippingUploads.orderId, orderId) }),
  ]);
  if (!order || packages.length === 0) return;
  // Each upload must carry a later upload_time than the last (WeChat refuses an equal one).
  const uploadTimeMs = Math.max(now, (state?.lastUploadTime ?? 0) + 1000);
  await uploadShippingInfo(loginClientOf(env, db, clock), {
    mchid: env.WECHAT_PAY_MCHID ?? '',
    outTradeNo: payment.outTradeNo,
    payerOpenid: payment.payerOpenid!,
    receiverPhone: order.address.phone,
    uploadTimeMs,
    packages: packages.map((p) => ({ method: p.method, carrierId: p.carrierId, trackingNo: p.trackingNo, itemDesc: p.itemDesc, completesOrder: p.completesOrder === 1 })),
  });
  const uploadedSeq = packages[packages.length - 1]!.seq;
  await db
    .insert(shippingUploads)
    .values({ orderId, uploadedSeq, lastUploadTime: uploadTimeMs, updatedAt: now })
    .onConflictDoUpdate({ target: shippingUploads.orderId, set: { uploadedSeq: sql`MAX(uploaded_seq, ${uploadedSeq})`, lastUploadTime: uploadTimeMs, updatedAt: now } });
}

/** The outbox's upload of one package; skipped when a later package's upload already stated it. */
export async function uploadShipment(deps: Deps, shipmentId: string, now: number) {
  const shipment = await deps.db.query.shipments.findFirst({ where: eq(shipments.id, shipmentId) });
  if (!shipment) return;
  const state = await deps.db.query.shippingUploads.findFirst({ where: eq(shippingUploads.orderId, shipment.orderId) });
  if (state && state.uploadedSeq >= shipment.seq) return;
  await uploadPackages(deps, shipment.orderId, now);
}

/** The outbox's upload of a correction (the payment's one re-shipping). */
export const uploadCorrection = (deps: Deps, orderId: string, now: number) => uploadPackages(deps, orderId, now);

export async function confirmReceiveReminder({ db, env, clock }: Deps, orderId: string) {
  const [payment, last] = await Promise.all([paidPaymentOf(db, orderId), db.query.shipments.findFirst({ where: eq(shipments.orderId, orderId), orderBy: desc(shipments.deliveredAt) })]);
  await notifyConfirmReceive(loginClientOf(env, db, clock), env.WECHAT_PAY_MCHID ?? '', payment.outTradeNo, last?.deliveredAt ?? clock.now());
}

/**
 * The merchant corrects a package's carrier or tracking number after it was uploaded: WeChat
 * allows one re-shipping per payment, so the second correction is refused here (409) without
 * calling WeChat. The guard (correction_used 0 → 1), the package and the outbox row share a batch.
 */
export async function correctShipment(db: Db, orderId: string, shipmentId: string, change: { carrierId: string; trackingNo: string }, now: number) {
  const shipment = await db.query.shipments.findFirst({ where: and(eq(shipments.id, shipmentId), eq(shipments.orderId, orderId)) });
  if (!shipment) throw notFound('Package');
  if (shipment.method !== 'express') throw conflict('not_express', 'Only express packages have a carrier and tracking number.');
  const state = await db.query.shippingUploads.findFirst({ where: eq(shippingUploads.orderId, orderId) });
  const update = db.update(shipments).set({ carrierId: change.carrierId, trackingNo: change.trackingNo }).where(eq(shipments.id, shipmentId));
  // Not uploaded yet: the pending upload will carry the corrected package; nothing is spent.
  if (!state || state.uploadedSeq < shipment.seq) return void (await runBatch(db, [update]));
  if (state.correctionUsed) throw conflict('reshipping_used', 'WeChat allows one shipping correction per payment, and it has been used.');
  try {
    await runBatch(db, [
      db
        .update(shippingUploads)
        .set({ correctionUsed: 1, updatedAt: now })
        .where(and(eq(shippingUploads.orderId, orderId), eq(shippingUploads.correctionUsed, 0))),
      abortUnlessChanged(),
      update,
      db.insert(outbox).values({ id: newId('obx'), kind: 'correct_shipping', subjectId: orderId, nextAttemptAt: now, createdAt: now, updatedAt: now }),
    ]);
  } catch (error) {
    // A concurrent correction took the chance first.
    throw /batch_assertions|outbox\.kind, outbox\.subject_id/.test(`${(error as Error)?.message} ${String((error as { cause?: unknown })?.cause)}`)
      ? conflict('reshipping_used', 'WeChat allows one shipping correction per payment, and it has been used.')
      : error;
  }
}

/**
 * A package reached the shopper (reported by the carrier): booked once; when it is the order's
 * last undelivered package, WeChat's reminder to confirm receipt is queued (once per order).
 */
export async function markPackageDelivered(db: Db, shipmentId: string, deliveredAt: number, now: number): Promise<boolean> {
  const shipment = await db.query.shipments.findFirst({ where: eq(shipments.id, shipmentId) });
  if (!shipment || shipment.deliveredAt !== null) return false;
  const order = (await db.query.orders.findFirst({ where: eq(orders.id, shipment.orderId) }))!;
  await runBatch(db, [
    ...subscribeMessageStatements(
      db,
      { userId: order.userId, key: 'order_delivered', subjectId: shipment.id, values: [order.orderNo, shipment.itemDesc, deliveredAt], page: orderPage(order.id) },
      now,
    ),
    db
      .update(shipments)
      .set({ deliveredAt })
      .where(and(eq(shipments.id, shipmentId), isNull(shipments.deliveredAt))),
    sql`INSERT INTO outbox (id, kind, subject_id, status, attempts, next_attempt_at, created_at, updated_at)
        SELECT ${newId('obx')}, 'notify_confirm_receive', ${shipment.orderId}, 'pending', 0, ${now}, ${now}, ${now}
        WHERE (SELECT status FROM orders WHERE id = ${shipment.orderId}) = 'shipped'
          AND NOT EXISTS (SELECT 1 FROM shipments WHERE order_id = ${shipment.orderId} AND delivered_at IS NULL)
        ON CONFLICT (kind, subject_id) DO NOTHING`,
  ]);
  return true;
}

// ---------------------------------------------------------------- admin: failed uploads, reconciliation

/** Uploads WeChat refused for good (or after every retry): what the merchant must look at. */
export async function failedShippingUploads(db: Db) {
  const rows = await db
    .select({ row: outbox, packageOrderId: shipments.orderId })
    .from(outbox)
    // A package's upload names the package; the other kinds name the order.
    .leftJoin(shipments, and(eq(outbox.kind, 'upload_shipping'), eq(shipments.id, outbox.subjectId)))
    .where(and(inArray(outbox.kind, [...shippingOutboxKinds]), eq(outbox.status, 'dead')))
    .orderBy(desc(outbox.updatedAt))
    .limit(100);
  const mismatched = await db.select().from(shippingUploads).where(sql`${shippingUploads.mismatch} IS NOT NULL`).limit(100);
  return {
    items: rows.map(({ row: r, packageOrderId }) => ({
      id: r.id,
      // The query takes these kinds only.
      kind: r.kind as ShippingOutboxKind,
      subject_id: r.subjectId,
      order_id: packageOrderId ?? r.subjectId,
      attempts: r.attempts,
      last_error: r.lastError,
      failed_at: toIso(r.updatedAt),
    })),
    mismatches: mismatched.map((m) => ({ order_id: m.orderId, wechat_order_state: m.wechatOrderState, mismatch: m.mismatch, checked_at: toIso(m.checkedAt) })),
  };
}

export type FailedShippingUploads = Awaited<ReturnType<typeof failedShippingUploads>>;

/** The retry button: a dead upload goes back to the outbox, due now. */
export async function retryShippingUpload(db: Db, outboxId: string, now: number) {
  const changed = await db
    .update(outbox)
    .set({ status: 'pending', attempts: 0, nextAttemptAt: now, updatedAt: now })
    .where(and(eq(outbox.id, outboxId), eq(outbox.status, 'dead'), inArray(outbox.kind, [...shippingOutboxKinds])))
    .returning({ id: outbox.id });
  if (changed.length === 0) throw notFound('Failed shipping upload');
}

const RECONCILE_EVERY_MS = 6 * 3600_000;

/** WeChat's states that mean it has the shipping: 已发货, 确认收货, 交易完成, 已退款, 资金待结算. */
const shippedAtWeChat = (state: number) => state >= 2;

/** get_order for uploaded orders not checked lately: books WeChat's state and any disagreement. */
export async function reconcileShippingUploads(deps: Deps, now: number, batchSize = 10) {
  const due = await deps.db
    .select({ upload: shippingUploads, order: { status: orders.status }, outTradeNo: payments.outTradeNo })
    .from(shippingUploads)
    .innerJoin(orders, eq(orders.id, shippingUploads.orderId))
    .innerJoin(payments, and(eq(payments.orderId, orders.id), eq(payments.status, 'succeeded')))
    .where(and(sql`${shippingUploads.uploadedSeq} > 0`, or(isNull(shippingUploads.checkedAt), lte(shippingUploads.checkedAt, now - RECONCILE_EVERY_MS))))
    .limit(batchSize);
  if (due.length === 0) return { checked: 0, mismatched: 0 };
  const api: ServerApi = loginClientOf(deps.env, deps.db, deps.clock);
  let mismatched = 0;
  for (const row of due) {
    try {
      const order = await getShippingOrder(api, deps.env.WECHAT_PAY_MCHID ?? '', row.outTradeNo);
      const fullyShipped = row.order.status === 'shipped' || row.order.status === 'completed';
      const mismatch = fullyShipped && !shippedAtWeChat(order.order_state) ? 'shipped here, not shipped at WeChat' : null;
      if (mismatch) mismatched++;
      await deps.db.update(shippingUploads).set({ wechatOrderState: order.order_state, checkedAt: now, mismatch, updatedAt: now }).where(eq(shippingUploads.orderId, row.upload.orderId));
    } catch (error) {
      logEvent('error', 'shipping reconciliation failed', { order_id: row.upload.orderId, error });
    }
  }
  return { checked: due.length, mismatched };
}
