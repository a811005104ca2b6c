// The cron sweep (every minute): work that must happen even when no request triggers it.
import { createDb } from '../db/client';
import type { Env } from '../env';
import type { Clock } from '../lib/clock';
import { settleEndedFlashSales } from '../marketing/flash-sale/settlement';
import { cancelExpiredOrders } from './payments';
import { deliverOutbox } from './outbox';
import { reconcileProcessingRefunds } from './refunds';
import { orderHooksFor } from './order-source-policy';
import { payClientOf } from './wechat';
import { sweepPointLots } from './loyalty/points';
import { creditDueOrderGrowth, rerateDueLevels } from './loyalty/membership';
import { closeExpiredPlanPurchases } from './loyalty/plans';

export async function runScheduledWork(env: Env, clock: Clock) {
  const db = createDb(env.DB);
  const pay = payClientOf(env, clock);
  const expired = await cancelExpiredOrders(db, pay, clock.now(), orderHooksFor(env));
  const outbox = await deliverOutbox({ db, pay, env, clock }, clock.now());
  await reconcileProcessingRefunds(db, pay, clock.now());
  // After the expiries above: a campaign's last unpaid holds are settled before it is closed out.
  const flashSales = await settleEndedFlashSales(env, clock.now());
  const points = await sweepPointLots(db, clock.now(), env.SHOP_TIME_ZONE);
  const membership = { growth: await creditDueOrderGrowth(db, clock.now()), rerated: await rerateDueLevels(db, clock.now()), plansClosed: await closeExpiredPlanPurchases(db, pay, clock.now()) };
  return { expired, outbox, flashSales, points, membership };
}
