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
  /** A join's room: the SKU whose units it took when it opened (null: none, or an open). */
  roomLoanSkuId: string | null;
  groupPriceFen: number | null;
  skus: Map<string, PurchasableSku>;
  /** With the seats of this campaign whose orders are alive (what the per-user limit counts). */
  user: (typeof users.$inferSelect & { liveSeatIds: string[] }) | null;
  address: typeof addresses.$inferSelect | null;
  /** The shipping of the SKU to the address (null without an address). */
  shipping: Shipping | null;
  /** The order written under this Idempotency-Key, with the room of its seat (null: not a group-buy seat's). */
  earlier: { order: OrderRow; roomId: string | null } | null;
};

/** Members whose order is still alive (not cancelled, not refunded in full): what the per-user limit counts. */
const liveMembers = (campaignId: SQL | string, userId: string) =>
  sql`FROM group_buy_members m JOIN orders o ON o.id = m.order_id
        WHERE m.group_buy_id = ${campaignId} AND m.user_id = ${userId} AND o.status NOT IN ('cancelled', 'refunded')`;
export const countingMembers = (campaignId: SQL | string, userId: string) => sql`(SELECT count(*) ${liveMembers(campaignId, userId)})`;
const liveSeatIds = (campaignId: SQL | string, userId: string) => sql`(SELECT group_concat(m.seat_id) ${liveMembers(campaignId, userId)})`;

export async function readForSeat(ctx: CreateContext, target: SeatTarget, purchase: { skuId: string; addressId?: string | undefined }): Promise<SeatReads> {
  const { db, userId } = ctx;
  const campaignId = 'campaignId' in target ? sql`${target.campaignId}` : sql`(SELECT group_buy_id FROM group_buy_rooms WHERE id = ${target.roomId})`;
  // Both shapes give { campaign } rows; a join's is empty when the room is unknown.
  const campaignQuery = (
    'campaignId' in target
      ? campaignById(db, target.campaignId)
      : db
          .select({ campaign: groupBuys, loanSkuId: sql<string | null>`CASE WHEN ${groupBuyRooms.unitsLoaned} > 0 THEN ${groupBuyRooms.loanSkuId} END`.as('room_loan_sku_id') })
          .from(groupBuyRooms)
          .innerJoin(groupBuys, eq(groupBuys.id, groupBuyRooms.groupBuyId))
          .where(eq(groupBuyRooms.id, target.roomId))
  ) as ReturnType<typeof campaignById>;
  const reads = await runRead(
    db,
    combine({
      campaign: read([campaignQuery], ([rows]) => ({ campaign: rows[0]?.campaign ?? null, roomLoanSkuId: rows[0]?.loanSkuId ?? null })),
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
            .select({ user: users, liveSeatIds: sql<string | null>`${liveSeatIds(campaignId, userId)}`.as('live_seat_ids') })
            .from(users)
            .where(eq(users.id, userId)),
        ],
        ([[row]]) => (row ? { ...row.user, liveSeatIds: row.liveSeatIds ? row.liveSeatIds.split(',') : [] } : null),
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
    campaign: reads.campaign.campaign,
    roomLoanSkuId: reads.campaign.roomLoanSkuId,
    groupPriceFen: reads.groupPriceFen,
    skus: reads.skus,
    user: reads.user,
    address,
    shipping: address ? reads.shipping(address) : null,
    earlier: reads.earlier,
  };
}

const campaignById = (db: CreateContext['db'], id: string) =>
  db
    .select({ campaign: groupBuys, loanSkuId: sql<string | null>`NULL`.as('room_loan_sku_id') })
    .from(groupBuys)
    .where(eq(groupBuys.id, id));
