// The hold lifecycle shared by the objects that hold things for unpaid orders (FlashSaleStock's
// reservations, GroupBuyRoom's seats): a hold is 'held' until its order is paid or it is
// released, and it leaves 'held' exactly once (a trigger makes a second settlement fail
// loudly). Expired holds are settled only after the worker has looked at their order (port's
// settleExpiredHold): never give back what may still be paid for.
import type { HoldSettlement } from '../src/domain/order-source';
import { inParallel } from '../src/lib/in-parallel';
import { logEvent } from '../src/lib/log';

export type HoldStatus = 'held' | 'paid' | 'released';
export type ConfirmPaidOutcome = 'paid' | 'already_paid' | 'released' | 'unknown';
export type ReleaseOutcome = 'released' | 'already_released' | 'paid' | 'unknown';

/**
 * The columns a hold table has besides its own: status, due_at (when the alarm next looks at a
 * held hold, see dueOnObjectClock), order_id, settled_at and release_reason.
 */
export type HoldRow = { id: string; status: HoldStatus; order_id: string | null };

/** DDL: a hold leaves 'held' once, and never comes back to it. */
export const settleOnceTrigger = (table: string, message: string) => `
    CREATE TRIGGER ${table}_settle_once BEFORE UPDATE OF status ON ${table}
      WHEN OLD.status <> 'held' AND NEW.status <> OLD.status
      BEGIN SELECT RAISE(ABORT, '${message}'); END;`;

/**
 * When the alarm may first look at a hold. The alarm runs on the object's real clock, the hold
 * on the caller's: it is looked at no earlier than its expiry and no earlier than its whole
 * length of the object's own time, so a caller whose clock lags can never make a hold come back
 * before the shopper had all of it to pay.
 */
export const dueOnObjectClock = (expiresAt: number, callerNowMs: number, objectNowMs: number) => Math.max(expiresAt, objectNowMs + (expiresAt - callerNowMs));

export type HoldLedgerSpec<Row extends HoldRow> = {
  table: string;
  read(id: string): Row | null;
  /** What the object books besides the hold's row when it is paid (a ledger row). */
  onPaid?(id: string, at: number): void;
  /** What the object books besides the hold's row when it is released (units back, a ledger row). */
  onReleased(row: Row, reason: string, at: number): void;
};

export class HoldLedger<Row extends HoldRow> {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly now: () => number,
    private readonly spec: HoldLedgerSpec<Row>,
  ) {}

  /** The hold's order was paid (D1 has committed it). Call inside a transaction. */
  confirmPaid(id: string, orderId: string): ConfirmPaidOutcome {
    const row = this.spec.read(id);
    if (!row) return 'unknown';
    if (row.status === 'paid') {
      if (row.order_id !== null && row.order_id !== orderId) logEvent('warn', `${this.spec.table}: hold paid by another order`, { hold_id: id, order_id: row.order_id, paying_order_id: orderId });
      return 'already_paid';
    }
    if (row.status === 'released') return 'released';
    this.markPaid(id, orderId);
    return 'paid';
  }

  /** The hold's order was cancelled (its transaction closed). Call inside a transaction. */
  release(id: string, reason: string): ReleaseOutcome {
    const row = this.spec.read(id);
    if (!row) return 'unknown';
    if (row.status === 'released') return 'already_released';
    if (row.status === 'paid') return 'paid';
    this.releaseHeld(row, reason);
    return 'released';
  }

  /**
   * Settles expired holds: asks `settle` about each (at most `width` at once, each may call
   * WeChat Pay), then acts only on holds still held (requests ran during the await), putting
   * off those whose answer was 'retry' by `retryMs`. At-least-once safe.
   */
  async settleExpired(expired: readonly Row[], opts: { settle(row: Row): Promise<HoldSettlement>; releaseReason: string; retryMs: number; width: number }): Promise<void> {
    await inParallel([...expired], opts.width, async (row) => {
      const outcome = await opts.settle(row).catch((error: unknown): HoldSettlement => {
        logEvent('error', `${this.spec.table}: settling an expired hold failed`, { hold_id: row.id, error });
        return 'retry';
      });
      this.storage.transactionSync(() => {
        const current = this.spec.read(row.id);
        if (current?.status !== 'held') return;
        if (outcome === 'release') this.releaseHeld(current, opts.releaseReason);
        else if (outcome === 'paid') this.markPaid(row.id, null);
        else this.storage.sql.exec(`UPDATE ${this.spec.table} SET due_at = ? WHERE id = ?`, this.now() + opts.retryMs, row.id);
      });
    });
  }

  /** The earliest due_at of a held hold, or null. */
  nextDueAt(): number | null {
    return this.storage.sql.exec<{ t: number | null }>(`SELECT min(due_at) AS t FROM ${this.spec.table} WHERE status = 'held'`).one().t;
  }

  /** held → paid (order unknown: the settlement found it paid). After checking the row is held. */
  private markPaid(id: string, orderId: string | null) {
    const at = this.now();
    this.storage.sql.exec(`UPDATE ${this.spec.table} SET status = 'paid', order_id = coalesce(?, order_id), settled_at = ? WHERE id = ? AND status = 'held'`, orderId, at, id);
    this.spec.onPaid?.(id, at);
  }

  /** held → released. After checking the row is held. */
  private releaseHeld(row: Row, reason: string) {
    const at = this.now();
    this.storage.sql.exec(`UPDATE ${this.spec.table} SET status = 'released', settled_at = ?, release_reason = ? WHERE id = ? AND status = 'held'`, at, reason, row.id);
    this.spec.onReleased(row, reason, at);
  }
}
