// The production WeChat Pay client (src/wechat/pay-client.ts) against the fake WeChat Pay:
// signed requests, verified answers, and the transaction and refund life cycle.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/lib/clock';
import { fromBase64, pemBlock, toBase64 } from '../../../src/wechat/encoding';
import { WeChatPayApiError, WeChatPaySignatureError } from '../../../src/wechat/errors';
import { formatTimeExpire } from '../../../src/wechat/pay-client';
import { NOTIFY_URL, REFUND_NOTIFY_URL, completeRefund, fakeTransaction, fakeWeChat, markPaid, payClient, setNextResponse, uniqueNo } from '../../fakes/wechat-control';

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

async function prepaid(overrides: { totalFen?: number; client?: ReturnType<typeof payClient>; nowMs?: number } = {}) {
  const outTradeNo = uniqueNo('T');
  const client = overrides.client ?? payClient();
  const prepayId = await client.createJsapiPrepay({
    outTradeNo,
    description: '法式复古碎花连衣裙 红色 S',
    totalFen: overrides.totalFen ?? 12900,
    openid: 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M',
    timeExpireMs: (overrides.nowMs ?? Date.now()) + 15 * 60_000,
    attach: 'ord_0123456789abcdef',
  });
  return { outTradeNo, prepayId, client };
}

async function paid(totalFen = 12900) {
  const order = await prepaid({ totalFen });
  await markPaid(order.outTradeNo);
  return order;
}

async function apiError(promise: Promise<unknown>): Promise<WeChatPayApiError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WeChatPayApiError);
  return error as WeChatPayApiError;
}

async function signatureFailure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WeChatPaySignatureError);
  return (error as WeChatPaySignatureError).reason;
}

async function newPkcs8Pem() {
  const pair = (await crypto.subtle.generateKey({ ...RSA, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const der = new Uint8Array((await crypto.subtle.exportKey('pkcs8', pair.privateKey)) as ArrayBuffer);
  return `-----BEGIN PRIVATE KEY-----\n${toBase64(der)}\n-----END PRIVATE KEY-----\n`;
}

describe('JSAPI prepay', () => {
  it('is accepted with the merchant signature and records exactly what was sent', async () => {
    const timeExpireMs = Date.now() + 15 * 60_000;
    const outTradeNo = uniqueNo('T');
    const prepayId = await payClient().createJsapiPrepay({ outTradeNo, description: '连衣裙', totalFen: 12900, openid: 'o6_buyer', timeExpireMs, attach: 'ord_1' });
    expect(prepayId).toMatch(/^wx\d{14}[0-9a-f]{22}0000$/);
    const record = await fakeTransaction(outTradeNo);
    expect(record).toMatchObject({
      prepayId,
      description: '连衣裙',
      totalFen: 12900,
      openid: 'o6_buyer',
      attach: 'ord_1',
      notifyUrl: NOTIFY_URL,
      tradeState: 'NOTPAY',
      timeExpire: formatTimeExpire(timeExpireMs),
    });
    expect(record.timeExpire).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
  });

  it('answers the same prepay_id to an identical resend, and OUT_TRADE_NO_USED to a clashing one', async () => {
    const timeExpireMs = Date.now() + 15 * 60_000;
    const order = { outTradeNo: uniqueNo('T'), description: '连衣裙', totalFen: 12900, openid: 'o6_buyer', timeExpireMs };
    const client = payClient();
    const first = await client.createJsapiPrepay(order);
    expect(await client.createJsapiPrepay(order)).toBe(first);
    const clash = await apiError(client.createJsapiPrepay({ ...order, totalFen: 100 }));
    expect(clash).toMatchObject({ status: 403, code: 'OUT_TRADE_NO_USED', retryable: false });
  });

  it('is refused with SIGN_ERROR when signed with another merchant key, and nothing is created', async () => {
    const outTradeNo = uniqueNo('T');
    const client = payClient({ merchantPrivateKeyPem: await newPkcs8Pem() });
    const error = await apiError(client.createJsapiPrepay({ outTradeNo, description: 'x', totalFen: 1, openid: 'o', timeExpireMs: Date.now() + 600_000 }));
    expect(error).toMatchObject({ status: 401, code: 'SIGN_ERROR', retryable: false });
    await expect(fakeTransaction(outTradeNo)).rejects.toThrow(/404/);
  });

  it('is refused with SIGN_ERROR under another merchant certificate serial', async () => {
    const client = payClient({ merchantSerial: '0'.repeat(40) });
    const error = await apiError(client.createJsapiPrepay({ outTradeNo: uniqueNo('T'), description: 'x', totalFen: 1, openid: 'o', timeExpireMs: Date.now() + 600_000 }));
    expect(error).toMatchObject({ status: 401, code: 'SIGN_ERROR' });
  });

  it('is refused with PARAM_ERROR for a time_expire less than a minute away', async () => {
    const error = await apiError(payClient().createJsapiPrepay({ outTradeNo: uniqueNo('T'), description: 'x', totalFen: 1, openid: 'o', timeExpireMs: Date.now() + 30_000 }));
    expect(error).toMatchObject({ status: 400, code: 'PARAM_ERROR', retryable: false });
  });

  it('follows the injected clock: a client two hours ahead still gets verified answers', async () => {
    const clock = new ManualClock(Date.now() + 2 * 3600_000);
    const client = payClient({ clock });
    const { outTradeNo } = await prepaid({ client, nowMs: clock.now() });
    expect((await client.queryByOutTradeNo(outTradeNo)).trade_state).toBe('NOTPAY');
    // The fake took "now" from the signed request, so a time_expire valid only in the client's future was accepted.
    expect(Date.parse((await fakeTransaction(outTradeNo)).timeExpire)).toBeGreaterThan(Date.now() + 2 * 3600_000);
  });
});

describe('wx.requestPayment parameters', () => {
  it('carry a paySign that verifies with the merchant public key', async () => {
    const { prepayId, client } = await prepaid();
    const params = await client.requestPaymentParams(prepayId);
    expect(params).toMatchObject({ package: `prepay_id=${prepayId}`, signType: 'RSA' });
    const publicKey = await crypto.subtle.importKey('spki', pemBlock(fakeWeChat().merchantPublicKeyPem, 'PUBLIC KEY'), RSA, false, ['verify']);
    const message = `${env.WECHAT_APPID}\n${params.timeStamp}\n${params.nonceStr}\n${params.package}\n`;
    expect(await crypto.subtle.verify(RSA, publicKey, fromBase64(params.paySign), new TextEncoder().encode(message))).toBe(true);
    expect(Math.abs(Number(params.timeStamp) - Date.now() / 1000)).toBeLessThan(60);
  });
});

describe('query and close', () => {
  it('reports NOTPAY, then SUCCESS with the transaction once paid', async () => {
    const { outTradeNo, client } = await prepaid();
    const before = await client.queryByOutTradeNo(outTradeNo);
    expect(before).toMatchObject({ out_trade_no: outTradeNo, trade_state: 'NOTPAY', mchid: env.WECHAT_PAY_MCHID, appid: env.WECHAT_APPID });
    expect(before.transaction_id).toBeUndefined();

    await markPaid(outTradeNo);
    const after = await client.queryByOutTradeNo(outTradeNo);
    expect(after).toMatchObject({ trade_state: 'SUCCESS', trade_type: 'JSAPI', attach: 'ord_0123456789abcdef', amount: { total: 12900, payer_total: 12900, currency: 'CNY' } });
    expect(after.transaction_id).toMatch(/^4200\d{24}$/);
    expect(after.success_time).toMatch(/\+08:00$/);
  });

  it('answers ORDER_NOT_EXIST (404) for an unknown out_trade_no', async () => {
    expect(await apiError(payClient().queryByOutTradeNo(uniqueNo('T')))).toMatchObject({ status: 404, code: 'ORDER_NOT_EXIST' });
  });

  it('closes an unpaid transaction (204, signed empty body); it stays closed and cannot be re-prepaid', async () => {
    const { outTradeNo, client } = await prepaid();
    await expect(client.closeByOutTradeNo(outTradeNo)).resolves.toBeUndefined();
    expect((await client.queryByOutTradeNo(outTradeNo)).trade_state).toBe('CLOSED');
    await expect(client.closeByOutTradeNo(outTradeNo)).resolves.toBeUndefined();
    await expect(markPaid(outTradeNo)).rejects.toThrow(/409/);
  });

  it('refuses to close a paid transaction (ORDERPAID)', async () => {
    const { outTradeNo, client } = await paid();
    expect(await apiError(client.closeByOutTradeNo(outTradeNo))).toMatchObject({ status: 400, code: 'ORDERPAID', retryable: false });
    expect((await client.queryByOutTradeNo(outTradeNo)).trade_state).toBe('SUCCESS');
  });
});

describe('refunds', () => {
  it('are created PROCESSING, idempotent by out_refund_no, and end SUCCESS', async () => {
    const { outTradeNo, client } = await paid(12900);
    const outRefundNo = uniqueNo('R');
    const refund = await client.createRefund({ outTradeNo, outRefundNo, reason: '不想要了', refundFen: 2900, totalFen: 12900 });
    expect(refund).toMatchObject({ out_refund_no: outRefundNo, out_trade_no: outTradeNo, status: 'PROCESSING', amount: { refund: 2900, total: 12900 } });
    expect(refund.refund_id).toMatch(/^50\d{27}$/);

    const again = await client.createRefund({ outTradeNo, outRefundNo, reason: '不想要了', refundFen: 2900, totalFen: 12900 });
    expect(again.refund_id).toBe(refund.refund_id);
    expect((await fakeTransaction(outTradeNo)).refunds).toHaveLength(1);
    expect((await fakeTransaction(outTradeNo)).refunds[0].notifyUrl).toBe(REFUND_NOTIFY_URL);

    expect((await client.queryRefund(outRefundNo)).status).toBe('PROCESSING');
    await completeRefund(outRefundNo);
    const done = await client.queryRefund(outRefundNo);
    expect(done.status).toBe('SUCCESS');
    expect(done.success_time).toMatch(/\+08:00$/);
    expect((await client.queryByOutTradeNo(outTradeNo)).trade_state).toBe('REFUND');
  });

  it('never refund more than was paid, across partial refunds', async () => {
    const { outTradeNo, client } = await paid(1000);
    await client.createRefund({ outTradeNo, outRefundNo: uniqueNo('R'), refundFen: 600, totalFen: 1000 });
    const error = await apiError(client.createRefund({ outTradeNo, outRefundNo: uniqueNo('R'), refundFen: 401, totalFen: 1000 }));
    expect(error).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
    await expect(client.createRefund({ outTradeNo, outRefundNo: uniqueNo('R'), refundFen: 400, totalFen: 1000 })).resolves.toMatchObject({ status: 'PROCESSING' });
  });

  it('are refused for an unpaid transaction and an unknown refund is RESOURCE_NOT_EXISTS', async () => {
    const { outTradeNo, client } = await prepaid();
    expect(await apiError(client.createRefund({ outTradeNo, outRefundNo: uniqueNo('R'), refundFen: 1, totalFen: 12900 }))).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(await apiError(client.queryRefund(uniqueNo('R')))).toMatchObject({ status: 404, code: 'RESOURCE_NOT_EXISTS' });
  });

  it('are retried after SYSTEM_ERROR with the same out_refund_no, even when the first call took effect', async () => {
    const { outTradeNo, client } = await paid(5000);
    const refund = { outTradeNo, outRefundNo: uniqueNo('R'), refundFen: 5000, totalFen: 5000 };
    await setNextResponse({ outTradeNo, fail: { status: 500, code: 'SYSTEM_ERROR', message: '系统错误', applied: true } });
    const error = await apiError(client.createRefund(refund));
    expect(error).toMatchObject({ status: 500, code: 'SYSTEM_ERROR', retryable: true });
    const retried = await client.createRefund(refund);
    expect(retried.status).toBe('PROCESSING');
    expect((await fakeTransaction(outTradeNo)).refunds).toHaveLength(1);
  });
});

describe('answers are verified before use', () => {
  it.each([
    ['body', 'bad_signature'],
    ['signature', 'bad_signature'],
    ['serial', 'unknown_serial'],
    ['stale', 'stale_timestamp'],
    ['signtest', 'probe_signature'],
    ['unsigned', 'missing_header'],
  ] as const)('a %s-tampered query answer is refused (%s)', async (tamper, reason) => {
    const { outTradeNo, client } = await prepaid();
    await setNextResponse({ outTradeNo, tamper });
    expect(await signatureFailure(client.queryByOutTradeNo(outTradeNo))).toBe(reason);
    // The next, untouched answer is accepted again.
    expect((await client.queryByOutTradeNo(outTradeNo)).trade_state).toBe('NOTPAY');
  });

  it('a tampered 204 of close is refused too', async () => {
    const { outTradeNo, client } = await prepaid();
    await setNextResponse({ outTradeNo, tamper: 'body' });
    expect(await signatureFailure(client.closeByOutTradeNo(outTradeNo))).toBe('bad_signature');
  });

  it('a tampered prepay answer yields no prepay_id', async () => {
    const outTradeNo = uniqueNo('T');
    await setNextResponse({ outTradeNo, tamper: 'body' });
    const prepay = payClient().createJsapiPrepay({ outTradeNo, description: 'x', totalFen: 1, openid: 'o', timeExpireMs: Date.now() + 600_000 });
    expect(await signatureFailure(prepay)).toBe('bad_signature');
  });

  it('a signed error answer with a bad signature is refused, not reported as an API error', async () => {
    const { outTradeNo, client } = await prepaid();
    await setNextResponse({ outTradeNo, fail: { status: 400, code: 'ORDERPAID' }, tamper: 'signature' });
    expect(await signatureFailure(client.closeByOutTradeNo(outTradeNo))).toBe('bad_signature');
  });

  it('an unsigned error (as from a proxy) is reported as a retryable API error', async () => {
    const { outTradeNo, client } = await prepaid();
    await setNextResponse({ outTradeNo, fail: { status: 502, code: 'BAD_GATEWAY' }, tamper: 'unsigned' });
    expect(await apiError(client.queryByOutTradeNo(outTradeNo))).toMatchObject({ status: 502, retryable: true });
  });
});

describe('platform-certificate mode', () => {
  it('works with only the platform certificate configured', async () => {
    const client = payClient({ wechatPayPublicKeyId: undefined, wechatPayPublicKeyPem: undefined });
    const { outTradeNo } = await prepaid({ client });
    await markPaid(outTradeNo);
    expect((await client.queryByOutTradeNo(outTradeNo)).trade_state).toBe('SUCCESS');
    await expect(client.closeByOutTradeNo((await prepaid({ client })).outTradeNo)).resolves.toBeUndefined();
  });

  it('still reports SIGN_ERROR as an API error (the 401 is signed with the certificate key)', async () => {
    const client = payClient({ wechatPayPublicKeyId: undefined, wechatPayPublicKeyPem: undefined, merchantPrivateKeyPem: await newPkcs8Pem() });
    const error = await apiError(client.queryByOutTradeNo(uniqueNo('T')));
    expect(error).toMatchObject({ status: 401, code: 'SIGN_ERROR' });
  });

  it('asks for the first certificate valid now (Wechatpay-Serial) and verifies the answer with it, an expired one configured first', async () => {
    const { platform } = fakeWeChat();
    const client = payClient({ wechatPayPublicKeyId: undefined, wechatPayPublicKeyPem: undefined, platformCertificatesPem: `${platform.expiredCertificate.pem}${platform.certificatePem}` });
    const { outTradeNo } = await prepaid({ client });
    expect((await client.queryByOutTradeNo(outTradeNo)).trade_state).toBe('NOTPAY');
  });

  it('refuses every answer when the only configured certificate has expired', async () => {
    const client = payClient({ wechatPayPublicKeyId: undefined, wechatPayPublicKeyPem: undefined, platformCertificatesPem: fakeWeChat().platform.expiredCertificate.pem });
    expect(await signatureFailure(client.queryByOutTradeNo(uniqueNo('T')))).toBe('no_valid_certificate');
  });

  it('works with only the public key configured', async () => {
    const client = payClient({ platformCertificatesPem: undefined });
    const { outTradeNo } = await prepaid({ client });
    expect((await client.queryByOutTradeNo(outTradeNo)).trade_state).toBe('NOTPAY');
  });
});
