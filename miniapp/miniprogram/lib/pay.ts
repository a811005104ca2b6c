// Paying an order: the API creates the WeChat Pay prepay and signs the parameters,
// wx.requestPayment shows the cashier. Success there is not proof of payment (only WeChat Pay's
// notification to the server is), so afterwards the order is read back, and if the
// notification has not arrived yet the API is asked to query WeChat Pay.
import { orderApi } from './api';
import type { Order } from './api-types';
import { askToSubscribe, PAY_MESSAGES, type SubscribeKey } from './subscribe';

export type PaymentOutcome = { outcome: 'paid'; order: Order } | { outcome: 'cancelled' } | { outcome: 'pending'; order: Order };

export function requestPayment(params: WechatMiniprogram.RequestPaymentOption): Promise<'ok' | 'cancelled'> {
  return new Promise((resolve, reject) =>
    wx.requestPayment({
      ...params,
      success: () => resolve('ok'),
      fail: (err) => (/cancel/.test(err.errMsg) ? resolve('cancelled') : reject(new Error(err.errMsg))),
    }),
  );
}

/** Pays an order; the tap first asks for the messages that follow a payment (lib/subscribe.ts). */
export async function payOrder(orderId: string, messages: SubscribeKey[] = PAY_MESSAGES): Promise<PaymentOutcome> {
  await askToSubscribe(messages);
  const { request_payment: p } = await orderApi.prepay(orderId);
  const signType = p.signType as WechatMiniprogram.RequestPaymentOption['signType'];
  if ((await requestPayment({ timeStamp: p.timeStamp, nonceStr: p.nonceStr, package: p.package, signType, paySign: p.paySign })) === 'cancelled') return { outcome: 'cancelled' };
  let order = await orderApi.get(orderId);
  if (order.status === 'pending_payment') order = await orderApi.syncPayment(orderId);
  return order.status === 'pending_payment' ? { outcome: 'pending', order } : { outcome: 'paid', order };
}
