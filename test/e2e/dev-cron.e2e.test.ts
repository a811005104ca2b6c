// `npm run dev`'s cron triggers (scripts/dev-cron.ts): which minutes a cron expression fires in,
// and the timer firing the real worker's scheduled handler through /cdn-cgi/handler/scheduled, as
// under `wrangler dev`: an unpaid order past its deadline is closed at the fake WeChat Pay and
// expires, which nothing else does locally.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../bench/lib/d1';
import { setupPost, signInShoppers } from '../../bench/lib/shoppers';
import { configuredCrons, cronMatches, startCronSweep } from '../../scripts/dev-cron';
import { runSql, startLocalWorker, type LocalWorker } from '../../scripts/local-worker';
import { buildSeedSql } from '../../scripts/seed-data';
import { wechatWorkerBindings } from '../fakes/wechat-bindings';
import { startFakeWeChatForMerchant } from '../fakes/wechat-merchant';

describe('cronMatches', () => {
  const at = (iso: string) => new Date(iso);
  it('matches every minute for * * * * *, in UTC', () => {
    expect(cronMatches('* * * * *', at('2026-04-26T00:00:00Z'))).toBe(true);
    expect(cronMatches('* * * * *', at('2026-04-26T23:59:59Z'))).toBe(true);
  });

  it('reads numbers, ranges, lists and steps, and treats 0 and 7 as Sunday', () => {
    expect(cronMatches('*/15 * * * *', at('2026-04-26T10:45:00Z'))).toBe(true);
    expect(cronMatches('*/15 * * * *', at('2026-04-26T10:46:00Z'))).toBe(false);
    expect(cronMatches('5/20 * * * *', at('2026-04-26T10:25:00Z'))).toBe(true);
    expect(cronMatches('0 3 * * *', at('2026-04-26T03:00:00Z'))).toBe(true);
    expect(cronMatches('0 3 * * *', at('2026-04-26T11:00:00Z'))).toBe(false); // 03:00 Asia/Shanghai is not 03:00 UTC
    expect(cronMatches('0 9-17 * * 1-5', at('2026-04-27T12:00:00Z'))).toBe(true); // a Monday
    expect(cronMatches('0 9-17 * * 1-5', at('2026-04-26T12:00:00Z'))).toBe(false); // a Sunday
    expect(cronMatches('0 0 * * 7', at('2026-04-26T00:00:00Z'))).toBe(true);
    expect(cronMatches('0 0 * * 0,6', at('2026-04-26T00:00:00Z'))).toBe(true);
    expect(cronMatches('0 0 1 * 1', at('2026-04-27T00:00:00Z'))).toBe(true); // day 1 or a Monday
  });

  it('refuses syntax it does not understand instead of never firing', () => {
    expect(() => cronMatches('0 0 * * MON', new Date())).toThrow(/unsupported/);
    expect(() => cronMatches('* * * *', new Date())).toThrow(/unsupported/);
  });

  it('finds wrangler.toml’s every-minute sweep', () => {
    expect(configuredCrons(readFileSync(new URL('../../wrangler.toml', import.meta.url), 'utf8'))).toEqual(['* * * * *']);
  });
});

describe('the cron sweep against the local worker', () => {
  let fake: Awaited<ReturnType<typeof startFakeWeChatForMerchant>>;
  let worker: LocalWorker;

  beforeAll(async () => {
    fake = await startFakeWeChatForMerchant();
    worker = await startLocalWorker({ bindings: { ...wechatWorkerBindings(fake.context), PUBLIC_BASE_URL: 'https://shop.test' } });
    await runSql(worker, buildSeedSql({ productCount: 3, now: Date.now() }));
  });

  afterAll(async () => {
    await worker?.dispose();
    await fake?.fake.close();
  });

  it('expires an unpaid order past its deadline: closed at WeChat Pay, then cancelled', async () => {
    const [shopper] = await signInShoppers(worker.url, 1, `cron_${randomUUID().slice(0, 8)}`);
    const [sku] = await query<{ id: string }>(worker, "SELECT s.id FROM skus s JOIN products p ON p.id = s.product_id WHERE p.status = 'published' AND s.active = 1 AND s.stock > 0 LIMIT 1");
    const order = await setupPost(worker.url, '/orders', { items: [{ sku_id: sku!.id, quantity: 1 }] }, shopper!.token, { 'idempotency-key': `cron-${randomUUID()}` });
    await setupPost(worker.url, `/orders/${order.id}/pay`, {}, shopper!.token);
    await query(worker, 'UPDATE orders SET payment_deadline = ? WHERE id = ?', Date.now() - 1_000, order.id);
    const status = async () => ((await (await fetch(`${worker.url}/orders/${order.id}`, { headers: { authorization: `Bearer ${shopper!.token}` } })).json()) as { status: string }).status;
    expect(await status()).toBe('pending_payment'); // nothing expires it by itself

    const log: string[] = [];
    const sweep = startCronSweep({ workerUrl: worker.url, crons: ['* * * * *'], minuteMs: 300, log: (line) => log.push(line) });
    try {
      const until = Date.now() + 15_000;
      while ((await status()) !== 'cancelled' && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    } finally {
      sweep.stop();
    }
    expect(await status()).toBe('cancelled');
    expect(log[0]).toMatch(/^⏱ cron "\* \* \* \* \*" at .+: 200 ok$/);
    const transaction = (await (await fetch(`${fake.fake.url}/__fake/pay/transactions/${order.order_no}`)).json()) as { tradeState: string };
    expect(transaction.tradeState).toBe('CLOSED');
  });
});
