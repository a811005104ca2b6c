// What the vitest config needs to point the worker at the fake: the context the global setup
// provides (inject('wechatFake')), and the WECHAT_* bindings made from it. No Node imports, so
// the config and the tests inside workerd can both import it.
import type { PlatformKeys } from './wechat-server';

/** The fake 快递100's credentials (tracking-provider.ts). */
export const FAKE_TRACKING_KEY = 'fake-kuaidi100-key';
export const FAKE_TRACKING_CUSTOMER = 'FAKECUSTOMER0001';

export type FakeWeChatContext = {
  /** Base URL of the fake, for both WECHAT_API_BASE and WECHAT_PAY_API_BASE, and its /__fake/ controls. */
  url: string;
  appid: string;
  appSecret: string;
  mchid: string;
  merchantSerial: string;
  merchantPrivateKeyPem: string;
  /** Lets tests check paySign the way WeChat does. */
  merchantPublicKeyPem: string;
  apiV3Key: string;
  platform: PlatformKeys;
};

/** The worker's WeChat configuration for the fake: both verification modes configured. */
export function wechatWorkerBindings(context: FakeWeChatContext): Record<string, string> {
  return {
    WECHAT_APPID: context.appid,
    WECHAT_APP_SECRET: context.appSecret,
    WECHAT_API_BASE: context.url,
    WECHAT_PAY_API_BASE: context.url,
    WECHAT_PAY_MCHID: context.mchid,
    WECHAT_PAY_MERCHANT_SERIAL: context.merchantSerial,
    WECHAT_PAY_MERCHANT_PRIVATE_KEY: context.merchantPrivateKeyPem,
    WECHAT_PAY_API_V3_KEY: context.apiV3Key,
    WECHAT_PAY_PUBLIC_KEY_ID: context.platform.publicKeyId,
    WECHAT_PAY_PUBLIC_KEY: context.platform.publicKeyPem,
    WECHAT_PAY_PLATFORM_CERTIFICATES: context.platform.certificatePem,
    // The fake 快递100 lives on the same server.
    TRACKING_API_BASE: context.url,
    TRACKING_KEY: FAKE_TRACKING_KEY,
    TRACKING_CUSTOMER: FAKE_TRACKING_CUSTOMER,
  };
}
