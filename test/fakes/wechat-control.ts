// For tests inside workerd: the production WeChat clients configured from the worker's WECHAT_*
// bindings (as routes will build them), and calls to the fake's /__fake/ control endpoints.
import { env } from 'cloudflare:test';
import { inject } from 'vitest';
import { systemClock } from '../../src/lib/clock';
import { WeChatLoginClient, type WeChatLoginConfig } from '../../src/wechat/login-client';
import { WeChatPayClient, type WeChatPayConfig } from '../../src/wechat/pay-client';
import type { BuiltNotification, NotificationVariant, NotifyOptions, NextResponseRule } from './wechat-server';

export const fakeWeChat = () => inject('wechatFake');

export const NOTIFY_URL = 'https://shop.test/payments/wechat/notify';
export const REFUND_NOTIFY_URL = 'https://shop.test/payments/wechat/refund-notify';

export function payClient(overrides: Partial<WeChatPayConfig> = {}): WeChatPayClient {
  return new WeChatPayClient({
    apiBase: env.WECHAT_PAY_API_BASE!,
    mchid: env.WECHAT_PAY_MCHID!,
    appid: env.WECHAT_APPID!,
    merchantSerial: env.WECHAT_PAY_MERCHANT_SERIAL!,
    merchantPrivateKeyPem: env.WECHAT_PAY_MERCHANT_PRIVATE_KEY!,
    apiV3Key: env.WECHAT_PAY_API_V3_KEY!,
    wechatPayPublicKeyId: env.WECHAT_PAY_PUBLIC_KEY_ID,
    wechatPayPublicKeyPem: env.WECHAT_PAY_PUBLIC_KEY,
    platformCertificatesPem: env.WECHAT_PAY_PLATFORM_CERTIFICATES,
    notifyUrl: NOTIFY_URL,
    refundNotifyUrl: REFUND_NOTIFY_URL,
    clock: systemClock,
    ...overrides,
  });
}

export function loginClient(overrides: Partial<WeChatLoginConfig> = {}): WeChatLoginClient {
  return new WeChatLoginClient({
    apiBase: env.WECHAT_API_BASE!,
    appid: env.WECHAT_APPID!,
    appSecret: env.WECHAT_APP_SECRET!,
    clock: systemClock,
    ...overrides,
  });
}

/** A fresh out_trade_no / out_refund_no: the fake is shared by every test file running at once. */
export const uniqueNo = (prefix: string) => `${prefix}${Date.now().toString(36)}${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`;

async function control<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${fakeWeChat().url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`fake control ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export const markPaid = (outTradeNo: string, opts: NotifyOptions = {}) =>
  control<{ transaction: Record<string, any>; notification: BuiltNotification }>('POST', `/__fake/pay/transactions/${encodeURIComponent(outTradeNo)}/pay`, opts);

export const completeRefund = (outRefundNo: string, opts: NotifyOptions & { status?: 'SUCCESS' | 'ABNORMAL' | 'CLOSED' } = {}) =>
  control<{ refund: Record<string, any>; notification: BuiltNotification }>('POST', `/__fake/pay/refunds/${encodeURIComponent(outRefundNo)}/complete`, opts);

export const notificationVariant = async (id: string, variant: NotificationVariant, opts: NotifyOptions = {}) =>
  (await control<{ notification: BuiltNotification }>('POST', `/__fake/notifications/${encodeURIComponent(id)}/variants`, { ...opts, variant })).notification;

export const setNextResponse = (rule: NextResponseRule) => control<{ ok: true }>('POST', '/__fake/pay/next-response', rule);

export const invalidateAccessToken = () => control<{ invalidated: string | null }>('POST', '/__fake/login/invalidate-token');

export const fakeTransaction = (outTradeNo: string) => control<Record<string, any>>('GET', `/__fake/pay/transactions/${encodeURIComponent(outTradeNo)}`);

/** The fake's record of the transaction a prepay id belongs to (an order's or a plan purchase's). */
export const fakeTransactionByPrepay = (prepayId: string) => control<{ outTradeNo: string }>('GET', `/__fake/pay/prepays/${encodeURIComponent(prepayId)}`);

/** What the fake WeChat was told about a payment's shipping (uploads, state, confirm-receive reminder). */
export const fakeShipping = (outTradeNo: string) => control<Record<string, any>>('GET', `/__fake/shipping/${encodeURIComponent(outTradeNo)}`);

/** The next `count` shipping calls about that payment answer `errcode`. */
export const failNextShipping = (outTradeNo: string, errcode: number, count = 1) => control<{ ok: true }>('POST', '/__fake/shipping/fail-next', { out_trade_no: outTradeNo, errcode, count });

/** The fake 快递100 adds the next event of a tracking number; POST the returned form to callbackUrl. */
export const advanceTracking = (trackingNo: string) => control<{ callbackUrl: string; form: { param: string; sign: string } }>('POST', `/__fake/tracking/${encodeURIComponent(trackingNo)}/advance`);

/** The shopper accepts a template in the fake WeChat (wx.requestSubscribeMessage): one more send allowed. */
export const acceptAtWeChat = (openid: string, templateId: string) => control<{ allowance: number }>('POST', '/__fake/subscribe/accept', { openid, template_id: templateId });

/** The subscribe messages the fake WeChat delivered to a shopper. */
export const fakeMessages = async (openid: string) => (await control<{ messages: Record<string, any>[] }>('GET', `/__fake/subscribe/messages/${encodeURIComponent(openid)}`)).messages;
