// Pure group-buy (拼团) rules: tier prices (阶梯拼团), what a seat costs when it is taken, how a
// room closes, the refund each member gets when a lower tier is reached, and masked names.
// No I/O: the GroupBuyRoom object and the services call these.
import { shardFor, type ShipTo } from './flash-sale';

/** One price tier: a group that closes with at least `minSize` paid members pays `priceFen` each. */
export type Tier = { minSize: number; priceFen: number };

export type GroupRules = {
  /** Paid members a room needs to succeed (for a tiered campaign: the first tier's size). */
  groupSize: number;
  /** Seats in a room; equals groupSize unless the campaign is tiered. */
  maxSize: number;
  /** Empty unless tiered; ascending sizes, strictly falling prices. */
  tiers: readonly Tier[];
  leaderDiscountFen: number;
  /** Complete with simulated members at expiry when at least this % of groupSize has paid; null = never. */
  simulateSharePercent: number | null;
};

export type TierProblem = { path: string; message: string };

/** Why a list of tiers cannot be used (empty when it can); paths are relative to the tier list. */
export function tierProblems(tiers: readonly Tier[], maxSize: number): TierProblem[] {
  const problems: TierProblem[] = [];
  if (tiers.length === 1) problems.push({ path: '', message: 'a tiered campaign needs at least two tiers' });
  tiers.forEach((tier, i) => {
    if (i === 0 && tier.minSize < 2) problems.push({ path: `${i}.min_size`, message: 'the first tier needs at least 2 members' });
    if (tier.minSize > maxSize) problems.push({ path: `${i}.min_size`, message: `must be at most max_size (${maxSize})` });
    const before = tiers[i - 1];
    if (before && tier.minSize <= before.minSize) problems.push({ path: `${i}.min_size`, message: 'must be larger than the tier before' });
    if (before && tier.priceFen >= before.priceFen) problems.push({ path: `${i}.price_fen`, message: 'must be lower than the tier before' });
  });
  return problems;
}

/** The price of the tier a group of `size` paid members has reached (the first tier below it). */
export function tierPriceFor(tiers: readonly Tier[], size: number): number {
  if (tiers.length === 0) throw new RangeError('tierPriceFor: no tiers');
  let price = tiers[0]!.priceFen;
  for (const tier of tiers) if (size >= tier.minSize) price = tier.priceFen;
  return price;
}

/** A unit price less the leader's discount, never below 1 fen (WeChat Pay cannot charge 0). */
const lessLeaderDiscount = (priceFen: number, isLeader: boolean, leaderDiscountFen: number) => (isLeader ? Math.max(1, priceFen - leaderDiscountFen) : priceFen);

/** What one unit costs when the seat is taken: the group price (tiered: the first tier's). */
export function joinUnitPriceFen(rules: Pick<GroupRules, 'tiers' | 'leaderDiscountFen'>, groupPriceFen: number, isLeader: boolean): number {
  const base = rules.tiers.length ? rules.tiers[0]!.priceFen : groupPriceFen;
  return lessLeaderDiscount(base, isLeader, rules.leaderDiscountFen);
}

export type Closing = { outcome: 'open' } | { outcome: 'succeeded'; finalSize: number; simulated: number } | { outcome: 'failed' };

/**
 * Whether a room closes now. It succeeds as soon as every seat is paid; at expiry it succeeds
 * with the paid members if they reach groupSize, or filled up with simulated members when the
 * campaign allows it and the paid share reaches its threshold; otherwise it fails. An empty
 * room never "succeeds" (litemall #159: an under-filled group counted as a success).
 */
export function closingOf(rules: GroupRules, paidCount: number, expired: boolean): Closing {
  if (paidCount >= rules.maxSize) return { outcome: 'succeeded', finalSize: paidCount, simulated: 0 };
  if (!expired) return { outcome: 'open' };
  if (paidCount >= rules.groupSize) return { outcome: 'succeeded', finalSize: paidCount, simulated: 0 };
  const share = rules.simulateSharePercent;
  if (share !== null && paidCount > 0 && paidCount * 100 >= share * rules.groupSize) {
    return { outcome: 'succeeded', finalSize: rules.groupSize, simulated: rules.groupSize - paidCount };
  }
  return { outcome: 'failed' };
}

export type PaidMember = { seatId: string; isLeader: boolean; paidUnitFen: number; quantity: number };
export type MemberRefund = { seatId: string; finalUnitFen: number; refundFen: number };
export type TierRefundPlan = { refunds: MemberRefund[]; paidTotalFen: number; finalTotalFen: number; refundTotalFen: number };

/**
 * What each paid member gets back when a tiered room closes at `finalSize` (simulated members
 * count: they fill up to groupSize, whose tier is the first). Each member ends up paying the
 * reached tier's price (less the leader's discount), so refund = paid − final, per unit, fen
 * for fen; the plan's totals satisfy paid = final + refunded exactly, which is checked.
 */
export function tierRefundPlan(rules: Pick<GroupRules, 'tiers' | 'leaderDiscountFen'>, members: readonly PaidMember[], finalSize: number): TierRefundPlan {
  const refunds = members.map((m) => {
    if (rules.tiers.length === 0) return { seatId: m.seatId, finalUnitFen: m.paidUnitFen, refundFen: 0 };
    const reached = lessLeaderDiscount(tierPriceFor(rules.tiers, finalSize), m.isLeader, rules.leaderDiscountFen);
    // A member never pays more than at joining, whatever the tiers say now.
    const finalUnitFen = Math.min(reached, m.paidUnitFen);
    return { seatId: m.seatId, finalUnitFen, refundFen: (m.paidUnitFen - finalUnitFen) * m.quantity };
  });
  const paidTotalFen = members.reduce((sum, m) => sum + m.paidUnitFen * m.quantity, 0);
  const finalTotalFen = refunds.reduce((sum, r, i) => sum + r.finalUnitFen * members[i]!.quantity, 0);
  const refundTotalFen = refunds.reduce((sum, r) => sum + r.refundFen, 0);
  if (paidTotalFen !== finalTotalFen + refundTotalFen) throw new Error('tierRefundPlan: totals do not add up');
  return { refunds, paidTotalFen, finalTotalFen, refundTotalFen };
}

/** "张三丰" → "张**": the first character (a whole code point) and two stars. */
export function maskName(name: string): string {
  const first = [...name.trim()][0];
  return `${first ?? '匿'}**`;
}

/**
 * How many GroupBuySeatTickets objects share one campaign's per-user limit. Fixed for good: a
 * shopper whose shard changed would start over on an empty one, with only D1's written seats
 * counted.
 */
export const SEAT_TICKET_SHARDS = 32;

/** The GroupBuySeatTickets object that counts one shopper's seats of a campaign (all of them in one shard). */
export const seatTicketsObjectName = (campaignId: string, userId: string) => `${campaignId}:${shardFor(userId, SEAT_TICKET_SHARDS)}`;

/** Ids of a room's object and its seats; orders.source_ref of a group-buy order is `${roomId}/${seatId}`. */
export const seatRef = (roomId: string, seatId: string) => `${roomId}/${seatId}`;

export function parseSeatRef(ref: string): { roomId: string; seatId: string } | null {
  const match = /^(grm_[0-9a-z_]+)\/(gst_[0-9a-z_]+)$/.exec(ref);
  return match ? { roomId: match[1]!, seatId: match[2]! } : null;
}

/**
 * A joiner's seat order, written off the reply path (the work queue, on demand, or the room's
 * alarm): everything it is written from, as the join request decided it. The room keeps it as the
 * seat's intent (JSON), so every writer writes the same order.
 */
export type GroupSeatJob = {
  roomId: string;
  seatId: string;
  campaignId: string;
  userId: string;
  skuId: string;
  unitPriceFen: number;
  shippingFeeFen: number;
  shipTo: ShipTo;
  idempotencyKey: string;
  requestHash: string;
  createdAt: number;
  /** The seat's hold: the order's payment deadline. */
  expiresAt: number;
};

/** A joiner's order id derives from the seat, so the reply can give it before the order is written. */
export const groupSeatOrderId = (roomId: string, seatId: string) => `ord_gb_${roomId.slice(4)}_${seatId.slice(4)}`;

export function parseGroupSeatOrderId(orderId: string): { roomId: string; seatId: string } | null {
  const match = /^ord_gb_([0-9a-z]{20})_([0-9a-z]{20})$/.exec(orderId);
  return match ? { roomId: `grm_${match[1]}`, seatId: `gst_${match[2]}` } : null;
}
