// Where an order came from. Each source has one entry in the order-source policy
// (src/services/order-source-policy.ts), which the compiler checks is exhaustive.
export const orderSources = ['shop', 'flash_sale', 'group_buy', 'bargain'] as const;
export type OrderSource = (typeof orderSources)[number];

/** Sources whose units or seat are held by a Durable Object until the order is paid or cancelled. */
export type HoldSource = Extract<OrderSource, 'flash_sale' | 'group_buy'>;

/** What becomes of a hold whose time ran out, once its order has been looked at. */
export type HoldSettlement = 'release' | 'paid' | 'retry';
