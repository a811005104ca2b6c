// WeChat Pay notifications. Answers follow WeChat Pay's contract: 204 when applied (or already
// applied), 4xx/5xx with {"code":"FAIL","message":…} otherwise, so WeChat Pay retries.
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../src/env';
import { ApiError } from '../src/lib/errors';
import { errorFields, logEvent } from '../src/lib/log';
import { orderHooksFor } from '../src/services/order-source-policy';
import { handleNotification } from '../src/services/payments';
import { payClientOf } from '../src/services/wechat';
import { WeChatPayNotificationError, WeChatPaySignatureError } from '../src/wechat/errors';

/** Where WeChat Pay calls us: every answer under it, the app's own refusals included, is in WeChat Pay's shape. */
export const isWeChatPayCallback = (path: string) => path.startsWith('/payments/wechat/');

/** WeChat Pay's failure body: it retries on any 4xx/5xx and logs the message. */
export const weChatPayFailure = (message: string) => ({ code: 'FAIL' as const, message });

async function receive(c: Context<AppEnv>) {
  // The signature covers the raw bytes: read them as text, never re-serialise parsed JSON.
  const rawBody = await c.req.text();
  try {
    await handleNotification(c.var.db, payClientOf(c.env, c.var.clock), c.req.raw.headers, rawBody, c.var.clock.now(), orderHooksFor(c.env));
    return c.body(null, 204);
  } catch (error) {
    // Every configured platform certificate out of date is our configuration's fault, not the sender's: a 500, logged.
    const status =
      error instanceof WeChatPaySignatureError
        ? error.reason === 'no_valid_certificate'
          ? 500
          : 401
        : error instanceof WeChatPayNotificationError
          ? 400
          : error instanceof ApiError && error.status < 500
            ? error.status
            : 500;
    if (status >= 500) logEvent('error', 'WeChat Pay notification failed', { error: errorFields(error) });
    return c.json(weChatPayFailure(error instanceof Error ? error.message : '失败'), status as 400);
  }
}

export const paymentRoutes = new Hono<AppEnv>().post('/payments/wechat/notify', receive).post('/payments/wechat/refund-notify', receive);
