// `npm run dev`: local secrets, a migrated and seeded local D1, the fake WeChat + WeChat Pay,
// then `wrangler dev`, and the cron triggers fired every minute as in production (dev-cron.ts).
//
// Safe to run again and again: .dev.vars and the generated owner password are created once and
// kept, migrations apply only what is new, and the seed inserts nothing that already exists.
// Only the WECHAT_* and PUBLIC_BASE_URL lines of .dev.vars are rewritten on every start, because
// the fake's platform keys are new each time (see dev-wechat.ts).
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashPassword, verifyPassword } from '../src/lib/password';
import { seedDemoCampaigns } from './dev-campaigns';
import { seedDemoFulfilment } from './dev-fulfilment';
import { seedDemoLoyalty } from './dev-loyalty';
import { seedDemoCoupons } from './dev-coupons';
import { configuredCrons, startCronSweep, type CronSweep } from './dev-cron';
import { startDevWeChat, writeWeChatDevVars, type DevWeChat } from './dev-wechat';
import { buildSeedSql } from './seed-data';
import { sqlLiteral } from './seed-sql';
import { parseD1Json, projectRoot, runWranglerOrThrow, spawnWrangler } from './wrangler-cli';

const HOST = '127.0.0.1';
const PORT = 8787;
const API_URL = `http://${HOST}:${PORT}`;
const DEV_VARS = path.join(projectRoot, '.dev.vars');
const CREDENTIALS = path.join(projectRoot, '.dev-credentials.json');
const USERNAME_PATTERN = /^[a-z0-9_.-]{3,32}$/;

/** Writes a file only if it does not exist yet ('wx'); says whether it did. */
function createOnce(file: string, content: string): boolean {
  try {
    writeFileSync(file, content, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function ensureDevVars() {
  const key = randomBytes(32).toString('base64url');
  const created = createOnce(
    DEV_VARS,
    [
      '# Local secrets and settings for `wrangler dev`, created by `npm run dev`. Not committed.',
      'APP_ENV=development',
      'REQUEST_LOG_SUCCESS_SAMPLE=1',
      `JWT_KEYS='${JSON.stringify({ dev1: key })}'`,
      `ADMIN_ORIGINS=http://127.0.0.1:${PORT},http://localhost:${PORT}`,
      '',
    ].join('\n'),
  );
  console.log(created ? '• created .dev.vars (development settings and a fresh JWT key)' : '• using the existing .dev.vars');
}

/** Fixed (not random) so the curl commands printed in the banner work run after run. */
function fakeWeChatPort(): number {
  const port = Number(process.env.FAKE_WECHAT_PORT || 8788);
  if (!Number.isInteger(port) || port < 1 || port > 65535 || port === PORT) throw new Error(`FAKE_WECHAT_PORT must be a TCP port other than ${PORT}`);
  return port;
}

function generatePassword(length = 16): string {
  // No look-alikes (0/O, 1/l/I) so the password can be read off the terminal.
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
}

type StoredCredentials = { owners?: Record<string, string> };

function readStoredCredentials(): StoredCredentials {
  try {
    return JSON.parse(readFileSync(CREDENTIALS, 'utf8')) as StoredCredentials;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`${CREDENTIALS} is not valid JSON; fix or delete it`);
  }
}

/** The owner's login: from SEED_OWNER_* if given, else a password generated once and kept. */
function ownerCredentials(): { username: string; password: string; source: string } {
  const username = process.env.SEED_OWNER_USERNAME || 'owner';
  if (!USERNAME_PATTERN.test(username)) throw new Error('SEED_OWNER_USERNAME must be 3–32 of a-z 0-9 _ . -');
  const fromEnv = process.env.SEED_OWNER_PASSWORD;
  if (fromEnv) {
    if (fromEnv.length < 10) throw new Error('SEED_OWNER_PASSWORD must have at least 10 characters');
    return { username, password: fromEnv, source: 'SEED_OWNER_PASSWORD' };
  }
  const stored = readStoredCredentials();
  const known = stored.owners?.[username];
  if (known) return { username, password: known, source: '.dev-credentials.json' };
  const password = generatePassword();
  writeFileSync(CREDENTIALS, `${JSON.stringify({ ...stored, owners: { ...stored.owners, [username]: password } }, null, 2)}\n`, { mode: 0o600 });
  return { username, password, source: 'generated now, kept in .dev-credentials.json' };
}

async function migrateLocalDb() {
  console.log('• applying D1 migrations to the local database …');
  // CI=true makes wrangler skip its confirmation prompt.
  await runWranglerOrThrow('migrations', ['d1', 'migrations', 'apply', 'DB', '--local'], { env: { CI: 'true' } });
}

async function seedLocalDb(owner: { username: string; password: string }) {
  const productCount = process.env.SEED_PRODUCT_COUNT ? Number(process.env.SEED_PRODUCT_COUNT) : undefined;
  const statements = buildSeedSql({
    productCount,
    owner: { username: owner.username, displayName: '店主', passwordHash: await hashPassword(owner.password) },
    now: Date.now(),
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'edge-mall-seed-'));
  const file = path.join(dir, 'seed.sql');
  try {
    writeFileSync(file, statements.map((s) => `${s};\n`).join(''));
    console.log(`• seeding the demo shop (${statements.length} statements; existing rows are kept) …`);
    await runWranglerOrThrow('seed', ['d1', 'execute', 'DB', '--local', '--yes', '--file', file], { env: { CI: 'true' } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The seed never overwrites an account, so an older one may have another password: say so. */
async function checkOwnerPassword(owner: { username: string; password: string }): Promise<string | null> {
  const sql = `SELECT password_hash, role, disabled FROM merchant_accounts WHERE username = ${sqlLiteral(owner.username)}`;
  const { stdout } = await runWranglerOrThrow('owner check', ['d1', 'execute', 'DB', '--local', '--json', '--command', sql], { env: { CI: 'true' } });
  const row = parseD1Json<{ password_hash: string; role: string; disabled: number }>(stdout)[0]?.results?.[0];
  if (!row) return `no account "${owner.username}" was found after seeding`;
  if (row.role !== 'owner' || row.disabled) return `the existing account "${owner.username}" is a ${row.disabled ? 'disabled ' : ''}${row.role}`;
  if (!(await verifyPassword(owner.password, row.password_hash))) {
    return (
      `the local database already had an account "${owner.username}" with another password, and the seed never ` +
      'overwrites one. Set SEED_OWNER_PASSWORD to its password, or delete .wrangler/state to start afresh.'
    );
  }
  return null;
}

function printBanner(owner: { username: string; password: string; source: string }, warning: string | null, wechat: DevWeChat) {
  const lines = [
    'edge-mall local development',
    '',
    `  API          ${API_URL}   (GET /healthz, /categories, /products, /search?q=)`,
    `  Admin page   ${API_URL}/admin`,
    `  Owner login  ${owner.username} / ${owner.password}`,
    `               (password: ${owner.source})`,
    `  Fake WeChat  ${wechat.fake.url}   (appid ${wechat.context.appid}, mchid ${wechat.context.mchid})`,
    `  Sign in      POST /auth/wechat {"code":"ok:<any openid>"}   (a code works once)`,
    '  Pay          POST /orders/:id/pay, then complete it at the fake (below)',
    `  Cron sweep   ${crons().join(', ')} (UTC), fired by npm run dev: expiries, refunds, outbox`,
  ];
  const width = Math.max(...lines.map((l) => l.length)) + 2;
  const rule = '═'.repeat(width);
  console.log(`\n╔${rule}╗\n${lines.map((l) => `║ ${l.padEnd(width - 1)}║`).join('\n')}\n╚${rule}╝`);
  // Outside the box: too long for it, and meant to be copied whole.
  console.log(
    '\nComplete a payment as the shopper would in WeChat (the notification goes to the local worker):\n' +
      `  curl -X POST ${wechat.fake.url}/__fake/pay/transactions/<order_no>/pay -H 'content-type: application/json' -d '{"deliver":true}'`,
  );
  if (warning) console.log(`\n⚠ WARNING: ${warning}`);
  console.log('');
}

/**
 * Starts `wrangler dev` in the foreground and exits with it; Ctrl-C and SIGTERM go to it, and
 * the fake WeChat is closed once wrangler is gone (not before: a request in flight still needs it).
 */
function startDevServer(owner: { username: string; password: string }, wechat: DevWeChat) {
  // --test-scheduled only silences wrangler's "scheduled workers are not triggered locally": here they are (dev-cron.ts).
  const child = spawnWrangler(['dev', '--ip', HOST, '--port', String(PORT), '--test-scheduled'], { stdio: 'inherit' });
  let exited = false;
  let sweep: CronSweep | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (!exited) child.kill(signal);
    });
  }
  child.on('exit', (code, signal) => {
    exited = true;
    sweep?.stop();
    const status = code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1);
    void wechat.fake.close().finally(() => process.exit(status));
  });
  void announceWhenReady(() => exited, owner, wechat.fake.url).then((ready) => {
    // wrangler dev does not fire crons locally; from the first minute after the API answers, this does.
    if (ready && !exited) sweep = startCronSweep({ workerUrl: API_URL, crons: crons() });
  });
}

const crons = () => configuredCrons(readFileSync(path.join(projectRoot, 'wrangler.toml'), 'utf8'));

/** Waits for the API, creates the demo campaigns, prints the ready line; false if it never answered. */
async function announceWhenReady(stopped: () => boolean, owner: { username: string; password: string }, fakeWeChatUrl: string): Promise<boolean> {
  const deadline = Date.now() + 120_000;
  while (!stopped() && Date.now() < deadline) {
    try {
      const res = await fetch(`${API_URL}/healthz`);
      if (res.ok) {
        await seedDemoCampaigns(API_URL, owner).then(
          (created) => created.length && console.log(`\n✔ demo campaigns created: ${created.join(', ')}`),
          (error: unknown) => console.error(`\n⚠ demo campaigns not created: ${error instanceof Error ? error.message : String(error)}`),
        );
        await seedDemoFulfilment(API_URL, fakeWeChatUrl, owner).then(
          (done) => done.length && console.log(`\n✔ demo fulfilment: ${done.join('; ')}`),
          (error: unknown) => console.error(`\n⚠ demo fulfilment not set up: ${error instanceof Error ? error.message : String(error)}`),
        );
        await seedDemoLoyalty(API_URL, owner).then(
          (created) => created.length && console.log(`\n✔ demo loyalty created: ${created.join(', ')}`),
          (error: unknown) => console.error(`\n⚠ demo loyalty not created: ${error instanceof Error ? error.message : String(error)}`),
        );
        await seedDemoCoupons(API_URL, owner).then(
          ({ created, redeemCode }) => {
            if (created.length) console.log(`\n✔ demo coupons and promotions created: ${created.join(', ')}`);
            console.log(`\n╔ demo redeem code: ${redeemCode}   (POST /coupons/redeem {"code":"${redeemCode}"}; 新人券 on a first sign-in) ╗`);
          },
          (error: unknown) => console.error(`\n⚠ demo coupons not created: ${error instanceof Error ? error.message : String(error)}`),
        );
        console.log(`\n✔ ready: ${API_URL}  admin: ${API_URL}/admin  owner: ${owner.username} / ${owner.password}\n`);
        return true;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

async function main() {
  ensureDevVars();
  const owner = ownerCredentials();
  // First, so a taken port fails before the slow steps. If a later step fails, process.exit in
  // the catch below takes the fake down with it.
  const wechat = await startDevWeChat(fakeWeChatPort());
  writeWeChatDevVars(DEV_VARS, wechat.context, API_URL);
  await migrateLocalDb();
  await seedLocalDb(owner);
  const warning = await checkOwnerPassword(owner);
  printBanner(owner, warning, wechat);
  startDevServer(owner, wechat);
}

main().catch((error: unknown) => {
  console.error(`\nnpm run dev: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
