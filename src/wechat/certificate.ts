/// <reference types="node" />
// WeChat Pay platform certificates, read by the platform: node:crypto's X509Certificate (in
// workerd with the nodejs_compat flag). WebCrypto imports SPKI public keys but not certificates,
// so this is where the serial WeChat Pay names a certificate by, its key and its validity dates
// come from.
import { X509Certificate } from 'node:crypto';

export type PlatformCertificate = {
  /** Upper-case hex without a sign byte, as WeChat Pay writes it in `Wechatpay-Serial`. */
  serialHex: string;
  /** The DER SubjectPublicKeyInfo, for crypto.subtle.importKey('spki', …). */
  spki: Uint8Array;
  /** The validity period (notBefore … notAfter, both included), epoch ms. */
  validFromMs: number;
  validToMs: number;
};

export class CertificateError extends Error {}

/** Reads one DER certificate; throws CertificateError for anything that is not one. */
export function readPlatformCertificate(der: Uint8Array): PlatformCertificate {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(der);
  } catch (error) {
    throw new CertificateError(`not an X.509 certificate: ${error instanceof Error ? error.message : String(error)}`);
  }
  const validFromMs = Date.parse(certificate.validFrom);
  const validToMs = Date.parse(certificate.validTo);
  if (!Number.isFinite(validFromMs) || !Number.isFinite(validToMs)) {
    throw new CertificateError(`unreadable validity dates: ${certificate.validFrom} – ${certificate.validTo}`);
  }
  return {
    serialHex: certificate.serialNumber.toUpperCase().replace(/^(?:00)+(?=.)/, ''),
    spki: new Uint8Array(certificate.publicKey.export({ type: 'spki', format: 'der' })),
    validFromMs,
    validToMs,
  };
}

/** Whether the certificate may be used at `nowMs`: 'valid', or why not. */
export function validityAt(certificate: PlatformCertificate, nowMs: number): 'valid' | 'not_yet_valid' | 'expired' {
  if (nowMs < certificate.validFromMs) return 'not_yet_valid';
  if (nowMs > certificate.validToMs) return 'expired';
  return 'valid';
}
