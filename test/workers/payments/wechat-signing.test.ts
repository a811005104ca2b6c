// Signatures in both directions (src/wechat/signing.ts): the merchant Authorization header and
// paySign, and the checks on WeChat Pay's signatures. Keys are generated here with WebCrypto.
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../../src/wechat/encoding';
import { WeChatPaySignatureError } from '../../../src/wechat/errors';
import { formatTimeExpire } from '../../../src/wechat/pay-client';
import { WeChatPayVerifier, buildAuthorization, buildRequestPaymentParams, createNonce, importMerchantPrivateKey } from '../../../src/wechat/signing';

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

async function rsaKeyPair() {
  const pair = (await crypto.subtle.generateKey({ ...RSA, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const pem = (label: string, der: ArrayBuffer) => `-----BEGIN ${label}-----\n${toBase64(new Uint8Array(der)).replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`;
  return {
    ...pair,
    privateKeyPem: pem('PRIVATE KEY', (await crypto.subtle.exportKey('pkcs8', pair.privateKey)) as ArrayBuffer),
    publicKeyPem: pem('PUBLIC KEY', (await crypto.subtle.exportKey('spki', pair.publicKey)) as ArrayBuffer),
  };
}

const verifyRsa = (publicKey: CryptoKey, signature: string, message: string) => crypto.subtle.verify(RSA, publicKey, fromBase64(signature), new TextEncoder().encode(message));

describe('createNonce', () => {
  it('makes 32 characters of [0-9a-zA-Z], different every time', () => {
    const nonces = new Set(Array.from({ length: 200 }, () => createNonce()));
    expect(nonces.size).toBe(200);
    for (const nonce of nonces) expect(nonce).toMatch(/^[0-9a-zA-Z]{32}$/);
  });
});

describe('buildAuthorization', () => {
  it('signs METHOD\\nURL\\nTIMESTAMP\\nNONCE\\nBODY\\n and names mchid, nonce, timestamp, serial', async () => {
    const merchant = await rsaKeyPair();
    const body = '{"mchid":"1900000109"}';
    const header = await buildAuthorization({
      method: 'POST',
      url: '/v3/pay/transactions/out-trade-no/T1234567/close',
      body,
      mchid: '1900000109',
      merchantSerial: '408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB',
      privateKey: await importMerchantPrivateKey(merchant.privateKeyPem),
      timestampSec: 1554208460,
      nonce: '593BEC0C930BF1AFEB40B4A08C8FB242',
    });
    const match =
      /^WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",timestamp="1554208460",serial_no="408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB",signature="([A-Za-z0-9+/=]+)"$/.exec(
        header,
      );
    expect(match).not.toBeNull();
    const message = `POST\n/v3/pay/transactions/out-trade-no/T1234567/close\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n${body}\n`;
    expect(await verifyRsa(merchant.publicKey, match![1]!, message)).toBe(true);
  });

  it('refuses a PKCS#1 key with a message that says what to use instead', async () => {
    expect(() => importMerchantPrivateKey('-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----')).toThrow(/PKCS#8/);
  });
});

describe('buildRequestPaymentParams', () => {
  it('gives wx.requestPayment its fields, paySign over appId\\ntimeStamp\\nnonceStr\\npackage\\n', async () => {
    const merchant = await rsaKeyPair();
    const params = await buildRequestPaymentParams({
      appId: 'wxd678efh567hg6787',
      prepayId: 'wx201410272009395522657a690389285100',
      privateKey: await importMerchantPrivateKey(merchant.privateKeyPem),
      nowMs: 1_700_000_123_456,
    });
    expect(params).toMatchObject({ timeStamp: '1700000123', package: 'prepay_id=wx201410272009395522657a690389285100', signType: 'RSA' });
    expect(params.nonceStr).toMatch(/^[0-9a-zA-Z]{32}$/);
    const message = `wxd678efh567hg6787\n1700000123\n${params.nonceStr}\nprepay_id=wx201410272009395522657a690389285100\n`;
    expect(await verifyRsa(merchant.publicKey, params.paySign, message)).toBe(true);
  });
});

describe('WeChatPayVerifier', () => {
  const PUBLIC_KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000000000';
  const nowMs = 1_722_850_421_000;

  async function signed(signer: CryptoKey, body: string, timestamp = String(nowMs / 1000), serial = PUBLIC_KEY_ID) {
    const nonce = createNonce();
    const signature = toBase64(new Uint8Array(await crypto.subtle.sign(RSA, signer, new TextEncoder().encode(`${timestamp}\n${nonce}\n${body}\n`))));
    return new Headers({
      'Wechatpay-Timestamp': timestamp,
      'Wechatpay-Nonce': nonce,
      'Wechatpay-Signature': signature,
      'Wechatpay-Serial': serial,
      'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
    });
  }

  async function rejection(promise: Promise<unknown>) {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WeChatPaySignatureError);
    return (error as WeChatPaySignatureError).reason;
  }

  it('accepts a public-key signature over the raw body, including the empty body of a 204', async () => {
    const platform = await rsaKeyPair();
    const verifier = new WeChatPayVerifier({ publicKeyId: PUBLIC_KEY_ID, publicKeyPem: platform.publicKeyPem });
    const body = '{"code_url":"weixin://wxpay/bizpayurl?pr=JyC91EIz1"}';
    await expect(verifier.verify(await signed(platform.privateKey, body), body, nowMs)).resolves.toBeUndefined();
    await expect(verifier.verify(await signed(platform.privateKey, ''), new Uint8Array(), nowMs)).resolves.toBeUndefined();
    expect(verifier.preferredSerial(nowMs)).toBe(PUBLIC_KEY_ID);
  });

  it('checks the raw bytes: a re-serialised body fails', async () => {
    const platform = await rsaKeyPair();
    const verifier = new WeChatPayVerifier({ publicKeyId: PUBLIC_KEY_ID, publicKeyPem: platform.publicKeyPem });
    const body = '{"b": 1, "a": "支付成功"}';
    const headers = await signed(platform.privateKey, body);
    expect(await rejection(verifier.verify(headers, JSON.stringify(JSON.parse(body)), nowMs))).toBe('bad_signature');
  });

  it('refuses each missing header', async () => {
    const platform = await rsaKeyPair();
    const verifier = new WeChatPayVerifier({ publicKeyId: PUBLIC_KEY_ID, publicKeyPem: platform.publicKeyPem });
    for (const name of ['Wechatpay-Timestamp', 'Wechatpay-Nonce', 'Wechatpay-Signature', 'Wechatpay-Serial']) {
      const headers = await signed(platform.privateKey, '{}');
      headers.delete(name);
      expect(await rejection(verifier.verify(headers, '{}', nowMs))).toBe('missing_header');
    }
  });

  it('accepts a timestamp 299 s away and refuses one 300 s away, in either direction', async () => {
    const platform = await rsaKeyPair();
    const verifier = new WeChatPayVerifier({ publicKeyId: PUBLIC_KEY_ID, publicKeyPem: platform.publicKeyPem });
    const nowSec = nowMs / 1000;
    for (const skew of [299, -299]) {
      await expect(verifier.verify(await signed(platform.privateKey, '{}', String(nowSec + skew)), '{}', nowMs)).resolves.toBeUndefined();
    }
    for (const skew of [300, -300, 86400]) {
      expect(await rejection(verifier.verify(await signed(platform.privateKey, '{}', String(nowSec + skew)), '{}', nowMs))).toBe('stale_timestamp');
    }
    expect(await rejection(verifier.verify(await signed(platform.privateKey, '{}', 'yesterday'), '{}', nowMs))).toBe('stale_timestamp');
  });

  it('refuses WeChat Pay probe signatures (WECHATPAY/SIGNTEST/)', async () => {
    const platform = await rsaKeyPair();
    const verifier = new WeChatPayVerifier({ publicKeyId: PUBLIC_KEY_ID, publicKeyPem: platform.publicKeyPem });
    const headers = await signed(platform.privateKey, '{}');
    headers.set('Wechatpay-Signature', `WECHATPAY/SIGNTEST/${headers.get('Wechatpay-Signature')}`);
    expect(await rejection(verifier.verify(headers, '{}', nowMs))).toBe('probe_signature');
  });

  it('refuses a public-key id other than the configured one, and unknown certificate serials', async () => {
    const platform = await rsaKeyPair();
    const verifier = new WeChatPayVerifier({ publicKeyId: PUBLIC_KEY_ID, publicKeyPem: platform.publicKeyPem });
    const otherId = 'PUB_KEY_ID_0114232134912410000000000000000001';
    expect(await rejection(verifier.verify(await signed(platform.privateKey, '{}', undefined, otherId), '{}', nowMs))).toBe('unknown_serial');
    expect(await rejection(verifier.verify(await signed(platform.privateKey, '{}', undefined, '5157F09EFDC096DE15EBE81A47057A7232F1B8E1'), '{}', nowMs))).toBe('unknown_serial');
  });

  it('refuses a signature by another key, a non-base64 signature and another signature type', async () => {
    const platform = await rsaKeyPair();
    const stranger = await rsaKeyPair();
    const verifier = new WeChatPayVerifier({ publicKeyId: PUBLIC_KEY_ID, publicKeyPem: platform.publicKeyPem });
    expect(await rejection(verifier.verify(await signed(stranger.privateKey, '{}'), '{}', nowMs))).toBe('bad_signature');
    const garbled = await signed(platform.privateKey, '{}');
    garbled.set('Wechatpay-Signature', 'not base64!');
    expect(await rejection(verifier.verify(garbled, '{}', nowMs))).toBe('bad_signature');
    const otherType = await signed(platform.privateKey, '{}');
    otherType.set('Wechatpay-Signature-Type', 'WECHATPAY2-SM2-WITH-SM3');
    expect(await rejection(verifier.verify(otherType, '{}', nowMs))).toBe('unsupported_signature_type');
  });

  it('insists on a usable configuration', async () => {
    const platform = await rsaKeyPair();
    expect(() => new WeChatPayVerifier({})).toThrow(/public key or at least one platform certificate/);
    expect(() => new WeChatPayVerifier({ publicKeyId: PUBLIC_KEY_ID })).toThrow(/both its id and its PEM/);
    expect(() => new WeChatPayVerifier({ publicKeyId: 'KEY1', publicKeyPem: platform.publicKeyPem })).toThrow(/PUB_KEY_ID_/);
  });
});

describe('formatTimeExpire', () => {
  it('writes RFC 3339 in China time with the +08:00 offset, seconds floored', () => {
    expect(formatTimeExpire(Date.UTC(2026, 4, 1, 16, 30, 5, 999))).toBe('2026-05-02T00:30:05+08:00');
    expect(Date.parse(formatTimeExpire(1_777_000_000_000))).toBe(1_777_000_000_000);
  });
});
