import { describe, expect, it } from 'vitest';
import { worthALine } from '../../src/lib/request-log';

describe('which requests get a log line', () => {
  it('always logs failures, bad or unauthorised requests and slow requests, whatever the sample', () => {
    for (const status of [400, 401, 403, 404, 413, 429, 500, 503]) expect(worthALine(status, 3, '0')).toBe(true);
    expect(worthALine(200, 1_000, '0')).toBe(true);
    expect(worthALine(409, 1_000, '0')).toBe(true);
  });

  it('samples quick business answers (409 sold out, 422 floor reached) like successes: a burst of them is not a burst of lines', () => {
    expect(worthALine(409, 3, '0')).toBe(false);
    expect(worthALine(422, 3, '0')).toBe(false);
    expect(worthALine(409, 3, '1')).toBe(true);
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
