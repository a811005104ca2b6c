// Idempotency keys: one per purchase attempt, reused when the same attempt is retried, so a
// retry after a lost answer returns the same order instead of creating a second one.
export function newIdempotencyKey(): string {
  const random = Array.from({ length: 4 }, () => Math.floor(Math.random() * 0x1_0000_0000).toString(36)).join('');
  return `mp-${Date.now().toString(36)}-${random}`.slice(0, 64);
}
