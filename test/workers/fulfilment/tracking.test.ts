// Tracking: subscription through the outbox, signed pushes as the order's timeline, the polling
// fallback, delivery booked once (confirm-receive reminder), and receipt confirmed by the sweep.
import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/lib/clock';
import { runScheduledWork } from '../../../src/services/scheduled';
import { advanceTracking, fakeShipping } from '../../fakes/wechat-control';
import { api, createCategory, json, tokenFor } from '../../fixtures/helpers';
import { paidOrder, signedInShopper, skusFor } from '../../fixtures/fulfilment';

let merchant: string;
let skus: string[];
const clock = new ManualClock(Date.now());
const DAY = 86_400_000;

beforeAll(async () => {
  merchant = (await tokenFor('owner')).token;
  skus = await skusFor(merchant, await createCategory(merchant, '物流'), [1800]);
});

const sweep = (advanceMs = 1000) => {
  // Requests are stamped by the worker's real clock: the sweep's never lags behind it.
  clock.advance(Math.max(0, Date.now() - clock.now()) + advanceMs);
  // Without the work queue the sweep delivers the outbox itself, on this test's clock.
  return runScheduledWork({ ...env, WORK_QUEUE: undefined }, clock);
};
/** The push as the provider sends it, to our own callback (its path on this worker). */
const deliverPush = (push: { callbackUrl: string; form: Record<string, string> }) =>
  SELF.fetch(`https://shop.test${new URL(push.callbackUrl).pathname}`, { method: 'POST', body: new URLSearchParams(push.form) });

async function shipped(trackingNo: string) {
  const shopper = await signedInShopper();
  const order = await paidOrder(shopper, [{ sku_id: skus[0]!, quantity: 1 }]);
  const res = await api('POST', `/admin/api/orders/${order.id}/shipments`, { token: merchant, body: { carrier: 'ZTO', tracking_no: trackingNo } });
  expect(res.status).toBe(201);
  await sweep(); // uploads to WeChat and subscribes at the provider
  return { shopper, order };
}

describe('tracking', () => {
  it('pushes become the timeline; the delivery is booked once and WeChat is reminded once', async () => {
    const no = `ZT${Date.now()}`;
    const { shopper, order } = await shipped(no);
    for (let i = 0; i < 3; i++) expect((await deliverPush(await advanceTracking(no))).status).toBe(200);
    const timeline = await json(api('GET', `/orders/${order.id}/tracking`, { token: shopper.token }));
    expect(timeline.packages).toHaveLength(1);
    expect(timeline.packages[0]).toMatchObject({ carrier: { id: 'ZTO' }, tracking_no: no, state: '5', delivered_at: null });
    expect(timeline.packages[0].events.map((e: { state: string }) => e.state)).toEqual(['5', '0', '1']);
    const delivered = await advanceTracking(no);
    expect((await deliverPush(delivered)).status).toBe(200);
    expect((await deliverPush(delivered)).status).toBe(200); // a replayed push adds nothing
    const after = await json(api('GET', `/orders/${order.id}/tracking`, { token: shopper.token }));
    expect(after.packages[0]).toMatchObject({ state: '3', delivered_at: expect.any(String) });
    expect(after.packages[0].events).toHaveLength(4);
    await sweep();
    expect((await fakeShipping(order.order_no)).confirmReceiveNotifiedAt).toEqual(expect.any(String));
    const other = await signedInShopper();
    expect((await api('GET', `/orders/${order.id}/tracking`, { token: other.token })).status).toBe(404);
  });

  it('refuses a forged push and a push signed for another package', async () => {
    const no = `ZT${Date.now()}F`;
    const { order } = await shipped(no);
    const push = await advanceTracking(no);
    expect((await deliverPush({ ...push, form: { ...push.form, sign: 'A'.repeat(32) } })).status).toBe(400);
    const other = await shipped(`ZT${Date.now()}G`);
    const url = new URL(push.callbackUrl);
    const otherId = (await env.DB.prepare('SELECT id FROM shipments WHERE order_id = ?').bind(other.order.id).first<{ id: string }>())!.id;
    url.pathname = url.pathname.replace(/pkg_[0-9a-z]+/, otherId);
    expect((await deliverPush({ callbackUrl: url.toString(), form: push.form })).status).toBe(400);
    expect((await env.DB.prepare('SELECT count(*) AS n FROM tracking_events WHERE order_id IN (?, ?)').bind(order.id, other.order.id).first<{ n: number }>())!.n).toBe(0);
  });

  it('polls a package nobody pushed about for hours', async () => {
    const no = `ZT${Date.now()}P`;
    const { shopper, order } = await shipped(no);
    await advanceTracking(no); // the provider knows an event, but the push never arrives
    await sweep(5 * 3600_000);
    const timeline = await json(api('GET', `/orders/${order.id}/tracking`, { token: shopper.token }));
    expect(timeline.packages[0].events).toHaveLength(1);
  });

  it('confirms receipt N days after delivery, or M days after shipping without tracking (shop settings)', async () => {
    const no = `ZT${Date.now()}C`;
    const { shopper, order } = await shipped(no);
    for (let i = 0; i < 4; i++) await deliverPush(await advanceTracking(no));
    await sweep(6 * DAY);
    expect((await json(api('GET', `/orders/${order.id}`, { token: shopper.token }))).status).toBe('shipped');
    const silent = await shipped(`ZT${Date.now()}S`);
    await sweep(1 * DAY + 1000); // 7 days after the delivery of the first
    expect((await json(api('GET', `/orders/${order.id}`, { token: shopper.token }))).status).toBe('completed');
    expect((await json(api('GET', `/orders/${silent.order.id}`, { token: silent.shopper.token }))).status).toBe('shipped');
    await sweep(14 * DAY);
    expect((await json(api('GET', `/orders/${silent.order.id}`, { token: silent.shopper.token }))).status).toBe('completed');
  });
});
