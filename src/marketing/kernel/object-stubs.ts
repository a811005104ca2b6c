// One stub helper per Durable Object binding: the only place that knows how an object is named.
import { stockObjectName } from '../../domain/flash-sale';
import { helpTicketsObjectName } from '../../domain/bargain';
import { seatTicketsObjectName } from '../../domain/group-buy';
import type { Env } from '../../env';

/** The FlashSaleStock object of one campaign SKU's shard. */
export const flashStockStub = (env: Pick<Env, 'FLASH_SALE_STOCK'>, itemId: string, shard: number) => env.FLASH_SALE_STOCK.get(env.FLASH_SALE_STOCK.idFromName(stockObjectName(itemId, shard)));

/** The GroupBuyRoom object of one room. */
export const groupRoomStub = (env: Pick<Env, 'GROUP_BUY_ROOM'>, roomId: string) => env.GROUP_BUY_ROOM.get(env.GROUP_BUY_ROOM.idFromName(roomId));

/** The BargainSession object of one session. */
export const bargainSessionStub = (env: Pick<Env, 'BARGAIN_SESSION'>, sessionId: string) => env.BARGAIN_SESSION.get(env.BARGAIN_SESSION.idFromName(sessionId));

/** The BargainHelpTickets shard of a campaign that counts this helper's help tickets. */
export const helpTicketsStub = (env: Pick<Env, 'BARGAIN_HELP_TICKETS'>, campaignId: string, helperId: string) =>
  env.BARGAIN_HELP_TICKETS.get(env.BARGAIN_HELP_TICKETS.idFromName(helpTicketsObjectName(campaignId, helperId)));

/** The GroupBuySeatTickets shard of a campaign that counts this shopper's seats. */
export const seatTicketsStub = (env: Pick<Env, 'GROUP_BUY_SEAT_TICKETS'>, campaignId: string, shopperId: string) =>
  env.GROUP_BUY_SEAT_TICKETS.get(env.GROUP_BUY_SEAT_TICKETS.idFromName(seatTicketsObjectName(campaignId, shopperId)));
