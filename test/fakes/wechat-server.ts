/// <reference types="node" />
// A local WeChat (login, phone number, access_token) and WeChat Pay v3 (JSAPI prepay, query,
// close, refund, refund query, notifications) that speaks the real protocol with real keys:
// merchant signatures are checked with the merchant public key, every Pay answer and
// notification is signed with a platform key, notification resources are AES-256-GCM encrypted
// with the APIv3 key. The worker reaches it by base URL only (WECHAT_API_BASE /
// WECHAT_PAY_API_BASE); nothing in src/ knows it is a fake.
//
// Behaviour worth knowing
// - Login codes (js_code): `ok:<openid>[:<unionid>]` works once, then 40163; `bad` → 40029,
//   `busy` → -1, `limit` → 45011, `risky` → 40226, anything else → 40029.
// - Phone codes: `phone:<number>[:<anything unique>]` works once (then 40029); the access_token
//   must be current (an invalidated one gets 40001, an expired one 42001).
// - stable_token hands out the same token until it expires (7200 s) or is invalidated.
// - WeChat Pay "now" for a call is the timestamp in the merchant's (verified) Authorization
//   header, and the answer is signed with that timestamp. So a test that moves the worker's
//   injected clock moves the fake with it. Request timestamps are therefore not age-checked.
// - Answers are signed with the key the request's `Wechatpay-Serial` header names (a platform
//   certificate's serial selects certificate mode), else with the WeChat Pay public key.
// - Three platform certificates, each with its own key: the current one (`certificate`), one
//   that expired a day ago (`expired_certificate`) and one valid from tomorrow
//   (`future_certificate`, as during a rotation), for five years each, by the real clock.
// - notify_url must be https without a query, except http on 127.0.0.1/localhost (for dev).
// - Transactions: NOTPAY → SUCCESS (control "pay") → REFUND (first refund); NOTPAY → CLOSED.
//   A paid transaction cannot be closed (ORDERPAID); refunds are idempotent by out_refund_no,
//   start PROCESSING and end by the control "complete". "pay" ignores time_expire: a payment
//   begun before the expiry can complete after it, which is what checkout must survive.
//
// Control endpoints (JSON in and out, no authentication; every notification-producing call
// takes optional { nowMs, signWith: "public_key"|"certificate"|"expired_certificate"|"future_certificate", deliver, delayMs } and answers
// with the notification as { id, headers, body } — POST exactly those headers and body to the
// worker — plus, with deliver: true, the delivery result; with delayMs, delivery happens later):
//   POST /__fake/pay/transactions/:out_trade_no/pay      mark paid; builds TRANSACTION.SUCCESS
//        → { transaction, notification }
//   POST /__fake/pay/refunds/:out_refund_no/complete     { status: SUCCESS|ABNORMAL|CLOSED }
//        → { refund, notification } with REFUND.<status>
//   POST /__fake/notifications/:id/variants              { variant } → { notification }, where
//        variant is one of: duplicate (same id and body, re-signed now), replay (the earlier
//        headers and body, byte for byte), forged (signed by a stranger's key), wrong_serial,
//        stale (timestamp 400 s before now), signtest (WECHATPAY/SIGNTEST/ probe),
//        tampered_ciphertext (signed, but the ciphertext fails GCM), wrong_amount, wrong_mchid,
//        wrong_appid (correctly signed and encrypted, but the resource disagrees with the order).
//        Every variant except duplicate and replay gets a new notification id, so the defect is
//        the only reason to refuse it.
//   POST /__fake/pay/next-response                       { outTradeNo, tamper?, fail? }: the next
//        Pay answer about that order is tampered (tamper: body|signature|serial|stale|signtest|
//        unsigned) and/or replaced by an error (fail: { status, code, message?, applied? };
//        applied: true performs the operation first, as when an answer is lost).
//   POST /__fake/login/invalidate-token                  the current access_token becomes stale
//   GET  /__fake/pay/transactions/:out_trade_no           the fake's record (with what was sent)
//   GET  /__fake/pay/prepays/:prepay_id                   the same record, found by its prepay id
//        (what the cashier holds: it pays orders and paid-membership purchases alike)
//   GET  /__fake/pay/refunds                              every refund received, with received_at_ms
import { generateKeyPairSync, randomBytes, randomUUID, createPublicKey, type KeyObject } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chinaTime, encryptResource, parseAuthorization, randomAlphanumeric, randomDigits, randomHex, signatureHeaders, verifyMerchantSignature, type Signer } from './wechat-pay-crypto';
import { createSelfSignedCertificate, validityPeriod, type CertificateValidity } from './x509';
import { createShippingFake } from './wechat-shipping';
import { createTrackingFake } from './tracking-provider';

export type FakeWeChatOptions = {
  port?: number;
  appid: string;
  appSecret: string;
  mchid: string;
  apiV3Key: string;
  merchantPublicKeyPem: string;
  merchantSerial: string;
  /** The fake 快递100 advances every subscription by itself this often (npm run dev); tests advance by control. */
  trackingAutoAdvanceMs?: number;
};

/** A platform certificate (PEM) and the serial WeChat Pay names it by. */
export type PlatformCertificate = { pem: string; serial: string };

/**
 * What a merchant configures to verify this WeChat Pay (either mode, or both), plus the
 * out-of-date certificates, for tests of certificate validity.
 */
export type PlatformKeys = {
  publicKeyId: string;
  publicKeyPem: string;
  certificatePem: string;
  certificateSerial: string;
  expiredCertificate: PlatformCertificate;
  futureCertificate: PlatformCertificate;
};

export type SignWith = 'public_key' | 'certificate' | 'expired_certificate' | 'future_certificate';
export type NotifyOptions = { nowMs?: number; signWith?: SignWith; deliver?: boolean; delayMs?: number };
export type DeliveryResult = { status: number; body: string } | { scheduledInMs: number } | { error: string };
export type BuiltNotification = { id: string; headers: Record<string, string>; body: string; delivery?: DeliveryResult };
export const notificationVariants = ['duplicate', 'replay', 'forged', 'wrong_serial', 'stale', 'signtest', 'tampered_ciphertext', 'wrong_amount', 'wrong_mchid', 'wrong_appid'] as const;
export type NotificationVariant = (typeof notificationVariants)[number];
export const responseTampers = ['body', 'signature', 'serial', 'stale', 'signtest', 'unsigned'] as const;
export type ResponseTamper = (typeof responseTampers)[number];
export type NextResponseRule = {
  outTradeNo: string;
  tamper?: ResponseTamper;
  fail?: { status: number; code: string; message?: string; applied?: boolean };
};

type TradeState = 'NOTPAY' | 'SUCCESS' | 'REFUND' | 'CLOSED';
type RefundStatus = 'PROCESSING' | 'SUCCESS' | 'CLOSED' | 'ABNORMAL';

type Transaction = {
  outTradeNo: string;
  description: string;
  timeExpire?: string;
  attach?: string;
  notifyUrl: string;
  totalFen: number;
  openid: string;
  prepayId: string;
  /** The prepay parameters, to tell a harmless resend from a clashing out_trade_no. */
  fingerprint: string;
  tradeState: TradeState;
  transactionId?: string;
  successTime?: string;
  refundNos: string[];
};

type Refund = {
  outRefundNo: string;
  refundId: string;
  outTradeNo: string;
  reason?: string;
  notifyUrl?: string;
  refundFen: number;
  totalFen: number;
  status: RefundStatus;
  createTime: string;
  successTime?: string;
  fingerprint: string;
  /** When this process received the refund (real clock, ms): what bench:refunds times. */
  receivedAtMs: number;
};

type StoredNotification = {
  id: string;
  eventType: string;
  summary: string;
  originalType: 'transaction' | 'refund';
  plaintext: Record<string, unknown>;
  notifyUrl?: string;
  signWith: SignWith;
  headers: Record<string, string>;
  body: string;
};

export type FakeWeChat = {
  url: string;
  platform: PlatformKeys;
  close(): Promise<void>;
  markPaid(outTradeNo: string, opts?: NotifyOptions): Promise<{ transaction: Record<string, unknown>; notification: BuiltNotification }>;
  completeRefund(outRefundNo: string, opts?: NotifyOptions & { status?: Exclude<RefundStatus, 'PROCESSING'> }): Promise<{ refund: Record<string, unknown>; notification: BuiltNotification }>;
  notificationVariant(id: string, variant: NotificationVariant, opts?: NotifyOptions): Promise<BuiltNotification>;
  setNextResponse(rule: NextResponseRule): void;
  invalidateAccessToken(): string | null;
  transaction(outTradeNo: string): Record<string, unknown> | undefined;
};

/** A control call that cannot be done (unknown order, wrong state); becomes its HTTP status. */
class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Reply = { status: number; body?: unknown };
const payError = (status: number, code: string, message: string): Reply => ({ status, body: { code, message } });
const paramError = (message: string) => payError(400, 'PARAM_ERROR', message);

const TOKEN_LIFETIME_MS = 7200_000;
const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

const rsaKeyPair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const isRecord = (value: unknown): value is Record<string, any> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isPositiveFen = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 1;

function notifyUrlProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'notify_url is required';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'notify_url is not a URL';
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) return 'notify_url must be https';
  if (url.search || url.hash) return 'notify_url must not carry a query';
  return null;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** The same answer with one value changed, as a man in the middle would. */
function tamperBody(body: string): string {
  const value = JSON.parse(body) as Record<string, unknown>;
  if ('trade_state' in value) value.trade_state = value.trade_state === 'SUCCESS' ? 'NOTPAY' : 'SUCCESS';
  else if ('status' in value) value.status = value.status === 'SUCCESS' ? 'PROCESSING' : 'SUCCESS';
  else if ('prepay_id' in value) value.prepay_id = `${String(value.prepay_id)}0`;
  else value.code = 'TAMPERED';
  return JSON.stringify(value);
}

export async function startFakeWeChat(options: FakeWeChatOptions): Promise<FakeWeChat> {
  const merchantPublicKey = createPublicKey(options.merchantPublicKeyPem);

  // Distinct platform keys, as in real life: the WeChat Pay public key and each platform
  // certificate's key. A client that picks the key by the wrong serial fails verification.
  const publicKeyPair = rsaKeyPair();
  const strangerKey = rsaKeyPair().privateKey; // signs "forged" notifications and answers
  const publicKeyId = `PUB_KEY_ID_${randomDigits(34)}`;
  const platformCertificate = (validity: CertificateValidity): PlatformCertificate & { privateKey: KeyObject } => {
    const keyPair = rsaKeyPair();
    const serial = `${(0x10 + (randomBytes(1)[0]! % 0x70)).toString(16).toUpperCase()}${randomHex(19)}`;
    const pem = createSelfSignedCertificate({ ...keyPair, serialHex: serial, commonName: 'Tenpay.com Root CA', ...validityPeriod(validity, Date.now()) });
    return { pem, serial, privateKey: keyPair.privateKey };
  };
  const certificates = { certificate: platformCertificate('current'), expired_certificate: platformCertificate('expired'), future_certificate: platformCertificate('not_yet_valid') };
  const signers: Record<SignWith, Signer> = {
    public_key: { serial: publicKeyId, privateKey: publicKeyPair.privateKey },
    ...certificates,
  };
  const platform: PlatformKeys = {
    publicKeyId,
    publicKeyPem: publicKeyPair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    certificatePem: certificates.certificate.pem,
    certificateSerial: certificates.certificate.serial,
    expiredCertificate: { pem: certificates.expired_certificate.pem, serial: certificates.expired_certificate.serial },
    futureCertificate: { pem: certificates.future_certificate.pem, serial: certificates.future_certificate.serial },
  };

  const transactions = new Map<string, Transaction>();
  const transactionsById = new Map<string, Transaction>();
  const refunds = new Map<string, Refund>();
  const notifications = new Map<string, StoredNotification>();
  const nextResponses = new Map<string, NextResponseRule>();
  const usedLoginCodes = new Set<string>();
  const usedPhoneCodes = new Set<string>();
  const tokens = new Map<string, number>(); // access_token → expiry (ms)
  let currentToken: string | null = null;
  const timers = new Set<NodeJS.Timeout>();
  const loggedInOpenids = new Set<string>();
  const tracking = createTrackingFake({ timers, ...(options.trackingAutoAdvanceMs ? { autoAdvanceMs: options.trackingAutoAdvanceMs } : {}) });
  // Order shipping, subscribe messages and carriers (wechat-shipping.ts) see this fake's payments and tokens.
  const shipping = createShippingFake({
    mchid: options.mchid,
    tokenProblem: (query) => accessTokenProblem(query),
    transactionByOutTradeNo: (no) => transactions.get(no),
    transactionById: (id) => transactionsById.get(id),
    knownOpenid: (openid) => loggedInOpenids.has(openid) || [...transactions.values()].some((t) => t.openid === openid),
  });

  const signerFor = (requestedSerial: string | undefined): Signer =>
    Object.values(signers).find((signer) => !signer.serial.startsWith('PUB_KEY_ID_') && signer.serial === requestedSerial?.toUpperCase()) ?? signers.public_key;
  const unknownSerialLike = (serial: string) => (serial.startsWith('PUB_KEY_ID_') ? `PUB_KEY_ID_${randomDigits(34)}` : randomHex(20));

  // ---------------------------------------------------------------- views (WeChat Pay's JSON)

  function transactionView(t: Transaction): Record<string, unknown> {
    const paid = t.tradeState === 'SUCCESS' || t.tradeState === 'REFUND';
    const desc: Record<TradeState, string> = { NOTPAY: '订单未支付', SUCCESS: '支付成功', REFUND: '转入退款', CLOSED: '订单已关闭' };
    return {
      appid: options.appid,
      mchid: options.mchid,
      out_trade_no: t.outTradeNo,
      ...(paid ? { transaction_id: t.transactionId, bank_type: 'OTHERS', success_time: t.successTime } : {}),
      trade_type: 'JSAPI',
      trade_state: t.tradeState,
      trade_state_desc: desc[t.tradeState],
      attach: t.attach ?? '',
      payer: { openid: t.openid },
      amount: paid ? { total: t.totalFen, payer_total: t.totalFen, currency: 'CNY', payer_currency: 'CNY' } : { total: t.totalFen, currency: 'CNY', payer_currency: 'CNY' },
    };
  }

  function refundView(r: Refund): Record<string, unknown> {
    return {
      refund_id: r.refundId,
      out_refund_no: r.outRefundNo,
      transaction_id: transactions.get(r.outTradeNo)!.transactionId,
      out_trade_no: r.outTradeNo,
      channel: 'ORIGINAL',
      user_received_account: '支付用户零钱',
      ...(r.successTime ? { success_time: r.successTime } : {}),
      create_time: r.createTime,
      status: r.status,
      funds_account: 'AVAILABLE',
      amount: {
        total: r.totalFen,
        refund: r.refundFen,
        payer_total: r.totalFen,
        payer_refund: r.refundFen,
        settlement_total: r.totalFen,
        settlement_refund: r.refundFen,
        discount_refund: 0,
        currency: 'CNY',
        refund_fee: 0,
      },
      promotion_detail: [],
    };
  }

  function refundResource(r: Refund): Record<string, unknown> {
    return {
      mchid: options.mchid,
      out_trade_no: r.outTradeNo,
      transaction_id: transactions.get(r.outTradeNo)!.transactionId,
      out_refund_no: r.outRefundNo,
      refund_id: r.refundId,
      refund_status: r.status,
      ...(r.successTime ? { success_time: r.successTime } : {}),
      user_received_account: '支付用户零钱',
      amount: { total: r.totalFen, refund: r.refundFen, payer_total: r.totalFen, payer_refund: r.refundFen },
    };
  }

  // ---------------------------------------------------------------- WeChat Pay API v3

  function createPrepay(body: Record<string, any>, nowSec: number): Reply {
    if (typeof body.description !== 'string' || body.description.length < 1 || body.description.length > 127) return paramError('description must have 1–127 characters');
    if (typeof body.out_trade_no !== 'string' || !OUT_TRADE_NO.test(body.out_trade_no)) return paramError('out_trade_no must be 6–32 of [0-9A-Za-z_-|*]');
    if (body.time_expire !== undefined) {
      const expiresMs = typeof body.time_expire === 'string' && RFC3339.test(body.time_expire) ? Date.parse(body.time_expire) : NaN;
      if (Number.isNaN(expiresMs)) return paramError('time_expire must be RFC 3339 with a time zone offset');
      if (expiresMs < nowSec * 1000 + 60_000) return paramError('time_expire must be at least 1 minute after the order time');
    }
    if (body.attach !== undefined && (typeof body.attach !== 'string' || body.attach.length > 128)) return paramError('attach must have at most 128 characters');
    const notifyProblem = notifyUrlProblem(body.notify_url);
    if (notifyProblem) return paramError(notifyProblem);
    if (!isRecord(body.amount) || !isPositiveFen(body.amount.total)) return paramError('amount.total must be a positive integer of fen');
    if (body.amount.currency !== undefined && body.amount.currency !== 'CNY') return paramError('amount.currency must be CNY');
    if (!isRecord(body.payer) || typeof body.payer.openid !== 'string' || !body.payer.openid) return paramError('payer.openid is required');
    if (body.appid !== options.appid || body.mchid !== options.mchid) return payError(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配');

    const fingerprint = JSON.stringify([body.description, body.time_expire, body.attach, body.notify_url, body.amount.total, body.payer.openid]);
    const existing = transactions.get(body.out_trade_no);
    if (existing) {
      if (existing.tradeState === 'SUCCESS' || existing.tradeState === 'REFUND') return payError(403, 'ORDERPAID', '该订单已支付');
      if (existing.tradeState === 'CLOSED') return payError(400, 'ORDERCLOSED', '当前订单已关闭');
      if (existing.fingerprint !== fingerprint) return payError(403, 'OUT_TRADE_NO_USED', '商户订单号重复');
      return { status: 200, body: { prepay_id: existing.prepayId } };
    }
    const transaction: Transaction = {
      outTradeNo: body.out_trade_no,
      description: body.description,
      ...(body.time_expire === undefined ? {} : { timeExpire: body.time_expire }),
      ...(body.attach === undefined ? {} : { attach: body.attach }),
      notifyUrl: body.notify_url,
      totalFen: body.amount.total,
      openid: body.payer.openid,
      prepayId: `wx${chinaTime(nowSec * 1000)
        .replace(/\D/g, '')
        .slice(0, 14)}${randomHex(11).toLowerCase()}0000`,
      fingerprint,
      tradeState: 'NOTPAY',
      refundNos: [],
    };
    transactions.set(transaction.outTradeNo, transaction);
    return { status: 200, body: { prepay_id: transaction.prepayId } };
  }

  function queryTransaction(outTradeNo: string, query: URLSearchParams): Reply {
    if (query.get('mchid') !== options.mchid) return paramError('mchid is missing or not yours');
    const t = transactions.get(outTradeNo);
    return t ? { status: 200, body: transactionView(t) } : payError(404, 'ORDER_NOT_EXIST', '订单不存在');
  }

  function closeTransaction(outTradeNo: string, body: Record<string, any>): Reply {
    if (body.mchid !== options.mchid) return paramError('mchid is missing or not yours');
    const t = transactions.get(outTradeNo);
    if (!t) return payError(404, 'ORDER_NOT_EXIST', '订单不存在');
    if (t.tradeState === 'SUCCESS' || t.tradeState === 'REFUND') return payError(400, 'ORDERPAID', '订单已支付');
    t.tradeState = 'CLOSED';
    return { status: 204 };
  }

  function createRefund(body: Record<string, any>, nowSec: number): Reply {
    const t = typeof body.out_trade_no === 'string' ? transactions.get(body.out_trade_no) : transactionsById.get(String(body.transaction_id));
    if (typeof body.out_refund_no !== 'string' || !OUT_REFUND_NO.test(body.out_refund_no)) return paramError('out_refund_no must be 1–64 of [0-9A-Za-z_-|*@]');
    if (body.reason !== undefined && (typeof body.reason !== 'string' || body.reason.length > 80)) return paramError('reason must have at most 80 characters');
    if (body.notify_url !== undefined) {
      const notifyProblem = notifyUrlProblem(body.notify_url);
      if (notifyProblem) return paramError(notifyProblem);
    }
    if (!isRecord(body.amount) || !isPositiveFen(body.amount.refund) || !isPositiveFen(body.amount.total) || body.amount.currency !== 'CNY') {
      return paramError('amount needs refund and total (positive integers of fen) and currency CNY');
    }
    if (!t) return payError(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
    const fingerprint = JSON.stringify([t.outTradeNo, body.reason, body.notify_url, body.amount.refund, body.amount.total]);
    const existing = refunds.get(body.out_refund_no);
    if (existing) {
      return existing.fingerprint === fingerprint ? { status: 200, body: refundView(existing) } : payError(400, 'INVALID_REQUEST', 'out_refund_no was used with other parameters');
    }
    if (t.tradeState !== 'SUCCESS' && t.tradeState !== 'REFUND') return payError(400, 'INVALID_REQUEST', '订单未支付，不能退款');
    if (body.amount.total !== t.totalFen) return payError(400, 'INVALID_REQUEST', '订单金额与原订单不一致');
    const earlier = t.refundNos.map((no) => refunds.get(no)!).filter((r) => r.status !== 'CLOSED');
    if (earlier.length >= 50) return payError(400, 'INVALID_REQUEST', '部分退款次数已达上限');
    const refunded = earlier.reduce((sum, r) => sum + r.refundFen, 0);
    if (refunded + body.amount.refund > t.totalFen) return payError(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额');
    const refund: Refund = {
      outRefundNo: body.out_refund_no,
      refundId: `50${randomDigits(27)}`,
      outTradeNo: t.outTradeNo,
      ...(body.reason === undefined ? {} : { reason: body.reason }),
      ...(body.notify_url === undefined ? {} : { notifyUrl: body.notify_url }),
      refundFen: body.amount.refund,
      totalFen: body.amount.total,
      status: 'PROCESSING',
      createTime: chinaTime(nowSec * 1000),
      fingerprint,
      receivedAtMs: Date.now(),
    };
    refunds.set(refund.outRefundNo, refund);
    t.refundNos.push(refund.outRefundNo);
    t.tradeState = 'REFUND';
    return { status: 200, body: refundView(refund) };
  }

  function queryRefund(outRefundNo: string): Reply {
    const r = refunds.get(outRefundNo);
    return r ? { status: 200, body: refundView(r) } : payError(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
  }

  type PayRoute = { orderKey: string | undefined; handle: () => Reply };

  function payRoute(method: string, url: URL, body: Record<string, any>, nowSec: number): PayRoute | null {
    const path = url.pathname;
    if (method === 'POST' && path === '/v3/pay/transactions/jsapi') {
      return { orderKey: body.out_trade_no, handle: () => createPrepay(body, nowSec) };
    }
    let match = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/.exec(path);
    if (method === 'GET' && match) {
      const outTradeNo = decodeURIComponent(match[1]!);
      return { orderKey: outTradeNo, handle: () => queryTransaction(outTradeNo, url.searchParams) };
    }
    match = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/.exec(path);
    if (method === 'POST' && match) {
      const outTradeNo = decodeURIComponent(match[1]!);
      return { orderKey: outTradeNo, handle: () => closeTransaction(outTradeNo, body) };
    }
    if (method === 'POST' && path === '/v3/refund/domestic/refunds') {
      const orderKey = typeof body.out_trade_no === 'string' ? body.out_trade_no : transactionsById.get(String(body.transaction_id))?.outTradeNo;
      return { orderKey, handle: () => createRefund(body, nowSec) };
    }
    match = /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/.exec(path);
    if (method === 'GET' && match) {
      const outRefundNo = decodeURIComponent(match[1]!);
      return { orderKey: refunds.get(outRefundNo)?.outTradeNo, handle: () => queryRefund(outRefundNo) };
    }
    return null;
  }

  function sendSigned(res: ServerResponse, reply: Reply, nowSec: number, signer: Signer, tamper?: ResponseTamper) {
    const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
    let headers = signatureHeaders(signer, nowSec, body);
    let sent = body;
    switch (tamper) {
      case 'body':
        // A 204 has no body to change; sign a different one instead, which fails the same way.
        if (body) sent = tamperBody(body);
        else headers = signatureHeaders(signer, nowSec, '{}');
        break;
      case 'signature':
        headers = signatureHeaders({ serial: signer.serial, privateKey: strangerKey }, nowSec, body);
        break;
      case 'serial':
        headers['Wechatpay-Serial'] = unknownSerialLike(signer.serial);
        break;
      case 'stale':
        headers = signatureHeaders(signer, nowSec - 400, body);
        break;
      case 'signtest':
        headers['Wechatpay-Signature'] = `WECHATPAY/SIGNTEST/${randomBytes(192).toString('base64')}`;
        break;
      case 'unsigned':
        headers = {};
        break;
    }
    res.writeHead(reply.status, { ...headers, ...(sent ? { 'Content-Type': 'application/json; charset=utf-8' } : {}), 'Request-ID': randomUUID() });
    res.end(sent);
  }

  function handlePay(req: IncomingMessage, res: ServerResponse, url: URL, raw: string) {
    const auth = parseAuthorization(req.headers.authorization);
    const signer = signerFor(req.headers['wechatpay-serial'] as string | undefined);
    const signedByMerchant =
      auth !== null &&
      auth.mchid === options.mchid &&
      auth.serial.toUpperCase() === options.merchantSerial.toUpperCase() &&
      verifyMerchantSignature(merchantPublicKey, auth, req.method!, req.url!, raw);
    if (!signedByMerchant) {
      return sendSigned(res, payError(401, 'SIGN_ERROR', '签名错误'), Math.floor(Date.now() / 1000), signer);
    }
    const nowSec = auth.timestampSec;
    let body: Record<string, any> = {};
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return sendSigned(res, paramError('body is not JSON'), nowSec, signer);
      }
      if (!isRecord(body)) return sendSigned(res, paramError('body must be a JSON object'), nowSec, signer);
    }
    const route = payRoute(req.method!, url, body, nowSec);
    if (!route) return sendSigned(res, payError(404, 'NOT_FOUND', 'no such API'), nowSec, signer);
    const rule = route.orderKey === undefined ? undefined : nextResponses.get(route.orderKey);
    if (rule) nextResponses.delete(route.orderKey!);
    const failure = rule?.fail ? payError(rule.fail.status, rule.fail.code, rule.fail.message ?? rule.fail.code) : undefined;
    if (failure && !rule?.fail?.applied) return sendSigned(res, failure, nowSec, signer, rule?.tamper);
    const reply = route.handle();
    sendSigned(res, failure ?? reply, nowSec, signer, rule?.tamper);
  }

  // ---------------------------------------------------------------- notifications

  function compose(
    n: Omit<StoredNotification, 'headers' | 'body' | 'notifyUrl' | 'signWith'>,
    nowSec: number,
    signer: Signer,
    defect?: 'tampered_ciphertext',
  ): { headers: Record<string, string>; body: string } {
    const resource = encryptResource(options.apiV3Key, n.originalType, JSON.stringify(n.plaintext));
    if (defect === 'tampered_ciphertext') {
      const bytes = Buffer.from(resource.ciphertext, 'base64');
      bytes[0] = bytes[0]! ^ 0x01;
      resource.ciphertext = bytes.toString('base64');
    }
    const body = JSON.stringify({
      id: n.id,
      create_time: chinaTime(nowSec * 1000),
      resource_type: 'encrypt-resource',
      event_type: n.eventType,
      summary: n.summary,
      resource,
    });
    return { headers: signatureHeaders(signer, nowSec, body), body };
  }

  async function post(url: string, notification: { headers: Record<string, string>; body: string }): Promise<DeliveryResult> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { ...notification.headers, 'Content-Type': 'application/json', 'User-Agent': 'Mozilla/4.0' },
        body: notification.body,
      });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }

  async function finish(stored: StoredNotification, built: { id: string; headers: Record<string, string>; body: string }, opts: NotifyOptions): Promise<BuiltNotification> {
    if (!opts.deliver) return built;
    if (!stored.notifyUrl) return { ...built, delivery: { error: 'no notify_url was given for this order' } };
    const url = stored.notifyUrl;
    if (opts.delayMs && opts.delayMs > 0) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        void post(url, built);
      }, opts.delayMs);
      timers.add(timer);
      return { ...built, delivery: { scheduledInMs: opts.delayMs } };
    }
    return { ...built, delivery: await post(url, built) };
  }

  function issue(n: Omit<StoredNotification, 'headers' | 'body' | 'signWith'>, opts: NotifyOptions): Promise<BuiltNotification> {
    const signWith = opts.signWith ?? 'public_key';
    const nowSec = Math.floor((opts.nowMs ?? Date.now()) / 1000);
    const built = compose(n, nowSec, signers[signWith]);
    const stored: StoredNotification = { ...n, signWith, ...built };
    notifications.set(n.id, stored);
    return finish(stored, { id: n.id, ...built }, opts);
  }

  const newNotificationId = () => `EV-${randomUUID()}`;

  async function markPaid(outTradeNo: string, opts: NotifyOptions = {}) {
    const t = transactions.get(outTradeNo);
    if (!t) throw new ControlError(404, `no transaction ${outTradeNo}`);
    if (t.tradeState !== 'NOTPAY') throw new ControlError(409, `transaction ${outTradeNo} is ${t.tradeState}, not NOTPAY`);
    t.tradeState = 'SUCCESS';
    t.transactionId = `4200${randomDigits(24)}`;
    t.successTime = chinaTime(opts.nowMs ?? Date.now());
    transactionsById.set(t.transactionId, t);
    const transaction = transactionView(t);
    const notification = await issue(
      { id: newNotificationId(), eventType: 'TRANSACTION.SUCCESS', summary: '支付成功', originalType: 'transaction', plaintext: transaction, notifyUrl: t.notifyUrl },
      opts,
    );
    return { transaction, notification };
  }

  async function completeRefund(outRefundNo: string, opts: NotifyOptions & { status?: Exclude<RefundStatus, 'PROCESSING'> } = {}) {
    const r = refunds.get(outRefundNo);
    if (!r) throw new ControlError(404, `no refund ${outRefundNo}`);
    if (r.status !== 'PROCESSING') throw new ControlError(409, `refund ${outRefundNo} is already ${r.status}`);
    const status = opts.status ?? 'SUCCESS';
    if (!['SUCCESS', 'ABNORMAL', 'CLOSED'].includes(status)) throw new ControlError(400, 'status must be SUCCESS, ABNORMAL or CLOSED');
    r.status = status;
    if (status === 'SUCCESS') r.successTime = chinaTime(opts.nowMs ?? Date.now());
    const summaries = { SUCCESS: '退款成功', ABNORMAL: '退款异常', CLOSED: '退款关闭' };
    const notification = await issue(
      {
        id: newNotificationId(),
        eventType: `REFUND.${status}`,
        summary: summaries[status],
        originalType: 'refund',
        plaintext: refundResource(r),
        ...(r.notifyUrl ? { notifyUrl: r.notifyUrl } : {}),
      },
      opts,
    );
    return { refund: refundView(r), notification };
  }

  async function notificationVariant(id: string, variant: NotificationVariant, opts: NotifyOptions = {}): Promise<BuiltNotification> {
    const earlier = notifications.get(id);
    if (!earlier) throw new ControlError(404, `no notification ${id}`);
    if (!notificationVariants.includes(variant)) throw new ControlError(400, `variant must be one of ${notificationVariants.join(', ')}`);
    const signer = signers[opts.signWith ?? earlier.signWith];
    const nowSec = Math.floor((opts.nowMs ?? Date.now()) / 1000);
    if (variant === 'replay') return finish(earlier, { id, headers: earlier.headers, body: earlier.body }, opts);
    if (variant === 'duplicate') return finish(earlier, { id, headers: signatureHeaders(signer, nowSec, earlier.body), body: earlier.body }, opts);

    const plaintext = structuredClone(earlier.plaintext) as Record<string, any>;
    if (variant === 'wrong_amount') {
      if (earlier.originalType === 'transaction') plaintext.amount.total += 1;
      else plaintext.amount.refund += 1;
    }
    if (variant === 'wrong_mchid') plaintext.mchid = options.mchid === '1900000109' ? '1900000110' : '1900000109';
    if (variant === 'wrong_appid') {
      if (earlier.originalType !== 'transaction') throw new ControlError(400, 'refund notifications carry no appid');
      plaintext.appid = `wx${randomHex(8).toLowerCase()}`;
    }
    const n = { ...earlier, id: newNotificationId(), plaintext };
    let built = compose(n, variant === 'stale' ? nowSec - 400 : nowSec, signer, variant === 'tampered_ciphertext' ? variant : undefined);
    if (variant === 'forged') built = { body: built.body, headers: signatureHeaders({ serial: signer.serial, privateKey: strangerKey }, nowSec, built.body) };
    if (variant === 'wrong_serial') built.headers['Wechatpay-Serial'] = unknownSerialLike(signer.serial);
    if (variant === 'signtest') built.headers['Wechatpay-Signature'] = `WECHATPAY/SIGNTEST/${randomBytes(192).toString('base64')}`;
    const stored: StoredNotification = { ...n, signWith: opts.signWith ?? earlier.signWith, ...built };
    notifications.set(stored.id, stored);
    return finish(stored, { id: stored.id, ...built }, opts);
  }

  function setNextResponse(rule: NextResponseRule) {
    if (typeof rule?.outTradeNo !== 'string') throw new ControlError(400, 'outTradeNo is required');
    if (rule.tamper !== undefined && !responseTampers.includes(rule.tamper)) throw new ControlError(400, `tamper must be one of ${responseTampers.join(', ')}`);
    if (rule.fail !== undefined && (!Number.isInteger(rule.fail.status) || typeof rule.fail.code !== 'string')) throw new ControlError(400, 'fail needs status and code');
    if (!rule.tamper && !rule.fail) throw new ControlError(400, 'give tamper or fail');
    nextResponses.set(rule.outTradeNo, rule);
  }

  function transactionRecord(outTradeNo: string): Record<string, unknown> | undefined {
    const t = transactions.get(outTradeNo);
    if (!t) return undefined;
    const { fingerprint: _fingerprint, ...record } = t;
    return { ...record, refunds: t.refundNos.map((no) => refunds.get(no)) };
  }

  // ---------------------------------------------------------------- WeChat login side

  function issueToken(nowMs: number): string {
    const token = randomAlphanumeric(128);
    tokens.set(token, nowMs + TOKEN_LIFETIME_MS);
    currentToken = token;
    return token;
  }

  function invalidateAccessToken(): string | null {
    const stale = currentToken;
    if (stale) tokens.delete(stale);
    currentToken = null;
    return stale;
  }

  function jscode2session(query: URLSearchParams): Record<string, unknown> {
    if (query.get('appid') !== options.appid) return { errcode: 40013, errmsg: 'invalid appid' };
    if (query.get('secret') !== options.appSecret) return { errcode: 40125, errmsg: 'invalid appsecret' };
    if (query.get('grant_type') !== 'authorization_code') return { errcode: 40002, errmsg: 'invalid grant_type' };
    const code = query.get('js_code');
    if (!code) return { errcode: 41008, errmsg: 'missing code' };
    const [kind, openid, unionid] = code.split(':');
    switch (kind) {
      case 'busy':
        return { errcode: -1, errmsg: 'system error' };
      case 'limit':
        return { errcode: 45011, errmsg: 'api minute-quota reach limit' };
      case 'risky':
        return { errcode: 40226, errmsg: 'high risk user' };
      case 'ok':
        if (!openid) break;
        if (usedLoginCodes.has(code)) return { errcode: 40163, errmsg: 'code been used' };
        usedLoginCodes.add(code);
        loggedInOpenids.add(openid);
        return { openid, session_key: randomBytes(16).toString('base64'), ...(unionid ? { unionid } : {}) };
    }
    return { errcode: 40029, errmsg: 'invalid code' };
  }

  function stableToken(body: Record<string, any>): Record<string, unknown> {
    if (body.grant_type !== 'client_credential') return { errcode: 40002, errmsg: 'invalid grant_type' };
    if (body.appid !== options.appid) return { errcode: 40013, errmsg: 'invalid appid' };
    if (body.secret !== options.appSecret) return { errcode: 40125, errmsg: 'invalid appsecret' };
    const nowMs = Date.now();
    if (body.force_refresh === true) invalidateAccessToken();
    const token = currentToken && tokens.get(currentToken)! > nowMs ? currentToken : issueToken(nowMs);
    return { access_token: token, expires_in: Math.floor((tokens.get(token)! - nowMs) / 1000) };
  }

  /** Why the query's access_token cannot be used (missing, invalidated, expired), or null. */
  function accessTokenProblem(query: URLSearchParams): Record<string, unknown> | null {
    const token = query.get('access_token');
    if (!token) return { errcode: 41001, errmsg: 'access_token missing' };
    const expiresAt = tokens.get(token);
    if (expiresAt === undefined) return { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' };
    if (expiresAt <= Date.now()) return { errcode: 42001, errmsg: 'access_token expired' };
    return null;
  }

  function getUserPhoneNumber(query: URLSearchParams, body: Record<string, any>): Record<string, unknown> {
    const tokenProblem = accessTokenProblem(query);
    if (tokenProblem) return tokenProblem;
    const code = typeof body.code === 'string' ? body.code : '';
    const [kind, number] = code.split(':');
    if (kind !== 'phone' || !number || !/^\d{5,15}$/.test(number) || usedPhoneCodes.has(code)) return { errcode: 40029, errmsg: 'invalid code' };
    usedPhoneCodes.add(code);
    return {
      errcode: 0,
      errmsg: 'ok',
      phone_info: {
        phoneNumber: number,
        purePhoneNumber: number,
        countryCode: '86',
        watermark: { timestamp: Math.floor(Date.now() / 1000), appid: options.appid },
      },
    };
  }

  // ---------------------------------------------------------------- HTTP

  async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL, raw: string) {
    let body: Record<string, any> = {};
    if (raw) body = JSON.parse(raw);
    const path = url.pathname;
    /** The decoded path segment that `pattern` captures, or undefined when the path is not that endpoint. */
    const segment = (pattern: RegExp) => {
      const match = pattern.exec(path);
      return match ? decodeURIComponent(match[1]!) : undefined;
    };
    const transactionToRead = req.method === 'GET' ? segment(/^\/__fake\/pay\/transactions\/([^/]+)$/) : undefined;
    if (transactionToRead !== undefined) {
      const record = transactionRecord(transactionToRead);
      return record ? sendJson(res, 200, record) : sendJson(res, 404, { error: 'no such transaction' });
    }
    if (req.method === 'GET' && path === '/__fake/pay/refunds') {
      const listed = [...refunds.values()].map((r) => ({ out_refund_no: r.outRefundNo, out_trade_no: r.outTradeNo, refund_fen: r.refundFen, status: r.status, received_at_ms: r.receivedAtMs }));
      return sendJson(res, 200, { refunds: listed });
    }
    const prepayToRead = req.method === 'GET' ? segment(/^\/__fake\/pay\/prepays\/([^/]+)$/) : undefined;
    if (prepayToRead !== undefined) {
      const paid = [...transactions.values()].find((t) => t.prepayId === prepayToRead);
      return paid ? sendJson(res, 200, transactionRecord(paid.outTradeNo)) : sendJson(res, 404, { error: 'no such prepay' });
    }
    const shippingControl = shipping.control(req, path, body) ?? tracking.control(req.method!, path);
    if (shippingControl) return sendJson(res, shippingControl.status, shippingControl.body);
    if (req.method !== 'POST') return sendJson(res, 404, { error: 'no such control endpoint' });
    const toPay = segment(/^\/__fake\/pay\/transactions\/([^/]+)\/pay$/);
    if (toPay !== undefined) return sendJson(res, 200, await markPaid(toPay, body));
    const refundToComplete = segment(/^\/__fake\/pay\/refunds\/([^/]+)\/complete$/);
    if (refundToComplete !== undefined) return sendJson(res, 200, await completeRefund(refundToComplete, body));
    const notificationId = segment(/^\/__fake\/notifications\/([^/]+)\/variants$/);
    if (notificationId !== undefined) return sendJson(res, 200, { notification: await notificationVariant(notificationId, body.variant, body) });
    if (path === '/__fake/pay/next-response') {
      setNextResponse(body as NextResponseRule);
      return sendJson(res, 200, { ok: true });
    }
    if (path === '/__fake/login/invalidate-token') return sendJson(res, 200, { invalidated: invalidateAccessToken() });
    return sendJson(res, 404, { error: 'no such control endpoint' });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const raw = await readBody(req);
    if (url.pathname.startsWith('/__fake/')) return handleControl(req, res, url, raw);
    if (url.pathname.startsWith('/v3/')) return handlePay(req, res, url, raw);
    const trackingAnswer = req.method === 'POST' ? tracking.answer(url.pathname, raw) : undefined;
    if (trackingAnswer) return sendJson(res, 200, trackingAnswer);
    // The WeChat server API always answers 200; errors travel as errcode in the body.
    let body: Record<string, any> = {};
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return sendJson(res, 200, { errcode: 47001, errmsg: 'data format error' });
      }
    }
    if (req.method === 'GET' && url.pathname === '/sns/jscode2session') return sendJson(res, 200, jscode2session(url.searchParams));
    if (req.method === 'POST' && url.pathname === '/cgi-bin/stable_token') return sendJson(res, 200, stableToken(body));
    if (req.method === 'POST' && url.pathname === '/wxa/business/getuserphonenumber') return sendJson(res, 200, getUserPhoneNumber(url.searchParams, body));
    const shippingAnswer = req.method === 'POST' ? shipping.answer(url.pathname, url.searchParams, body) : undefined;
    if (shippingAnswer) return sendJson(res, 200, shippingAnswer);
    return sendJson(res, 404, { errcode: 404, errmsg: 'not found' });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof ControlError ? error.status : error instanceof SyntaxError ? 400 : 500;
      if (!res.headersSent) sendJson(res, status, { error: error instanceof Error ? error.message : String(error) });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    platform,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
    markPaid,
    completeRefund,
    notificationVariant,
    setNextResponse,
    invalidateAccessToken,
    transaction: transactionRecord,
  };
}
