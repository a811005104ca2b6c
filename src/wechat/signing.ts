// WeChat Pay API v3 signatures, in both directions, with WebCrypto.
//
// Out: every request carries `Authorization: WECHATPAY2-SHA256-RSA2048 …`, an RSASSA-PKCS1-v1_5
// SHA-256 signature by the merchant key over `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n`; the
// mini-program's wx.requestPayment parameters are signed with the same key.
// In: responses and notifications carry Wechatpay-{Timestamp,Nonce,Signature,Serial}, a
// signature by WeChat Pay over `TIMESTAMP\nNONCE\nBODY\n` made with either the WeChat Pay public
// key (serial `PUB_KEY_ID_…`) or a platform certificate's key (serial = certificate serial).
// Platform certificates are read by node:crypto (certificate.ts) and used only within their
// validity dates, judged by the injected clock.
import { readPlatformCertificate, validityAt, type PlatformCertificate } from './certificate';
import { fromBase64, pemBlock, pemBlocks, toBase64, utf8 } from './encoding';
import { WeChatPaySignatureError } from './errors';

export const SIGNATURE_SCHEME = 'WECHATPAY2-SHA256-RSA2048';
const RSA_SHA256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
/** WeChat Pay rejects answers and notifications whose timestamp is this far from now, or further. */
const MAX_CLOCK_SKEW_SECONDS = 300;
const PUBLIC_KEY_ID_PREFIX = 'PUB_KEY_ID_';
const PROBE_SIGNATURE_PREFIX = 'WECHATPAY/SIGNTEST/';

const NONCE_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** 32 random characters of [0-9a-zA-Z], as the official SDK makes them. */
export function createNonce(length = 32): string {
  let nonce = '';
  while (nonce.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length))) {
      // 248 = 4 × 62: dropping bytes ≥ 248 keeps every character equally likely.
      if (byte < 248 && nonce.length < length) nonce += NONCE_ALPHABET[byte % 62];
    }
  }
  return nonce;
}

/** Imported keys, per isolate: clients are built per request, RSA key import is not free. */
const keyCache = new Map<string, Promise<CryptoKey>>();

function cachedKey(cacheKey: string, load: () => Promise<CryptoKey>): Promise<CryptoKey> {
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = load();
    keyCache.set(cacheKey, key);
    key.catch(() => keyCache.delete(cacheKey));
  }
  return key;
}

/** The merchant's apiclient_key.pem, which is PKCS#8 (`BEGIN PRIVATE KEY`). */
export function importMerchantPrivateKey(pem: string): Promise<CryptoKey> {
  if (pem.includes('BEGIN RSA PRIVATE KEY')) {
    throw new Error('the merchant key is PKCS#1; use apiclient_key.pem as issued (PKCS#8, BEGIN PRIVATE KEY)');
  }
  const der = pemBlock(pem, 'PRIVATE KEY');
  return cachedKey(`pkcs8:${toBase64(der)}`, () => crypto.subtle.importKey('pkcs8', der, RSA_SHA256, false, ['sign']));
}

function importVerificationKey(spki: Uint8Array): Promise<CryptoKey> {
  return cachedKey(`spki:${toBase64(spki)}`, () => crypto.subtle.importKey('spki', spki, RSA_SHA256, false, ['verify']));
}

async function sign(privateKey: CryptoKey, message: string): Promise<string> {
  return toBase64(new Uint8Array(await crypto.subtle.sign(RSA_SHA256, privateKey, utf8(message))));
}

export type AuthorizationInput = {
  method: string;
  /** Path and query exactly as sent, without scheme and host: `/v3/pay/transactions/jsapi`. */
  url: string;
  /** The exact body bytes sent; '' for GET. */
  body: string;
  mchid: string;
  merchantSerial: string;
  privateKey: CryptoKey;
  timestampSec: number;
  nonce: string;
};

export async function buildAuthorization(input: AuthorizationInput): Promise<string> {
  const message = `${input.method}\n${input.url}\n${input.timestampSec}\n${input.nonce}\n${input.body}\n`;
  const signature = await sign(input.privateKey, message);
  return `${SIGNATURE_SCHEME} mchid="${input.mchid}",nonce_str="${input.nonce}",timestamp="${input.timestampSec}",` + `serial_no="${input.merchantSerial}",signature="${signature}"`;
}

/** What the mini-program passes to wx.requestPayment. */
export type RequestPaymentParams = { timeStamp: string; nonceStr: string; package: string; signType: 'RSA'; paySign: string };

/** paySign = merchant signature over `appId\ntimeStamp\nnonceStr\npackage\n`; signType is not signed. */
export async function buildRequestPaymentParams(input: { appId: string; prepayId: string; privateKey: CryptoKey; nowMs: number }): Promise<RequestPaymentParams> {
  const timeStamp = String(Math.floor(input.nowMs / 1000));
  const nonceStr = createNonce();
  const pkg = `prepay_id=${input.prepayId}`;
  const paySign = await sign(input.privateKey, `${input.appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`);
  return { timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign };
}

export type WeChatPayVerificationKeys = {
  /** `PUB_KEY_ID_…` of the WeChat Pay public key; set together with publicKeyPem. */
  publicKeyId?: string | undefined;
  /** The WeChat Pay public key, SPKI PEM (`BEGIN PUBLIC KEY`). */
  publicKeyPem?: string | undefined;
  /** One or more platform certificates (PEM, concatenated), current one first. */
  platformCertificatesPem?: string | undefined;
};

function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Checks WeChat Pay's signature on answers and notifications against the configured keys.
 * Configured keys are trusted as configuration: certificates are not chain-checked, but one that
 * is expired or not yet valid at the time of the check is not used (a platform certificate lasts
 * five years and WeChat Pay rotates it with an overlap: configure the new one next to the old).
 * Both modes may be configured at once, as during WeChat Pay's move to public keys.
 */
export class WeChatPayVerifier {
  private readonly publicKey: { id: string; spki: Uint8Array } | undefined;
  /** By serial, in configured order (current one first). */
  private readonly certificates = new Map<string, PlatformCertificate>();

  constructor(keys: WeChatPayVerificationKeys) {
    if (Boolean(keys.publicKeyId) !== Boolean(keys.publicKeyPem)) {
      throw new Error('the WeChat Pay public key needs both its id and its PEM');
    }
    if (keys.publicKeyId && keys.publicKeyPem) {
      if (!keys.publicKeyId.startsWith(PUBLIC_KEY_ID_PREFIX)) throw new Error(`the WeChat Pay public key id must start with ${PUBLIC_KEY_ID_PREFIX}`);
      this.publicKey = { id: keys.publicKeyId, spki: pemBlock(keys.publicKeyPem, 'PUBLIC KEY') };
    }
    for (const der of pemBlocks(keys.platformCertificatesPem ?? '', 'CERTIFICATE')) {
      const certificate = readPlatformCertificate(der);
      this.certificates.set(certificate.serialHex, certificate);
    }
    if (!this.publicKey && this.certificates.size === 0) throw new Error('configure a WeChat Pay public key or at least one platform certificate');
  }

  /**
   * The key we expect WeChat Pay to sign with, sent as `Wechatpay-Serial` on requests: the public
   * key if configured, else the first certificate valid at `nowMs` (else the first one).
   */
  preferredSerial(nowMs: number): string {
    if (this.publicKey) return this.publicKey.id;
    const certificates = [...this.certificates.values()];
    return (certificates.find((c) => validityAt(c, nowMs) === 'valid') ?? certificates[0]!).serialHex;
  }

  private spkiFor(serial: string, nowMs: number): Uint8Array {
    // A public-key id must be the configured one; certificate serials are hex in either case.
    if (serial.startsWith(PUBLIC_KEY_ID_PREFIX)) {
      if (serial !== this.publicKey?.id) throw new WeChatPaySignatureError('unknown_serial');
      return this.publicKey.spki;
    }
    const certificates = [...this.certificates.values()];
    if (!this.publicKey && certificates.length > 0 && certificates.every((c) => validityAt(c, nowMs) !== 'valid')) {
      const periods = certificates.map((c) => `${c.serialHex} ${new Date(c.validFromMs).toISOString()} – ${new Date(c.validToMs).toISOString()}`);
      throw new WeChatPaySignatureError('no_valid_certificate', `at ${new Date(nowMs).toISOString()}, every configured platform certificate is out of date: ${periods.join('; ')}`);
    }
    const certificate = this.certificates.get(serial.toUpperCase());
    if (!certificate) throw new WeChatPaySignatureError('unknown_serial');
    const validity = validityAt(certificate, nowMs);
    if (validity !== 'valid') throw new WeChatPaySignatureError(validity === 'expired' ? 'certificate_expired' : 'certificate_not_yet_valid');
    return certificate.spki;
  }

  /** Resolves when `body` (the raw bytes, never re-serialised JSON) is signed by WeChat Pay; throws WeChatPaySignatureError otherwise. */
  async verify(headers: Headers, body: string | Uint8Array, nowMs: number): Promise<void> {
    const timestamp = headers.get('Wechatpay-Timestamp');
    const nonce = headers.get('Wechatpay-Nonce');
    const signature = headers.get('Wechatpay-Signature');
    const serial = headers.get('Wechatpay-Serial');
    if (!timestamp || !nonce || !signature || !serial) throw new WeChatPaySignatureError('missing_header');
    const signatureType = headers.get('Wechatpay-Signature-Type');
    if (signatureType && signatureType !== SIGNATURE_SCHEME) throw new WeChatPaySignatureError('unsupported_signature_type');
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(Math.floor(nowMs / 1000) - Number(timestamp)) >= MAX_CLOCK_SKEW_SECONDS) {
      throw new WeChatPaySignatureError('stale_timestamp');
    }
    if (signature.startsWith(PROBE_SIGNATURE_PREFIX)) throw new WeChatPaySignatureError('probe_signature');
    const spki = this.spkiFor(serial, nowMs);
    let signatureBytes: Uint8Array;
    try {
      signatureBytes = fromBase64(signature);
    } catch {
      throw new WeChatPaySignatureError('bad_signature');
    }
    const message = concatBytes(utf8(`${timestamp}\n${nonce}\n`), typeof body === 'string' ? utf8(body) : body, utf8('\n'));
    const valid = await crypto.subtle.verify(RSA_SHA256, await importVerificationKey(spki), signatureBytes, message);
    if (!valid) throw new WeChatPaySignatureError('bad_signature');
  }
}
