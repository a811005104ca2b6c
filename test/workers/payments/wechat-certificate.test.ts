// Platform certificates read by node:crypto's X509Certificate (src/wechat/certificate.ts) and
// used only within their validity dates. The fixture was made by OpenSSL, independently of our
// code: a v3 certificate with extensions and a serial whose top bit is set (so DER prefixes a
// 0x00 sign byte). Certificates made by the fake (test/fakes/x509.ts) are exercised end to end
// in wechat-notify.test.ts and wechat-pay.test.ts.
import { describe, expect, it } from 'vitest';
import { CertificateError, readPlatformCertificate, validityAt } from '../../../src/wechat/certificate';
import { pemBlock, toBase64 } from '../../../src/wechat/encoding';
import { WeChatPaySignatureError } from '../../../src/wechat/errors';
import { WeChatPayVerifier } from '../../../src/wechat/signing';

// openssl req -x509 -newkey rsa:2048 -days 3650 -set_serial 0xC2A1F3E4B5D6978812345678ABCDEF0123456789
//   -subj "/C=CN/O=Tenpay.com/OU=Tenpay.com CA Center/CN=Tenpay.com Root CA"
const FIXTURE_CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIDnjCCAoagAwIBAgIVAMKh8+S11peIEjRWeKvN7wEjRWeJMA0GCSqGSIb3DQEB
CwUAMF4xCzAJBgNVBAYTAkNOMRMwEQYDVQQKDApUZW5wYXkuY29tMR0wGwYDVQQL
DBRUZW5wYXkuY29tIENBIENlbnRlcjEbMBkGA1UEAwwSVGVucGF5LmNvbSBSb290
IENBMB4XDTI2MTEyMzAxMjEwN1oXDTM2MTEyMDAxMjEwN1owXjELMAkGA1UEBhMC
Q04xEzARBgNVBAoMClRlbnBheS5jb20xHTAbBgNVBAsMFFRlbnBheS5jb20gQ0Eg
Q2VudGVyMRswGQYDVQQDDBJUZW5wYXkuY29tIFJvb3QgQ0EwggEiMA0GCSqGSIb3
DQEBAQUAA4IBDwAwggEKAoIBAQCwgZzbmtX9hcGTzJov/3Zq+xsqCm6qO8glMTaU
wTsmkTLCQXU+i2HuK7ytO/CfZiBjFjXNw3yql7etkEBtd/rAwh0pOsrWhEOobN/o
+5bhU1yf5QQKw4gIAmllA9P9j5hvqIJ35pfwvIIup2WgcF9nsdC2xdjmWlZFm1Hm
9OTbPOVDApcg3hkMa1v23kPpEyzZ+jdQG9qf5i0/Gwde1cey0eLk/cacNkWNc7LA
gIr/ONFrNpm6W0dwke8+/MHz80Qhe1N082CKCyh/53U9aIYuB3a0387k/qISaVbB
EFt5LEYvCF6FkxmbarddAExDZZ8Jj6AoweddgqvcGVlUrZ7BAgMBAAGjUzBRMB0G
A1UdDgQWBBRK2AZEvrWJckWTWRGROUwVQoSsoTAfBgNVHSMEGDAWgBRK2AZEvrWJ
ckWTWRGROUwVQoSsoTAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4IB
AQBc6gQjmL4aEDa5xNZw1xBDKOuCww0bfgUMl+mY3Nj2xVYaKMT1NzMPZrxt1+D5
e8wZa8ipErkIYMyypNvD7jmbJNlwlhgXQX6+8OIPBYv00QjiV5b1aUF/tIufaGzp
1NAkWqlWgDI5+VknPPmQH9DzsFEPlNME/5sDDOBX2Jm63IBPkf+y6hTm243DBZEs
G+zukQYJYW5J1N7SFIK3nbDCjm9ZON+nb02ta88C7AcTTE5WUtDe46XRf8TSdrAB
SgbS361pe9ZYOitte65bMSmkkxfLtBMq1bJNyeiNC+7wKRCUk/tMu6ZcN+T4qUvR
r/KeeqP81RQEAFGrTjelW2xj
-----END CERTIFICATE-----
`;
// openssl x509 -in cert.pem -pubkey -noout
const FIXTURE_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsIGc25rV/YXBk8yaL/92
avsbKgpuqjvIJTE2lME7JpEywkF1Poth7iu8rTvwn2YgYxY1zcN8qpe3rZBAbXf6
wMIdKTrK1oRDqGzf6PuW4VNcn+UECsOICAJpZQPT/Y+Yb6iCd+aX8LyCLqdloHBf
Z7HQtsXY5lpWRZtR5vTk2zzlQwKXIN4ZDGtb9t5D6RMs2fo3UBvan+YtPxsHXtXH
stHi5P3GnDZFjXOywICK/zjRazaZultHcJHvPvzB8/NEIXtTdPNgigsof+d1PWiG
Lgd2tN/O5P6iEmlWwRBbeSxGLwhehZMZm2q3XQBMQ2WfCY+gKMHnXYKr3BlZVK2e
wQIDAQAB
-----END PUBLIC KEY-----`;
// openssl x509 -noout -serial
const FIXTURE_SERIAL = 'C2A1F3E4B5D6978812345678ABCDEF0123456789';
// printf '1700000000\nfixturenonce…\n<body>\n' | openssl dgst -sha256 -sign key.pem | base64
const FIXTURE_SIGNED = {
  timestamp: '1700000000',
  nonce: 'fixturenonce0123456789abcdefABCD',
  body: '{"code_url":"weixin://wxpay/bizpayurl?pr=fixture"}',
  signature:
    'Yq3opWfN9Oc1zJ1xJW3hArWJ+tTNWLaivoiH4nzASxrCU0aL+CAiKE7TQ1GKD39Dlg/XTJzj+GhFfSoyWlE30EIVzz1XSS+Rmd7KOCvn38uPrawmuv4a67O+zNlQ2hiiRuNYPRNtSU8gleFPRGySWBsCqnPZ2oSRpzZDPN5JlGhi6aY/5MCGN7pjyj/wi6Hj/JW6WggYk2EbBla3jhJIxcVH/aHW4zrVc/1H8seUZm04GIUJqdF7zulsX92Ez2JCmfHKt+JSRfienDpW+PO07/Py7IvlK4Yj9Kpp8f7uw3kUYV328KJkhKzvtVLdKLOvNtQFBfHAGp8szqIcMn9IAw==',
};

const fixtureDer = () => pemBlock(FIXTURE_CERTIFICATE, 'CERTIFICATE');
// openssl x509 -noout -dates
const FIXTURE_NOT_BEFORE = Date.parse('2026-11-23T01:21:07Z');
const FIXTURE_NOT_AFTER = Date.parse('2036-11-20T01:21:07Z');

describe('readPlatformCertificate', () => {
  it('finds the SubjectPublicKeyInfo OpenSSL reports, byte for byte', () => {
    expect(toBase64(readPlatformCertificate(fixtureDer()).spki)).toBe(toBase64(pemBlock(FIXTURE_PUBLIC_KEY, 'PUBLIC KEY')));
  });

  it('reads the serial as upper-case hex without the DER sign byte', () => {
    expect(readPlatformCertificate(fixtureDer()).serialHex).toBe(FIXTURE_SERIAL);
  });

  it('reads the validity dates OpenSSL reports', () => {
    expect(readPlatformCertificate(fixtureDer())).toMatchObject({ validFromMs: FIXTURE_NOT_BEFORE, validToMs: FIXTURE_NOT_AFTER });
  });

  it('gives an SPKI that WebCrypto imports as an RSA verification key', async () => {
    const { spki } = readPlatformCertificate(fixtureDer());
    const key = await crypto.subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
    expect(key.type).toBe('public');
  });

  it('rejects what is not a well-formed certificate', () => {
    const der = fixtureDer();
    expect(() => readPlatformCertificate(der.subarray(0, der.length - 1))).toThrow(CertificateError); // truncated
    expect(() => readPlatformCertificate(Uint8Array.of(0x30, 0x80, 0x00, 0x00))).toThrow(CertificateError); // BER indefinite length
    expect(() => readPlatformCertificate(Uint8Array.of(0x02, 0x01, 0x01))).toThrow(CertificateError); // an INTEGER, not a SEQUENCE
    expect(() => readPlatformCertificate(pemBlock(FIXTURE_PUBLIC_KEY, 'PUBLIC KEY'))).toThrow(CertificateError); // an SPKI, not a certificate
    expect(() => readPlatformCertificate(new Uint8Array())).toThrow(CertificateError);
  });

  it('makes a verifier configured with a malformed certificate fail when it is built', () => {
    const truncated = `-----BEGIN CERTIFICATE-----\n${toBase64(fixtureDer().subarray(0, 600))}\n-----END CERTIFICATE-----\n`;
    expect(() => new WeChatPayVerifier({ platformCertificatesPem: `${FIXTURE_CERTIFICATE}${truncated}` })).toThrow(CertificateError);
  });
});

describe('validityAt', () => {
  const certificate = readPlatformCertificate(fixtureDer());
  it('is valid from notBefore to notAfter, both included, and says which side it is on outside', () => {
    expect(validityAt(certificate, FIXTURE_NOT_BEFORE - 1)).toBe('not_yet_valid');
    expect(validityAt(certificate, FIXTURE_NOT_BEFORE)).toBe('valid');
    expect(validityAt(certificate, FIXTURE_NOT_AFTER)).toBe('valid');
    expect(validityAt(certificate, FIXTURE_NOT_AFTER + 1)).toBe('expired');
  });
});

describe('certificate mode with the OpenSSL-made certificate and signature', () => {
  // The signature was made at 1700000000 (2023-11-14), three years before the certificate's
  // notBefore: at the signature's own time, the certificate may not be used.
  const headers = () =>
    new Headers({
      'Wechatpay-Timestamp': FIXTURE_SIGNED.timestamp,
      'Wechatpay-Nonce': FIXTURE_SIGNED.nonce,
      'Wechatpay-Signature': FIXTURE_SIGNED.signature,
      'Wechatpay-Serial': FIXTURE_SERIAL,
    });
  const at = Number(FIXTURE_SIGNED.timestamp) * 1000;
  const reason = (promise: Promise<unknown>) =>
    promise.then(
      () => null,
      (e: unknown) => (e instanceof WeChatPaySignatureError ? e : null),
    );

  it('fails clearly when the only certificate is not valid yet at the injected time', async () => {
    const error = await reason(new WeChatPayVerifier({ platformCertificatesPem: FIXTURE_CERTIFICATE }).verify(headers(), FIXTURE_SIGNED.body, at));
    expect(error?.reason).toBe('no_valid_certificate');
    expect(error?.message).toContain(`${FIXTURE_SERIAL} 2026-11-23T01:21:07.000Z – 2036-11-20T01:21:07.000Z`);
  });

  it('names the certificate as not yet valid when a public key is configured as well', async () => {
    const verifier = new WeChatPayVerifier({ platformCertificatesPem: FIXTURE_CERTIFICATE, publicKeyId: 'PUB_KEY_ID_0000', publicKeyPem: FIXTURE_PUBLIC_KEY });
    expect((await reason(verifier.verify(headers(), FIXTURE_SIGNED.body, at)))?.reason).toBe('certificate_not_yet_valid');
    expect(verifier.preferredSerial(at)).toBe('PUB_KEY_ID_0000');
  });

  it('reads a PEM carried on one line with literal \\n, as secrets often are', () => {
    const verifier = new WeChatPayVerifier({ platformCertificatesPem: FIXTURE_CERTIFICATE.replace(/\n/g, '\\n') });
    expect(verifier.preferredSerial(FIXTURE_NOT_BEFORE)).toBe(FIXTURE_SERIAL);
  });
});
