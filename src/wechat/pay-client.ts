// WeChat Pay API v3 for JSAPI (mini-program) payments: prepay, query, close, refunds, and the
// notifications WeChat Pay posts back. Every request is signed with the merchant key; every
// answer and notification is verified against WeChat Pay's key before anything in it is used.
// Only apiBase differs between production (https://api.mch.weixin.qq.com) and the local fake.
import * as v from 'valibot';
import type { Clock } from '../lib/clock';
import { AeadDecryptError, decryptAeadResource } from './aead';
import { utf8 } from './encoding';
import { WeChatPayApiError, WeChatPayNotificationError } from './errors';
import { WeChatPayVerifier, buildAuthorization, buildRequestPaymentParams, createNonce, importMerchantPrivateKey, type RequestPaymentParams } from './signing';

export type WeChatPayConfig = {
  apiBase: string;
  mchid: string;
  appid: string;
  /** Serial number of the merchant API certificate that matches merchantPrivateKeyPem. */
  merchantSerial: string;
  /** apiclient_key.pem (PKCS#8). */
  merchantPrivateKeyPem: string;
  /** The 32-character APIv3 key that encrypts notification resources. */
  apiV3Key: string;
  wechatPayPublicKeyId?: string | undefined;
  wechatPayPublicKeyPem?: string | undefined;
  platformCertificatesPem?: string | undefined;
  notifyUrl: string;
  refundNotifyUrl: string;
  clock: Clock;
};

export type TradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';

/** A transaction as the query API and TRANSACTION.* notifications describe it. */
export type WeChatPayTransaction = {
  appid: string;
  mchid: string;
  out_trade_no: string;
  transaction_id?: string;
  trade_type?: string;
  trade_state: TradeState;
  trade_state_desc: string;
  bank_type?: string;
  attach?: string;
  success_time?: string;
  payer?: { openid: string };
  amount?: { total: number; payer_total?: number; currency: string; payer_currency?: string };
};

export type RefundStatus = 'SUCCESS' | 'CLOSED' | 'PROCESSING' | 'ABNORMAL';

/** A refund as the refund API answers it. */
export type WeChatPayRefund = {
  refund_id: string;
  out_refund_no: string;
  transaction_id: string;
  out_trade_no: string;
  channel: string;
  user_received_account: string;
  success_time?: string;
  create_time: string;
  status: RefundStatus;
  amount: { total: number; refund: number; payer_total: number; payer_refund: number; currency: string };
};

/** A refund as REFUND.* notifications describe it (note refund_status, not status). */
export type WeChatPayRefundResource = {
  mchid: string;
  out_trade_no: string;
  transaction_id: string;
  out_refund_no: string;
  refund_id: string;
  refund_status: RefundStatus;
  success_time?: string;
  user_received_account: string;
  amount: { total: number; refund: number; payer_total: number; payer_refund: number };
};

type NotificationHead = { id: string; create_time: string; summary: string };
export type WeChatPayNotification =
  | (NotificationHead & { event_type: 'TRANSACTION.SUCCESS'; resource: WeChatPayTransaction })
  | (NotificationHead & { event_type: 'REFUND.SUCCESS' | 'REFUND.ABNORMAL' | 'REFUND.CLOSED'; resource: WeChatPayRefundResource });

const NotificationEnvelope = v.object({
  id: v.string(),
  create_time: v.string(),
  event_type: v.picklist(['TRANSACTION.SUCCESS', 'REFUND.SUCCESS', 'REFUND.ABNORMAL', 'REFUND.CLOSED']),
  resource_type: v.literal('encrypt-resource'),
  summary: v.optional(v.string(), ''),
  resource: v.object({
    original_type: v.picklist(['transaction', 'refund']),
    algorithm: v.literal('AEAD_AES_256_GCM'),
    ciphertext: v.string(),
    associated_data: v.optional(v.string(), ''),
    nonce: v.string(),
  }),
});

/** WeChat Pay reads time_expire as RFC 3339; we always write China time, as its documentation does. */
export function formatTimeExpire(epochMs: number): string {
  const shanghai = new Date(epochMs + 8 * 3600_000).toISOString(); // seconds are floored: never later than asked
  return `${shanghai.slice(0, 19)}+08:00`;
}

/** Beyond this a call counts as lost (status 0, retryable); notifications must be answered within 5 s. */
const REQUEST_TIMEOUT_MS = 10_000;

export class WeChatPayClient {
  private readonly verifier: WeChatPayVerifier;

  constructor(private readonly config: WeChatPayConfig) {
    if (utf8(config.apiV3Key).length !== 32) throw new Error('the WeChat Pay APIv3 key must be 32 bytes');
    this.verifier = new WeChatPayVerifier({
      publicKeyId: config.wechatPayPublicKeyId,
      publicKeyPem: config.wechatPayPublicKeyPem,
      platformCertificatesPem: config.platformCertificatesPem,
    });
  }

  /** Creates (or, with identical parameters, finds again) the JSAPI transaction; returns its prepay_id. */
  async createJsapiPrepay(order: {
    outTradeNo: string;
    description: string;
    totalFen: number;
    openid: string;
    /** Equal to the stock reservation's expiry, so nothing is paid for after the stock is released. */
    timeExpireMs: number;
    attach?: string;
  }): Promise<string> {
    const answer = await this.call<{ prepay_id: string }>('POST', '/v3/pay/transactions/jsapi', {
      appid: this.config.appid,
      mchid: this.config.mchid,
      description: order.description,
      out_trade_no: order.outTradeNo,
      time_expire: formatTimeExpire(order.timeExpireMs),
      ...(order.attach === undefined ? {} : { attach: order.attach }),
      notify_url: this.config.notifyUrl,
      amount: { total: order.totalFen, currency: 'CNY' },
      payer: { openid: order.openid },
    });
    if (typeof answer?.prepay_id !== 'string') throw new WeChatPayApiError(200, 'MALFORMED_RESPONSE', 'no prepay_id');
    return answer.prepay_id;
  }

  /** The signed parameters for wx.requestPayment. Its success callback proves nothing: confirm by notification or query. */
  async requestPaymentParams(prepayId: string): Promise<RequestPaymentParams> {
    return buildRequestPaymentParams({
      appId: this.config.appid,
      prepayId,
      privateKey: await importMerchantPrivateKey(this.config.merchantPrivateKeyPem),
      nowMs: this.config.clock.now(),
    });
  }

  async queryByOutTradeNo(outTradeNo: string): Promise<WeChatPayTransaction> {
    const path = `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${encodeURIComponent(this.config.mchid)}`;
    return this.expectBody(await this.call<WeChatPayTransaction>('GET', path));
  }

  /** Closes an unpaid transaction (204). A paid one cannot be closed: WeChat Pay answers ORDERPAID. */
  async closeByOutTradeNo(outTradeNo: string): Promise<void> {
    await this.call('POST', `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`, { mchid: this.config.mchid });
  }

  /** Idempotent by outRefundNo: after a SYSTEM_ERROR or a lost answer, call again with the same values. */
  async createRefund(refund: { outTradeNo: string; outRefundNo: string; reason?: string; refundFen: number; totalFen: number }): Promise<WeChatPayRefund> {
    return this.expectBody(
      await this.call<WeChatPayRefund>('POST', '/v3/refund/domestic/refunds', {
        out_trade_no: refund.outTradeNo,
        out_refund_no: refund.outRefundNo,
        ...(refund.reason ? { reason: refund.reason } : {}),
        notify_url: this.config.refundNotifyUrl,
        amount: { refund: refund.refundFen, total: refund.totalFen, currency: 'CNY' },
      }),
    );
  }

  async queryRefund(outRefundNo: string): Promise<WeChatPayRefund> {
    return this.expectBody(await this.call<WeChatPayRefund>('GET', `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}`));
  }

  /**
   * Verifies a notification POSTed by WeChat Pay (headers and the raw body exactly as received)
   * and decrypts its resource. Throws WeChatPaySignatureError or WeChatPayNotificationError for
   * anything that must be refused. The amount is not checked here: compare it with your order.
   */
  async parseNotification(headers: Headers, rawBody: string | Uint8Array): Promise<WeChatPayNotification> {
    await this.verifier.verify(headers, rawBody, this.config.clock.now());
    let envelope: v.InferOutput<typeof NotificationEnvelope>;
    try {
      envelope = v.parse(NotificationEnvelope, JSON.parse(typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody)));
    } catch {
      throw new WeChatPayNotificationError('malformed');
    }
    const expectedType = envelope.event_type.startsWith('TRANSACTION.') ? 'transaction' : 'refund';
    if (envelope.resource.original_type !== expectedType) throw new WeChatPayNotificationError('malformed');
    let resource: { mchid?: unknown; appid?: unknown };
    try {
      resource = JSON.parse(await decryptAeadResource(this.config.apiV3Key, envelope.resource)) as typeof resource;
    } catch (error) {
      throw new WeChatPayNotificationError(error instanceof AeadDecryptError ? 'decrypt_failed' : 'malformed');
    }
    // Signed and decrypted, yet meant for another merchant or app: never credit it to ours.
    if (resource.mchid !== this.config.mchid) throw new WeChatPayNotificationError('mchid_mismatch');
    if (expectedType === 'transaction' && resource.appid !== this.config.appid) throw new WeChatPayNotificationError('appid_mismatch');
    return { id: envelope.id, create_time: envelope.create_time, summary: envelope.summary, event_type: envelope.event_type, resource } as WeChatPayNotification;
  }

  private expectBody<T>(body: T | null): T {
    if (body === null) throw new WeChatPayApiError(200, 'MALFORMED_RESPONSE', 'empty answer');
    return body;
  }

  /** Signs and sends one request; verifies the answer; turns non-2xx answers into WeChatPayApiError. */
  private async call<T>(method: 'GET' | 'POST', pathAndQuery: string, payload?: object): Promise<T | null> {
    const url = new URL(`${this.config.apiBase.replace(/\/+$/, '')}${pathAndQuery}`);
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const authorization = await buildAuthorization({
      method,
      url: `${url.pathname}${url.search}`,
      body,
      mchid: this.config.mchid,
      merchantSerial: this.config.merchantSerial,
      privateKey: await importMerchantPrivateKey(this.config.merchantPrivateKeyPem),
      timestampSec: Math.floor(this.config.clock.now() / 1000),
      nonce: createNonce(),
    });
    const headers: Record<string, string> = {
      Authorization: authorization,
      Accept: 'application/json',
      'User-Agent': 'edge-mall/1 (Cloudflare Workers)',
      // The WeChat Pay key we verify with (public-key id or certificate serial). WeChat Pay reads
      // this header when a request carries encrypted fields; the local fake signs its answer with it.
      'Wechatpay-Serial': this.verifier.preferredSerial(this.config.clock.now()),
    };
    if (payload !== undefined) headers['Content-Type'] = 'application/json';

    let response: Response;
    let raw: Uint8Array;
    try {
      response = await fetch(url, { method, headers, body: payload === undefined ? undefined : body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      raw = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      throw new WeChatPayApiError(0, 'NETWORK_ERROR', error instanceof Error ? error.message : String(error));
    }

    // Success is only believed when signed. An error is verified too when signed (WeChat Pay
    // signs its own; a proxy's 502 is not) — an unsigned error is reported, never acted on as success.
    if (response.ok || response.headers.has('Wechatpay-Signature')) {
      await this.verifier.verify(response.headers, raw, this.config.clock.now());
    }
    const text = new TextDecoder().decode(raw);
    if (!response.ok) {
      const error = safeJson(text) as { code?: unknown; message?: unknown } | null;
      throw new WeChatPayApiError(response.status, typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`, typeof error?.message === 'string' ? error.message : text.slice(0, 200));
    }
    if (raw.length === 0) return null;
    const parsed = safeJson(text);
    if (parsed === null || typeof parsed !== 'object') throw new WeChatPayApiError(response.status, 'MALFORMED_RESPONSE', 'answer is not JSON');
    return parsed as T;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
