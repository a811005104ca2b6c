// Random, prefixed identifiers (prd_…, sku_…). 16 characters of a 32-letter alphabet = 80 bits.
const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

export function newId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let out = '';
  for (const b of bytes) out += alphabet[b & 31];
  return `${prefix}_${out}`;
}
