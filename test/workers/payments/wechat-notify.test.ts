// WeChat Pay notifications through the production client's parseNotification: every variant the
// fake can produce is either verified and decrypted, or refused for the right reason.
import { createExecutionContext, env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from '../../../src/app';
import { ManualClock } from '../../../src/lib/clock';
import { WeChatPayNotificationError, WeChatPaySignatureError } from '../../../src/wechat/errors';
import type { WeChatPayNotification } from '../../../src/wechat/pay-client';
import { WeChatPayVerifier } from '../../../src/wechat/signing';
import type { BuiltNotification } from '../../fakes/wechat-server';
import { completeRefund, fakeWeChat, markPaid, notificationVariant, payClient, uniqueNo } from '../../fakes/wechat-control';

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
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
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

describe('platform certificates out of date (judged by the injected clock)', () => {
  const { platform } = fakeWeChat();
  const DAY = 86_400_000;
  const certificateMode = (pem: string, clock = new ManualClock(Date.now())) => payClient({ wechatPayPublicKeyId: undefined, wechatPayPublicKeyPem: undefined, platformCertificatesPem: pem, clock });

  it('an expired certificate configured next to the current one is not used, the current one is', async () => {
    const client = certificateMode(`${platform.certificatePem}${platform.expiredCertificate.pem}`);
    const byExpired = (await paidOrder(100, { signWith: 'expired_certificate' })).notification;
    expect(byExpired.headers['Wechatpay-Serial']).toBe(platform.expiredCertificate.serial);
    expect(await refusal(receive(byExpired, client))).toBe('certificate_expired');
    await expect(receive((await paidOrder(100, { signWith: 'certificate' })).notification, client)).resolves.toMatchObject({ event_type: 'TRANSACTION.SUCCESS' });
  });

  it('a rotation’s next certificate is refused until its notBefore, then verifies', async () => {
    const clock = new ManualClock(Date.now());
    const client = certificateMode(`${platform.futureCertificate.pem}${platform.certificatePem}`, clock);
    expect(await refusal(receive((await paidOrder(100, { signWith: 'future_certificate' })).notification, client))).toBe('certificate_not_yet_valid');
    const verifier = new WeChatPayVerifier({ platformCertificatesPem: `${platform.futureCertificate.pem}${platform.certificatePem}` });
    expect(verifier.preferredSerial(clock.now())).toBe(platform.certificateSerial); // Wechatpay-Serial: the first one valid now
    clock.advance(2 * DAY);
    const later = (await paidOrder(100, { signWith: 'future_certificate', nowMs: clock.now() })).notification;
    await expect(receive(later, client)).resolves.toMatchObject({ event_type: 'TRANSACTION.SUCCESS' });
    expect(verifier.preferredSerial(clock.now())).toBe(platform.futureCertificate.serial);
  });

  it('fails clearly when every configured certificate is out of date, whichever key signed', async () => {
    const client = certificateMode(platform.expiredCertificate.pem);
    for (const signWith of ['expired_certificate', 'certificate'] as const) {
      const error = await receive((await paidOrder(100, { signWith })).notification, client).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WeChatPaySignatureError);
      expect(error).toMatchObject({ reason: 'no_valid_certificate', message: expect.stringContaining(`every configured platform certificate is out of date: ${platform.expiredCertificate.serial}`) });
    }
  });

  it('the current certificate, too, stops verifying once the clock passes its notAfter', async () => {
    const clock = new ManualClock(Date.now() + 6 * 365 * DAY);
    const client = certificateMode(platform.certificatePem, clock);
    const { notification } = await paidOrder(100, { signWith: 'certificate', nowMs: clock.now() });
    expect(await refusal(receive(notification, client))).toBe('no_valid_certificate');
  });

  it('with the public key configured as well, public-key notifications still verify while the certificate is expired', async () => {
    const client = payClient({ platformCertificatesPem: platform.expiredCertificate.pem });
    await expect(receive((await paidOrder(100)).notification, client)).resolves.toMatchObject({ event_type: 'TRANSACTION.SUCCESS' });
    expect(await refusal(receive((await paidOrder(100, { signWith: 'expired_certificate' })).notification, client))).toBe('certificate_expired');
  });
});

describe('the notify route with every platform certificate out of date', () => {
  it('answers 500 (WeChat Pay retries) and logs the certificates’ dates', async () => {
    const { platform } = fakeWeChat();
    const { notification } = await paidOrder(100, { signWith: 'certificate' });
    const certificateOnly = { ...env, WECHAT_PAY_PUBLIC_KEY_ID: undefined, WECHAT_PAY_PUBLIC_KEY: undefined, WECHAT_PAY_PLATFORM_CERTIFICATES: platform.expiredCertificate.pem };
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const request = new Request('https://shop.test/payments/wechat/notify', { method: 'POST', headers: notification.headers, body: notification.body });
      const response = await createApp().request(request, undefined, certificateOnly, createExecutionContext());
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({ code: 'FAIL', message: expect.stringContaining('no_valid_certificate') });
      // One JSON log line (src/lib/log.ts) that names the certificate and its dates.
      expect(String(logged.mock.calls[0]?.[0])).toContain(platform.expiredCertificate.serial);
    } finally {
      logged.mockRestore();
    }
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
