// An exchange (换货) the merchant completes ships the replacement goods as a new package of the
// order: the after-sale's lines, with the carrier and tracking number given, marked exchange_for so
// its units (sent a second time) do not count against what was ordered. It is tracked and uploaded
// to WeChat like any package, with one difference: once WeChat has the order fully shipped, one
// more upload is the payment's one re-shipping chance, taken in the same batch (correction_used
// 0 → 1, guarded); when a correction already spent it, the package ships without an upload (WeChat
// would refuse it with 10060028) and the exchange says so.
import { and, asc, eq } from 'drizzle-orm';
import { afterSaleLines } from '../db/after-sales';
import { abortUnlessChanged, type Statement } from '../db/batch';
import type { Db } from '../db/client';
import { orderItems, outbox } from '../db/orders';
import { shipmentLines, shipments, shippingUploads, type carriers } from '../db/shipping';
import { newId } from '../lib/ids';
import { logEvent } from '../lib/log';
import type { OrderRow } from './order-transitions';
import { itemDescOf } from './shipments';
import { uploadShipmentStatement } from './shipping-uploads';
import { orderPage, subscribeMessageStatements } from './subscribe-messages';
import { subscribeTrackingStatement } from './tracking';

export type ExchangePackage = { packageId: string; uploadedToWeChat: boolean; statements: Statement[] };

export async function exchangePackageStatements(
  db: Db,
  order: OrderRow,
  afterSaleId: string,
  parcel: { carrier: typeof carriers.$inferSelect; trackingNo: string; createdBy: string | null },
  now: number,
): Promise<ExchangePackage> {
  const [lines, packages, upload] = await Promise.all([
    db
      .select({ orderItemId: afterSaleLines.orderItemId, quantity: afterSaleLines.quantity, title: orderItems.title })
      .from(afterSaleLines)
      .innerJoin(orderItems, eq(orderItems.id, afterSaleLines.orderItemId))
      .where(eq(afterSaleLines.afterSaleId, afterSaleId)),
    db.select().from(shipments).where(eq(shipments.orderId, order.id)).orderBy(asc(shipments.seq)),
    db.query.shippingUploads.findFirst({ where: eq(shippingUploads.orderId, order.id) }),
  ]);
  const lastOwn = packages.filter((p) => p.exchangeFor === null).at(-1);
  const orderFullyShipped = lastOwn?.completesOrder === 1;
  const weChatHasItAll = orderFullyShipped && !!upload && upload.uploadedSeq >= lastOwn!.seq;
  const packageId = newId('pkg');

  let wechat: Statement[] = [uploadShipmentStatement(db, packageId, now)];
  if (weChatHasItAll) {
    wechat = upload!.correctionUsed
      ? []
      : [
          db
            .update(shippingUploads)
            .set({ correctionUsed: 1, updatedAt: now })
            .where(and(eq(shippingUploads.orderId, order.id), eq(shippingUploads.correctionUsed, 0))),
          abortUnlessChanged(),
          ...wechat,
        ];
  }
  if (!wechat.length) logEvent('warn', 'exchange package not uploaded: the payment has no re-shipping left at WeChat', { order_id: order.id, after_sale_id: afterSaleId });

  const statements: Statement[] = [
    db.insert(shipments).values({
      id: packageId,
      orderId: order.id,
      seq: (packages.at(-1)?.seq ?? 0) + 1,
      method: 'express',
      carrierId: parcel.carrier.id,
      trackingNo: parcel.trackingNo,
      itemDesc: itemDescOf(lines),
      // WeChat's is_all_delivered follows the last package: it stays true for a fully shipped order.
      completesOrder: orderFullyShipped ? 1 : 0,
      shippedAt: now,
      createdBy: parcel.createdBy,
      exchangeFor: afterSaleId,
    }),
    ...lines.map((l) => db.insert(shipmentLines).values({ shipmentId: packageId, orderItemId: l.orderItemId, quantity: l.quantity })),
    ...wechat,
    subscribeTrackingStatement(db, packageId, now),
    ...subscribeMessageStatements(
      db,
      { userId: order.userId, key: 'order_shipped', subjectId: packageId, values: [order.orderNo, lines[0]?.title ?? '换货商品', parcel.carrier.name, parcel.trackingNo], page: orderPage(order.id) },
      now,
    ),
  ];
  return { packageId, uploadedToWeChat: wechat.length > 0, statements };
}

/** An exchange's replacement package as the after-sale shows it: its id, and whether WeChat is (to be) told of it. */
export async function exchangePackageView(db: Db, afterSaleId: string) {
  const pkg = await db.query.shipments.findFirst({ where: eq(shipments.exchangeFor, afterSaleId) });
  if (!pkg) return null;
  const upload = await db.query.outbox.findFirst({ where: and(eq(outbox.kind, 'upload_shipping'), eq(outbox.subjectId, pkg.id)), columns: { id: true } });
  return { package_id: pkg.id, uploaded_to_wechat: !!upload };
}
