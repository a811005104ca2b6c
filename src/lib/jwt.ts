// Access tokens: HS256 JWTs signed with jose. Keys come only from configuration (JWT_KEYS, a
// JSON map of kid → base64url secret) and every token names its key in the `kid` header, so a
// new key can be added, made active, and the old one removed once its tokens have expired.
import { SignJWT, jwtVerify, type JWTPayload } from 'jose';
import { decodeBase64Url } from './base64url';
import { unauthorized } from './errors';

export type Audience = 'merchant' | 'shopper';
export const ISSUER = 'edge-mall';

/** The configured keys, each imported once as an HMAC CryptoKey (jose would import raw bytes on every call). */
type KeyRing = { activeKid: string; keys: Map<string, Promise<CryptoKey>> };
const keyRingCache = new Map<string, KeyRing>();

export function loadKeyRing(jwtKeys: string | undefined, activeKid: string | undefined): KeyRing {
  const cacheKey = `${activeKid ?? ''}|${jwtKeys ?? ''}`;
  const cached = keyRingCache.get(cacheKey);
  if (cached) return cached;
  if (!jwtKeys) throw new Error('JWT_KEYS is not configured');
  const parsed = JSON.parse(jwtKeys) as Record<string, string>;
  const keys = new Map<string, Promise<CryptoKey>>();
  for (const [kid, secret] of Object.entries(parsed)) {
    const bytes = decodeBase64Url(secret);
    if (bytes.length < 32) throw new Error(`JWT key ${kid} is shorter than 32 bytes`);
    keys.set(kid, crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']));
  }
  const kid = activeKid || keys.keys().next().value;
  if (!kid || !keys.has(kid)) throw new Error('JWT_ACTIVE_KID names no key in JWT_KEYS');
  const ring = { activeKid: kid, keys };
  keyRingCache.set(cacheKey, ring);
  return ring;
}

export async function signAccessToken(ring: KeyRing, claims: { sub: string; aud: Audience; ttlSeconds: number; nowMs: number; extra?: JWTPayload }): Promise<string> {
  const iat = Math.floor(claims.nowMs / 1000);
  return new SignJWT({ ...claims.extra })
    .setProtectedHeader({ alg: 'HS256', kid: ring.activeKid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(claims.aud)
    .setSubject(claims.sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + claims.ttlSeconds)
    .sign(await ring.keys.get(ring.activeKid)!);
}

export async function verifyAccessToken(ring: KeyRing, token: string, aud: Audience, nowMs: number): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const key = header.kid ? ring.keys.get(header.kid) : undefined;
        if (!key) throw new Error('unknown kid');
        return key;
      },
      { issuer: ISSUER, audience: aud, algorithms: ['HS256'], currentDate: new Date(nowMs) },
    );
    return payload;
  } catch {
    throw unauthorized('The access token is invalid or has expired.');
  }
}
