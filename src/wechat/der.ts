// A minimal DER reader, just enough to take an X.509 certificate apart. WebCrypto imports
// SPKI public keys but not certificates, so for WeChat Pay platform certificates we find the
// SubjectPublicKeyInfo (and the serial number WeChat Pay names it by) ourselves.

const TAG_INTEGER = 0x02;
const TAG_SEQUENCE = 0x30;
const TAG_EXPLICIT_0 = 0xa0; // [0] EXPLICIT Version in TBSCertificate

type DerNode = { tag: number; start: number; contentStart: number; end: number };

export class DerError extends Error {}

function readNode(der: Uint8Array, offset: number, limit: number): DerNode {
  if (offset + 2 > limit) throw new DerError('truncated DER header');
  const tag = der[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte DER tags are not used in certificates');
  let length = der[offset + 1]!;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    // 0x80 is BER's indefinite length, which DER forbids; 4 length bytes is far beyond any certificate.
    if (count === 0 || count > 4) throw new DerError('unsupported DER length');
    if (contentStart + count > limit) throw new DerError('truncated DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[contentStart + i]!;
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) throw new DerError('DER value runs past its container');
  return { tag, start: offset, contentStart, end };
}

function childrenOf(der: Uint8Array, parent: DerNode): DerNode[] {
  const children: DerNode[] = [];
  for (let offset = parent.contentStart; offset < parent.end; ) {
    const child = readNode(der, offset, parent.end);
    children.push(child);
    offset = child.end;
  }
  return children;
}

function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node || node.tag !== tag) throw new DerError(`certificate has no ${what}`);
  return node;
}

const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();

/**
 * The serial number (upper-case hex, as WeChat Pay writes it in `Wechatpay-Serial`) and the DER
 * SubjectPublicKeyInfo of an X.509 certificate.
 *
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }
 * TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber INTEGER, signature,
 *                               issuer, validity, subject, subjectPublicKeyInfo, … }
 */
export function readCertificate(der: Uint8Array): { serialHex: string; spki: Uint8Array } {
  const certificate = readNode(der, 0, der.length);
  if (certificate.tag !== TAG_SEQUENCE || certificate.end !== der.length) throw new DerError('not a DER certificate');
  const tbs = expectTag(childrenOf(der, certificate)[0], TAG_SEQUENCE, 'TBSCertificate');
  const fields = childrenOf(der, tbs);
  const rest = fields[0]?.tag === TAG_EXPLICIT_0 ? fields.slice(1) : fields;
  const serial = expectTag(rest[0], TAG_INTEGER, 'serial number');
  const spki = expectTag(rest[5], TAG_SEQUENCE, 'SubjectPublicKeyInfo');
  let serialBytes = der.subarray(serial.contentStart, serial.end);
  // DER INTEGERs carry a leading 0x00 when the top bit is set; it is a sign byte, not part of the serial.
  while (serialBytes.length > 1 && serialBytes[0] === 0) serialBytes = serialBytes.subarray(1);
  return { serialHex: toHex(serialBytes), spki: der.slice(spki.start, spki.end) };
}
