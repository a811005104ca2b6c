/// <reference types="node" />
// Builds the fake WeChat Pay platform certificates: real, self-signed X.509 v3 certificates in
// DER, signed SHA256withRSA, current, already expired or not yet valid. node:crypto can read certificates but not make them, and the fake
// must not depend on an openssl binary, so the few DER types a certificate needs are written here.
import { X509Certificate, createPublicKey, sign, type KeyObject } from 'node:crypto';

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, ...content: Buffer[]) => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
};
const sequence = (...content: Buffer[]) => tlv(0x30, ...content);
const set = (...content: Buffer[]) => tlv(0x31, ...content);
const explicit = (n: number, content: Buffer) => tlv(0xa0 + n, content);
const nullValue = () => tlv(0x05);
const utf8String = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
const printableString = (text: string) => tlv(0x13, Buffer.from(text, 'ascii'));

/** A non-negative INTEGER from big-endian bytes, with the sign byte DER requires when the top bit is set. */
function unsignedInteger(bytes: Buffer): Buffer {
  let value = bytes;
  while (value.length > 1 && value[0] === 0 && value[1]! < 0x80) value = value.subarray(1);
  return tlv(0x02, value[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value);
}

function objectIdentifier(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const base128 = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) base128.unshift((n & 0x7f) | 0x80);
    bytes.push(...base128);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime (YYMMDDHHMMSSZ) for years before 2050, GeneralizedTime after, as RFC 5280 requires. */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

const OID_SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const name = (commonName: string) =>
  sequence(
    set(sequence(objectIdentifier('2.5.4.6'), printableString('CN'))),
    set(sequence(objectIdentifier('2.5.4.10'), utf8String('Tenpay.com'))),
    set(sequence(objectIdentifier('2.5.4.3'), utf8String(commonName))),
  );

/** A PEM certificate for `publicKey`, self-signed by `privateKey`, with the given serial (hex). */
export function createSelfSignedCertificate(opts: { privateKey: KeyObject; publicKey: KeyObject; serialHex: string; commonName: string; notBefore: Date; notAfter: Date }): string {
  const algorithm = sequence(objectIdentifier(OID_SHA256_WITH_RSA), nullValue());
  const tbs = sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))), // v3
    unsignedInteger(Buffer.from(opts.serialHex, 'hex')),
    algorithm,
    name(opts.commonName),
    sequence(time(opts.notBefore), time(opts.notAfter)),
    name(opts.commonName),
    opts.publicKey.export({ type: 'spki', format: 'der' }),
  );
  const certificate = sequence(tbs, algorithm, tlv(0x03, Buffer.from([0]), sign('sha256', tbs, opts.privateKey)));
  const pem = `-----BEGIN CERTIFICATE-----\n${certificate.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;

  // Read it back with OpenSSL (through node:crypto) so a DER mistake fails here, not in a test.
  const parsed = new X509Certificate(pem);
  const samePublicKey = createPublicKey(parsed.publicKey.export({ type: 'spki', format: 'pem' })).equals(opts.publicKey);
  if (!samePublicKey || !parsed.verify(opts.publicKey) || parsed.serialNumber.toUpperCase() !== opts.serialHex.toUpperCase()) {
    throw new Error('the fake platform certificate does not read back as built');
  }
  return pem;
}

const DAY_MS = 86_400_000;
/** WeChat Pay issues platform certificates for five years. */
const LIFETIME_MS = 5 * 365 * DAY_MS;

export type CertificateValidity = 'current' | 'expired' | 'not_yet_valid';

/**
 * A five-year validity period that, at `nowMs`, has begun a day ago (current), ended a day ago
 * (expired), or begins in a day (not yet valid: a rotation's next certificate, published early).
 */
export function validityPeriod(validity: CertificateValidity, nowMs: number): { notBefore: Date; notAfter: Date } {
  const notBefore = { current: nowMs - DAY_MS, expired: nowMs - DAY_MS - LIFETIME_MS, not_yet_valid: nowMs + DAY_MS }[validity];
  return { notBefore: new Date(notBefore), notAfter: new Date(notBefore + LIFETIME_MS) };
}
