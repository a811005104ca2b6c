// Prefixed identifiers: random ones (prd_…, sku_…; 16 characters of a 32-letter alphabet = 80
// bits), and ones derived from what they name (a retry of the same request gets the same id).
import { encodeBase64Url } from './base64url';
const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

export function newId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let out = '';
  for (const b of bytes) out += alphabet[b & 31];
  return `${prefix}_${out}`;
}

/** An id derived from `parts` (SHA-256): 20 characters of 0-9 a-z after the prefix. */
export async function derivedId(prefix: string, ...parts: string[]): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(parts.join('\n')));
  const token = encodeBase64Url(new Uint8Array(digest))
    .toLowerCase()
    .replace(/[^0-9a-z]/g, '')
    .slice(0, 20)
    .padEnd(20, '0');
  return `${prefix}_${token}`;
}
