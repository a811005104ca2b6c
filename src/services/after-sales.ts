// After-sales (售后): a shopper's request about some lines of an order (money only, return for a
// refund, or exchange), the merchant's decisions, the shopper's return shipment, the timers the
// sweep runs, and the refund — sent through the same refund path as every other (refunds table,
// outbox, WeChat Pay, applyRefundResult → order ledgers), so it reverses once per refund id.
// Every change asks the transition table (src/domain/after-sale.ts) and is guarded in SQL on the
// status it was read in, so two concurrent approvals make exactly one refund.
import { and, asc, desc, eq, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import * as v from 'valibot';
import { afterSaleLines, afterSales } from '../db/after-sales';
import { orderItems, outbox, refunds } from '../db/orders';
import type { ReturnAddress } from '../db/shipping';
import { abortUnlessChanged, runBatch, type Statement } from '../db/batch';
import type { Db } from '../db/client';
import { afterSaleTransition, claimingStatuses, DAY_MS, lineShareFen, MAX_REJECTIONS, type AfterSaleEvent, type AfterSaleStatus, type AfterSaleType } from '../domain/after-sale';
import { toIso } from '../lib/clock';
import { decodeCursor, encodeCursor } from '../lib/cursor';
import { ApiError, businessRule, conflict, invalidInput, notFound, type ErrorDetail } from '../lib/errors';
import { newId } from '../lib/ids';
import { logEvent } from '../lib/log';
import { findOrder, refundDecisionStatements, requestHash } from './orders';
import { transitionStatements, type Actor, type OrderRow } from './order-transitions';
import { resolveCarrier, shippedSoFar } from './shipments';
import { getFulfilmentSettings } from './fulfilment-settings';
import { exchangePackageStatements, exchangePackageView } from './exchange-shipments';
import { afterSalePage, subscribeMessageStatements } from './subscribe-messages';
import { subscribeReturnTrackingStatement } from './tracking';

type AfterSaleRow = typeof afterSales.$inferSelect;

export type AfterSaleInput = {
  type: AfterSaleType;
  lines: { order_item_id: string; quantity: number }[];
  reason: string;
  description?: string;
  image_urls?: string[];
};

/** Per order line: units ordered, shipped, asked back as money only (unshipped units) and as returns (shipped units). */
async function claimsOf(db: Db, orderId: string) {
  const [items, shippedOf, claimed] = await Promise.all([
    db.select().from(orderItems).where(eq(orderItems.orderId, orderId)).orderBy(asc(orderItems.id)),
    shippedSoFar(db, orderId),
    db
      .select({ id: afterSaleLines.orderItemId, type: afterSales.type, n: sql<number>`SUM(${afterSaleLines.quantity})` })
      .from(afterSaleLines)
      .innerJoin(afterSales, eq(afterSales.id, afterSaleLines.afterSaleId))
      .where(and(eq(afterSales.orderId, orderId), inArray(afterSales.status, [...claimingStatuses])))
      .groupBy(afterSaleLines.orderItemId, afterSales.type),
  ]);
  return new Map(
    items.map((item) => {
      const of = (type: AfterSaleType) => Number(claimed.find((c) => c.id === item.id && c.type === type)?.n ?? 0);
      const refundOnly = of('refund_only');
      const returned = of('return_refund') + of('exchange');
      const shippedUnits = shippedOf.get(item.id) ?? 0;
      return [item.id, { item, shipped: shippedUnits, claimed: refundOnly + returned, refundable: item.quantity - shippedUnits - refundOnly, returnable: shippedUnits - returned }];
    }),
  );
}

const requestableOrderStatuses: readonly OrderRow['status'][] = ['paid', 'partially_shipped', 'shipped', 'completed', 'partially_refunded', 'refund_rejected'];

/** A shopper asks for after-sales on lines of their order; idempotent by Idempotency-Key. */
export async function requestAfterSale(db: Db, userId: string, orderId: string, input: AfterSaleInput, idempotencyKey: string, now: number) {
  const hash = await requestHash({ orderId, ...input });
  const earlier = await db.query.afterSales.findFirst({ where: and(eq(afterSales.userId, userId), eq(afterSales.idempotencyKey, idempotencyKey)) });
  if (earlier) {
    if (earlier.requestHash !== hash) throw businessRule('idempotency_key_reused', 'This Idempotency-Key was used for a different request.');
    return { afterSale: earlier, created: false };
  }
  const order = await findOrder(db, orderId, userId);
  if (!requestableOrderStatuses.includes(order.status)) throw conflict('illegal_transition', `An order that is ${order.status} cannot have after-sales.`);
  const settings = await getFulfilmentSettings(db);
  if (order.completedAt && now > order.completedAt + settings.afterSaleWindowDays * DAY_MS) {
    throw businessRule('after_sale_window_closed', `After-sales can be asked for up to ${settings.afterSaleWindowDays} days after receipt.`);
  }
  const claims = await claimsOf(db, order.id);
  const problems: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const [i, line] of input.lines.entries()) {
    const claim = claims.get(line.order_item_id);
    const path = `body.lines.${i}`;
    if (!claim) {
      problems.push({ path: `${path}.order_item_id`, message: 'not an item of this order' });
    } else if (seen.has(line.order_item_id)) {
      problems.push({ path: `${path}.order_item_id`, message: 'listed twice' });
    } else {
      const most = input.type === 'refund_only' ? claim.refundable : claim.returnable;
      const why = input.type === 'refund_only' ? 'not yet shipped and not yet asked back' : 'shipped and not yet returned';
      if (line.quantity > most) problems.push({ path: `${path}.quantity`, message: `at most ${Math.max(0, most)} (${why})` });
    }
    seen.add(line.order_item_id);
  }
  if (problems.length) throw invalidInput(problems, 'The request does not fit what can be asked back.');
  const rejected = await db
    .select({ n: sql<number>`count(DISTINCT ${afterSales.id})` })
    .from(afterSales)
    .innerJoin(afterSaleLines, eq(afterSaleLines.afterSaleId, afterSales.id))
    .where(
      and(
        eq(afterSales.orderId, order.id),
        eq(afterSales.status, 'rejected'),
        inArray(
          afterSaleLines.orderItemId,
          input.lines.map((l) => l.order_item_id),
        ),
      ),
    );
  if (Number(rejected[0]?.n ?? 0) >= MAX_REJECTIONS) throw businessRule('ask_again_used', 'These items were already refused twice; contact the shop.');

  const id = newId('afs');
  const lines = input.lines.map((l) => {
    const claim = claims.get(l.order_item_id)!;
    return {
      afterSaleId: id,
      orderItemId: l.order_item_id,
      quantity: l.quantity,
      amountFen: lineShareFen({ payableFen: claim.item.payableFen, quantity: claim.item.quantity }, claim.claimed, l.quantity),
    };
  });
  try {
    await runBatch(db, [
      db.insert(afterSales).values({
        id,
        orderId: order.id,
        userId,
        type: input.type,
        status: 'requested',
        reason: input.reason,
        description: input.description ?? '',
        imageUrls: input.image_urls ?? [],
        amountFen: lines.reduce((sum, l) => sum + l.amountFen, 0),
        dueAt: now + settings.autoApproveDays * DAY_MS,
        idempotencyKey,
        requestHash: hash,
        createdAt: now,
        updatedAt: now,
      }),
      ...lines.map((l) => db.insert(afterSaleLines).values(l)),
    ]);
  } catch (error) {
    const text = `${(error as Error)?.message} ${String((error as { cause?: unknown })?.cause)}`;
    if (/after_sales\.user_id, after_sales\.idempotency_key/.test(text)) return requestAfterSale(db, userId, orderId, input, idempotencyKey, now);
    if (/after_sale_over_quantity/.test(text)) throw new ApiError(409, 'concurrent_change', 'Another request for these items was made at the same time; reload and try again.');
    throw error;
  }
  return { afterSale: (await db.query.afterSales.findFirst({ where: eq(afterSales.id, id) }))!, created: true };
}

export async function findAfterSale(db: Db, id: string, userId?: string): Promise<AfterSaleRow> {
  const row = await db.query.afterSales.findFirst({ where: userId ? and(eq(afterSales.id, id), eq(afterSales.userId, userId)) : eq(afterSales.id, id) });
  // Another shopper's request is "not found": its existence is not revealed.
  if (!row) throw notFound('After-sale');
  return row;
}

function nextAfterSaleStatus(row: AfterSaleRow, event: AfterSaleEvent): AfterSaleStatus {
  const t = afterSaleTransition(row.type, row.status, event);
  if (!t.ok) throw conflict('illegal_transition', `A ${row.type} request that is ${row.status} cannot ${event.replace(/_/g, ' ')}.`);
  return t.to;
}

/** The guarded move of one after-sale (and whatever else the same batch must do). */
function moveStatements(db: Db, row: AfterSaleRow, event: AfterSaleEvent, set: Partial<AfterSaleRow>, now: number): Statement[] {
  const to = nextAfterSaleStatus(row, event);
  return [
    db
      .update(afterSales)
      .set({ ...set, status: to, updatedAt: now })
      .where(and(eq(afterSales.id, row.id), eq(afterSales.status, row.status))),
    // Lost a race (a concurrent approval, a timer): roll the whole batch back.
    abortUnlessChanged(),
  ];
}

/**
 * The refund of an after-sale: a refund row (the shopper's, so the order follows it) and its
 * outbox row, the order moved to refunding (request + approval in one batch), and the after-sale
 * to refunding — all or nothing. The order ledgers finish it when WeChat Pay confirms.
 */
async function refundStatements(db: Db, row: AfterSaleRow, event: AfterSaleEvent, actor: Actor, now: number, set: Partial<AfterSaleRow> = {}): Promise<Statement[]> {
  const order = await findOrder(db, row.orderId);
  const refundId = newId('rfd');
  const reason = `售后 ${row.id}: ${row.reason}`.slice(0, 80);
  const requested = transitionStatements(db, order, { event: 'request_refund', actor, reason }, now);
  const approved = transitionStatements(db, { ...order, status: 'refund_requested' }, { event: 'approve_refund', actor, reason: `after-sale ${row.id}` }, now);
  return [
    db.insert(refunds).values({
      id: refundId,
      orderId: order.id,
      outRefundNo: `${order.orderNo}R${refundId.slice(-8)}`,
      amountFen: row.amountFen,
      reason,
      status: 'processing',
      initiator: 'shopper',
      decidedBy: actor.id,
      createdAt: now,
      updatedAt: now,
    }),
    ...moveStatements(db, row, event, { ...set, refundId, dueAt: null }, now),
    ...requested,
    ...approved,
    db.insert(outbox).values({ id: newId('obx'), kind: 'submit_refund', subjectId: refundId, nextAttemptAt: now, createdAt: now, updatedAt: now }),
  ];
}

// ---------------------------------------------------------------- decisions and the shopper's steps

export async function approveAfterSale(db: Db, row: AfterSaleRow, actor: Actor, now: number) {
  if (row.type === 'refund_only') {
    if (row.amountFen === 0) throw businessRule('nothing_to_refund', 'These lines were paid nothing.');
    return runBatch(db, await refundStatements(db, row, 'approve_refund', actor, now, { decisionNote: 'approved' }));
  }
  const settings = await getFulfilmentSettings(db);
  if (!settings.returnAddress) throw businessRule('return_address_missing', 'Set the return address in the fulfilment settings first.');
  await runBatch(db, [
    ...moveStatements(db, row, 'approve', { returnAddress: settings.returnAddress, decisionNote: 'approved', dueAt: now + settings.returnShipDays * DAY_MS }, now),
    ...(await decisionMessage(db, row, '已同意', '请按退货地址寄回商品', now)),
  ]);
}

export const rejectAfterSale = async (db: Db, row: AfterSaleRow, note: string, now: number) =>
  runBatch(db, [...moveStatements(db, row, 'reject', { decisionNote: note, dueAt: null }, now), ...(await decisionMessage(db, row, '已拒绝', note, now))]);

/** The merchant's decision as a subscribe message to the shopper. */
async function decisionMessage(db: Db, row: AfterSaleRow, decision: string, note: string, now: number) {
  const order = await findOrder(db, row.orderId);
  return subscribeMessageStatements(db, { userId: row.userId, key: 'after_sale_decision', subjectId: row.id, values: [order.orderNo, decision, note], page: afterSalePage(row.id) }, now);
}

export const cancelAfterSale = (db: Db, row: AfterSaleRow, now: number) => runBatch(db, moveStatements(db, row, 'cancel', { dueAt: null }, now));

export async function shipBack(db: Db, row: AfterSaleRow, input: { carrier: string; tracking_no: string }, now: number) {
  nextAfterSaleStatus(row, 'ship_back');
  const carrier = await resolveCarrier(db, input.carrier);
  const settings = await getFulfilmentSettings(db);
  // The auto-refund counts from the parcel's delivery to the merchant (tracking sets it then); if no
  // carrier ever reports, from the shop's no-tracking allowance plus the same N days as a backstop.
  const backstopDays = settings.autoConfirmDaysWithoutTracking + settings.autoRefundDaysAfterReturn;
  const dueAt = row.type === 'return_refund' ? now + backstopDays * DAY_MS : null;
  await runBatch(db, [...moveStatements(db, row, 'ship_back', { returnCarrierId: carrier.id, returnTrackingNo: input.tracking_no, dueAt }, now), subscribeReturnTrackingStatement(db, row.id, now)]);
}

/** The merchant has the goods back; restockable ones go back on sale with the refund. */
export const receiveReturn = (db: Db, row: AfterSaleRow, restock: boolean, now: number) => runBatch(db, moveStatements(db, row, 'receive', { restock: restock ? 1 : 0 }, now));

export async function refundAfterSale(db: Db, row: AfterSaleRow, actor: Actor, now: number) {
  nextAfterSaleStatus(row, 'refund');
  await runBatch(db, await refundStatements(db, row, 'refund', actor, now));
}

/**
 * A refund WeChat Pay refused, sent again: the after-sale back to refunding and the order's fresh
 * refund request approved (processing, outbox) in one batch, guarded on both, so two clicks send one.
 */
export async function retryAfterSaleRefund(db: Db, row: AfterSaleRow, actor: Actor, now: number) {
  nextAfterSaleStatus(row, 'retry_refund');
  const order = await findOrder(db, row.orderId);
  await runBatch(db, [
    ...moveStatements(db, row, 'retry_refund', {}, now),
    ...refundDecisionStatements(db, order, { id: row.refundId! }, actor, 'approve', `after-sale ${row.id}: refund sent again`, now),
  ]);
}

/** The replacement goods ship as a new package of the order (exchange-shipments.ts), in the batch that completes the exchange. */
export async function exchangeAfterSale(db: Db, row: AfterSaleRow, input: { carrier: string; tracking_no: string }, actor: Actor, now: number) {
  nextAfterSaleStatus(row, 'exchange');
  const carrier = await resolveCarrier(db, input.carrier);
  const order = await findOrder(db, row.orderId);
  const parcel = await exchangePackageStatements(db, order, row.id, { carrier, trackingNo: input.tracking_no, createdBy: actor.id }, now);
  await runBatch(db, [...moveStatements(db, row, 'exchange', { exchangeCarrierId: carrier.id, exchangeTrackingNo: input.tracking_no }, now), ...parcel.statements]);
}

// ---------------------------------------------------------------- timers

/** Auto-approve unanswered requests, close returns never sent, refund returns sent long ago. */
export async function runAfterSaleTimers(db: Db, now: number, batchSize = 50) {
  const due = await db
    .select()
    .from(afterSales)
    .where(and(inArray(afterSales.status, ['requested', 'approved', 'returned']), lte(afterSales.dueAt, now)))
    .orderBy(asc(afterSales.dueAt))
    .limit(batchSize);
  const system: Actor = { type: 'system', id: null };
  const done = { approved: 0, closed: 0, refunded: 0 };
  for (const row of due) {
    try {
      if (row.status === 'requested') {
        await approveAfterSale(db, row, system, now);
        done.approved++;
      } else if (row.status === 'approved') {
        await runBatch(db, moveStatements(db, row, 'close', { dueAt: null }, now));
        done.closed++;
      } else {
        await refundAfterSale(db, row, system, now);
        done.refunded++;
      }
    } catch (error) {
      logEvent('warn', 'after-sale timer skipped', { after_sale_id: row.id, error });
    }
  }
  return done;
}

// ---------------------------------------------------------------- views

export async function afterSaleView(db: Db, row: AfterSaleRow) {
  const lines = await db
    .select({ line: afterSaleLines, title: orderItems.title, skuId: orderItems.skuId })
    .from(afterSaleLines)
    .innerJoin(orderItems, eq(orderItems.id, afterSaleLines.orderItemId))
    .where(eq(afterSaleLines.afterSaleId, row.id));
  return {
    id: row.id,
    order_id: row.orderId,
    type: row.type,
    status: row.status,
    reason: row.reason,
    description: row.description,
    image_urls: row.imageUrls,
    amount_fen: row.amountFen,
    lines: lines.map((l) => ({ order_item_id: l.line.orderItemId, sku_id: l.skuId, title: l.title, quantity: l.line.quantity, amount_fen: l.line.amountFen })),
    return_address: row.returnAddress,
    return_shipment: row.returnCarrierId ? { carrier: row.returnCarrierId, tracking_no: row.returnTrackingNo } : null,
    exchange_shipment: row.exchangeCarrierId ? { carrier: row.exchangeCarrierId, tracking_no: row.exchangeTrackingNo, ...(await exchangePackageView(db, row.id)) } : null,
    restock: row.restock === 1,
    refund_id: row.refundId,
    decision_note: row.decisionNote,
    due_at: toIso(row.dueAt),
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
  };
}

const cursorSchema = v.object({ k: v.number(), id: v.string() });

export async function listAfterSales(db: Db, filter: { userId?: string; status?: AfterSaleStatus; cursor?: string; limit: number }) {
  const conditions: SQL[] = [];
  if (filter.userId) conditions.push(eq(afterSales.userId, filter.userId));
  if (filter.status) conditions.push(eq(afterSales.status, filter.status));
  if (filter.cursor) {
    const c = decodeCursor(filter.cursor, cursorSchema);
    conditions.push(or(lt(afterSales.createdAt, c.k), and(eq(afterSales.createdAt, c.k), lt(afterSales.id, c.id)))!);
  }
  const rows = await db
    .select()
    .from(afterSales)
    .where(and(...conditions))
    .orderBy(desc(afterSales.createdAt), desc(afterSales.id))
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  const last = page[page.length - 1];
  return { items: await Promise.all(page.map((r) => afterSaleView(db, r))), next_cursor: rows.length > filter.limit && last ? encodeCursor({ k: last.createdAt, id: last.id }) : null };
}

export type { ReturnAddress };
