// The campaign kernel's rules, shared by every marketing engine (flash sales, group buys,
// bargains, and whatever comes next): one time window, one start grace, one state vocabulary,
// one rule for what can be cancelled and one for which SKUs may be sold. Pure: engines' services
// map the typed refusals to API errors (src/marketing/kernel/campaign-rules.ts).

/** What a campaign row stores: running until cancelled (or, once its stock is handed back, settled). */
export const campaignStatuses = ['scheduled', 'cancelled', 'settled'] as const;
export type CampaignStatus = (typeof campaignStatuses)[number];

/** What a campaign is at a moment: the one vocabulary of the API, the admin and the storefront. */
export const campaignStates = ['upcoming', 'live', 'ended', 'cancelled', 'settled'] as const;
export type CampaignState = (typeof campaignStates)[number];

export type CampaignWindow = { startsAt: number; endsAt: number };

/**
 * A start a little in the past is accepted: a merchant who means "now" types the current minute
 * (datetime-local has no seconds) and needs a moment to send the form.
 */
export const START_GRACE_MS = 5 * 60_000;

export function campaignState(c: CampaignWindow & { status: CampaignStatus }, now: number): CampaignState {
  if (c.status !== 'scheduled') return c.status;
  if (now < c.startsAt) return 'upcoming';
  return now < c.endsAt ? 'live' : 'ended';
}

/** Whether shoppers can take part now (open rooms, launch sessions, reserve units). */
export const isLive = (c: CampaignWindow & { status: CampaignStatus }, now: number) => campaignState(c, now) === 'live';

/** A new campaign may not start in the past (beyond the grace); the end after the start is the schema's 400. */
export const startRefusal = (startsAt: number, now: number): 'starts_in_past' | null => (startsAt < now - START_GRACE_MS ? 'starts_in_past' : null);

export type CancelRefusal = 'campaign_closed' | 'campaign_ended';

/** Only an upcoming or live campaign can be cancelled. */
export function cancelRefusal(state: CampaignState): CancelRefusal | null {
  if (state === 'cancelled' || state === 'settled') return 'campaign_closed';
  if (state === 'ended') return 'campaign_ended';
  return null;
}

export type SellableRefusal = 'sku_not_found' | 'sku_not_sellable';

/** A SKU a campaign may sell: it exists, is active, and its product is published. */
export function sellableRefusal(sku: { active: boolean; published: boolean } | undefined): SellableRefusal | null {
  if (!sku) return 'sku_not_found';
  return sku.active && sku.published ? null : 'sku_not_sellable';
}
