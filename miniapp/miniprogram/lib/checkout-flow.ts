// After a marketing purchase created a pending order (flash sale, group seat, bargain): pay it,
// then show the order, which tells how payment ended and offers to pay again while unpaid.
import { replace, toast } from './nav';
import { act } from './page';
import { payOrder } from './pay';
import { routes } from './routes';
import type { SubscribeKey } from './subscribe';

/** `messages`: what the pay tap asks for first (none when the tap that placed the order asked already). */
export async function payAndShowOrder(orderId: string, messages?: SubscribeKey[]): Promise<void> {
  await act(async () => {
    if ((await payOrder(orderId, messages)).outcome === 'cancelled') toast('已取消支付，可在订单中继续支付');
  });
  await replace(routes.order(orderId));
}
