// Subscribe messages (订阅消息): what a shopper accepted in wx.requestSubscribeMessage (an
// allowance per template: +1 per acceptance, −1 per send, zeroed when WeChat answers 43101), the
// messages events queue (in the event's own batch, once per event and subject), and their
// delivery through the outbox to subscribeMessage.send with every value encoded for its type.
import { and, eq, gt, sql } from 'drizzle-orm';
import { orderItems, orders } from '../db/orders';
import { subscribeMessages, subscriptionAllowances } from '../db/shipping';
import { abortUnlessChanged, runBatch, type Statement } from '../db/batch';
import type { Db } from '../db/client';
import { encodeMessage, paymentReminderAt, type SubscribeKey } from '../domain/subscribe-message';
import type { Env } from '../env';
import type { Clock } from '../lib/clock';
import { ApiError, invalidInput } from '../lib/errors';
import { newId } from '../lib/ids';
import { WeChatLoginError } from '../wechat/errors';
import { getFulfilmentSettings } from './fulfilment-settings';
import { loginClientOf } from './wechat';

/** Records the templates a shopper accepted: one more send allowed for each. Unknown keys are a 400. */
export async function recordAcceptances(db: Db, userId: string, accepted: string[], now: number) {
  const configured = (await getFulfilmentSettings(db)).subscribeTemplates;
  const problems = accepted.flatMap((key, i) => (configured[key] ? [] : [{ path: `body.accepted.${i}`, message: 'not a configured subscribe template key' }]));
  if (problems.length) throw invalidInput(problems);
  if (accepted.length) {
    await runBatch(
      db,
      accepted.map((templateKey) =>
        db
          .insert(subscriptionAllowances)
          .values({ userId, templateKey, remaining: 1, updatedAt: now })
          .onConflictDoUpdate({ target: [subscriptionAllowances.userId, subscriptionAllowances.templateKey], set: { remaining: sql`${subscriptionAllowances.remaining} + 1`, updatedAt: now } }),
      ),
    );
  }
  return { allowances: await allowancesOf(db, userId) };
}

async function allowancesOf(db: Db, userId: string): Promise<Record<string, number>> {
  const rows = await db.select().from(subscriptionAllowances).where(eq(subscriptionAllowances.userId, userId));
  return Object.fromEntries(rows.map((r) => [r.templateKey, r.remaining]));
}

/** What the mini-program asks wx.requestSubscribeMessage with: the template ids by key, and the shopper's allowances. */
export async function subscriptionOffer(db: Db, userId: string) {
  return { templates: (await getFulfilmentSettings(db)).subscribeTemplates, allowances: await allowancesOf(db, userId) };
}

/** The mini-program page a message opens (no leading slash: WeChat's rule, else 41030). */
export const orderPage = (orderId: string) => `pages/order-detail/index?id=${orderId}`;
export const afterSalePage = (afterSaleId: string) => `pages/after-sale/index?id=${afterSaleId}`;

export const bargainPage = (sessionId: string) => `marketing/bargain/session/index?id=${sessionId}`;

export type MessageSpec<K extends SubscribeKey = SubscribeKey> = {
  userId: string;
  key: K;
  subjectId: string;
  values: (string | number)[];
  page?: string;
  /** When the message is sent (a reminder before a deadline); default: at once. */
  sendAt?: number;
};

/**
 * The statements that queue a message (for the batch of the event that causes it): once per key
 * and subject, whatever replays the event.
 */
export function subscribeMessageStatements(db: Db, spec: MessageSpec, now: number, timeZone = 'Asia/Shanghai'): Statement[] {
  const id = newId('msg');
  return [
    db
      .insert(subscribeMessages)
      .values({
        id,
        userId: spec.userId,
        templateKey: spec.key,
        subjectId: spec.subjectId,
        data: encodeMessage(spec.key, spec.values, timeZone),
        page: spec.page ?? null,
        status: 'pending',
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing(),
    sql`INSERT INTO outbox (id, kind, subject_id, status, attempts, next_attempt_at, created_at, updated_at)
        SELECT ${newId('obx')}, 'send_subscribe_message', id, 'pending', 0, ${spec.sendAt ?? now}, ${now}, ${now} FROM subscribe_messages
        WHERE template_key = ${spec.key} AND subject_id = ${spec.subjectId}
        ON CONFLICT (kind, subject_id) DO NOTHING`,
  ];
}

/**
 * Messages sent later than the event that queued them, and whether they still say something true
 * when their time comes: a payment reminder for an order paid (or cancelled) meanwhile is dropped
 * without taking the shopper's allowance.
 */
const stillTimely: Partial<Record<SubscribeKey, (db: Db, subjectId: string) => Promise<boolean>>> = {
  payment_due: async (db, orderId) => (await db.query.orders.findFirst({ where: eq(orders.id, orderId), columns: { status: true } }))?.status === 'pending_payment',
};

/** "Paid", for the batch that marks an order paid: its number, first item, amount and time. */
export async function orderPaidMessageStatements(db: Db, order: { id: string; userId: string; orderNo: string; payableFen: number }, now: number): Promise<Statement[]> {
  const first = await db.query.orderItems.findFirst({ where: eq(orderItems.orderId, order.id), columns: { title: true } });
  return subscribeMessageStatements(
    db,
    { userId: order.userId, key: 'order_paid', subjectId: order.id, values: [order.orderNo, first?.title ?? '', order.payableFen, now], page: orderPage(order.id) },
    now,
  );
}

/** "Payment due", for the batch that writes an order with a short deadline: sent shortly before it. */
export function paymentDueMessageStatements(db: Db, order: { id: string; userId: string; orderNo: string; title: string; createdAt: number; paymentDeadline: number }): Statement[] {
  return subscribeMessageStatements(
    db,
    {
      userId: order.userId,
      key: 'payment_due',
      subjectId: order.id,
      values: [order.orderNo, order.title, order.paymentDeadline],
      page: orderPage(order.id),
      sendAt: paymentReminderAt(order.createdAt, order.paymentDeadline),
    },
    order.createdAt,
  );
}

const finish = (db: Db, id: string, status: 'sent' | 'skipped' | 'refused', now: number) => db.update(subscribeMessages).set({ status, updatedAt: now }).where(eq(subscribeMessages.id, id));

/**
 * Takes one of the shopper's allowances for this message, once: the message's flag and the
 * allowance move together, each guarded, so two deliveries of one message never take two.
 */
async function takeAllowance(db: Db, message: typeof subscribeMessages.$inferSelect, now: number): Promise<'taken' | 'none_left' | 'taken_by_another'> {
  try {
    await runBatch(db, [
      db
        .update(subscribeMessages)
        .set({ allowanceTaken: 1, updatedAt: now })
        .where(and(eq(subscribeMessages.id, message.id), eq(subscribeMessages.allowanceTaken, 0))),
      abortUnlessChanged(),
      db
        .update(subscriptionAllowances)
        .set({ remaining: sql`${subscriptionAllowances.remaining} - 1`, updatedAt: now })
        .where(and(eq(subscriptionAllowances.userId, message.userId), eq(subscriptionAllowances.templateKey, message.templateKey), gt(subscriptionAllowances.remaining, 0))),
      abortUnlessChanged(),
    ]);
    return 'taken';
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'concurrent_change')) throw error;
    const current = await db.query.subscribeMessages.findFirst({ where: eq(subscribeMessages.id, message.id), columns: { allowanceTaken: true } });
    return current?.allowanceTaken ? 'taken_by_another' : 'none_left';
  }
}

/** The outbox's delivery: takes one allowance (once), sends, and books the answer. */
export async function sendSubscribeMessage({ db, env, clock }: { db: Db; env: Env; clock: Clock }, messageId: string, now: number) {
  const message = await db.query.subscribeMessages.findFirst({ where: eq(subscribeMessages.id, messageId) });
  if (message?.status !== 'pending') return;
  const templateId = (await getFulfilmentSettings(db)).subscribeTemplates[message.templateKey];
  const user = await db.query.users.findFirst({ where: (u, { eq: is }) => is(u.id, message.userId) });
  const timely = stillTimely[message.templateKey as SubscribeKey];
  if (!templateId || !user?.openid || (timely && !(await timely(db, message.subjectId)))) return void (await finish(db, message.id, 'skipped', now));
  if (!message.allowanceTaken) {
    const took = await takeAllowance(db, message, now);
    // The shopper did not accept (or used up) this template: WeChat would refuse it with 43101.
    if (took === 'none_left') return void (await finish(db, message.id, 'skipped', now));
    // A concurrent delivery of this very message took it: that one sends.
    if (took === 'taken_by_another') return;
  }
  try {
    await loginClientOf(env, db, clock).callServerApi('/cgi-bin/message/subscribe/send', {
      touser: user.openid,
      template_id: templateId,
      ...(message.page ? { page: message.page } : {}),
      data: message.data,
      miniprogram_state: env.APP_ENV === 'production' ? 'formal' : 'developer',
      lang: 'zh_CN',
    });
  } catch (error) {
    if (!(error instanceof WeChatLoginError && error.kind === 'not_subscribed')) throw error;
    // WeChat says the shopper has no subscription left: our count was wrong, so it is zeroed.
    await runBatch(db, [
      db
        .update(subscriptionAllowances)
        .set({ remaining: 0, updatedAt: now })
        .where(and(eq(subscriptionAllowances.userId, message.userId), eq(subscriptionAllowances.templateKey, message.templateKey))),
      finish(db, message.id, 'refused', now),
    ]);
    return;
  }
  await finish(db, message.id, 'sent', now);
}
