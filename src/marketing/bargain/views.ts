// The bargain (砍价) service's public face for the mini-program: the response view types.
// Campaigns: campaigns.ts; sessions (launch, help, view): sessions.ts;
// buying: orders.ts; the per-session Durable Object: durable-objects/bargain-session.ts.
export type { BargainCampaignView } from './campaigns';
export type { BargainSessionView } from './sessions';
