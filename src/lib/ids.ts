// Prefixed identifiers: random ones (prd_…, sku_…; 16 characters of a 32-letter alphabet = 80
// bits), and ones derived from what they name (a retry of the same request gets the same id).
import { encodeBase64Url } from './base64url';
const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

const ID_LETTERS = 16;

/**
 * Random bytes for ids, drawn from a pool the runtime fills 256 ids at a time: every request makes
 * an id (its request id), and one call into the runtime per id cost the bare route about a
 * twentieth of its throughput (README, issue 12's eighth pass). Each byte is used once, so an id
 * is as unguessable as before.
 */
const pool = new Uint8Array(ID_LETTERS * 256);
let poolOffset = pool.length;

export function newId(prefix: string): string {
  if (poolOffset + ID_LETTERS > pool.length) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  let out = '';
  for (let i = poolOffset; i < poolOffset + ID_LETTERS; i++) out += alphabet[pool[i]! & 31];
  poolOffset += ID_LETTERS;
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
