// WeChat Pay notifications through the production client's parseNotification: every variant the
// fake can produce is either verified and decrypted, or refused for the right reason.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/lib/clock';
import { WeChatPayNotificationError, WeChatPaySignatureError } from '../src/wechat/errors';
import type { WeChatPayNotification } from '../src/wechat/pay-client';
import type { BuiltNotification } from './fakes/wechat-server';
import { completeRefund, markPaid, notificationVariant, payClient, uniqueNo } from './fakes/wechat-control';

async function paidOrder(totalFen = 12900, opts: Parameters<typeof markPaid>[1] = {}, client = payClient()) {
  const outTradeNo = uniqueNo('T');
  const now = opts.nowMs ?? Date.now();
  await client.createJsapiPrepay({ outTradeNo, description: '连衣裙', totalFen, openid: 'o6_buyer', timeExpireMs: now + 15 * 60_000, attach: 'ord_x' });
  const { notification } = await markPaid(outTradeNo, opts);
  return { outTradeNo, notification };
}

/** Parses the notification as the worker will receive it: through a Request, raw body text. */
async function receive(notification: BuiltNotification, client = payClient()): Promise<WeChatPayNotification> {
  const request = new Request('https://shop.test/payments/wechat/notify', { method: 'POST', headers: notification.headers, body: notification.body });
  return client.parseNotification(request.headers, await request.text());
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect([WeChatPaySignatureError, WeChatPayNotificationError].some((type) => error instanceof type)).toBe(true);
  return (error as WeChatPaySignatureError | WeChatPayNotificationError).reason;
}

describe('TRANSACTION.SUCCESS', () => {
  it('is verified and its resource decrypted', async () => {
    const { outTradeNo, notification } = await paidOrder(12900);
    const parsed = await receive(notification);
    expect(parsed).toMatchObject({ id: notification.id, event_type: 'TRANSACTION.SUCCESS', summary: '支付成功' });
    if (parsed.event_type !== 'TRANSACTION.SUCCESS') throw new Error('unreachable');
    expect(parsed.resource).toMatchObject({ out_trade_no: outTradeNo, trade_state: 'SUCCESS', attach: 'ord_x', amount: { total: 12900 }, payer: { openid: 'o6_buyer' } });
    expect(parsed.resource.transaction_id).toMatch(/^4200\d{24}$/);
  });

  it('is the same notification when it arrives again (duplicate): same id, so the caller can ignore it', async () => {
    const { notification } = await paidOrder();
    const duplicate = await notificationVariant(notification.id, 'duplicate');
    expect(duplicate.headers['Wechatpay-Nonce']).not.toBe(notification.headers['Wechatpay-Nonce']);
    expect((await receive(duplicate)).id).toBe(notification.id);
  });

  it('passes verification when replayed byte for byte within 5 minutes (same id), and fails after', async () => {
    const clock = new ManualClock(Date.now());
    const { notification } = await paidOrder(12900, { nowMs: clock.now() });
    const replay = await notificationVariant(notification.id, 'replay');
    expect(replay).toMatchObject({ id: notification.id, headers: notification.headers, body: notification.body });
    expect((await receive(replay, payClient({ clock }))).id).toBe(notification.id);
    clock.advance(300_000);
    expect(await refusal(receive(replay, payClient({ clock })))).toBe('stale_timestamp');
  });

  it.each([
    ['forged', 'bad_signature'],
    ['wrong_serial', 'unknown_serial'],
    ['stale', 'stale_timestamp'],
    ['signtest', 'probe_signature'],
    ['tampered_ciphertext', 'decrypt_failed'],
    ['wrong_mchid', 'mchid_mismatch'],
    ['wrong_appid', 'appid_mismatch'],
  ] as const)('is refused when %s (%s)', async (variant, reason) => {
    const { notification } = await paidOrder();
    const bad = await notificationVariant(notification.id, variant);
    expect(bad.id).not.toBe(notification.id);
    expect(await refusal(receive(bad))).toBe(reason);
  });

  it('with the wrong amount is verified and decrypted: comparing it with the order is the caller’s job', async () => {
    const { notification } = await paidOrder(12900);
    const parsed = await receive(await notificationVariant(notification.id, 'wrong_amount'));
    expect(parsed.event_type === 'TRANSACTION.SUCCESS' && parsed.resource.amount?.total).toBe(12901);
  });

  it('cannot be read with another APIv3 key', async () => {
    const { notification } = await paidOrder();
    expect(await refusal(receive(notification, payClient({ apiV3Key: 'Wx8cQ2pL0sN4vB7mK1zR5tY9uJ3hG6fD' })))).toBe('decrypt_failed');
  });

  it('follows the injected clock: built "now" for a client an hour ahead, it verifies there and not at real time', async () => {
    const clock = new ManualClock(Date.now() + 3600_000);
    const { notification } = await paidOrder(100, { nowMs: clock.now() }, payClient({ clock }));
    await expect(receive(notification, payClient({ clock }))).resolves.toMatchObject({ event_type: 'TRANSACTION.SUCCESS' });
    expect(await refusal(receive(notification))).toBe('stale_timestamp');
  });
});

describe('platform-certificate mode', () => {
  it('verifies a notification signed with the platform certificate key', async () => {
    const { notification } = await paidOrder(100, { signWith: 'certificate' });
    expect(notification.headers['Wechatpay-Serial']).not.toMatch(/^PUB_KEY_ID_/);
    const certificateOnly = payClient({ wechatPayPublicKeyId: undefined, wechatPayPublicKeyPem: undefined });
    await expect(receive(notification, certificateOnly)).resolves.toMatchObject({ event_type: 'TRANSACTION.SUCCESS' });
    await expect(receive(notification)).resolves.toMatchObject({ event_type: 'TRANSACTION.SUCCESS' });
  });

  it('refuses it when only the public key is configured, and refuses public-key notifications when only certificates are', async () => {
    const byCertificate = (await paidOrder(100, { signWith: 'certificate' })).notification;
    expect(await refusal(receive(byCertificate, payClient({ platformCertificatesPem: undefined })))).toBe('unknown_serial');
    const byPublicKey = (await paidOrder(100)).notification;
    expect(await refusal(receive(byPublicKey, payClient({ wechatPayPublicKeyId: undefined, wechatPayPublicKeyPem: undefined })))).toBe('unknown_serial');
  });

  it('refuses forged and wrong-serial variants in certificate mode too', async () => {
    const { notification } = await paidOrder(100, { signWith: 'certificate' });
    expect(await refusal(receive(await notificationVariant(notification.id, 'forged')))).toBe('bad_signature');
    expect(await refusal(receive(await notificationVariant(notification.id, 'wrong_serial')))).toBe('unknown_serial');
  });
});

describe('REFUND.*', () => {
  async function refunded(status?: 'SUCCESS' | 'ABNORMAL' | 'CLOSED') {
    const { outTradeNo } = await paidOrder(5000);
    const outRefundNo = uniqueNo('R');
    await payClient().createRefund({ outTradeNo, outRefundNo, reason: '尺码不合适', refundFen: 1500, totalFen: 5000 });
    const { notification } = await completeRefund(outRefundNo, status ? { status } : {});
    return { outTradeNo, outRefundNo, notification };
  }

  it('REFUND.SUCCESS is verified and decrypted', async () => {
    const { outTradeNo, outRefundNo, notification } = await refunded();
    const parsed = await receive(notification);
    expect(parsed).toMatchObject({ event_type: 'REFUND.SUCCESS', summary: '退款成功' });
    expect(parsed.resource).toMatchObject({ out_trade_no: outTradeNo, out_refund_no: outRefundNo, refund_status: 'SUCCESS', amount: { refund: 1500, total: 5000 } });
  });

  it.each(['ABNORMAL', 'CLOSED'] as const)('REFUND.%s is delivered with that status', async (status) => {
    const parsed = await receive((await refunded(status)).notification);
    expect(parsed.event_type).toBe(`REFUND.${status}`);
    expect(parsed.resource).toMatchObject({ refund_status: status });
  });

  it('variants are refused like transaction ones; a wrong refund amount is left to the caller', async () => {
    const { notification } = await refunded();
    expect(await refusal(receive(await notificationVariant(notification.id, 'forged')))).toBe('bad_signature');
    expect(await refusal(receive(await notificationVariant(notification.id, 'tampered_ciphertext')))).toBe('decrypt_failed');
    expect(await refusal(receive(await notificationVariant(notification.id, 'wrong_mchid')))).toBe('mchid_mismatch');
    const wrongAmount = await receive(await notificationVariant(notification.id, 'wrong_amount'));
    expect(wrongAmount.event_type !== 'TRANSACTION.SUCCESS' && wrongAmount.resource.amount.refund).toBe(1501);
    await expect(notificationVariant(notification.id, 'wrong_appid')).rejects.toThrow(/400/);
  });
});
