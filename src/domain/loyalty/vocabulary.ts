// The closed lists the loyalty tables and the API share.

/** Where points come from (a lot) or why they moved (an entry). */
export const pointSources = ['order', 'check_in', 'review', 'merchant_grant', 'exchange', 'expiry', 'reversal'] as const;
export type PointSource = (typeof pointSources)[number];

/** credit: a new lot; debit: points taken (spend, deduction, clawback); expire; thaw: frozen → usable. */
export const pointEntryKinds = ['credit', 'debit', 'expire', 'thaw'] as const;
export type PointEntryKind = (typeof pointEntryKinds)[number];

/** rolling_months: N months after the grant; end_of_next_year: 31 December of the year after. */
export const pointExpiryModes = ['rolling_months', 'end_of_next_year'] as const;
export type PointExpiryMode = (typeof pointExpiryModes)[number];

export const checkInCycles = ['weekly', 'monthly'] as const;
export type CheckInCycle = (typeof checkInCycles)[number];

export const checkInRewardKinds = ['streak', 'cumulative'] as const;
export type CheckInRewardKind = (typeof checkInRewardKinds)[number];

export const memberBenefitModes = ['member_price', 'level_discount'] as const;
export type MemberBenefitMode = (typeof memberBenefitModes)[number];

export const growthSources = ['order', 'check_in'] as const;
export type GrowthSource = (typeof growthSources)[number];

export const planPeriods = ['month', 'quarter', 'year'] as const;
export type PlanPeriod = (typeof planPeriods)[number];

/** refunded: the term was ended early by a refund (its ends_at is when). */
export const planPurchaseStatuses = ['pending', 'paid', 'closed', 'refunded'] as const;

export const planRefundRules = ['none', 'pro_rata'] as const;
export type PlanRefundRule = (typeof planRefundRules)[number];

export const mallItemKinds = ['coupon', 'sku'] as const;
export type MallItemKind = (typeof mallItemKinds)[number];
