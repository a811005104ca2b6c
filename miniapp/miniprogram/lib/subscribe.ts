// Subscription prompts (订阅消息). WeChat lets a mini-program ask for one-time messages only from
// a tap, so the taps that lead to messages ask for them: paying (paid, shipped, delivered; a group
// buy's result), reserving a flash sale (the payment reminder), launching a bargain (the floor),
// an after-sales request (the decision, the refund). What the shopper accepts is reported to the
// API (POST /me/subscriptions), which sends one message per acceptance. Asking never stands in
// the way of the tap's own work: a refusal, an error or no configured templates just sends nothing.
import type { SubscribeKey } from '../../../src/domain/subscribe-message';
import { subscriptionApi } from './api';
import { clock } from './clock';

export type { SubscribeKey };

/** WeChat shows at most three templates in one prompt. */
const MAX_PER_PROMPT = 3;

export const PAY_MESSAGES: SubscribeKey[] = ['order_paid', 'order_shipped', 'order_delivered'];
export const GROUP_PAY_MESSAGES: SubscribeKey[] = ['group_result', 'order_shipped', 'order_delivered'];
/** A flash-sale hold is short: the reminder to pay comes first. */
export const FLASH_PAY_MESSAGES: SubscribeKey[] = ['payment_due', 'order_shipped', 'order_delivered'];
export const AFTER_SALE_MESSAGES: SubscribeKey[] = ['after_sale_decision', 'refund_result'];

/**
 * The shop's template ids by key, as last read (the prompt itself must follow the tap at once, so
 * a tap uses what is known). A page load reads them again once they are this old: a shop that
 * configures its templates while the app stays open is asked about within minutes, not at the
 * next launch.
 */
let templates: { ids: Record<string, string>; readAt: number } | null = null;
const TEMPLATES_FRESH_MS = 10 * 60_000;

/** Reads the template ids ahead of the tap (pages call it on load); failures leave it for the tap. */
export async function loadSubscribeTemplates(): Promise<void> {
  if (templates && clock.now() - templates.readAt < TEMPLATES_FRESH_MS) return;
  try {
    templates = { ids: (await subscriptionApi.offer()).templates, readAt: clock.now() };
  } catch {
    // None read (or the old ones kept): the tap reads them itself if none are known.
  }
}

/** For tests: forget the templates read so far. */
export function forgetSubscribeTemplates(): void {
  templates = null;
}

function requestSubscribe(tmplIds: string[]): Promise<Record<string, string>> {
  return new Promise((resolve) =>
    wx.requestSubscribeMessage({
      tmplIds,
      success: (answer) => resolve(answer),
      fail: () => resolve({}),
    }),
  );
}

/** Asks for these messages and reports the accepted ones; resolves with them (never rejects). */
export async function askToSubscribe(keys: SubscribeKey[]): Promise<SubscribeKey[]> {
  try {
    if (!templates) await loadSubscribeTemplates();
    const known = templates?.ids ?? {};
    const asked = keys.filter((k) => known[k]).slice(0, MAX_PER_PROMPT);
    if (!asked.length) return [];
    const answer = await requestSubscribe(asked.map((k) => known[k]!));
    const accepted = asked.filter((k) => answer[known[k]!] === 'accept');
    if (accepted.length) await subscriptionApi.accepted(accepted);
    return accepted;
  } catch {
    return [];
  }
}
