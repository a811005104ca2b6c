// Valibot pieces the loyalty routes share (shopper and merchant side).
import * as v from 'valibot';

/** A whole number of points in [min, max]: fractions, strings and out-of-range numbers are 400s. */
export const wholePoints = (min: number, max = 100_000_000) =>
  v.pipe(v.number('must be a whole number of points'), v.integer('must be a whole number of points'), v.minValue(min, `must be at least ${min}`), v.maxValue(max, `must be at most ${max}`));
