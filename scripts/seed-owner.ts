// `npm run seed:owner -- --remote` (or --local): creates the shop's first owner account.
//
//   OWNER_USERNAME=boss OWNER_PASSWORD='…' npm run seed:owner -- --remote
//
// The password comes only from the environment (never argv, never a default) and must have at
// least 12 characters. Nothing is overwritten: if the shop already has an owner, or the username
// is taken, the script changes nothing and says so. Further staff are added in the admin.
import { hashPassword } from '../src/lib/password';
import { newId } from '../src/lib/ids';
import { ownerInsertSql } from './seed-data';
import { sqlLiteral } from './seed-sql';
import { parseD1Json, runWranglerOrThrow } from './wrangler-cli';

const USAGE = 'usage: OWNER_USERNAME=… OWNER_PASSWORD=… npm run seed:owner -- --remote|--local [--persist-to <dir>] [--display-name 店主]';
const MIN_PASSWORD_LENGTH = 12;

function fail(message: string): never {
  console.error(`seed:owner: ${message}`);
  process.exit(1);
}

function parseArgs(argv: string[]) {
  let target: '--remote' | '--local' | undefined;
  let displayName = process.env.OWNER_DISPLAY_NAME || '店主';
  let persistTo: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--remote' || arg === '--local') {
      if (target && target !== arg) fail('give either --remote or --local, not both');
      target = arg;
    } else if (arg === '--display-name') {
      displayName = argv[++i] ?? fail('--display-name needs a value');
    } else if (arg === '--persist-to') {
      persistTo = argv[++i] ?? fail('--persist-to needs a directory');
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else {
      fail(`unknown argument ${arg}\n${USAGE}`);
    }
  }
  if (!target) fail(`say which database: --remote (the deployed D1) or --local\n${USAGE}`);
  if (persistTo && target !== '--local') fail('--persist-to only goes with --local');
  return { target, displayName: displayName.trim(), extraArgs: persistTo ? ['--persist-to', persistTo] : [] };
}

async function main() {
  const { target, displayName, extraArgs } = parseArgs(process.argv.slice(2));
  const username = process.env.OWNER_USERNAME ?? '';
  const password = process.env.OWNER_PASSWORD ?? '';
  if (!/^[a-z0-9_.-]{3,32}$/.test(username)) fail('OWNER_USERNAME must be set to 3–32 of a-z 0-9 _ . -');
  if (!password) fail('OWNER_PASSWORD must be set; there is no default password');
  if (password.length < MIN_PASSWORD_LENGTH) fail(`OWNER_PASSWORD must have at least ${MIN_PASSWORD_LENGTH} characters`);
  if (!displayName || displayName.length > 32) fail('the display name must have 1–32 characters');

  const now = Date.now();
  const id = newId('mer');
  const insert = ownerInsertSql({ username, displayName, passwordHash: await hashPassword(password) }, now, { id, onlyIfNoOwner: true });
  // Local D1 reports no row counts, so ask afterwards whether the row with our fresh id exists.
  const report =
    `SELECT (SELECT count(*) FROM merchant_accounts WHERE id = ${sqlLiteral(id)}) AS created, ` +
    `(SELECT count(*) FROM merchant_accounts WHERE role = 'owner') AS owners, ` +
    `(SELECT role FROM merchant_accounts WHERE username = ${sqlLiteral(username)}) AS existing_role`;

  console.log(`Creating owner "${username}" in the ${target === '--remote' ? 'remote' : 'local'} D1 database …`);
  const { stdout } = await runWranglerOrThrow('seed:owner', ['d1', 'execute', 'DB', target, ...extraArgs, '--yes', '--json', '--command', `${insert}; ${report}`]);
  const row = parseD1Json<{ created: number; owners: number; existing_role: string | null }>(stdout)[1]?.results?.[0];
  if (!row) fail(`unexpected output from wrangler:\n${stdout}`);

  if (row.created > 0) return console.log(`Created owner "${username}". Sign in at /admin.`);
  if (row.existing_role === 'owner') return console.log(`"${username}" is already an owner; nothing changed (its password was kept).`);
  if (row.existing_role) fail(`the username "${username}" is taken by a ${row.existing_role} account; nothing changed`);
  fail(`the shop already has ${row.owners} owner account(s); nothing changed. Add staff in the admin instead.`);
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
