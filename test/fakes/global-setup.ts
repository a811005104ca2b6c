/// <reference types="node" />
// vitest globalSetup: starts the fake WeChat + WeChat Pay for a freshly generated merchant
// before any worker starts, and stops it at the end. The context is handed over with
// provide(): vitest.config.ts turns it into the worker's WECHAT_* bindings, and tests read it
// with inject('wechatFake') (the control URL, the merchant public key for paySign checks).
import type { TestProject } from 'vitest/node';
import type { FakeWeChatContext } from './wechat-bindings';
import { startFakeWeChatForMerchant } from './wechat-merchant';

declare module 'vitest' {
  export interface ProvidedContext {
    wechatFake: FakeWeChatContext;
  }
}

export default async function setup(project: TestProject) {
  const { fake, context } = await startFakeWeChatForMerchant();
  project.provide('wechatFake', context);
  return () => fake.close();
}
