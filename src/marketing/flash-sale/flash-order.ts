// The order a flash-sale reservation becomes, in one place: the reply shows it before it is
// written (purchase.ts) and the writers write it (order-writer.ts), so the two cannot drift.
import type { flashSaleItems } from '../../db/flash-sales';
import { flashOrderId, reservationRef, type FlashOrderJob } from '../../domain/flash-sale';
import { priceLines, type ShippingPolicy } from '../../domain/pricing';
import type { AddressSnapshot } from '../../db/orders';
import type { PlacedOrder } from '../../services/orders';
import type { PurchasableSku } from '../../services/purchasable';

type FlashItem = Pick<typeof flashSaleItems.$inferSelect, 'skuId' | 'flashPriceFen'>;

/** One line at the flash price (no member price on top of it), shipping by `shipping`, payable while the units are held. */
export function flashOrderPlacement(job: FlashOrderJob, item: FlashItem, sku: PurchasableSku, address: AddressSnapshot, shipping: ShippingPolicy, orderNo: string): PlacedOrder {
  const quote = priceLines([{ skuId: item.skuId, quantity: job.quantity, unitPriceFen: item.flashPriceFen, memberPriceFen: null }], { isMember: false, shipping });
  return {
    quote,
    skus: new Map([[sku.skuId, sku]]),
    address,
    orderId: flashOrderId(job),
    orderNo,
    userId: job.userId,
    createdAt: job.createdAt,
    // Flash keys are the object's (one reservation per key): kept apart from POST /orders' keys.
    idempotencyKey: `fs:${job.intent.idempotencyKey}`,
    requestHash: job.intent.requestHash,
    // The order must be paid while its units are held: the prepay's time_expire equals this.
    paymentDeadline: job.expiresAt,
    source: { kind: 'flash_sale', ref: reservationRef(job) },
    also: [],
  };
}
