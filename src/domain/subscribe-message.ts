// Subscribe messages (订阅消息): the fields of each message we send and their WeChat value types,
// and the encoding of a value into its type's limits, so WeChat's 47003 ("value breaks its type
// rule") cannot happen: thing ≤ 20 characters, character_string ≤ 32 of [0-9A-Za-z_-@.#*],
// phrase ≤ 5 Chinese characters, amount = ¥ + ≤ 10 digits, time "YYYY-MM-DD HH:mm" (shop time).
import { dateFormat } from '../lib/date-formats';

export type ValueType = 'thing' | 'character_string' | 'phrase' | 'amount' | 'time';

/** Each message by our key: its fields as WeChat names them (type + number) in the template. */
export const subscribeLayouts = {
  order_paid: ['character_string1', 'thing2', 'amount3', 'time4'],
  order_shipped: ['character_string1', 'thing2', 'thing3', 'character_string4'],
  order_delivered: ['character_string1', 'thing2', 'time3'],
  refund_result: ['character_string1', 'amount2', 'phrase3', 'thing4'],
  after_sale_decision: ['character_string1', 'phrase2', 'thing3'],
  group_result: ['thing1', 'phrase2', 'thing3'],
  bargain_floor: ['thing1', 'amount2', 'thing3'],
  payment_due: ['character_string1', 'thing2', 'time3'],
} as const satisfies Record<string, readonly string[]>;

export type SubscribeKey = keyof typeof subscribeLayouts;
export const subscribeKeys = Object.keys(subscribeLayouts) as SubscribeKey[];

const typeOfField = (field: string) => field.replace(/\d+$/, '') as ValueType;

const cut = (text: string, max: number) => {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
};

/** One value in its type's limits. Inputs: text for thing/character_string/phrase, fen for amount, epoch ms for time. */
export function encodeValue(type: ValueType, value: string | number, timeZone = 'Asia/Shanghai'): string {
  switch (type) {
    case 'thing':
      return cut(String(value), 20) || '-';
    case 'character_string':
      return (
        String(value)
          .replace(/[^0-9A-Za-z_\-@.#*]/g, '')
          .slice(0, 32) || '0'
      );
    case 'phrase':
      return [...String(value).replace(/[^\u4e00-\u9fa5]/g, '')].slice(0, 5).join('') || '通知';
    case 'amount': {
      const fen = Math.min(Math.max(0, Math.round(Number(value))), 9_999_999_999);
      return `¥${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
    }
    case 'time': {
      const parts = Object.fromEntries(
        dateFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
          .formatToParts(new Date(Number(value)))
          .map((p) => [p.type, p.value]),
      );
      return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
    }
  }
}

/** The message's data as WeChat wants it ({field: {value}}), every value encoded for its field's type. */
export function encodeMessage<K extends SubscribeKey>(key: K, values: readonly (string | number)[], timeZone?: string): Record<string, { value: string }> {
  const fields = subscribeLayouts[key];
  return Object.fromEntries(fields.map((field, i) => [field, { value: encodeValue(typeOfField(field), values[i] ?? '', timeZone) }]));
}

/** A payment reminder goes this long before the deadline. */
const REMINDER_LEAD_MS = 5 * 60_000;

/**
 * When to remind a shopper to pay: five minutes before the deadline, or halfway there when the
 * whole window is shorter than ten minutes (a flash-sale hold), so the reminder is never late.
 */
export function paymentReminderAt(createdAt: number, deadline: number): number {
  return deadline - Math.min(REMINDER_LEAD_MS, Math.floor((deadline - createdAt) / 2));
}
