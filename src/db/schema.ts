// Every table, for drizzle-kit and for the drizzle client.
export * from './catalog';
export * from './merchants';
export * from './shoppers';
export * from './orders';
export * from './flash-sales';
export * from './bargains';
export * from './group-buys';
export * from './shipping';
export * from './after-sales';
export * from './loyalty';
export * from './coupons';
export * from './promotions';
