// Byte helpers for the WeChat Pay formats: standard (padded) base64 and PEM armour.
// WeChat Pay uses standard base64 everywhere (signatures, ciphertexts), not base64url.

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Strict: anything that is not canonical base64 is an error, never a silently shorter result. */
export function fromBase64(text: string): Uint8Array {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) {
    throw new TypeError('not base64');
  }
  return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
}

/**
 * The DER bytes of every `-----BEGIN <label>-----` block in `pem`, in order. Literal `\n`
 * sequences count as line breaks: secrets and .dev.vars often carry a PEM on one line.
 */
export function pemBlocks(pem: string, label: string): Uint8Array[] {
  const pattern = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  return [...pem.replace(/\\n/g, '\n').matchAll(pattern)].map((match) => fromBase64(match[1]!.replace(/\s+/g, '')));
}

/** The single `label` block of `pem`; configuration with none or several is a mistake worth failing on. */
export function pemBlock(pem: string, label: string): Uint8Array {
  const blocks = pemBlocks(pem, label);
  if (blocks.length !== 1) throw new Error(`expected exactly one PEM block labelled ${label}, found ${blocks.length}`);
  return blocks[0]!;
}
