import { describe, expect, it } from 'vitest';
import { worthALine } from '../../src/lib/request-log';

describe('which requests get a log line', () => {
  it('always logs refusals, failures and slow requests, whatever the sample', () => {
    expect(worthALine(401, 3, '0')).toBe(true);
    expect(worthALine(500, 3, '0')).toBe(true);
    expect(worthALine(200, 1_000, '0')).toBe(true);
  });

  it('logs quick successes at the configured share: none at 0, all at 1 or unset', () => {
    expect(Array.from({ length: 200 }, () => worthALine(200, 3, '0')).some(Boolean)).toBe(false);
    expect(Array.from({ length: 200 }, () => worthALine(200, 3, '1')).every(Boolean)).toBe(true);
    expect(Array.from({ length: 200 }, () => worthALine(200, 3, undefined)).every(Boolean)).toBe(true);
    const sampled = Array.from({ length: 20_000 }, () => worthALine(204, 3, '0.1')).filter(Boolean).length;
    expect(sampled).toBeGreaterThan(1_500);
    expect(sampled).toBeLessThan(2_500);
  });

  it('a setting that is not a number logs no successes rather than failing requests', () => {
    expect(worthALine(200, 3, 'often')).toBe(false);
  });
});
