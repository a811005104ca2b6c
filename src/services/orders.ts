// Orders: creation from a quote (stock reserved in the same batch), views, lists, and the
// shopper's and merchant's actions that do not involve WeChat Pay.
import { and, eq, inArray, sql } from 'drizzle-orm';
import { cartItems } from '../db/shoppers';
import { orderEvents, orderItems, orders, outbox, refunds } from '../db/orders';
import { abortUnlessChanged, chunkForBoundParams, runBatch, translateConstraintError, type Statement } from '../db/batch';
import type { Db } from '../db/client';
import { combine, read, runRead } from '../db/reads';
import type { OrderSource } from '../domain/order-source';
import { businessRule, notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { encodeBase64Url } from '../lib/base64url';
import { dateFormat } from '../lib/date-formats';
import { addressSnapshot, defaultAddressRead, shippingAddressRead } from './addresses';
import { priceQuote, quoteRead } from './checkout';
import { checkoutLinesRead, type CheckoutRequest } from './cart';
import { lockCouponStatements } from './coupons/ledger';
import type { Quote } from '../domain/pricing';
import type { AddressSnapshot } from '../db/orders';
import type { PurchasableSku } from './purchasable';
import { applyTransition, nextStatus, transitionStatements, type Actor, type OrderRow } from './order-transitions';
import { policyOf } from './order-source-policy';
import { createShipment } from './shipments';
import { orderPointsStatements } from './loyalty/order-points';

/** What a shopper's order request asks for; bought from the cart, the lines leave it in the order's batch. */
export type CreateOrderInput = CheckoutRequest & { note?: string };

/** "261123153045" (yyMMddHHmmss in the shop's time zone) + 10 random digits: readable, sortable, unique enough to retry. */
export function newOrderNumber(now: number, timeZone: string): string {
  const parts = Object.fromEntries(
    dateFormat('en-GB', { timeZone, year: '2-digit', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(now))
      .map((p) => [p.type, p.value]),
  );
  // Ten digits: a burst writes hundreds of orders in one second, and with six two of them shared a
  // number often enough that the queue's batches of 100 fell back to one write each (bench:profile).
  const random = String(crypto.getRandomValues(new BigUint64Array(1))[0]! % 10_000_000_000n).padStart(10, '0');
  return `${parts.year}${parts.month}${parts.day}${parts.hour}${parts.minute}${parts.second}${random}`;
}

export async function requestHash(body: unknown): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(body)));
  return encodeBase64Url(new Uint8Array(digest));
}

export type CreateContext = { db: Db; userId: string; now: number; timeZone: string; idempotencyKey: string; requestHash: string };

/** The CreateContext of a shopper's order-creating request (Idempotency-Key already validated). */
export async function createContextOf(
  c: { env: { SHOP_TIME_ZONE: string }; var: { db: Db; shopper: { id: string }; clock: { now(): number } } },
  idempotencyKey: string,
  request: unknown,
): Promise<CreateContext> {
  return { db: c.var.db, userId: c.var.shopper.id, now: c.var.clock.now(), timeZone: c.env.SHOP_TIME_ZONE, idempotencyKey, requestHash: await requestHash(request) };
}

/**
 * Creates an order from the live quote and reserves its stock in the same D1 batch: the CHECK
 * on skus.stock makes the decrement of the last unit succeed for exactly one buyer. The same
 * Idempotency-Key with the same body returns the first order; with another body, a 422.
 *
 * Two D1 round trips: everything it reads (the key, the cart, the address, all the quote needs)
 * in one batch, then the order's batch. The key is looked at before anything else that was
 * read: a retry is answered from its order, not from the cart the first request emptied.
 */
export async function createOrder(ctx: CreateContext, input: CreateOrderInput): Promise<{ order: OrderRow; created: boolean; rows?: NewOrderRows }> {
  const fromCart = !input.items;
  const toBuy = checkoutLinesRead(ctx.db, ctx.userId, input.items);
  const got = await runRead(
    ctx.db,
    combine({
      earlier: idempotencyRead(ctx),
      lines: toBuy.lines,
      address: shippingAddressRead(ctx.db, ctx.userId, input.addressId),
      quote: quoteRead(ctx.db, ctx.userId, toBuy.skus, { now: ctx.now, timeZone: ctx.timeZone, couponId: input.couponId }),
    }),
  );
  if (got.earlier) return { order: got.earlier, created: false };
  const { lines, address } = got;
  const { quote, skus, unavailable, paymentWindowMinutes, points, promotions } = priceQuote(got.quote, lines, address, {
    points: input.points,
    couponId: input.couponId,
    forOrder: true,
    now: ctx.now,
    timeZone: ctx.timeZone,
  });
  if (unavailable.length) {
    throw businessRule(
      unavailable.some((u) => u.reason === 'insufficient_stock' || u.reason === 'out_of_stock') ? 'insufficient_stock' : 'items_unavailable',
      'Some items cannot be bought now.',
      unavailable.map((u) => ({ path: `items.${u.skuId}`, message: u.reason })),
    );
  }
  const stockAndCart = reserveStockStatements(quote, skus, ctx.now);
  const coupon = promotions.coupon?.evaluation.usable ? quote.adjustments.find((a) => a.source === 'coupon') : undefined;
  if (coupon) stockAndCart.push(...lockCouponStatements({ couponId: coupon.ref!, userId: ctx.userId, idempotencyKey: ctx.idempotencyKey, savingFen: coupon.amountFen }, ctx.now));
  if (fromCart) {
    // A full cart's 100 SKU ids and the user id would be 101 bound parameters: D1 takes 100 a statement.
    const bought = quote.lines.map((l) => l.skuId);
    for (const skuIds of chunkForBoundParams(bought, 1, 1)) stockAndCart.push(ctx.db.delete(cartItems).where(and(eq(cartItems.userId, ctx.userId), inArray(cartItems.skuId, skuIds))));
  }
  const id = newId('ord');
  stockAndCart.push(...orderPointsStatements(points, id, ctx.userId, ctx.now));
  return insertOrder(ctx, {
    id,
    quote,
    skus,
    address: addressSnapshot(address),
    note: input.note,
    paymentDeadline: ctx.now + paymentWindowMinutes * 60_000,
    source: { kind: 'shop' },
    also: stockAndCart,
  });
}

/** Takes the quote's units out of skus.stock; fails the whole batch (CHECK stock >= 0) when another buyer took the last units. */
export function reserveStockStatements(quote: Quote, skus: Map<string, PurchasableSku>, now: number): Statement[] {
  return quote.lines.flatMap((line) => [
    sql`UPDATE skus SET stock = stock - ${line.quantity}, updated_at = ${now} WHERE id = ${line.skuId}`,
    sql`UPDATE products SET total_stock = total_stock - ${line.quantity} WHERE id = ${skus.get(line.skuId)!.productId}`,
  ]);
}

export type NewOrder = {
  /** Chosen by the caller when statements in `also` refer to the order (its points). */
  id?: string;
  quote: Quote;
  skus: Map<string, PurchasableSku>;
  /** Where it ships, as it was when the order was made (the shopper may edit or delete the address later). */
  address: AddressSnapshot;
  note?: string;
  paymentDeadline: number;
  /**
   * Where the order comes from: the shop, or an engine's hold or session (its reference); what
   * that means for stock and shipping is the source's policy (order-source-policy.ts).
   */
  source: { kind: 'shop' } | { kind: Exclude<OrderSource, 'shop'>; ref: string };
  /**
   * The order's units are kept elsewhere, not reserved in skus.stock by this order (a group-buy
   * seat's is its room's until the room closes): nothing goes back to skus.stock when it is cancelled.
   */
  unitsHeldElsewhere?: boolean;
  also: Statement[];
};

/** Everything an order row needs besides what NewOrder says: who, when, under which key. */
export type PlacedOrder = NewOrder & {
  orderId: string;
  orderNo: string;
  userId: string;
  createdAt: number;
  idempotencyKey: string;
  requestHash: string;
};

/**
 * The statements that write an order, its lines and its first event, then `also`. Line and event
 * ids derive from the order id, so writing the same order again (a queue redelivering it) is a
 * no-op when `ifAbsent` is set; a clash on anything else (an order number) still fails the batch.
 */
export function newOrderStatements(db: Db, order: PlacedOrder, opts: { ifAbsent?: boolean } = {}): Statement[] {
  return statementsWriting(db, newOrderRows(order), order.also, opts);
}

function statementsWriting(db: Db, rows: NewOrderRows, also: Statement[], opts: { ifAbsent?: boolean } = {}): Statement[] {
  const orderRow = db.insert(orders).values(rows.order);
  const firstEvent = db.insert(orderEvents).values(rows.event);
  const lines = rows.items.map((item) => db.insert(orderItems).values(item));
  if (!opts.ifAbsent) return [orderRow, firstEvent, ...lines, ...also];
  return [orderRow.onConflictDoNothing({ target: orders.id }), firstEvent.onConflictDoNothing(), ...lines.map((l) => l.onConflictDoNothing()), ...also];
}

export type NewOrderRows = { order: OrderRow; event: typeof orderEvents.$inferSelect; items: (typeof orderItems.$inferSelect)[] };

/**
 * The rows an order is written as, every column as D1 will hold it: what newOrderStatements
 * inserts, and what a reply can show before the order is written (a flash sale's).
 */
export function newOrderRows(order: PlacedOrder): NewOrderRows {
  const { quote, orderId } = order;
  const derivedId = (prefix: string, n: number) => `${prefix}_${orderId.slice(4)}_${n}`;
  return {
    order: {
      id: orderId,
      orderNo: order.orderNo,
      userId: order.userId,
      status: 'pending_payment',
      itemsTotalFen: quote.itemsTotalFen,
      discountFen: quote.discountFen,
      shippingFeeFen: quote.shippingFeeFen,
      payableFen: quote.payableFen,
      refundedFen: 0,
      address: order.address,
      note: order.note ?? '',
      paymentDeadline: order.paymentDeadline,
      stockReleased: order.unitsHeldElsewhere ? 1 : 0,
      paidAt: null,
      shippedAt: null,
      carrier: null,
      trackingNo: null,
      completedAt: null,
      cancelledAt: null,
      source: order.source.kind,
      sourceRef: order.source.kind === 'shop' ? null : order.source.ref,
      shipHold: policyOf(order.source.kind).shipHoldOnCreate,
      idempotencyKey: order.idempotencyKey,
      requestHash: order.requestHash,
      createdAt: order.createdAt,
      updatedAt: order.createdAt,
    },
    event: { id: derivedId('oev', 0), orderId, fromStatus: null, toStatus: 'pending_payment', actorType: 'shopper', actorId: order.userId, reason: '', createdAt: order.createdAt },
    items: quote.lines.map((line, i) => {
      const sku = order.skus.get(line.skuId)!;
      return {
        id: derivedId('oit', i),
        orderId,
        productId: sku.productId,
        skuId: sku.skuId,
        title: sku.title,
        specValues: sku.specValues,
        imageUrl: sku.imageUrl,
        unitPriceFen: line.effectiveUnitPriceFen,
        quantity: line.quantity,
        lineTotalFen: line.lineTotalFen,
        discountShareFen: line.discountShareFen,
        payableFen: line.payableFen,
      };
    }),
  };
}

/**
 * Writes an order, its lines and its first event in one batch with `also` (the stock
 * reservation). Idempotent by the Idempotency-Key, and for a flash sale by its reservation.
 */
export async function insertOrder(ctx: CreateContext, order: NewOrder): Promise<{ order: OrderRow; created: boolean; rows?: NewOrderRows }> {
  const orderId = order.id ?? newId('ord');
  for (let draw = 1; ; draw++) {
    const rows = newOrderRows({
      ...order,
      orderId,
      orderNo: newOrderNumber(ctx.now, ctx.timeZone),
      userId: ctx.userId,
      createdAt: ctx.now,
      idempotencyKey: ctx.idempotencyKey,
      requestHash: ctx.requestHash,
    });
    try {
      await runBatch(ctx.db, statementsWriting(ctx.db, rows, order.also));
      // Written as these rows, every column given: no need to read the order back.
      return { order: rows.order, created: true, rows };
    } catch (error) {
      const message = String((error as Error)?.message);
      // The number's six random digits met another order's of the same second (the batch rolled back): draw again.
      if (/orders\.order_no/.test(message) && draw < ORDER_NUMBER_DRAWS) continue;
      // A concurrent request with the same key (or reservation) won the unique index: answer with its order.
      if (/orders\.user_id, orders\.idempotency_key|orders\.source, orders\.source_ref/.test(message)) {
        const winner = await findByIdempotencyKey(ctx);
        if (winner) return { order: winner, created: false };
      }
      throw translateConstraintError(error);
    }
  }
}

/** How many order numbers one order tries before a clash is an error (each clash is one in ten billion per order of that second). */
const ORDER_NUMBER_DRAWS = 3;

/** The order made from an engine's hold or session (one per source and reference). */
export const findOrderBySource = (db: Db, source: OrderSource, sourceRef: string) => db.query.orders.findFirst({ where: and(eq(orders.source, source), eq(orders.sourceRef, sourceRef)) });

/** The shopper's order made under this key, if any; under another body, a 422. */
const idempotencyRead = (ctx: CreateContext) =>
  read(
    [
      ctx.db
        .select()
        .from(orders)
        .where(and(eq(orders.userId, ctx.userId), eq(orders.idempotencyKey, ctx.idempotencyKey))),
    ],
    ([[order]]) => {
      if (order && order.requestHash !== ctx.requestHash) {
        throw businessRule('idempotency_key_reused', 'This Idempotency-Key was used for a different request.');
      }
      return order;
    },
  );

export const findByIdempotencyKey = (ctx: CreateContext) => runRead(ctx.db, idempotencyRead(ctx));

export const defaultAddress = (db: Db, userId: string) => runRead(db, defaultAddressRead(db, userId));

export async function findOrder(db: Db, orderId: string, ownerId?: string): Promise<OrderRow> {
  const order = await db.query.orders.findFirst({ where: ownerId ? and(eq(orders.id, orderId), eq(orders.userId, ownerId)) : eq(orders.id, orderId) });
  // Another shopper's order is "not found", not "forbidden": its existence is not revealed.
  if (!order) throw notFound('Order');
  return order;
}

export async function confirmReceipt(db: Db, order: OrderRow, actor: Actor, now: number) {
  nextStatus(order.status, 'confirm_receipt'); // 409 first: the state machine decides what is legal
  if (!order.shippedAt) throw businessRule('not_shipped', 'The order has not been shipped yet.');
  await applyTransition(db, order, { event: 'confirm_receipt', actor, set: { completedAt: now } }, now);
}

/** Ships everything left in one package (the single "ship" action; packages: src/services/shipments.ts). */
export async function shipOrder(db: Db, order: OrderRow, actor: Actor, shipment: { carrier: string; tracking_no: string }, now: number) {
  nextStatus(order.status, 'ship', !!order.shipHold);
  await createShipment(db, order, actor, { carrier: shipment.carrier, tracking_no: shipment.tracking_no }, now);
}

/** A shopper asks for money back (all that is left by default); the merchant decides. */
export async function requestRefund(db: Db, order: OrderRow, actor: Actor, input: { amount_fen?: number; reason: string }, now: number) {
  const refundable = order.payableFen - order.refundedFen;
  const amountFen = input.amount_fen ?? refundable;
  if (amountFen <= 0 || amountFen > refundable) {
    throw businessRule('refund_amount_invalid', `The refund must be between 1 and ${refundable} fen.`, [{ path: 'body.amount_fen', message: `at most ${refundable}` }]);
  }
  const refundId = newId('rfd');
  await applyTransition(
    db,
    order,
    {
      event: 'request_refund',
      actor,
      reason: input.reason,
      also: [
        db.insert(refunds).values({
          id: refundId,
          orderId: order.id,
          // out_refund_no: ≤ 64 chars; the order number plus a per-refund suffix keeps it readable.
          outRefundNo: `${order.orderNo}R${refundId.slice(-8)}`,
          amountFen,
          reason: input.reason,
          status: 'requested',
          initiator: 'shopper',
          createdAt: now,
          updatedAt: now,
        }),
      ],
    },
    now,
  );
  return refundId;
}

export async function openRefundOf(db: Db, orderId: string) {
  const refund = await db.query.refunds.findFirst({ where: and(eq(refunds.orderId, orderId), eq(refunds.status, 'requested')) });
  if (!refund) throw notFound('Open refund request');
  return refund;
}

/**
 * The merchant decides the open refund request. An approved refund is sent to WeChat Pay by the
 * outbox (written in the same batch), so an approval is never lost between D1 and WeChat.
 */
export async function decideRefund(db: Db, order: OrderRow, actor: Actor, decision: 'approve' | 'reject', note: string, now: number) {
  nextStatus(order.status, decision === 'approve' ? 'approve_refund' : 'reject_refund'); // 409 before anything else
  await runBatch(db, refundDecisionStatements(db, order, await openRefundOf(db, order.id), actor, decision, note, now));
}

/** The decision on a refund request as statements (for the batch of a caller that changes more: an after-sale's retry). */
export function refundDecisionStatements(db: Db, order: OrderRow, refund: { id: string }, actor: Actor, decision: 'approve' | 'reject', note: string, now: number): Statement[] {
  return transitionStatements(
    db,
    order,
    {
      event: decision === 'approve' ? 'approve_refund' : 'reject_refund',
      actor,
      reason: note,
      also: [
        db
          .update(refunds)
          .set({ status: decision === 'approve' ? 'processing' : 'rejected', decidedBy: actor.id, decisionNote: note, updatedAt: now })
          .where(and(eq(refunds.id, refund.id), eq(refunds.status, 'requested'))),
        abortUnlessChanged(),
        ...(decision === 'approve' ? [db.insert(outbox).values({ id: newId('obx'), kind: 'submit_refund', subjectId: refund.id, nextAttemptAt: now, createdAt: now, updatedAt: now })] : []),
      ],
    },
    now,
  );
}
