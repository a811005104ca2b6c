// Benchmark parameters from the environment (BENCH_*), refused loudly when malformed so a typo
// never silently runs the default.

export function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  return parsePositive(name, raw);
}

/** A comma-separated list, e.g. BENCH_RATES=20,50. */
export function positiveNumbers(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw.split(',').map((part) => parsePositive(name, part.trim()));
}

function parsePositive(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number (or a comma-separated list of them), got "${raw}"`);
  return value;
}
