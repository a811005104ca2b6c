// The merchant login lockout counts wrong passwords per account and client: one client (one IP, or
// one IPv6 /64) can lock only itself out, never the owner signing in from elsewhere. Only many
// clients locked out at once lock the account for everyone. Real D1, the injected clock.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../../src/db/client';
import { ApiError } from '../../../src/lib/errors';
import { ACCOUNT_LOCK_CLIENTS, loginMerchant } from '../../../src/services/merchant-auth';
import { api, insertAccount, PASSWORD } from '../../fixtures/helpers';

const MINUTE = 60_000;
const db = createDb(env.DB);

async function attempt(username: string, password: string, client: string, nowMs: number) {
  try {
    await loginMerchant(db, env, { username, password, client }, nowMs);
    return { status: 200 };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { status: error.status, retryAfter: error.headers['Retry-After'] };
  }
}

const failuresOf = (accountId: string) => env.DB.prepare('SELECT client, failures, locked_until FROM merchant_login_failures WHERE account_id = ? ORDER BY client').bind(accountId).all();

describe('merchant login lockout', () => {
  it('five wrong passwords from one client lock that client out, while the owner signs in from another', async () => {
    const owner = await insertAccount('owner');
    const t0 = Date.parse('2026-06-01T08:00:00Z');
    for (let i = 0; i < 5; i++) expect((await attempt(owner.username, 'guess', '203.0.113.9', t0 + i)).status).toBe(401);
    const lockedOut = await attempt(owner.username, PASSWORD, '203.0.113.9', t0 + 10);
    expect(lockedOut.status).toBe(429);
    expect(Number(lockedOut.retryAfter)).toBeGreaterThan(14 * 60);

    expect((await attempt(owner.username, PASSWORD, '198.51.100.7', t0 + 20)).status).toBe(200);
    expect((await attempt(owner.username, PASSWORD, '203.0.113.9', t0 + 15 * MINUTE + 11)).status).toBe(200);
    // A successful sign-in clears that client's count.
    expect((await failuresOf(owner.id)).results).toEqual([]);
  });

  it('one client guessing for hours never locks the account for anyone else', async () => {
    const owner = await insertAccount('owner');
    let now = Date.parse('2026-06-01T08:00:00Z');
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 5; i++) expect((await attempt(owner.username, `guess-${round}-${i}`, '2001:db8:7::/64', now++)).status).toBe(401);
      expect((await attempt(owner.username, 'more', '2001:db8:7::/64', now++)).status).toBe(429);
      now += 15 * MINUTE;
    }
    // 60 wrong passwords later, the owner is not affected.
    expect((await attempt(owner.username, PASSWORD, '198.51.100.8', now)).status).toBe(200);
    const account = await env.DB.prepare('SELECT locked_until FROM merchant_accounts WHERE id = ?').bind(owner.id).first();
    expect(account).toEqual({ locked_until: null });
  });

  it('failures further apart than the 15-minute window do not add up', async () => {
    const owner = await insertAccount('owner');
    const t0 = Date.parse('2026-06-01T08:00:00Z');
    for (let i = 0; i < 4; i++) await attempt(owner.username, 'typo', '203.0.113.10', t0 + i);
    for (let i = 0; i < 4; i++) await attempt(owner.username, 'typo', '203.0.113.10', t0 + 15 * MINUTE + i);
    expect((await attempt(owner.username, PASSWORD, '203.0.113.10', t0 + 15 * MINUTE + 10)).status).toBe(200);
  });

  it(`locks the account for everyone once ${ACCOUNT_LOCK_CLIENTS} clients are locked out of it at once`, async () => {
    const owner = await insertAccount('owner');
    const t0 = Date.parse('2026-06-01T08:00:00Z');
    for (let c = 0; c < ACCOUNT_LOCK_CLIENTS; c++) {
      for (let i = 0; i < 5; i++) await attempt(owner.username, 'spray', `192.0.2.${c}`, t0 + c * 10 + i);
      if (c < ACCOUNT_LOCK_CLIENTS - 1) expect((await attempt(owner.username, PASSWORD, '198.51.100.9', t0 + c * 10 + 5)).status).toBe(200);
    }
    const locked = await attempt(owner.username, PASSWORD, '198.51.100.9', t0 + 1000);
    expect(locked.status).toBe(429);
    expect((await attempt(owner.username, PASSWORD, '198.51.100.9', t0 + 1000 + 15 * MINUTE)).status).toBe(200);
  });

  it('through the API, the client is the request CF-Connecting-IP', async () => {
    const owner = await insertAccount('owner');
    const post = (password: string, ip: string) => api('POST', '/admin/api/login', { body: { username: owner.username, password }, headers: { 'CF-Connecting-IP': ip } });
    for (let i = 0; i < 5; i++) expect((await post('wrong', '203.0.113.77')).status).toBe(401);
    expect((await post(PASSWORD, '203.0.113.77')).status).toBe(429);
    expect((await post(PASSWORD, '203.0.113.78')).status).toBe(200);
  });
});
