// The local WeChat + WeChat Pay for `npm run dev`: the same fake the tests use (test/fakes/),
// started in the dev process so a newcomer can sign in, order and pay with no WeChat account.
//
// The merchant (appid, secret, mchid, API key pair, serial, APIv3 key) is generated once and
// kept in the git-ignored .dev-wechat.json: the local D1 keys shoppers by openid under the appid
// and payments by mchid, so a new identity on every start would orphan yesterday's data. The
// fake's platform keys are new on every start, so the worker's WECHAT_* lines in .dev.vars are
// rewritten on every start too.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { wechatWorkerBindings, type FakeWeChatContext } from '../test/fakes/wechat-bindings';
import { generateMerchant, startFakeWeChatForMerchant, type FakeMerchant } from '../test/fakes/wechat-merchant';
import type { FakeWeChat } from '../test/fakes/wechat-server';
import { projectRoot } from './wrangler-cli';

const MERCHANT_FILE = path.join(projectRoot, '.dev-wechat.json');
const MERCHANT_FIELDS = ['appid', 'appSecret', 'mchid', 'merchantSerial', 'merchantPrivateKeyPem', 'merchantPublicKeyPem', 'apiV3Key'] as const;

/** The stored merchant, or a new one written to .dev-wechat.json. */
function devMerchant(): { merchant: FakeMerchant; created: boolean } {
  let text: string;
  try {
    text = readFileSync(MERCHANT_FILE, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const merchant = generateMerchant();
    // 0600: it holds the merchant's private key (a throwaway one, but a private key all the same).
    writeFileSync(MERCHANT_FILE, `${JSON.stringify(merchant, null, 2)}\n`, { mode: 0o600 });
    return { merchant, created: true };
  }
  let stored: Record<string, unknown> = {};
  try {
    stored = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // reported below, with the same advice as a missing field
  }
  const missing = MERCHANT_FIELDS.filter((field) => typeof stored[field] !== 'string' || stored[field] === '');
  if (missing.length > 0) throw new Error(`${MERCHANT_FILE} is not a valid merchant (${missing.join(', ')}); fix or delete it`);
  return { merchant: stored as FakeMerchant, created: false };
}

export type DevWeChat = { fake: FakeWeChat; context: FakeWeChatContext };

/** Starts the fake on a fixed port, so the curl commands in the banner stay the same. */
export async function startDevWeChat(port: number): Promise<DevWeChat> {
  const { merchant, created } = devMerchant();
  try {
    // The fake 快递100 moves every subscribed package one step a minute: delivered within about four.
    const started = await startFakeWeChatForMerchant({ port, merchant, trackingAutoAdvanceMs: 60_000 });
    console.log(`• fake WeChat + WeChat Pay on ${started.context.url} (merchant ${created ? 'generated now, kept in' : 'from'} .dev-wechat.json; fresh platform keys)`);
    return started;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`port ${port} for the fake WeChat is in use (another \`npm run dev\`?); stop it or set FAKE_WECHAT_PORT`);
    }
    throw error;
  }
}

// Lines of .dev.vars that belong to the fake and are replaced on every start.
const MANAGED_KEY = /^\s*(?:export\s+)?(?:WECHAT_\w+|TRACKING_\w+|PUBLIC_BASE_URL)\s*=\s*(.*)$/;
const BLOCK_COMMENT = '# WeChat: the local fake, rewritten by `npm run dev` on every start (other lines are kept).';

/** dotenv double quotes turn \n into a newline; anything that needs more escaping is refused. */
function dotenvValue(name: string, value: string): string {
  if (/["\\$`]/.test(value)) throw new Error(`${name} has a character .dev.vars cannot hold unescaped`);
  return `"${value.replace(/\r?\n/g, '\\n')}"`;
}

/** The lines of .dev.vars without the managed ones (a hand-written multi-line quoted value included). */
function unmanagedLines(text: string): string[] {
  const kept: string[] = [];
  let closingQuote: string | null = null;
  for (const line of text.split('\n')) {
    if (closingQuote) {
      if (line.includes(closingQuote)) closingQuote = null;
      continue;
    }
    if (line === BLOCK_COMMENT) continue;
    const managed = MANAGED_KEY.exec(line);
    if (!managed) {
      kept.push(line);
      continue;
    }
    const value = managed[1]!;
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === '`') && !value.slice(1).includes(quote)) closingQuote = quote;
  }
  while (kept.length > 0 && kept[kept.length - 1]!.trim() === '') kept.pop();
  return kept;
}

/** Points the worker at the fake: (re)writes WECHAT_* and PUBLIC_BASE_URL, keeps every other line. */
export function writeWeChatDevVars(devVarsFile: string, context: FakeWeChatContext, workerUrl: string) {
  // PUBLIC_BASE_URL is where the fake delivers notifications ({"deliver": true}): the local worker.
  const values: Record<string, string> = { PUBLIC_BASE_URL: workerUrl, ...wechatWorkerBindings(context) };
  const block = [BLOCK_COMMENT, ...Object.entries(values).map(([name, value]) => `${name}=${dotenvValue(name, value)}`)];
  const kept = unmanagedLines(readFileSync(devVarsFile, 'utf8'));
  writeFileSync(devVarsFile, `${[...kept, '', ...block].join('\n')}\n`);
  console.log('• wrote the WeChat settings for the fake into .dev.vars');
}
