// The DER walker that takes the SPKI and serial out of a platform certificate (src/wechat/der.ts).
// The fixture was made by OpenSSL, independently of our code: a v3 certificate with extensions
// and a serial whose top bit is set (so DER prefixes a 0x00 sign byte).
import { describe, expect, it } from 'vitest';
import { DerError, readCertificate } from '../src/wechat/der';
import { pemBlock, toBase64 } from '../src/wechat/encoding';
import { WeChatPayVerifier } from '../src/wechat/signing';

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

describe('readCertificate', () => {
  it('finds the SubjectPublicKeyInfo OpenSSL reports, byte for byte', () => {
    const { spki } = readCertificate(pemBlock(FIXTURE_CERTIFICATE, 'CERTIFICATE'));
    expect(toBase64(spki)).toBe(toBase64(pemBlock(FIXTURE_PUBLIC_KEY, 'PUBLIC KEY')));
  });

  it('reads the serial as upper-case hex without the DER sign byte', () => {
    expect(readCertificate(pemBlock(FIXTURE_CERTIFICATE, 'CERTIFICATE')).serialHex).toBe(FIXTURE_SERIAL);
  });

  it('gives an SPKI that WebCrypto imports as an RSA verification key', async () => {
    const { spki } = readCertificate(pemBlock(FIXTURE_CERTIFICATE, 'CERTIFICATE'));
    const key = await crypto.subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
    expect(key.type).toBe('public');
  });

  it('rejects what is not a well-formed certificate', () => {
    const der = pemBlock(FIXTURE_CERTIFICATE, 'CERTIFICATE');
    expect(() => readCertificate(der.subarray(0, der.length - 1))).toThrow(DerError); // truncated
    expect(() => readCertificate(Uint8Array.of(...der, 0))).toThrow(DerError); // trailing garbage
    expect(() => readCertificate(Uint8Array.of(0x30, 0x80, 0x00, 0x00))).toThrow(DerError); // BER indefinite length
    expect(() => readCertificate(Uint8Array.of(0x02, 0x01, 0x01))).toThrow(DerError); // an INTEGER, not a SEQUENCE
    expect(() => readCertificate(pemBlock(FIXTURE_PUBLIC_KEY, 'PUBLIC KEY'))).toThrow(DerError); // an SPKI, not a certificate
    expect(() => readCertificate(new Uint8Array())).toThrow(DerError);
  });
});

describe('certificate mode verification with an OpenSSL-made signature', () => {
  const headers = (overrides: Record<string, string> = {}) =>
    new Headers({
      'Wechatpay-Timestamp': FIXTURE_SIGNED.timestamp,
      'Wechatpay-Nonce': FIXTURE_SIGNED.nonce,
      'Wechatpay-Signature': FIXTURE_SIGNED.signature,
      'Wechatpay-Serial': FIXTURE_SERIAL,
      ...overrides,
    });
  const at = Number(FIXTURE_SIGNED.timestamp) * 1000;

  it('verifies with the key taken from the certificate, whatever the serial case', async () => {
    const verifier = new WeChatPayVerifier({ platformCertificatesPem: FIXTURE_CERTIFICATE });
    await expect(verifier.verify(headers(), FIXTURE_SIGNED.body, at)).resolves.toBeUndefined();
    await expect(verifier.verify(headers({ 'Wechatpay-Serial': FIXTURE_SERIAL.toLowerCase() }), FIXTURE_SIGNED.body, at)).resolves.toBeUndefined();
    expect(verifier.preferredSerial).toBe(FIXTURE_SERIAL);
  });

  it('accepts a PEM carried on one line with literal \\n, as secrets often are', async () => {
    const verifier = new WeChatPayVerifier({ platformCertificatesPem: FIXTURE_CERTIFICATE.replace(/\n/g, '\\n') });
    await expect(verifier.verify(headers(), FIXTURE_SIGNED.body, at)).resolves.toBeUndefined();
  });

  it('refuses a body that differs by one byte', async () => {
    const verifier = new WeChatPayVerifier({ platformCertificatesPem: FIXTURE_CERTIFICATE });
    await expect(verifier.verify(headers(), `${FIXTURE_SIGNED.body} `, at)).rejects.toMatchObject({ reason: 'bad_signature' });
  });
});
