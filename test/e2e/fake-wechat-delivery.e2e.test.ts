// The fake WeChat Pay delivering notifications over HTTP, as `npm run dev` uses it: at once,
// after a delay, and twice — each one verifiable by the production client.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/lib/clock';
import { WeChatPayClient } from '../../src/wechat/pay-client';
import { startFakeWeChatForMerchant } from '../fakes/wechat-merchant';

type Received = { at: number; headers: Headers; body: string };

let fake: Awaited<ReturnType<typeof startFakeWeChatForMerchant>>;
let receiver: Server;
let notifyUrl: string;
const received: Received[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ at: Date.now(), headers: new Headers(req.headers as Record<string, string>), body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  notifyUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/payments/wechat/notify`;
  fake = await startFakeWeChatForMerchant();
});

afterAll(async () => {
  await fake.fake.close();
  await new Promise((resolve) => receiver.close(resolve));
});

function client() {
  const c = fake.context;
  return new WeChatPayClient({
    apiBase: c.url,
    mchid: c.mchid,
    appid: c.appid,
    merchantSerial: c.merchantSerial,
    merchantPrivateKeyPem: c.merchantPrivateKeyPem,
    apiV3Key: c.apiV3Key,
    wechatPayPublicKeyId: c.platform.publicKeyId,
    wechatPayPublicKeyPem: c.platform.publicKeyPem,
    notifyUrl,
    refundNotifyUrl: notifyUrl,
    clock: systemClock,
  });
}

async function prepaid(outTradeNo: string) {
  await client().createJsapiPrepay({ outTradeNo, description: '测试商品', totalFen: 1290, openid: 'oDelivery', timeExpireMs: Date.now() + 10 * 60_000 });
}

const waitFor = async (count: number, timeoutMs = 5_000) => {
  const until = Date.now() + timeoutMs;
  while (received.length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
};

describe('fake WeChat Pay notification delivery', () => {
  it('delivers at once, and the production client verifies and decrypts what arrives', async () => {
    await prepaid('DLV000001');
    const { notification } = await fake.fake.markPaid('DLV000001', { deliver: true });
    await waitFor(1);
    expect(received).toHaveLength(1);
    const parsed = await client().parseNotification(received[0]!.headers, received[0]!.body);
    expect(parsed).toMatchObject({ id: notification.id, event_type: 'TRANSACTION.SUCCESS', resource: { out_trade_no: 'DLV000001', trade_state: 'SUCCESS' } });
  });

  it('delays a delivery on demand', async () => {
    received.length = 0;
    await prepaid('DLV000002');
    const asked = Date.now();
    await fake.fake.markPaid('DLV000002', { deliver: true, delayMs: 400 });
    await new Promise((r) => setTimeout(r, 200));
    expect(received).toHaveLength(0);
    await waitFor(1);
    expect(received).toHaveLength(1);
    expect(received[0]!.at - asked).toBeGreaterThanOrEqual(400);
  });

  it('duplicates and replays on demand: the same notification id arrives again', async () => {
    received.length = 0;
    await prepaid('DLV000003');
    const { notification } = await fake.fake.markPaid('DLV000003', { deliver: true });
    await fake.fake.notificationVariant(notification.id, 'duplicate', { deliver: true });
    await fake.fake.notificationVariant(notification.id, 'replay', { deliver: true });
    await waitFor(3);
    const ids = await Promise.all(received.map(async (r) => (await client().parseNotification(r.headers, r.body)).id));
    expect(ids).toEqual([notification.id, notification.id, notification.id]);
  });
});
