// ApiError's stack: none for a 4xx (an answer, thrown by the thousand in a burst), kept for a 5xx.
import { describe, expect, it } from 'vitest';
import { ApiError, conflict } from '../../src/lib/errors';

const frames = (error: Error) => (error.stack ?? '').split('\n').filter((line) => line.trim().startsWith('at ')).length;

describe('ApiError stacks', () => {
  it('captures no stack for a 4xx, and leaves the stack limit as it was', () => {
    const before = Error.stackTraceLimit;
    const refusal = conflict('sold_out', 'Sold out.');
    expect(frames(refusal)).toBe(0);
    expect(refusal).toBeInstanceOf(Error);
    expect(refusal.message).toBe('Sold out.');
    expect(Error.stackTraceLimit).toBe(before);
    expect(frames(new Error('a fault'))).toBeGreaterThan(0);
  });

  it('keeps the stack of a 5xx', () => {
    expect(frames(new ApiError(503, 'campaign_unavailable', 'Try again.'))).toBeGreaterThan(0);
  });
});
