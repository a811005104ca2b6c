// What taking a group-buy seat needs from D1, read in ONE db.batch (one round trip, issue 12; the
// reads are values, src/db/reads.ts):
// the campaign (through the room for a join), the campaign's SKU, the SKU as it is on sale, the
// shopper with the seats counting towards the per-user limit, the address, the shipping
// templates, and an earlier order under the same Idempotency-Key with its seat's room.
// Nothing here decides: rooms.ts checks the rows in the order its refusals are documented in.
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { groupBuyMembers, groupBuyRooms, groupBuys, groupBuySkus } from '../../db/group-buys';
import { orders } from '../../db/orders';
import { addresses, users } from '../../db/shoppers';
import type { CreateContext } from '../../services/orders';
import type { OrderRow } from '../../services/order-transitions';
import { purchasableSkusRead, type PurchasableSku } from '../../services/purchasable';
import { shippingTemplatesRead, type Shipping } from '../../services/shipping-templates';
import { combine, read, runRead } from '../../db/reads';
import type { GroupBuyRow } from './campaigns';

/** Opening a room names the campaign; joining one names the room (its campaign is read through it). */
export type SeatTarget = { campaignId: string } | { roomId: string };

export type SeatReads = {
  /** Null: no such campaign (open) or room (join). */
  campaign: GroupBuyRow | null;
  groupPriceFen: number | null;
  skus: Map<string, PurchasableSku>;
  user: (typeof users.$inferSelect & { seatsCounting: number }) | null;
  address: typeof addresses.$inferSelect | null;
  /** The shipping of the SKU to the address (null without an address). */
  shipping: Shipping | null;
  /** The order written under this Idempotency-Key, with the room of its seat (null: not a group-buy seat's). */
  earlier: { order: OrderRow; roomId: string | null } | null;
};

/** Members whose order is still alive (not cancelled, not refunded in full): what the per-user limit counts. */
export const countingMembers = (campaignId: SQL | string, userId: string) =>
  sql`(SELECT count(*) FROM group_buy_members m JOIN orders o ON o.id = m.order_id
        WHERE m.group_buy_id = ${campaignId} AND m.user_id = ${userId} AND o.status NOT IN ('cancelled', 'refunded'))`;

export async function readForSeat(ctx: CreateContext, target: SeatTarget, purchase: { skuId: string; addressId?: string | undefined }): Promise<SeatReads> {
  const { db, userId } = ctx;
  const campaignId = 'campaignId' in target ? sql`${target.campaignId}` : sql`(SELECT group_buy_id FROM group_buy_rooms WHERE id = ${target.roomId})`;
  // Both shapes give { campaign } rows; a join's is empty when the room is unknown.
  const campaignQuery = (
    'campaignId' in target
      ? campaignById(db, target.campaignId)
      : db.select({ campaign: groupBuys }).from(groupBuyRooms).innerJoin(groupBuys, eq(groupBuys.id, groupBuyRooms.groupBuyId)).where(eq(groupBuyRooms.id, target.roomId))
  ) as ReturnType<typeof campaignById>;
  const reads = await runRead(
    db,
    combine({
      campaign: read([campaignQuery], ([rows]) => rows[0]?.campaign ?? null),
      groupPriceFen: read(
        [
          db
            .select({ groupPriceFen: groupBuySkus.groupPriceFen })
            .from(groupBuySkus)
            .where(and(eq(groupBuySkus.skuId, purchase.skuId), sql`${groupBuySkus.groupBuyId} = ${campaignId}`)),
        ],
        ([rows]) => rows[0]?.groupPriceFen ?? null,
      ),
      skus: purchasableSkusRead(db, [purchase.skuId]),
      user: read(
        [
          db
            .select({ user: users, seatsCounting: sql<number>`${countingMembers(campaignId, userId)}` })
            .from(users)
            .where(eq(users.id, userId)),
        ],
        ([[row]]) => (row ? { ...row.user, seatsCounting: row.seatsCounting } : null),
      ),
      // Null rather than a refusal: rooms.ts refuses in its documented order.
      address: read(
        [
          db
            .select()
            .from(addresses)
            .where(and(eq(addresses.userId, userId), purchase.addressId ? eq(addresses.id, purchase.addressId) : eq(addresses.isDefault, 1))),
        ],
        ([rows]) => rows[0] ?? null,
      ),
      shipping: shippingTemplatesRead(db, [purchase.skuId]),
      earlier: read(
        [
          db
            .select({ order: orders, roomId: groupBuyMembers.roomId })
            .from(orders)
            .leftJoin(groupBuyMembers, eq(groupBuyMembers.orderId, orders.id))
            .where(and(eq(orders.userId, userId), eq(orders.idempotencyKey, ctx.idempotencyKey))),
        ],
        ([rows]) => rows[0] ?? null,
      ),
    }),
  );
  const address = reads.address;
  return {
    campaign: reads.campaign,
    groupPriceFen: reads.groupPriceFen,
    skus: reads.skus,
    user: reads.user,
    address,
    shipping: address ? reads.shipping(address) : null,
    earlier: reads.earlier,
  };
}

const campaignById = (db: CreateContext['db'], id: string) => db.select({ campaign: groupBuys }).from(groupBuys).where(eq(groupBuys.id, id));
