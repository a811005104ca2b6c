// Borrowing between the shards of one flash-sale SKU: a shard that runs dry asks its siblings
// for units. Every transfer is written (transfers_in, pending) before the sibling is asked, and
// both sides book it once per transfer id, so a lost answer is recovered by asking again with
// the same id and no unit is ever created or lost (the ledger invariant in flash-sale-stock.ts).
import { stockObjectName } from '../src/domain/flash-sale';
import { newId } from '../src/lib/ids';
import type { ConfigRow } from './flash-sale-stock.schema';
import { logEvent } from '../src/lib/log';

/** A dry shard is not asked again for this long. */
const DRY_SIBLING_MS = 1_000;
/** A borrow whose answer was lost is retried (same transfer id) by the alarm after this. */
export const TRANSFER_RECOVERY_MS = 30_000;

type BorrowRound = { demand: number; done: Promise<void> };

/** What the transfers need of the object they work for. */
export type TransferHost = {
  storage: DurableObjectStorage;
  now(): number;
  config(): ConfigRow | null;
  /** The sibling shard's object (same SKU). */
  sibling(shard: number): { transferOut(quantity: number, transfer: { transferId: string; toShard: number }): Promise<number> };
  armAlarmNoLaterThan(at: number): Promise<void>;
  syncAlarm(): Promise<void>;
};

export class ShardTransfers {
  /** One borrow round at a time; demand arriving meanwhile joins the next. */
  private borrowChain: Promise<void> = Promise.resolve();
  private openRound: BorrowRound | null = null;
  private readonly siblingDryUntil = new Map<number, number>();

  constructor(private readonly host: TransferHost) {}

  private get sql() {
    return this.host.storage.sql;
  }

  anySiblingMayHaveStock(config: ConfigRow): boolean {
    const now = this.host.now();
    for (let j = 0; j < config.shard_count; j++) if (j !== config.shard && (this.siblingDryUntil.get(j) ?? 0) <= now) return true;
    return false;
  }

  /**
   * Dry requests share borrow rounds: one round runs at a time, and the demand of every request
   * that arrives while it runs is borrowed together in the next one (not one RPC per request).
   */
  joinBorrowRound(missing: number): Promise<void> {
    if (!this.openRound) {
      const round: BorrowRound = { demand: 0, done: Promise.resolve() };
      round.done = this.borrowChain.then(async () => {
        if (this.openRound === round) this.openRound = null; // later demand goes to the next round
        await this.borrowFromSiblings(round.demand);
      });
      this.borrowChain = round.done.catch(() => undefined);
      this.openRound = round;
    }
    this.openRound.demand += missing;
    return this.openRound.done;
  }

  private async borrowFromSiblings(demand: number): Promise<void> {
    const config = this.host.config();
    if (!config || demand <= 0) return;
    // If this object dies while a transfer is in flight, the alarm asks again with the same id.
    await this.host.armAlarmNoLaterThan(this.host.now() + TRANSFER_RECOVERY_MS);
    try {
      await this.recoverPendingTransfers();
      await this.borrow(config, demand);
    } finally {
      await this.host.syncAlarm();
    }
  }

  private async borrow(config: ConfigRow, demand: number): Promise<void> {
    let remaining = demand;
    for (let step = 1; step < config.shard_count && remaining > 0; step++) {
      const sibling = (config.shard + step) % config.shard_count;
      if ((this.siblingDryUntil.get(sibling) ?? 0) > this.host.now()) continue;
      const transferId = newId('trf');
      const now = this.host.now();
      this.sql.exec(
        "INSERT INTO transfers_in (id, from_shard, requested, status, created_at, retry_at) VALUES (?, ?, ?, 'pending', ?, ?)",
        transferId,
        sibling,
        remaining,
        now,
        now + TRANSFER_RECOVERY_MS,
      );
      const received = await this.askSibling(config, sibling, remaining, transferId);
      if (received === null) continue; // stays pending: the alarm asks again
      this.recordTransferIn(transferId, received);
      if (received < remaining) this.siblingDryUntil.set(sibling, this.host.now() + DRY_SIBLING_MS);
      remaining -= received;
    }
  }

  private async askSibling(config: ConfigRow, sibling: number, quantity: number, transferId: string): Promise<number | null> {
    try {
      const stub = this.host.sibling(sibling);
      return await stub.transferOut(quantity, { transferId, toShard: config.shard });
    } catch (error) {
      logEvent('error', 'flash stock: transfer from sibling failed', { object: stockObjectName(config.item_id, sibling), transfer_id: transferId, error });
      return null;
    }
  }

  /** Books what a sibling gave, once per transfer id (a recovered transfer may answer twice). */
  private recordTransferIn(transferId: string, received: number) {
    this.host.storage.transactionSync(() => {
      const pending = this.sql.exec<{ from_shard: number }>("SELECT from_shard FROM transfers_in WHERE id = ? AND status = 'pending'", transferId).toArray()[0];
      if (!pending) return;
      const now = this.host.now();
      this.sql.exec("UPDATE transfers_in SET status = 'done', received = ?, settled_at = ? WHERE id = ?", received, now, transferId);
      if (received > 0) {
        this.sql.exec('UPDATE stock SET available = available + ? WHERE id = 1', received);
        this.sql.exec("INSERT INTO ledger (kind, quantity, transfer_id, counterpart_shard, at) VALUES ('borrowed_in', ?, ?, ?, ?)", received, transferId, pending.from_shard, now);
      }
    });
  }

  /** Transfers whose answer never arrived: asking again with the same id returns the same units. */
  async recoverPendingTransfers(): Promise<void> {
    const config = this.host.config();
    if (!config) return;
    const pending = this.sql.exec<{ id: string; from_shard: number; requested: number }>("SELECT id, from_shard, requested FROM transfers_in WHERE status = 'pending'").toArray();
    for (const t of pending) {
      const received = await this.askSibling(config, t.from_shard, t.requested, t.id);
      if (received !== null) this.recordTransferIn(t.id, received);
      else this.sql.exec("UPDATE transfers_in SET retry_at = ? WHERE id = ? AND status = 'pending'", this.host.now() + TRANSFER_RECOVERY_MS, t.id);
    }
  }

  /**
   * Gives a sibling shard up to `quantity` available (unreserved) units; returns how many.
   * With a transfer id the call is idempotent: asking again returns what was given the first time.
   */
  async transferOut(quantity: number, transfer?: { transferId: string; toShard: number }): Promise<number> {
    if (!Number.isInteger(quantity) || quantity < 0) throw new TypeError('transferOut: quantity must be a non-negative integer');
    return this.host.storage.transactionSync(() => {
      if (transfer) {
        const earlier = this.sql.exec<{ quantity: number }>("SELECT quantity FROM ledger WHERE transfer_id = ? AND kind = 'transferred_out'", transfer.transferId).toArray()[0];
        if (earlier) return earlier.quantity;
      }
      const config = this.host.config();
      if (!config || config.closed_out_at !== null) return 0;
      const given = Math.min(quantity, config.available);
      if (given === 0) return 0;
      this.sql.exec('UPDATE stock SET available = available - ? WHERE id = 1', given);
      this.sql.exec(
        "INSERT INTO ledger (kind, quantity, transfer_id, counterpart_shard, at) VALUES ('transferred_out', ?, ?, ?, ?)",
        given,
        transfer?.transferId ?? null,
        transfer?.toShard ?? null,
        this.host.now(),
      );
      return given;
    });
  }

  /** When a transfer whose answer was lost is next asked again, or null if none is pending. */
  nextRetryAt(): number | null {
    return this.sql.exec<{ t: number | null }>("SELECT min(retry_at) AS t FROM transfers_in WHERE status = 'pending'").one().t;
  }
}
