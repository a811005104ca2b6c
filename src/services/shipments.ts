// Shipments: an order ships in up to 15 packages, each with a carrier, a tracking number and the
// lines and quantities in it; virtual goods and pickup ship once, without a package. Every package
// but the last moves the order to partially_shipped, the last to shipped (the state machine's
// ship_part / ship), in the same batch as the package itself.
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { orderItems } from '../db/orders';
import { carriers, shipmentLines, shipments } from '../db/shipping';
import { MAX_PACKAGES_PER_ORDER, type DeliveryMethod } from '../domain/shipping';
import { runBatch, type Statement } from '../db/batch';
import type { Db } from '../db/client';
import { toIso } from '../lib/clock';
import { ApiError, businessRule, conflict, invalidInput, type ErrorDetail } from '../lib/errors';
import { newId } from '../lib/ids';
import { uploadShipmentStatement } from './shipping-uploads';
import { unitsRefundedBeforeShipping } from './after-sale-claims';
import { subscribeTrackingStatement } from './tracking';
import { orderPage, subscribeMessageStatements } from './subscribe-messages';
import { nextStatus, transitionStatements, type Actor, type OrderRow } from './order-transitions';

export type ShipmentInput = {
  method?: DeliveryMethod;
  carrier?: string;
  tracking_no?: string;
  lines?: { order_item_id: string; quantity: number }[];
};

type ShipmentRow = typeof shipments.$inferSelect;
type CarrierRow = typeof carriers.$inferSelect;

/** A carrier by WeChat delivery id (SF), full name (顺丰速运) or the start of it (顺丰). */
export async function resolveCarrier(db: Db, input: string): Promise<CarrierRow> {
  const wanted = input.trim();
  const all = await db.select().from(carriers).orderBy(asc(carriers.id));
  const found = all.find((c) => c.id.toUpperCase() === wanted.toUpperCase()) ?? all.find((c) => c.name === wanted) ?? (wanted.length >= 2 ? all.find((c) => c.name.startsWith(wanted)) : undefined);
  if (!found) throw businessRule('unknown_carrier', 'This carrier is not in the carrier list.', [{ path: 'body.carrier', message: 'unknown carrier: see GET /admin/api/carriers' }]);
  return found;
}

export const listCarriers = async (db: Db) => (await db.select().from(carriers).orderBy(asc(carriers.id))).map((c) => ({ id: c.id, name: c.name }));

/** Replaces the carrier names by WeChat's list (new ids added; ids in use are never removed). */
export async function replaceCarriers(db: Db, list: { id: string; name: string }[], now: number) {
  const statements: Statement[] = list.map((c) =>
    db
      .insert(carriers)
      .values({ id: c.id, name: c.name, updatedAt: now })
      .onConflictDoUpdate({ target: carriers.id, set: { name: c.name, updatedAt: now } }),
  );
  if (statements.length) await runBatch(db, statements);
  return listCarriers(db);
}

/** Units of each order line shipped so far (in the order's own packages, not exchanges' replacements). */
export async function shippedSoFar(db: Db, orderId: string): Promise<Map<string, number>> {
  const rows = await db
    .select({ orderItemId: shipmentLines.orderItemId, quantity: sql<number>`SUM(${shipmentLines.quantity})` })
    .from(shipmentLines)
    .innerJoin(shipments, eq(shipments.id, shipmentLines.shipmentId))
    .where(and(eq(shipments.orderId, orderId), isNull(shipments.exchangeFor)))
    .groupBy(shipmentLines.orderItemId);
  return new Map(rows.map((r) => [r.orderItemId, Number(r.quantity)]));
}

/** "法式连衣裙*2件; 抱枕*1件", cut to WeChat's 120 characters. */
export const itemDescOf = (lines: { title: string; quantity: number }[]) => {
  const text = lines.map((l) => `${l.title}*${l.quantity}件`).join('; ');
  return text.length <= 120 ? text : `${text.slice(0, 119)}…`;
};

/** Creates one package of the order (no lines = everything left to ship) and moves the order on. */
export async function createShipment(db: Db, order: OrderRow, actor: Actor, input: ShipmentInput, now: number): Promise<string> {
  nextStatus(order.status, 'ship_part', !!order.shipHold); // 409 first: paid or partly shipped, not held
  const [items, shipped, earlier, refundedUnshipped] = await Promise.all([
    db.select().from(orderItems).where(eq(orderItems.orderId, order.id)).orderBy(asc(orderItems.id)),
    shippedSoFar(db, order.id),
    db.select().from(shipments).where(eq(shipments.orderId, order.id)).orderBy(asc(shipments.seq)),
    unitsRefundedBeforeShipping(db, order.id),
  ]);
  const method = input.method ?? earlier[0]?.method ?? 'express';
  if (earlier[0] && earlier[0].method !== method) {
    throw businessRule('delivery_method_fixed', `This order ships by ${earlier[0].method}; one order keeps one way of delivery.`, [{ path: 'body.method', message: `must be ${earlier[0].method}` }]);
  }
  if (earlier.length >= MAX_PACKAGES_PER_ORDER) throw invalidInput([{ path: 'body', message: `an order ships in at most ${MAX_PACKAGES_PER_ORDER} packages` }]);
  // Units refunded as money only before shipping are not to ship.
  const left = new Map(items.map((i) => [i.id, i.quantity - (shipped.get(i.id) ?? 0) - (refundedUnshipped.get(i.id) ?? 0)]));
  const lines = input.lines ?? items.filter((i) => left.get(i.id)! > 0).map((i) => ({ order_item_id: i.id, quantity: left.get(i.id)! }));
  const problems: ErrorDetail[] = [];
  const seen = new Set<string>();
  lines.forEach((line, i) => {
    if (!left.has(line.order_item_id)) problems.push({ path: `body.lines.${i}.order_item_id`, message: 'not an item of this order' });
    else if (seen.has(line.order_item_id)) problems.push({ path: `body.lines.${i}.order_item_id`, message: 'listed twice' });
    else if (line.quantity > left.get(line.order_item_id)!) problems.push({ path: `body.lines.${i}.quantity`, message: `at most ${left.get(line.order_item_id)} left to ship` });
    seen.add(line.order_item_id);
  });
  if (problems.length) throw invalidInput(problems, 'The package does not fit what is left to ship.');
  if (lines.length === 0) throw conflict('nothing_to_ship', 'Everything in this order has been shipped.');
  const completes = items.every((i) => left.get(i.id)! - (lines.find((l) => l.order_item_id === i.id)?.quantity ?? 0) === 0);
  if (method !== 'express' && !completes) throw invalidInput([{ path: 'body.lines', message: `${method} orders ship everything at once` }]);

  let carrier: CarrierRow | null = null;
  if (method === 'express') {
    if (!input.carrier) problems.push({ path: 'body.carrier', message: 'required for express delivery' });
    if (!input.tracking_no) problems.push({ path: 'body.tracking_no', message: 'required for express delivery' });
    if (problems.length) throw invalidInput(problems);
    carrier = await resolveCarrier(db, input.carrier!);
  }
  const id = newId('pkg');
  const titles = new Map(items.map((i) => [i.id, i.title]));
  const statements = transitionStatements(
    db,
    order,
    {
      event: completes ? 'ship' : 'ship_part',
      actor,
      reason: `Package ${earlier.length + 1}${carrier ? ` ${carrier.name} ${input.tracking_no}` : ` (${method})`}`,
      // The order's own carrier and tracking number are its first package's (the single-package view).
      set: earlier.length ? {} : { shippedAt: now, carrier: carrier?.name ?? null, trackingNo: input.tracking_no ?? null },
      also: [
        db.insert(shipments).values({
          id,
          orderId: order.id,
          seq: earlier.length + 1,
          method,
          carrierId: carrier?.id ?? null,
          trackingNo: method === 'express' ? input.tracking_no! : null,
          itemDesc: itemDescOf(lines.map((l) => ({ title: titles.get(l.order_item_id)!, quantity: l.quantity }))),
          completesOrder: completes ? 1 : 0,
          shippedAt: now,
          createdBy: actor.id,
        }),
        ...lines.map((l) => db.insert(shipmentLines).values({ shipmentId: id, orderItemId: l.order_item_id, quantity: l.quantity })),
        uploadShipmentStatement(db, id, now),
        ...(method === 'express' ? [subscribeTrackingStatement(db, id, now)] : []),
        ...subscribeMessageStatements(
          db,
          {
            userId: order.userId,
            key: 'order_shipped',
            subjectId: id,
            values: [order.orderNo, titles.get(lines[0]!.order_item_id)!, carrier?.name ?? '无需物流', input.tracking_no ?? '-'],
            page: orderPage(order.id),
          },
          now,
        ),
      ],
    },
    now,
  );
  try {
    await runBatch(db, statements);
  } catch (error) {
    throw raceError(error);
  }
  return id;
}

/** A concurrent package won the number or the last units: the whole batch rolled back. */
function raceError(error: unknown): unknown {
  const text = `${(error as Error)?.message} ${String((error as { cause?: unknown })?.cause ?? '')}`;
  if (/shipments\.order_id, shipments\.seq|shipment_over_quantity/.test(text))
    return new ApiError(409, 'concurrent_change', 'Another package of this order was created at the same time; reload and try again.');
  return error;
}

export type PackageView = ReturnType<typeof packageView>;
const packageView = (s: ShipmentRow, carrierNames: Map<string, string>, lines: { orderItemId: string; quantity: number }[], titles: Map<string, string>) => ({
  id: s.id,
  seq: s.seq,
  method: s.method,
  carrier: s.carrierId ? { id: s.carrierId, name: carrierNames.get(s.carrierId) ?? s.carrierId } : null,
  tracking_no: s.trackingNo,
  item_desc: s.itemDesc,
  lines: lines.map((l) => ({ order_item_id: l.orderItemId, title: titles.get(l.orderItemId) ?? '', quantity: l.quantity })),
  completes_order: s.completesOrder === 1,
  shipped_at: toIso(s.shippedAt),
  delivered_at: toIso(s.deliveredAt),
});

/** The packages of an order, oldest first, with their lines (what the shopper and the merchant see). */
export async function packagesOf(db: Db, orderId: string) {
  const rows = await db.select().from(shipments).where(eq(shipments.orderId, orderId)).orderBy(asc(shipments.seq));
  if (rows.length === 0) return [];
  const [lines, carrierRows, items] = await Promise.all([
    db
      .select()
      .from(shipmentLines)
      .where(
        inArray(
          shipmentLines.shipmentId,
          rows.map((r) => r.id),
        ),
      ),
    db.select().from(carriers),
    db.select({ id: orderItems.id, title: orderItems.title }).from(orderItems).where(eq(orderItems.orderId, orderId)),
  ]);
  const carrierNames = new Map(carrierRows.map((c) => [c.id, c.name]));
  const titles = new Map(items.map((i) => [i.id, i.title]));
  return rows.map((s) =>
    packageView(
      s,
      carrierNames,
      lines.filter((l) => l.shipmentId === s.id),
      titles,
    ),
  );
}
