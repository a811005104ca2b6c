// What taking a group-buy seat needs from D1, read in ONE db.batch (one round trip, issue 12; the
// reads are values, src/db/reads.ts):
// the campaign (through the room for a join), the campaign's SKU, the SKU as it is on sale, the
// shopper with the seats counting towards the per-user limit, the address, the shipping
// templates, and an earlier order under the same Idempotency-Key with its seat's room.
// Nothing here decides: rooms.ts checks the rows in the order its refusals are documented in.
import { and, eq, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { preparedSelect, type PreparableSelect } from '../../db/prepared';
import { groupBuyMembers, groupBuyRooms, groupBuys, groupBuySkus } from '../../db/group-buys';
import { orders } from '../../db/orders';
import { users } from '../../db/shoppers';
import { defaultAddressSelect, ownAddressSelect, type AddressRow } from '../../services/addresses';
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
  /** What the seat shows of the shopper, with their seats of this campaign whose orders are alive. */
  user: { id: string; nickname: string; avatarUrl: string | null; liveSeatIds: string[] } | null;
  address: AddressRow | null;
  /** The shipping of the SKU to the address (null without an address). */
  shipping: Shipping | null;
  /** The order written under this Idempotency-Key, with the room of its seat (null: not a group-buy seat's). */
  earlier: { order: OrderRow; roomId: string | null } | null;
};

/** Members whose order is still alive (not cancelled, not refunded in full): what the per-user limit counts. */
const liveMembers = (campaignId: SQLWrapper | string, userId: SQLWrapper | string) =>
  sql`FROM group_buy_members m JOIN orders o ON o.id = m.order_id
        WHERE m.group_buy_id = ${campaignId} AND m.user_id = ${userId} AND o.status NOT IN ('cancelled', 'refunded')`;
export const countingMembers = (campaignId: SQLWrapper | string, userId: SQLWrapper | string) => sql`(SELECT count(*) ${liveMembers(campaignId, userId)})`;
const liveSeatIds = (campaignId: SQLWrapper | string, userId: SQLWrapper | string) => sql`(SELECT group_concat(m.seat_id) ${liveMembers(campaignId, userId)})`;

// Every select of the read is prepared once (src/db/prepared.ts): a join is the hot path of a
// group buy, and building these seven selects cost more CPU than D1 took to answer them.
// Placeholders: the request's values, bound per request.
const at = {
  campaignId: sql.placeholder('campaignId'),
  roomId: sql.placeholder('roomId'),
  skuId: sql.placeholder('skuId'),
  userId: sql.placeholder('userId'),
  idempotencyKey: sql.placeholder('idempotencyKey'),
};
type SeatValues = { campaignId?: string; roomId?: string; skuId: string; userId: string; idempotencyKey: string };

/** The campaign's id in SQL: named by an open, read through the room by a join. */
const campaignIdOf = { open: sql`${at.campaignId}`, join: sql`(SELECT group_buy_id FROM group_buy_rooms WHERE id = ${at.roomId})` };
type Shape = keyof typeof campaignIdOf;

/** One prepared select per shape of the target. */
const perShape = <R>(build: (db: Db, campaignId: SQL) => PreparableSelect<R>) => ({
  open: preparedSelect<SeatValues, R>((db) => build(db, campaignIdOf.open)),
  join: preparedSelect<SeatValues, R>((db) => build(db, campaignIdOf.join)),
});

type CampaignRows = { campaign: GroupBuyRow; loanSkuId: string | null }[];
// Both shapes give { campaign } rows; a join's is empty when the room is unknown.
const campaignSelect = {
  open: preparedSelect<SeatValues, CampaignRows>((db) =>
    db
      .select({ campaign: groupBuys, loanSkuId: sql<string | null>`NULL`.as('room_loan_sku_id') })
      .from(groupBuys)
      .where(eq(groupBuys.id, at.campaignId)),
  ),
  join: preparedSelect<SeatValues, CampaignRows>((db) =>
    db
      .select({ campaign: groupBuys, loanSkuId: sql<string | null>`CASE WHEN ${groupBuyRooms.unitsLoaned} > 0 THEN ${groupBuyRooms.loanSkuId} END`.as('room_loan_sku_id') })
      .from(groupBuyRooms)
      .innerJoin(groupBuys, eq(groupBuys.id, groupBuyRooms.groupBuyId))
      .where(eq(groupBuyRooms.id, at.roomId)),
  ),
};

const groupPriceSelect = perShape<{ groupPriceFen: number }[]>((db, campaignId) =>
  db
    .select({ groupPriceFen: groupBuySkus.groupPriceFen })
    .from(groupBuySkus)
    .where(and(eq(groupBuySkus.skuId, at.skuId), sql`${groupBuySkus.groupBuyId} = ${campaignId}`)),
);

const shopperSelect = perShape<{ id: string; nickname: string; avatarUrl: string | null; liveSeatIds: string | null }[]>((db, campaignId) =>
  db
    .select({ id: users.id, nickname: users.nickname, avatarUrl: users.avatarUrl, liveSeatIds: sql<string | null>`${liveSeatIds(campaignId, at.userId)}`.as('live_seat_ids') })
    .from(users)
    .where(eq(users.id, at.userId)),
);

const earlierSelect = preparedSelect<SeatValues, { order: OrderRow; roomId: string | null }[]>((db) =>
  db
    .select({ order: orders, roomId: groupBuyMembers.roomId })
    .from(orders)
    .leftJoin(groupBuyMembers, eq(groupBuyMembers.orderId, orders.id))
    .where(and(eq(orders.userId, at.userId), eq(orders.idempotencyKey, at.idempotencyKey))),
);

export async function readForSeat(ctx: CreateContext, target: SeatTarget, purchase: { skuId: string; addressId?: string | undefined }): Promise<SeatReads> {
  const { db, userId } = ctx;
  const shape: Shape = 'campaignId' in target ? 'open' : 'join';
  const values: SeatValues = { ...target, skuId: purchase.skuId, userId, idempotencyKey: ctx.idempotencyKey };
  const reads = await runRead(
    db,
    combine({
      campaign: read([campaignSelect[shape](db, values)], ([rows]) => ({ campaign: rows[0]?.campaign ?? null, roomLoanSkuId: rows[0]?.loanSkuId ?? null })),
      groupPriceFen: read([groupPriceSelect[shape](db, values)], ([rows]) => rows[0]?.groupPriceFen ?? null),
      skus: purchasableSkusRead(db, [purchase.skuId]),
      user: read([shopperSelect[shape](db, values)], ([[row]]) => (row ? { ...row, liveSeatIds: row.liveSeatIds ? row.liveSeatIds.split(',') : [] } : null)),
      // Null rather than a refusal: rooms.ts refuses in its documented order.
      address: read([purchase.addressId ? ownAddressSelect(db, { userId, addressId: purchase.addressId }) : defaultAddressSelect(db, { userId })], ([rows]) => rows[0] ?? null),
      shipping: shippingTemplatesRead(db, [purchase.skuId]),
      earlier: read([earlierSelect(db, values)], ([rows]) => rows[0] ?? null),
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
