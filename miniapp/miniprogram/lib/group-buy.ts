// Taking a seat in a group (opening a room as leader or joining one): the API holds the seat and
// creates the pending order; paying it here confirms the seat; then the room is shown.
import { groupBuyApi } from './api';
import { newIdempotencyKey } from './ids';
import type { GroupBuySeat } from './api-types';
import { replace, toast } from './nav';
import { act } from './page';
import { payOrder } from './pay';
import { GROUP_PAY_MESSAGES } from './subscribe';
import { routes } from './routes';

export type SeatRequest = { kind: 'open'; campaignId: string } | { kind: 'join'; roomId: string };

/** One key per seat attempt on a page: a retried tap after a lost answer is the same seat. */
export class SeatTaker {
  private key = newIdempotencyKey();

  async take(request: SeatRequest, skuId: string): Promise<GroupBuySeat | null> {
    let seat: GroupBuySeat | null = null;
    const taken = await act(async () => {
      seat = request.kind === 'open' ? await groupBuyApi.open(request.campaignId, { sku_id: skuId }, this.key) : await groupBuyApi.join(request.roomId, { sku_id: skuId }, this.key);
    });
    if (!taken || !seat) return null;
    this.key = newIdempotencyKey();
    const { room, order, redirected } = seat as GroupBuySeat;
    if (redirected) toast('该团已满，已为你加入新的团');
    await act(async () => {
      if ((await payOrder(order.id, GROUP_PAY_MESSAGES)).outcome === 'cancelled') toast('已取消支付，请在订单中完成支付以保留名额');
    });
    await replace(routes.groupRoom(room.id));
    return seat;
  }
}

type SeatPage = { data: { skuId: string; busy: boolean }; setData(patch: { busy: boolean }): void };
const takers = new WeakMap<object, SeatTaker>();

/** The seat button of a page (the campaign's "开团", the room's "参团"): one attempt at a time, a SKU first. */
export async function takeSeatFrom(page: SeatPage, request: SeatRequest): Promise<boolean> {
  if (!page.data.skuId) {
    toast('请选择规格');
    return false;
  }
  if (page.data.busy) return false;
  const taker = takers.get(page) ?? new SeatTaker();
  takers.set(page, taker);
  page.setData({ busy: true });
  const seat = await taker.take(request, page.data.skuId);
  page.setData({ busy: false });
  return seat !== null;
}
