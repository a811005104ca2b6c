// WeChat Pay notifications are applied once per notification id: the id is remembered in the
// same batch as the change it caused, and a second copy fails on its primary key.
import { eq } from 'drizzle-orm';
import type { Statement } from '../db/batch';
import type { Db } from '../db/client';
import { wechatNotifications } from '../db/orders';
import { ApiError } from '../lib/errors';

/** A notification id already applied: the statement fails on the primary key and the batch rolls back. */
export const rememberNotification = (db: Db, notificationId: string | undefined, eventType: string, now: number): Statement[] =>
  notificationId ? [db.insert(wechatNotifications).values({ id: notificationId, eventType, receivedAt: now })] : [];

export async function alreadyApplied(db: Db, notificationId: string | undefined) {
  if (!notificationId) return false;
  return !!(await db.query.wechatNotifications.findFirst({ where: eq(wechatNotifications.id, notificationId) }));
}

/** Loses a race with a duplicate of itself: the other copy applied it, so this one is done. */
export function isDuplicateApplication(error: unknown) {
  const text = String((error as Error)?.message ?? error);
  return (error instanceof ApiError && error.code === 'concurrent_change') || /UNIQUE constraint failed: wechat_notifications\.id/.test(text);
}
