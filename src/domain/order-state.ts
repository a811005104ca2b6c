// The order state machine, as data: one table of which event moves an order from which
// statuses to which. Everything that changes an order's status asks this module first.
export const orderStatuses = [
  'pending_payment',
  'paid',
  'partially_shipped',
  'shipped',
  'completed',
  'cancelled',
  'refund_requested',
  'refunding',
  'refunded',
  'partially_refunded',
  'refund_rejected',
] as const;
export type OrderStatus = (typeof orderStatuses)[number];

/** Statuses in which the goods may still be shipped or received after a refund episode. */
const afterSale = ['refund_rejected', 'partially_refunded'] as const;

export const orderTransitions = {
  pay: { from: ['pending_payment'], to: 'paid' },
  // Nothing to pay (discounts took it all): paid at once, WeChat Pay never asked (it refuses 0 fen).
  settle_free: { from: ['pending_payment'], to: 'paid' },
  cancel: { from: ['pending_payment'], to: 'cancelled' },
  expire: { from: ['pending_payment'], to: 'cancelled' },
  // A held order (a group buy whose group is still open) cannot ship: see blockedByHold below.
  // Packages (src/services/shipments.ts): each one but the last is ship_part; the last is ship.
  ship_part: { from: ['paid', 'partially_shipped', ...afterSale], to: 'partially_shipped', unlessHeld: true },
  ship: { from: ['paid', 'partially_shipped', ...afterSale], to: 'shipped', unlessHeld: true },
  confirm_receipt: { from: ['shipped', ...afterSale], to: 'completed' },
  // While its group is open the seat counts towards the group: a failed group refunds it by itself.
  request_refund: { from: ['paid', 'partially_shipped', 'shipped', 'completed', ...afterSale], to: 'refund_requested', unlessHeld: true },
  approve_refund: { from: ['refund_requested'], to: 'refunding' },
  reject_refund: { from: ['refund_requested'], to: 'refund_rejected' },
  refund_completed_in_full: { from: ['refunding'], to: 'refunded' },
  refund_completed_in_part: { from: ['refunding'], to: 'partially_refunded' },
  refund_failed: { from: ['refunding'], to: 'refund_requested' },
  // A group buy that failed: every paid member is refunded in full, with no one deciding.
  group_failed: { from: ['paid'], to: 'refunding' },
} as const satisfies Record<string, { from: readonly OrderStatus[]; to: OrderStatus; unlessHeld?: true }>;

export type OrderEvent = keyof typeof orderTransitions;

/** Events that a hold (orders.ship_hold: the order's group buy is still open) forbids until it is lifted. */
export const blockedByHold = (event: OrderEvent) => 'unlessHeld' in orderTransitions[event];

export function canApply(event: OrderEvent, from: OrderStatus, held = false): boolean {
  return (orderTransitions[event].from as readonly OrderStatus[]).includes(from) && !(held && blockedByHold(event));
}

/** The status after `event`, or a 409 naming the illegal move. */
export type TransitionRefusal = 'illegal_transition' | 'order_on_hold';

/** Where `event` takes an order in `from` (held: its shipping waits for an engine), or why it cannot. */
export function transitionOf(from: OrderStatus, event: OrderEvent, held = false): { ok: true; to: OrderStatus } | { ok: false; refusal: TransitionRefusal } {
  if (!canApply(event, from)) return { ok: false, refusal: 'illegal_transition' };
  if (held && blockedByHold(event)) return { ok: false, refusal: 'order_on_hold' };
  return { ok: true, to: orderTransitions[event].to };
}
