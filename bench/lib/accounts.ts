// The accounts a benchmark needs, written straight to D1: an owner signed in through the admin
// API, and buyers with a default address whose tokens are signed with the worker's key.
import { runSql, type LocalWorker } from '../../scripts/local-worker';
import { sqlLiteral } from '../../scripts/seed-sql';
import { loadKeyRing, signAccessToken } from '../../src/lib/jwt';
import { hashPassword } from '../../src/lib/password';
import { query } from './d1';

export type Buyer = { id: string; token: string };

/** A run's own signing key for shopper tokens and an owner login with a random password. */
export const benchCredentials = () => ({
  jwt: { kid: 'bench', keys: JSON.stringify({ bench: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url') }) },
  merchant: { username: 'bench_owner', password: `bench-${crypto.randomUUID()}` },
});

/** An owner account written to D1 with a random password, then signed in through the admin API. */
export async function signInMerchant(worker: LocalWorker, merchant: { username: string; password: string }): Promise<string> {
  const now = Date.now();
  await query(
    worker,
    `INSERT INTO merchant_accounts (id, username, display_name, password_hash, role, disabled, failed_logins, created_at, updated_at) VALUES ('mer_bench', ?, 'bench', ?, 'owner', 0, 0, ?, ?)`,
    merchant.username,
    await hashPassword(merchant.password),
    now,
    now,
  );
  const res = await fetch(`${worker.directUrl}/admin/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(merchant) });
  if (!res.ok) throw new Error(`merchant login: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** Buyers with a default address, written straight to D1; their tokens signed with the worker's key. */
export async function seedBuyers(worker: LocalWorker, count: number, jwt: { keys: string; kid: string }): Promise<Buyer[]> {
  const now = Date.now();
  const ids = Array.from({ length: count }, (_, i) => `usr_bench${String(i).padStart(6, '0')}`);
  for (let i = 0; i < ids.length; i += 500) {
    const slice = ids.slice(i, i + 500);
    await runSql(worker, [
      `INSERT INTO users (id, openid, created_at, updated_at) VALUES ${slice.map((id) => `(${sqlLiteral(id)}, ${sqlLiteral(`o-${id}`)}, ${now}, ${now})`).join(', ')}`,
      `INSERT INTO addresses (id, user_id, recipient, phone, province, city, district, detail, is_default, created_at, updated_at) VALUES ${slice
        .map((id) => `(${sqlLiteral(`adr_${id.slice(4)}`)}, ${sqlLiteral(id)}, '抢购者', '13900000000', '广东省', '深圳市', '南山区', '科技园 1 号', 1, ${now}, ${now})`)
        .join(', ')}`,
    ]);
  }
  const ring = loadKeyRing(jwt.keys, jwt.kid);
  return Promise.all(ids.map(async (id) => ({ id, token: await signAccessToken(ring, { sub: id, aud: 'shopper', ttlSeconds: 3600, nowMs: now }) })));
}

/** Buyers handed out in order, so that each part of a run gets shoppers nothing has used yet. */
export class Crowd {
  private next = 0;
  constructor(private readonly buyers: Buyer[]) {}

  take(n: number): Buyer[] {
    if (this.next + n > this.buyers.length) throw new Error('the bench seeded too few buyers');
    const taken = this.buyers.slice(this.next, this.next + n);
    this.next += n;
    return taken;
  }
}
