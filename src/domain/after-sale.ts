// After-sales (售后) as data: one table of which event moves a request from which statuses to
// which, for which types, and the exact money share of the lines asked for. Everything that
// changes an after-sale asks this module first (as order-state.ts does for orders).
export const afterSaleTypes = ['refund_only', 'return_refund', 'exchange'] as const;
export type AfterSaleType = (typeof afterSaleTypes)[number];

export const afterSaleStatuses = ['requested', 'approved', 'returned', 'received', 'refunding', 'refund_failed', 'refunded', 'exchanged', 'rejected', 'cancelled', 'closed'] as const;
export type AfterSaleStatus = (typeof afterSaleStatuses)[number];

const returns = ['return_refund', 'exchange'] as const;

export const afterSaleTransitions = {
  // A money-only request is refunded when approved; goods to come back wait for them first.
  approve: { from: ['requested'], to: 'approved', types: returns },
  approve_refund: { from: ['requested'], to: 'refunding', types: ['refund_only'] },
  reject: { from: ['requested'], to: 'rejected', types: afterSaleTypes },
  cancel: { from: ['requested', 'approved'], to: 'cancelled', types: afterSaleTypes },
  // The shopper did not send the goods back in time.
  close: { from: ['approved'], to: 'closed', types: returns },
  ship_back: { from: ['approved'], to: 'returned', types: returns },
  receive: { from: ['returned'], to: 'received', types: returns },
  // By the merchant once received, or by the timer N days after the goods were sent back.
  refund: { from: ['returned', 'received'], to: 'refunding', types: ['return_refund'] },
  refund_completed: { from: ['refunding', 'refund_failed'], to: 'refunded', types: ['refund_only', 'return_refund'] },
  // WeChat Pay could not refund (ABNORMAL, CLOSED): the merchant sees it and sends it again.
  refund_failed: { from: ['refunding'], to: 'refund_failed', types: ['refund_only', 'return_refund'] },
  retry_refund: { from: ['refund_failed'], to: 'refunding', types: ['refund_only', 'return_refund'] },
  exchange: { from: ['received'], to: 'exchanged', types: ['exchange'] },
} as const satisfies Record<string, { from: readonly AfterSaleStatus[]; to: AfterSaleStatus; types: readonly AfterSaleType[] }>;

export type AfterSaleEvent = keyof typeof afterSaleTransitions;

/** Statuses whose lines count against what may still be asked for (everything but the refused and abandoned). */
export const claimingStatuses: readonly AfterSaleStatus[] = ['requested', 'approved', 'returned', 'received', 'refunding', 'refund_failed', 'refunded', 'exchanged'];

export function afterSaleTransition(type: AfterSaleType, from: AfterSaleStatus, event: AfterSaleEvent): { ok: true; to: AfterSaleStatus } | { ok: false } {
  const t = afterSaleTransitions[event];
  if (!(t.from as readonly AfterSaleStatus[]).includes(from) || !(t.types as readonly AfterSaleType[]).includes(type)) return { ok: false };
  return { ok: true, to: t.to };
}

/**
 * The paid share of `quantity` more units of a line of which `claimedBefore` were already
 * claimed: the difference of cumulative shares floor(payable × units / ordered), so all claims on
 * a whole line add up to its payable amount exactly, fen for fen, whatever the split.
 */
export function lineShareFen(line: { payableFen: number; quantity: number }, claimedBefore: number, quantity: number): number {
  const cumulative = (units: number) => Math.floor((line.payableFen * units) / line.quantity);
  return cumulative(claimedBefore + quantity) - cumulative(claimedBefore);
}

export const DAY_MS = 86_400_000;

/** Rejected requests after which the shopper may not ask again about the same lines (ask again once). */
export const MAX_REJECTIONS = 2;
