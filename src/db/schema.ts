// Every table, for drizzle-kit and for the drizzle client.
export * from './catalog';
export * from './merchants';
