// The BargainSession object's RPC types: what the worker sends it and what it answers. Services
// import these (types only); the object's code lives in bargain-session.ts.

export type BargainSessionConfig = {
  sessionId: string;
  campaignId: string;
  ownerId: string;
  ownerName: string;
  ownerAvatarUrl: string | null;
  seed: string;
  startPriceFen: number;
  floorPriceFen: number;
  helpersNeeded: number;
  buyBeforeFloor: boolean;
  newHelperBonusPct: number;
  expiresAt: number;
  createdAt: number;
};

export type StoredStatus = 'open' | 'buying' | 'bought' | 'expired';

export type HelpRecord = { helperId: string; name: string; avatarUrl: string | null; cutFen: number; isNew: boolean; at: number };

export type SessionState = BargainSessionConfig & {
  status: StoredStatus;
  cutTotalFen: number;
  currentPriceFen: number;
  helps: HelpRecord[];
  orderId: string | null;
};

export type HelpRequest = { helperId: string; name: string; avatarUrl: string | null; isNew: boolean; nowMs: number };
export type HelpRefusal = 'not_configured' | 'own_session' | 'already_helped' | 'expired' | 'closed' | 'floor_reached';
export type HelpResult =
  | { ok: true; cutFen: number; state: SessionState }
  /** With "expired" and "floor_reached": who has helped (the refusal they would get is "already_helped"). */
  | { ok: false; reason: HelpRefusal; helpers?: string[] };

export type BuyRefusal = 'not_configured' | 'not_owner' | 'expired' | 'floor_not_reached' | 'bought';
export type BeginBuyResult = { ok: true; priceFen: number } | { ok: false; reason: BuyRefusal; orderId?: string | null };
