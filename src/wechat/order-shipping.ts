// WeChat's order shipping management (发货信息管理, wechat-protocols.md 4a) and carrier list: the
// request bodies, built exactly as WeChat validates them, and the calls (through the login
// client, which carries the access_token).
import type { WeChatLoginClient } from './login-client';
import { formatTimeExpire } from './pay-client';

export type ServerApi = Pick<WeChatLoginClient, 'callServerApi'>;

/** WeChat's logistics_type, by our delivery method. */
export const logisticsTypeOf = { express: 1, same_city: 2, virtual: 3, pickup: 4 } as const;
export const MAX_ITEM_DESC = 120;

export type UploadPackage = { method: keyof typeof logisticsTypeOf; carrierId: string | null; trackingNo: string | null; itemDesc: string; completesOrder: boolean };
export type UploadInput = {
  mchid: string;
  outTradeNo: string;
  payerOpenid: string;
  /** Every package of the order so far, oldest first. */
  packages: UploadPackage[];
  receiverPhone: string;
  uploadTimeMs: number;
};

/** 13912345678 → 139****5678: WeChat wants the last four digits visible. */
export function maskedContact(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.length >= 7 ? `${digits.slice(0, 3)}****${digits.slice(-4)}` : `***${'*'.repeat(Math.max(0, 4 - digits.length))}${digits.slice(-4)}`;
}

/**
 * One upload stating every package so far: one package that completes the order is unified
 * delivery; otherwise split delivery (express only), is_all_delivered once the last one ships.
 */
export function uploadShippingBody(input: UploadInput) {
  const last = input.packages[input.packages.length - 1]!;
  const unified = input.packages.length === 1 && last.completesOrder;
  const logisticsType = logisticsTypeOf[last.method];
  return {
    order_key: { order_number_type: 1, mchid: input.mchid, out_trade_no: input.outTradeNo },
    logistics_type: logisticsType,
    delivery_mode: unified ? 1 : 2,
    ...(unified ? {} : { is_all_delivered: last.completesOrder }),
    shipping_list: input.packages.map((p) => ({
      ...(p.method === 'express' ? { tracking_no: p.trackingNo!, express_company: p.carrierId! } : {}),
      item_desc: [...p.itemDesc].slice(0, MAX_ITEM_DESC).join(''),
      ...(p.method === 'express' ? { contact: { receiver_contact: maskedContact(input.receiverPhone) } } : {}),
    })),
    upload_time: formatTimeExpire(input.uploadTimeMs),
    payer: { openid: input.payerOpenid },
  };
}

export const uploadShippingInfo = (api: ServerApi, input: UploadInput) => api.callServerApi('/wxa/sec/order/upload_shipping_info', uploadShippingBody(input));

export type WeChatShippingOrder = { order_state: number; shipping?: { finish_shipping?: boolean; shipping_list?: unknown[] } };
export const getShippingOrder = async (api: ServerApi, mchid: string, outTradeNo: string) =>
  (await api.callServerApi<{ order: WeChatShippingOrder }>('/wxa/sec/order/get_order', { merchant_id: mchid, merchant_trade_no: outTradeNo })).order;

export const notifyConfirmReceive = (api: ServerApi, mchid: string, outTradeNo: string, receivedAtMs: number) =>
  api.callServerApi('/wxa/sec/order/notify_confirm_receive', { merchant_id: mchid, merchant_trade_no: outTradeNo, received_time: Math.floor(receivedAtMs / 1000) });

export const getDeliveryList = async (api: ServerApi) =>
  (await api.callServerApi<{ delivery_list: { delivery_id: string; delivery_name: string }[] }>('/cgi-bin/express/delivery/open_msg/get_delivery_list', {})).delivery_list;
