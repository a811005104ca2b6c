/// <reference types="node" />
// A merchant for the local fake: an app (appid/secret), a WeChat Pay merchant with a freshly
// generated RSA-2048 API key pair and APIv3 key, and the fake started for it. Used by the
// vitest global setup; `npm run dev` can use it the same way.
import { generateKeyPairSync, randomInt } from 'node:crypto';
import type { FakeWeChatContext } from './wechat-bindings';
import { randomAlphanumeric, randomHex } from './wechat-pay-crypto';
import { startFakeWeChat, type FakeWeChat } from './wechat-server';

export type FakeMerchant = Omit<FakeWeChatContext, 'url' | 'platform'>;

export function generateMerchant(): FakeMerchant {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    appid: `wx${randomHex(8).toLowerCase()}`,
    appSecret: randomHex(16).toLowerCase(),
    mchid: `19${String(randomInt(10_000_000, 99_999_999))}`,
    merchantSerial: randomHex(20),
    merchantPrivateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    merchantPublicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    apiV3Key: randomAlphanumeric(32),
  };
}

/** Starts the fake for a new merchant; the context is everything the worker and tests need. */
export async function startFakeWeChatForMerchant(opts: { port?: number; merchant?: FakeMerchant; trackingAutoAdvanceMs?: number } = {}): Promise<{ fake: FakeWeChat; context: FakeWeChatContext }> {
  const merchant = opts.merchant ?? generateMerchant();
  const fake = await startFakeWeChat({
    ...merchant,
    ...(opts.port === undefined ? {} : { port: opts.port }),
    ...(opts.trackingAutoAdvanceMs === undefined ? {} : { trackingAutoAdvanceMs: opts.trackingAutoAdvanceMs }),
  });
  return { fake, context: { ...merchant, url: fake.url, platform: fake.platform } };
}
