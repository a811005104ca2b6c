// Money is integer fen. These helpers convert the yuan strings people type ("12.5") exactly,
// without ever passing through a float.
const yuanPattern = /^(\d{1,9})(?:\.(\d{1,2}))?$/;

/** "12.5" → 1250; returns null for anything that is not a non-negative amount with ≤ 2 decimals. */
export function parseYuanToFen(text: string): number | null {
  const match = yuanPattern.exec(text.trim());
  if (!match) return null;
  const [, yuan = '0', fraction = ''] = match;
  return Number(yuan) * 100 + Number(fraction.padEnd(2, '0'));
}

/** 1250 → "12.50" */
export function formatFenAsYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** 1250 → "¥12.50", as the admin pages show prices. */
export const formatFenWithYuanSign = (fen: number): string => `¥${formatFenAsYuan(fen)}`;
