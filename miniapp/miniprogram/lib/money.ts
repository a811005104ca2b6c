// Prices arrive as integer fen; they are shown as yuan with two decimals, computed with integers
// only so 0.1 + 0.2 style errors cannot appear.
export function formatFen(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(fen));
  return `${sign}¥${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** "¥99.00" or "¥99.00–¥129.00" for a product whose SKUs differ in price. */
export function formatFenRange(minFen: number, maxFen: number): string {
  return minFen === maxFen ? formatFen(minFen) : `${formatFen(minFen)}–${formatFen(maxFen)}`;
}
