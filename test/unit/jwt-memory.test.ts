// The verified-token memory of src/lib/jwt.ts: a token verified once is answered from memory,
// and the memory never accepts what a fresh verification would refuse (expiry, another audience,
// another key ring, a changed token).
import { describe, expect, it } from 'vitest';
import { loadKeyRing, signAccessToken, verifyAccessToken } from '../../src/lib/jwt';
import { ApiError } from '../../src/lib/errors';

const secret = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
const ringWith = (keys: Record<string, string>, kid: string) => loadKeyRing(JSON.stringify(keys), kid);
const NOW = Date.UTC(2026, 11, 2, 8, 0, 0);

async function refused(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).status).toBe(401);
}

describe('verified-token memory', () => {
  it('answers a verified token from memory, without the key', async () => {
    const ring = ringWith({ k1: secret() }, 'k1');
    const token = await signAccessToken(ring, { sub: 'usr_1', aud: 'shopper', ttlSeconds: 600, nowMs: NOW });
    expect((await verifyAccessToken(ring, token, 'shopper', NOW)).sub).toBe('usr_1');
    // Were it verified again, a ring without its key would refuse it.
    const key = ring.keys.get('k1')!;
    ring.keys.delete('k1');
    try {
      expect((await verifyAccessToken(ring, token, 'shopper', NOW + 1_000)).sub).toBe('usr_1');
    } finally {
      ring.keys.set('k1', key);
    }
  });

  it('refuses a remembered token once it has expired, to the millisecond', async () => {
    const ring = ringWith({ k1: secret() }, 'k1');
    const token = await signAccessToken(ring, { sub: 'usr_2', aud: 'shopper', ttlSeconds: 60, nowMs: NOW });
    await verifyAccessToken(ring, token, 'shopper', NOW);
    const exp = Math.floor(NOW / 1000) * 1000 + 60_000;
    expect((await verifyAccessToken(ring, token, 'shopper', exp - 1)).sub).toBe('usr_2');
    await refused(verifyAccessToken(ring, token, 'shopper', exp));
    expect(ring.verified.size).toBe(0);
  });

  it('remembers per audience: a shopper token is never a merchant one', async () => {
    const ring = ringWith({ k1: secret() }, 'k1');
    const token = await signAccessToken(ring, { sub: 'usr_3', aud: 'shopper', ttlSeconds: 600, nowMs: NOW });
    await verifyAccessToken(ring, token, 'shopper', NOW);
    await refused(verifyAccessToken(ring, token, 'merchant', NOW));
  });

  it('starts empty for another key ring (a rotation that removed the key)', async () => {
    const oldSecret = secret();
    const before = ringWith({ old: oldSecret }, 'old');
    const token = await signAccessToken(before, { sub: 'usr_4', aud: 'shopper', ttlSeconds: 600, nowMs: NOW });
    await verifyAccessToken(before, token, 'shopper', NOW);
    const after = ringWith({ fresh: secret() }, 'fresh');
    await refused(verifyAccessToken(after, token, 'shopper', NOW));
  });

  it('does not take a changed token for a remembered one', async () => {
    const ring = ringWith({ k1: secret() }, 'k1');
    const token = await signAccessToken(ring, { sub: 'usr_5', aud: 'shopper', ttlSeconds: 600, nowMs: NOW });
    await verifyAccessToken(ring, token, 'shopper', NOW);
    const [header, payload] = token.split('.');
    await refused(verifyAccessToken(ring, `${header}.${payload}.${'A'.repeat(43)}`, 'shopper', NOW));
    expect(ring.verified.size).toBe(1);
  });

  it('keeps at most 10,000 tokens, dropping the oldest', async () => {
    const ring = ringWith({ k1: secret() }, 'k1');
    const tokens = await Promise.all(Array.from({ length: 10_001 }, (_, i) => signAccessToken(ring, { sub: `usr_m${i}`, aud: 'shopper', ttlSeconds: 600, nowMs: NOW })));
    for (const token of tokens) await verifyAccessToken(ring, token, 'shopper', NOW);
    expect(ring.verified.size).toBe(10_000);
    expect(ring.verified.has(`shopper ${tokens[0]}`)).toBe(false);
    expect(ring.verified.has(`shopper ${tokens[10_000]}`)).toBe(true);
  });
});
