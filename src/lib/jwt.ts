// Access tokens: HS256 JWTs signed with jose. Keys come only from configuration (JWT_KEYS, a
// JSON map of kid → base64url secret) and every token names its key in the `kid` header, so a
// new key can be added, made active, and the old one removed once its tokens have expired.
import { SignJWT, jwtVerify, type JWTPayload } from 'jose';
import { decodeBase64Url } from './base64url';
import { unauthorized } from './errors';

export type Audience = 'merchant' | 'shopper';
export const ISSUER = 'edge-mall';

/**
 * The configured keys, each imported once as an HMAC CryptoKey (jose would import raw bytes on
 * every call), and the tokens this isolate has verified with them (see verifyAccessToken).
 */
type KeyRing = { activeKid: string; keys: Map<string, Promise<CryptoKey>>; verified: Map<string, VerifiedToken> };
type VerifiedToken = { payload: JWTPayload; expiresAtMs: number };

/** Verified tokens an isolate keeps per key ring; the oldest goes first. */
const VERIFIED_TOKENS_KEPT = 10_000;
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
  const ring = { activeKid: kid, keys, verified: new Map<string, VerifiedToken>() };
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

/**
 * The token's claims, if it is signed by a key of the ring for this audience and not expired.
 * A shopper sends the same token with every request for its hour: once it has been verified, this
 * isolate answers from memory (a map lookup instead of base64, JSON and an HMAC — a burst's
 * refusals spent a tenth of their CPU here). What jose checked cannot change for the same token
 * string except its expiry, which is checked again on every use; the memory belongs to the key
 * ring, so a ring without the token's key (a rotation) starts with none.
 */
export async function verifyAccessToken(ring: KeyRing, token: string, aud: Audience, nowMs: number): Promise<JWTPayload> {
  const memoryKey = `${aud} ${token}`;
  const known = ring.verified.get(memoryKey);
  if (known) {
    if (nowMs < known.expiresAtMs) return known.payload;
    ring.verified.delete(memoryKey);
  }
  const payload = await verifiedPayload(ring, token, aud, nowMs);
  // exp is optional in a JWT; ours always have one, and a token without it is not remembered (nothing would end it).
  if (typeof payload.exp === 'number') {
    if (ring.verified.size >= VERIFIED_TOKENS_KEPT) ring.verified.delete(ring.verified.keys().next().value!);
    ring.verified.set(memoryKey, { payload, expiresAtMs: payload.exp * 1000 });
  }
  return payload;
}

async function verifiedPayload(ring: KeyRing, token: string, aud: Audience, nowMs: number): Promise<JWTPayload> {
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
