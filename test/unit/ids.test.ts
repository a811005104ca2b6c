// newId draws its random bytes from a pool refilled every 256 ids (src/lib/ids.ts): ids across
// several refills must keep their shape and never repeat.
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids';

describe('newId', () => {
  it('gives distinct, well-formed ids across pool refills', () => {
    const ids = Array.from({ length: 5_000 }, () => newId('req'));
    for (const id of ids) expect(id).toMatch(/^req_[0-9a-hjkmnp-tv-z]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('uses every letter of its alphabet, so the pool is not stuck on a value', () => {
    const letters = new Set(Array.from({ length: 600 }, () => newId('x').slice(2)).join(''));
    expect(letters.size).toBe(32);
  });
});
