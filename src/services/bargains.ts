// The bargain (砍价) service's public face for the mini-program: the response view types.
// Campaigns: bargain-campaigns.ts; sessions (launch, help, view): bargain-sessions.ts;
// buying: bargain-orders.ts; the per-session Durable Object: durable-objects/bargain-session.ts.
export type { BargainCampaignView } from './bargain-campaigns';
export type { BargainSessionView } from './bargain-sessions';
