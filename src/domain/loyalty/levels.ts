// Member levels: which level a growth value reaches, how a level is re-rated after it has been
// held 12 months (down at most one level) and the ladder's ordering. The level discount is a
// stage-1 member price (src/domain/promotions/unit-price.ts), not a rule of its own.
export type LevelRung = { rank: number; growthThreshold: number };

/** The highest rank whose threshold the growth reaches (0: none). */
export function levelFor(ladder: readonly LevelRung[], growth: number): number {
  return ladder.reduce((best, l) => (growth >= l.growthThreshold && l.rank > best ? l.rank : best), 0);
}

/** Re-rating: the level the last 12 months' growth reaches, but never more than one below the current one. */
export const rerate = (currentRank: number, earnedRank: number) => Math.max(earnedRank, currentRank - 1, 0);

/** Indexes of rungs whose threshold does not rise above the one before (a ladder must climb). */
export function thresholdsOutOfOrder(thresholds: readonly number[]): number[] {
  return thresholds.flatMap((t, i) => (i > 0 && t <= thresholds[i - 1]! ? [i] : []));
}
