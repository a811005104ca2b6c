/// <reference types="node" />
// The WeChat Pay side of the v3 crypto, with node:crypto: checking a merchant's Authorization
// header, signing answers and notifications, and encrypting notification resources. Written
// from the protocol (reference/wechat-protocols.md), independently of src/wechat.
import { createCipheriv, randomBytes, randomInt, sign, verify, type KeyObject } from 'node:crypto';

export const SIGNATURE_SCHEME = 'WECHATPAY2-SHA256-RSA2048';

const ALPHANUMERIC = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const randomAlphanumeric = (length: number) => Array.from({ length }, () => ALPHANUMERIC[randomInt(62)]).join('');
export const randomDigits = (length: number) => Array.from({ length }, () => randomInt(10)).join('');

/** A key WeChat Pay signs with, and the serial that names it in `Wechatpay-Serial`. */
export type Signer = { serial: string; privateKey: KeyObject };

export const signBase64 = (privateKey: KeyObject, message: string) => sign('sha256', Buffer.from(message, 'utf8'), privateKey).toString('base64');

/** The Wechatpay-* headers for `body` (raw text; '' for a 204), as sent on answers and notifications. */
export function signatureHeaders(signer: Signer, timestampSec: number, body: string): Record<string, string> {
  const nonce = randomAlphanumeric(32);
  return {
    'Wechatpay-Timestamp': String(timestampSec),
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature': signBase64(signer.privateKey, `${timestampSec}\n${nonce}\n${body}\n`),
    'Wechatpay-Serial': signer.serial,
    'Wechatpay-Signature-Type': SIGNATURE_SCHEME,
  };
}

export type MerchantAuthorization = { mchid: string; nonce: string; timestampSec: number; serial: string; signature: string };

/** The fields of `WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",…`, or null if it is not one. */
export function parseAuthorization(header: string | undefined): MerchantAuthorization | null {
  if (!header?.startsWith(`${SIGNATURE_SCHEME} `)) return null;
  const fields = new Map<string, string>();
  for (const match of header.slice(SIGNATURE_SCHEME.length + 1).matchAll(/\s*([a-z_]+)="([^"]*)"\s*(?:,|$)/g)) fields.set(match[1]!, match[2]!);
  const [mchid, nonce, timestamp, serial, signature] = ['mchid', 'nonce_str', 'timestamp', 'serial_no', 'signature'].map((k) => fields.get(k));
  if (!mchid || !nonce || !timestamp || !/^\d{1,12}$/.test(timestamp) || !serial || !signature) return null;
  return { mchid, nonce, timestampSec: Number(timestamp), serial, signature };
}

/** Checks the merchant signature over `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n`. */
export function verifyMerchantSignature(merchantPublicKey: KeyObject, auth: MerchantAuthorization, method: string, url: string, body: string): boolean {
  const message = `${method}\n${url}\n${auth.timestampSec}\n${auth.nonce}\n${body}\n`;
  return verify('sha256', Buffer.from(message, 'utf8'), merchantPublicKey, Buffer.from(auth.signature, 'base64'));
}

export type EncryptedResource = { original_type: string; algorithm: 'AEAD_AES_256_GCM'; ciphertext: string; associated_data: string; nonce: string };

/** AEAD_AES_256_GCM with the APIv3 key; associated_data is the resource type, as WeChat Pay sends it. */
export function encryptResource(apiV3Key: string, originalType: string, plaintext: string): EncryptedResource {
  const nonce = randomAlphanumeric(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(originalType, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { original_type: originalType, algorithm: 'AEAD_AES_256_GCM', ciphertext: ciphertext.toString('base64'), associated_data: originalType, nonce };
}

/** RFC 3339 in China time, the way WeChat Pay writes every time. */
export function chinaTime(epochMs: number): string {
  return `${new Date(epochMs + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

export const randomHex = (bytes: number) => randomBytes(bytes).toString('hex').toUpperCase();
