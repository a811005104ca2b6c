// The subscribe template ids: read on a page load, used by the tap without a request before the
// prompt, and read again by a page load once ten minutes old (a shop that configures templates
// while the app stays open is asked about them without a relaunch).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clock } from '../../../miniapp/miniprogram/lib/clock';
import { askToSubscribe, forgetSubscribeTemplates, loadSubscribeTemplates } from '../../../miniapp/miniprogram/lib/subscribe';
// miniprogram-simulate (imported by ./simulate) installs the global wx this test's stand-ins go on.
import './simulate';
import { answerRequests, ok, settled } from './wx-request';

const realNow = clock.now;
let now = Date.UTC(2026, 11, 2, 8, 0, 0);
let configured: Record<string, string> = {};
const prompts: string[][] = [];

beforeEach(() => {
  forgetSubscribeTemplates();
  clock.now = () => now;
  configured = {};
  prompts.length = 0;
  Object.assign((globalThis as unknown as { wx: Record<string, unknown> }).wx, {
    requestSubscribeMessage: (o: { tmplIds: string[]; success: (a: Record<string, string>) => void }) => {
      prompts.push(o.tmplIds);
      o.success(Object.fromEntries(o.tmplIds.map((id) => [id, 'accept'])));
    },
  });
});
afterEach(() => {
  clock.now = realNow;
});

describe('subscribe template ids', () => {
  it('are read again by a page load once ten minutes old, never by the tap while some are known', async () => {
    const calls = answerRequests((method, path) => (method === 'GET' && path === '/me/subscriptions' ? ok({ templates: configured }) : ok({ allowances: {} })));
    const reads = () => calls.filter((c) => c.method === 'GET' && c.path === '/me/subscriptions').length;

    await loadSubscribeTemplates(); // the shop has none yet
    expect(await askToSubscribe(['order_paid'])).toEqual([]);
    expect(prompts).toEqual([]);

    configured = { order_paid: 'TPL_PAID' };
    now += 9 * 60_000;
    await loadSubscribeTemplates(); // still fresh: not read again
    expect(reads()).toBe(1);
    expect(await askToSubscribe(['order_paid'])).toEqual([]);

    now += 60_000;
    await loadSubscribeTemplates(); // ten minutes old: read again, and the next tap asks
    expect(reads()).toBe(2);
    const before = calls.length;
    expect(await askToSubscribe(['order_paid'])).toEqual(['order_paid']);
    await settled();
    expect(prompts).toEqual([['TPL_PAID']]);
    // The tap itself sent only the accepted keys, after the prompt.
    expect(calls.slice(before)).toEqual([{ method: 'POST', path: '/me/subscriptions', body: { accepted: ['order_paid'] } }]);
  });
});
