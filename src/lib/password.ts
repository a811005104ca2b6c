// Password hashing with PBKDF2-SHA256 from WebCrypto and a random salt per account.
// 100,000 iterations is the most the Workers runtime allows for PBKDF2.
import { decodeBase64Url, encodeBase64Url } from './base64url';

const ITERATIONS = 100_000;
const SCHEME = 'pbkdf2-sha256';

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256);
  return new Uint8Array(bits);
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, salt, ITERATIONS);
  return `${SCHEME}$${ITERATIONS}$${encodeBase64Url(salt)}$${encodeBase64Url(hash)}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iterations, salt, hash] = stored.split('$');
  if (scheme !== SCHEME || !iterations || !salt || !hash) return false;
  const actual = await derive(password, decodeBase64Url(salt), Number(iterations));
  return constantTimeEqual(actual, decodeBase64Url(hash));
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * Hash computed once per isolate for unknown usernames, so a login for a missing account
 * costs the same time as one with a wrong password and does not reveal which names exist.
 * The value is kept, not the promise: a promise shared between requests would leave the others
 * hanging if the request that started it were cancelled (see src/services/catalog-version.ts).
 */
let decoyHash: string | undefined;
export const decoyPasswordHash = async () => (decoyHash ??= await hashPassword(crypto.randomUUID()));
