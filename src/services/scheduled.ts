// The cron sweep (every minute): work that must happen even when no request triggers it.
import { createDb } from '../db/client';
import type { Env } from '../env';
import type { Clock } from '../lib/clock';
import { writeLostFlashOrders } from '../marketing/flash-sale/lost-orders';
import { settleEndedFlashSales } from '../marketing/flash-sale/settlement';
import { cancelExpiredOrders } from './payments';
import { deliverOutbox, queueDueOutbox } from './outbox';
import { reconcileProcessingRefunds } from './refunds';
import { reconcileShippingUploads } from './shipping-uploads';
import { runAfterSaleTimers } from './after-sales';
import { autoConfirmReceipts, pollSilentTracking } from './tracking';
import { orderHooksFor } from './order-source-policy';
import { payClientOf } from './wechat';
import { sweepPointLots } from './loyalty/points';
import { creditDueOrderGrowth, rerateDueLevels } from './loyalty/membership';
import { closeExpiredPlanPurchases } from './loyalty/plans';
import { grantBirthdayCoupons } from './loyalty/birthdays';
import { reconcilePlanRefunds } from './loyalty/plan-refunds';

export async function runScheduledWork(env: Env, clock: Clock) {
  const db = createDb(env.DB);
  const pay = payClientOf(env, clock);
  // First: a flash-sale order the work queue lost is written before anything looks for it.
  const lostFlashOrders = await writeLostFlashOrders(env, clock.now());
  const expired = await cancelExpiredOrders(db, pay, clock.now(), orderHooksFor(env));
  const outboxDeps = { db, pay, env, clock };
  const outbox = env.WORK_QUEUE ? { queued: await queueDueOutbox(outboxDeps, clock.now()) } : await deliverOutbox(outboxDeps, clock.now(), 200);
  await reconcileProcessingRefunds(db, pay, clock.now());
  await reconcilePlanRefunds(db, pay, clock.now());
  const shipping = await reconcileShippingUploads({ db, env, clock }, clock.now());
  const afterSales = await runAfterSaleTimers(db, clock.now());
  const tracking = { polled: await pollSilentTracking({ db, env, clock }, clock.now()), autoConfirmed: await autoConfirmReceipts(db, clock.now()) };
  // After the expiries above: a campaign's last unpaid holds are settled before it is closed out.
  const flashSales = await settleEndedFlashSales(env, clock.now());
  const points = await sweepPointLots(db, clock.now(), env.SHOP_TIME_ZONE);
  const membership = {
    growth: await creditDueOrderGrowth(db, clock.now()),
    rerated: await rerateDueLevels(db, clock.now()),
    plansClosed: await closeExpiredPlanPurchases(db, pay, clock.now()),
    birthdayCoupons: await grantBirthdayCoupons(db, clock.now(), env.SHOP_TIME_ZONE),
  };
  return { lostFlashOrders, expired, outbox, flashSales, shipping, tracking, afterSales, points, membership };
}
