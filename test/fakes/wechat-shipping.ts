/// <reference types="node" />
// The fake's WeChat order shipping management (发货信息管理, /wxa/sec/order/…), subscribe messages
// (subscribeMessage.send) and carriers (get_delivery_list), with the real validation and errcodes
// (wechat-protocols.md 4, 4a) and state per payment, so tests can see what WeChat was told.
//
// Behaviour worth knowing
// - Shipping is only accepted for a paid transaction of this merchant (else 10060001, "not known
//   yet", as WeChat answers just after payment). shipping_list must be an array of 1–15 (47001).
//   Split delivery (2) is express only; each upload states the packages so far. Once a payment is
//   shipped (unified, or split with is_all_delivered), one more upload is the one re-shipping
//   chance; any further one is 10060028. upload_time must be later than the previous upload's.
// - notify_confirm_receive: only for a shipped payment, once (then 10060028).
// - subscribeMessage.send: touser must be an openid the fake has seen pay or log in (40003),
//   template_id must be configured (40037), the user's allowance for the template must be > 0
//   (43101, one per acceptance recorded through the control endpoint), values must fit their
//   type (47003), page must not start with / (41030).
//
// Control: GET /__fake/shipping/:out_trade_no → the payment's shipping state and every upload;
//   POST /__fake/shipping/fail-next { out_trade_no, errcode, count? } → the next calls about that
//   payment answer errcode; POST /__fake/subscribe/accept { openid, template_id } → +1 allowance;
//   GET /__fake/subscribe/messages/:openid → messages sent.
import type { IncomingMessage } from 'node:http';

type Answer = Record<string, unknown>;
export type PaidTransaction = { outTradeNo: string; transactionId?: string; openid: string; tradeState: string; totalFen: number };

export type ShippingFakeContext = {
  mchid: string;
  /** Why the access_token in this query is not usable, or null. */
  tokenProblem(query: URLSearchParams): Answer | null;
  transactionByOutTradeNo(outTradeNo: string): PaidTransaction | undefined;
  transactionById(transactionId: string): PaidTransaction | undefined;
  knownOpenid(openid: string): boolean;
};

type ShippingState = {
  outTradeNo: string;
  /** 1 待发货, 2 已发货, 3 确认收货 (WeChat's order_state). */
  orderState: 1 | 2 | 3;
  deliveryMode?: 1 | 2;
  logisticsType?: number;
  finished: boolean;
  reshippingUsed: boolean;
  lastUploadTime?: number;
  uploads: Answer[];
  shippingList: Answer[];
  confirmReceiveNotifiedAt?: string;
};

const RFC3339_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?[+-]\d{2}:\d{2}$/;
const isRecord = (value: unknown): value is Record<string, any> => typeof value === 'object' && value !== null && !Array.isArray(value);
const err = (errcode: number, errmsg: string): Answer => ({ errcode, errmsg });
const MASKED_PHONE = /^\d{3}\*{4}\d{4}$/;

export const fakeDeliveryList = [
  { delivery_id: 'SF', delivery_name: '顺丰速运' },
  { delivery_id: 'ZTO', delivery_name: '中通快递' },
  { delivery_id: 'YTO', delivery_name: '圆通速递' },
  { delivery_id: 'STO', delivery_name: '申通快递' },
  { delivery_id: 'YUNDA', delivery_name: '韵达快递' },
  { delivery_id: 'JTSD', delivery_name: '极兔速递' },
  { delivery_id: 'JD', delivery_name: '京东物流' },
  { delivery_id: 'EMS', delivery_name: '中国邮政EMS' },
  { delivery_id: 'DB', delivery_name: '德邦快递' },
  { delivery_id: 'ZJS', delivery_name: '宅急送' },
  { delivery_id: 'BEST', delivery_name: '百世快递' },
];
const knownDeliveryIds = new Set(fakeDeliveryList.map((d) => d.delivery_id));

/** subscribeMessage value rules per type (the key's letters before its digits: thing1 → thing). */
const valueRules: Record<string, (value: string) => boolean> = {
  thing: (v) => [...v].length <= 20,
  number: (v) => /^\d{1,32}(\.\d+)?$/.test(v),
  letter: (v) => /^[A-Za-z]{1,32}$/.test(v),
  symbol: (v) => v.length <= 5,
  character_string: (v) => /^[0-9A-Za-z_\-@.#*]{1,32}$/.test(v),
  time: (v) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(v) || /^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$/.test(v),
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) || /^\d{4}年\d{1,2}月\d{1,2}日$/.test(v),
  amount: (v) => /^¥?\d{1,10}(\.\d{1,2})?元?$/.test(v),
  phone_number: (v) => /^[\d+-]{1,17}$/.test(v),
  car_number: (v) => v.length <= 8,
  name: (v) => (/^[\u4e00-\u9fa5]+$/.test(v) ? v.length <= 10 : v.length <= 20),
  phrase: (v) => /^[\u4e00-\u9fa5]{1,5}$/.test(v),
};

export function createShippingFake(ctx: ShippingFakeContext) {
  const states = new Map<string, ShippingState>();
  const failNext = new Map<string, { errcode: number; count: number }>();
  /** Templates the merchant has in the fake's console: template id → its keys. */
  const templates = new Map<string, string[]>([
    ['TPL_ORDER_PAID', ['character_string1', 'thing2', 'amount3', 'time4']],
    ['TPL_ORDER_SHIPPED', ['character_string1', 'thing2', 'thing3', 'character_string4']],
    ['TPL_ORDER_DELIVERED', ['character_string1', 'thing2', 'time3']],
    ['TPL_REFUND_RESULT', ['character_string1', 'amount2', 'phrase3', 'thing4']],
    ['TPL_AFTER_SALE', ['character_string1', 'phrase2', 'thing3']],
    ['TPL_GROUP_RESULT', ['thing1', 'phrase2', 'thing3']],
    ['TPL_BARGAIN_FLOOR', ['thing1', 'amount2', 'thing3']],
    ['TPL_PAYMENT_DUE', ['character_string1', 'thing2', 'time3']],
  ]);
  const allowances = new Map<string, number>(); // `${openid}|${template}` → sends left
  const messages = new Map<string, Answer[]>();

  const stateOf = (outTradeNo: string) => {
    let state = states.get(outTradeNo);
    if (!state) {
      state = { outTradeNo, orderState: 1, finished: false, reshippingUsed: false, uploads: [], shippingList: [] };
      states.set(outTradeNo, state);
    }
    return state;
  };

  function injected(outTradeNo: string | undefined): Answer | null {
    const rule = outTradeNo ? failNext.get(outTradeNo) : undefined;
    if (!rule) return null;
    if (--rule.count <= 0) failNext.delete(outTradeNo!);
    return err(rule.errcode, 'injected by the fake');
  }

  /** The paid transaction an order_key (or get_order / notify body) names, or the errcode answer. */
  function paidTransaction(key: Record<string, any>): PaidTransaction | { refused: Answer } {
    let t: PaidTransaction | undefined;
    if (key.order_number_type === 2 || (key.order_number_type === undefined && key.transaction_id)) {
      if (typeof key.transaction_id !== 'string') return { refused: err(47001, 'data format error: transaction_id') };
      t = ctx.transactionById(key.transaction_id);
    } else {
      const mchid = key.mchid ?? key.merchant_id;
      const outTradeNo = key.out_trade_no ?? key.merchant_trade_no;
      if (typeof mchid !== 'string' || typeof outTradeNo !== 'string') return { refused: err(47001, 'data format error: mchid and out_trade_no') };
      if (mchid !== ctx.mchid) return { refused: err(10060001, 'order not exist') };
      t = ctx.transactionByOutTradeNo(outTradeNo);
    }
    if (!t || (t.tradeState !== 'SUCCESS' && t.tradeState !== 'REFUND')) return { refused: err(10060001, 'order not exist') };
    return t;
  }

  function uploadShippingInfo(body: Record<string, any>): Answer {
    if (!isRecord(body.order_key)) return err(47001, 'data format error: order_key');
    const found = paidTransaction(body.order_key);
    if ('refused' in found) return found.refused;
    const fail = injected(found.outTradeNo);
    if (fail) return fail;
    const { logistics_type: logistics, delivery_mode: mode, shipping_list: list } = body;
    if (![1, 2, 3, 4].includes(logistics)) return err(47001, 'data format error: logistics_type');
    if (![1, 2].includes(mode)) return err(47001, 'data format error: delivery_mode');
    if (mode === 2 && logistics !== 1) return err(47001, 'split delivery is for express only');
    if (mode === 2 && typeof body.is_all_delivered !== 'boolean') return err(47001, 'data format error: is_all_delivered is required for split delivery');
    if (!Array.isArray(list)) return err(47001, 'data format error: shipping_list must be an array');
    if (list.length < 1 || list.length > 15) return err(47001, 'data format error: shipping_list must have 1 to 15 items');
    if (mode === 1 && list.length !== 1) return err(47001, 'unified delivery has one shipping item');
    for (const item of list) {
      if (!isRecord(item)) return err(47001, 'data format error: shipping_list item');
      if (typeof item.item_desc !== 'string' || item.item_desc.length < 1 || [...item.item_desc].length > 120) return err(47001, 'data format error: item_desc');
      if (logistics === 1) {
        if (typeof item.tracking_no !== 'string' || item.tracking_no.length < 1 || item.tracking_no.length > 128) return err(47001, 'data format error: tracking_no');
        if (typeof item.express_company !== 'string' || !knownDeliveryIds.has(item.express_company)) return err(47001, 'data format error: express_company');
        const contact = item.contact;
        if (item.express_company === 'SF' && !(isRecord(contact) && (contact.receiver_contact || contact.consignor_contact))) return err(47001, 'contact is required for SF');
        if (isRecord(contact) && ![contact.receiver_contact, contact.consignor_contact].filter(Boolean).every((p) => typeof p === 'string' && MASKED_PHONE.test(p))) {
          return err(47001, 'data format error: contact must be masked');
        }
      }
    }
    if (typeof body.upload_time !== 'string' || !RFC3339_OFFSET.test(body.upload_time)) return err(47001, 'data format error: upload_time');
    if (!isRecord(body.payer) || body.payer.openid !== found.openid) return err(47001, 'data format error: payer.openid');
    const state = stateOf(found.outTradeNo);
    const uploadTime = Date.parse(body.upload_time);
    if (state.lastUploadTime !== undefined && uploadTime <= state.lastUploadTime) return err(47001, 'upload_time must be later than the previous upload');
    if (state.orderState >= 3) return err(10060028, 'order state does not allow this operation');
    const modeChanged = state.deliveryMode !== undefined && (state.deliveryMode !== mode || state.logisticsType !== logistics);
    if (state.finished || modeChanged) {
      if (state.reshippingUsed) return err(10060028, 'order state does not allow this operation: re-shipping already used');
      state.reshippingUsed = true;
    }
    state.deliveryMode = mode;
    state.logisticsType = logistics;
    state.shippingList = list;
    state.lastUploadTime = uploadTime;
    state.finished = mode === 1 || body.is_all_delivered === true;
    state.orderState = state.finished ? 2 : 1;
    state.uploads.push(body);
    return err(0, 'ok');
  }

  function getOrder(body: Record<string, any>): Answer {
    const found = paidTransaction(body);
    if ('refused' in found) return found.refused;
    const state = stateOf(found.outTradeNo);
    return {
      errcode: 0,
      errmsg: 'ok',
      order: {
        transaction_id: found.transactionId,
        merchant_id: ctx.mchid,
        merchant_trade_no: found.outTradeNo,
        openid: found.openid,
        paid_amount: found.totalFen,
        order_state: found.tradeState === 'REFUND' ? 5 : state.orderState,
        shipping: { delivery_mode: state.deliveryMode, logistics_type: state.logisticsType, finish_shipping: state.finished, shipping_list: state.shippingList },
      },
    };
  }

  function notifyConfirmReceive(body: Record<string, any>): Answer {
    const found = paidTransaction(body);
    if ('refused' in found) return found.refused;
    const fail = injected(found.outTradeNo);
    if (fail) return fail;
    if (typeof body.received_time !== 'number' || !Number.isInteger(body.received_time)) return err(47001, 'data format error: received_time');
    const state = stateOf(found.outTradeNo);
    if (!state.finished || state.confirmReceiveNotifiedAt) return err(10060028, 'order state does not allow this operation');
    state.confirmReceiveNotifiedAt = new Date(body.received_time * 1000).toISOString();
    return err(0, 'ok');
  }

  function sendSubscribeMessage(body: Record<string, any>): Answer {
    if (typeof body.touser !== 'string' || !ctx.knownOpenid(body.touser)) return err(40003, 'invalid openid');
    const keys = typeof body.template_id === 'string' ? templates.get(body.template_id) : undefined;
    if (!keys) return err(40037, 'invalid template_id');
    if (body.page !== undefined && (typeof body.page !== 'string' || body.page.startsWith('/') || body.page.length > 256)) return err(41030, 'invalid page');
    if (!isRecord(body.data)) return err(47001, 'data format error: data');
    for (const key of keys) {
      const value = body.data[key]?.value;
      const type = key.replace(/\d+$/, '');
      if (typeof value !== 'string' || !valueRules[type]!(value)) return err(47003, `argument invalid! data.${key}.value`);
    }
    const allowanceKey = `${body.touser}|${body.template_id}`;
    const left = allowances.get(allowanceKey) ?? 0;
    if (left <= 0) return err(43101, 'user refuse to accept the msg');
    allowances.set(allowanceKey, left - 1);
    const sent = messages.get(body.touser) ?? [];
    sent.push(body);
    messages.set(body.touser, sent);
    return { errcode: 0, errmsg: 'ok', msgid: Date.now() };
  }

  const apis: Record<string, (body: Record<string, any>) => Answer> = {
    '/wxa/sec/order/upload_shipping_info': uploadShippingInfo,
    '/wxa/sec/order/get_order': getOrder,
    '/wxa/sec/order/notify_confirm_receive': notifyConfirmReceive,
    '/cgi-bin/express/delivery/open_msg/get_delivery_list': () => ({ errcode: 0, errmsg: 'ok', delivery_list: fakeDeliveryList, count: fakeDeliveryList.length }),
    '/cgi-bin/message/subscribe/send': sendSubscribeMessage,
  };

  return {
    /** The WeChat API answer for a server-API path this module owns, or undefined when it is not one of them. */
    answer(path: string, query: URLSearchParams, body: Record<string, any>): Answer | undefined {
      const api = apis[path];
      if (!api) return undefined;
      return ctx.tokenProblem(query) ?? api(body);
    },
    /** A control endpoint's answer, or undefined when the path is not one of ours. */
    control(req: IncomingMessage, path: string, body: Record<string, any>): { status: number; body: unknown } | undefined {
      const read = req.method === 'GET' ? /^\/__fake\/shipping\/([^/]+)$/.exec(path) : null;
      if (read) {
        const state = states.get(decodeURIComponent(read[1]!));
        return state ? { status: 200, body: state } : { status: 404, body: { error: 'nothing was uploaded for this payment' } };
      }
      const messagesOf = req.method === 'GET' ? /^\/__fake\/subscribe\/messages\/([^/]+)$/.exec(path) : null;
      if (messagesOf) return { status: 200, body: { messages: messages.get(decodeURIComponent(messagesOf[1]!)) ?? [] } };
      if (req.method === 'POST' && path === '/__fake/shipping/fail-next') {
        if (typeof body.out_trade_no !== 'string' || !Number.isInteger(body.errcode)) return { status: 400, body: { error: 'out_trade_no and errcode are required' } };
        failNext.set(body.out_trade_no, { errcode: body.errcode, count: body.count ?? 1 });
        return { status: 200, body: { ok: true } };
      }
      if (req.method === 'POST' && path === '/__fake/subscribe/accept') {
        if (typeof body.openid !== 'string' || typeof body.template_id !== 'string') return { status: 400, body: { error: 'openid and template_id are required' } };
        const key = `${body.openid}|${body.template_id}`;
        allowances.set(key, (allowances.get(key) ?? 0) + 1);
        return { status: 200, body: { allowance: allowances.get(key) } };
      }
      return undefined;
    },
  };
}

export type ShippingFake = ReturnType<typeof createShippingFake>;
