// BargainSession: the serialisation point for ONE bargain session (object name = session id).
// It holds the session's cut plan (computed once from the stored seed) and the ledger of helps.
// Every check and the write it guards run in one synchronous transaction, so concurrent helps can
// never record more cuts than the plan has, nor two cuts by one helper; the cuts it records add
// up to (start − floor) exactly when the last planned cut is made. Its storage survives a reset
// of the object, so no recorded cut is lost.
//
// What it cannot see — other sessions — is counted elsewhere: launches in D1 (src/db/bargains.ts),
// daily helps in the campaign's BargainHelpTickets shards, whose ticket the service takes before it
// asks this object to cut.
//
// D1 learns of each cut off the reply path: the service queues it (src/marketing/bargain/
// help-records.ts), and this object's alarm, a minute after a cut D1 is not known to have, records
// every such cut once more through its port (idempotent) — the backstop for a lost message.
//
// Lifecycle: open → (buying → bought) | expired. "floor_reached" is open with every cut made.
// An alarm at expires_at closes an open session; an expired session cannot be bought.
import { boostCut, planCuts } from '../src/domain/bargain';
import { ddl, SqlDurableObject, type SchemaStep } from './base';
import type { BargainSessionConfig, BeginBuyResult, HelpRequest, HelpResult, SessionState, StoredStatus } from './bargain-session.types';
import type { ObjectPort } from './port';
import { logEvent } from '../src/lib/log';

export type * from './bargain-session.types';

/** A buy in flight at expiry: the alarm waits this long for its order before expiring the session. */
const BUY_WRITE_GRACE_MS = 60_000;
/** A cut is the queue's to record in D1 for this long; then the alarm records it too (or retries). */
const RECORD_GRACE_MS = 60_000;

const schema: readonly SchemaStep[] = [
  ddl(`
    CREATE TABLE config (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      session_id TEXT NOT NULL,
      campaign_id TEXT NOT NULL,
      owner_id TEXT NOT NULL,
      owner_name TEXT NOT NULL,
      owner_avatar_url TEXT,
      seed TEXT NOT NULL,
      start_price_fen INTEGER NOT NULL,
      floor_price_fen INTEGER NOT NULL CHECK (floor_price_fen >= 1),
      helpers_needed INTEGER NOT NULL CHECK (helpers_needed >= 1),
      buy_before_floor INTEGER NOT NULL CHECK (buy_before_floor IN (0, 1)),
      new_helper_bonus_pct INTEGER NOT NULL CHECK (new_helper_bonus_pct >= 0),
      expires_at INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('open', 'buying', 'bought', 'expired')),
      buy_started_at INTEGER,
      locked_price_fen INTEGER,
      order_id TEXT,
      closed_at INTEGER,
      CHECK (start_price_fen - floor_price_fen >= helpers_needed)
    );
    -- The plan: one row per cut, in order. A new helper's bigger cut rewrites the cuts still to come.
    CREATE TABLE plan (
      idx INTEGER PRIMARY KEY CHECK (idx >= 0),
      cut_fen INTEGER NOT NULL CHECK (cut_fen >= 1)
    );
    -- The ledger: help idx made cut idx of the plan; one help per helper.
    CREATE TABLE helps (
      idx INTEGER PRIMARY KEY CHECK (idx >= 0),
      helper_id TEXT NOT NULL UNIQUE,
      name TEXT NOT NULL,
      avatar_url TEXT,
      cut_fen INTEGER NOT NULL CHECK (cut_fen >= 1),
      is_new INTEGER NOT NULL,
      at INTEGER NOT NULL
    );
    -- A help may only make the next planned cut, and only one the plan has.
    CREATE TRIGGER helps_follow_plan BEFORE INSERT ON helps
      WHEN NEW.idx <> (SELECT count(*) FROM helps) OR NEW.idx >= (SELECT count(*) FROM plan)
      BEGIN SELECT RAISE(ABORT, 'help out of plan'); END;
  `),
  // Whether D1 is known to have the help's row. Helps from before were written to D1 before their
  // cut (the old ticket), so they are recorded; new ones start at 0 until the alarm records them.
  ddl('ALTER TABLE helps ADD COLUMN recorded INTEGER NOT NULL DEFAULT 1 CHECK (recorded IN (0, 1))'),
];

type ConfigRow = {
  session_id: string;
  campaign_id: string;
  owner_id: string;
  owner_name: string;
  owner_avatar_url: string | null;
  seed: string;
  start_price_fen: number;
  floor_price_fen: number;
  helpers_needed: number;
  buy_before_floor: number;
  new_helper_bonus_pct: number;
  expires_at: number;
  created_at: number;
  status: StoredStatus;
  buy_started_at: number | null;
  locked_price_fen: number | null;
  order_id: string | null;
};

type HelpRow = { idx: number; helper_id: string; name: string; avatar_url: string | null; cut_fen: number; is_new: number; at: number };

// Needs no binding: what it asks of the outside goes through its port.
export class BargainSession extends SqlDurableObject {
  constructor(
    ctx: DurableObjectState,
    env: unknown,
    private readonly port: ObjectPort,
  ) {
    super(ctx, env, schema);
  }

  /** Sets the session up from its D1 row; later calls change nothing (the plan is fixed at launch). */
  async configure(c: BargainSessionConfig): Promise<{ configured: 'new' | 'unchanged' }> {
    const plan = planCuts(c.seed, c.startPriceFen - c.floorPriceFen, c.helpersNeeded); // throws on a bad config
    const outcome = this.ctx.storage.transactionSync(() => {
      const existing = this.config();
      if (existing) {
        if (existing.session_id !== c.sessionId) throw new Error(`BargainSession ${existing.session_id} cannot be configured as ${c.sessionId}`);
        return 'unchanged' as const;
      }
      this.sql.exec(
        `INSERT INTO config (id, session_id, campaign_id, owner_id, owner_name, owner_avatar_url, seed, start_price_fen, floor_price_fen, helpers_needed, buy_before_floor, new_helper_bonus_pct, expires_at, created_at, status)
         VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')`,
        c.sessionId,
        c.campaignId,
        c.ownerId,
        c.ownerName,
        c.ownerAvatarUrl,
        c.seed,
        c.startPriceFen,
        c.floorPriceFen,
        c.helpersNeeded,
        c.buyBeforeFloor ? 1 : 0,
        c.newHelperBonusPct,
        c.expiresAt,
        c.createdAt,
      );
      for (const [idx, cut] of plan.entries()) this.sql.exec('INSERT INTO plan (idx, cut_fen) VALUES (?, ?)', idx, cut);
      return 'new' as const;
    });
    if (outcome === 'new') await this.armAlarmNoLaterThan(c.expiresAt);
    return { configured: outcome };
  }

  /** One friend's help: makes the next planned cut (bigger for a helper new to the shop), once per helper. */
  async help(r: HelpRequest): Promise<HelpResult> {
    const result = this.ctx.storage.transactionSync((): HelpResult => {
      const config = this.config();
      if (!config) return { ok: false, reason: 'not_configured' };
      if (r.helperId === config.owner_id) return { ok: false, reason: 'own_session' };
      if (this.helpBy(r.helperId)) return { ok: false, reason: 'already_helped' };
      if (config.status === 'bought' || config.status === 'buying') return { ok: false, reason: 'closed' };
      if (config.status === 'expired' || r.nowMs >= config.expires_at) return { ok: false, reason: 'expired', helpers: this.helperIds() };
      const idx = this.helpCount();
      if (idx >= config.helpers_needed) return { ok: false, reason: 'floor_reached', helpers: this.helperIds() };
      if (r.isNew && config.new_helper_bonus_pct > 0) this.rewritePlan(boostCut(this.plan(), idx, config.new_helper_bonus_pct), idx);
      const cutFen = this.sql.exec<{ cut_fen: number }>('SELECT cut_fen FROM plan WHERE idx = ?', idx).one().cut_fen;
      this.sql.exec(
        'INSERT INTO helps (idx, helper_id, name, avatar_url, cut_fen, is_new, at, recorded) VALUES (?, ?, ?, ?, ?, ?, ?, 0)',
        idx,
        r.helperId,
        r.name,
        r.avatarUrl,
        cutFen,
        r.isNew ? 1 : 0,
        r.nowMs,
      );
      return { ok: true, cutFen, state: this.stateOf(config) }; // a help changes no config column
    });
    // The backstop for the queue: the alarm looks a minute from now whether D1 has this cut.
    if (result.ok) await this.armAlarmNoLaterThan(this.clock.now() + RECORD_GRACE_MS);
    return result;
  }

  /**
   * The owner starts buying: the price is locked (no more cuts) until the order is written
   * (markBought) or the write failed (abandonBuy). Concurrent buys get the same locked price;
   * D1's unique (source, source_ref) index lets exactly one of them create the order.
   */
  async beginBuy(r: { ownerId: string; nowMs: number }): Promise<BeginBuyResult> {
    return this.ctx.storage.transactionSync((): BeginBuyResult => {
      const config = this.config();
      if (!config) return { ok: false, reason: 'not_configured' };
      if (r.ownerId !== config.owner_id) return { ok: false, reason: 'not_owner' };
      if (config.status === 'bought') return { ok: false, reason: 'bought', orderId: config.order_id };
      if (config.status === 'buying') return { ok: true, priceFen: config.locked_price_fen! };
      if (config.status === 'expired' || r.nowMs >= config.expires_at) return { ok: false, reason: 'expired' };
      const cutTotal = this.cutTotal();
      const floorReached = this.helpCount() >= config.helpers_needed;
      if (!config.buy_before_floor && !floorReached) return { ok: false, reason: 'floor_not_reached' };
      const priceFen = config.start_price_fen - cutTotal;
      this.sql.exec("UPDATE config SET status = 'buying', buy_started_at = ?, locked_price_fen = ? WHERE id = 1", r.nowMs, priceFen);
      return { ok: true, priceFen };
    });
  }

  /** The order exists in D1 (the source of truth): the session is bought and closed, whatever it was. */
  async markBought(orderId: string, nowMs: number): Promise<'bought' | 'already_bought' | 'not_configured'> {
    return this.ctx.storage.transactionSync(() => {
      const config = this.config();
      if (!config) return 'not_configured';
      if (config.status === 'bought') {
        if (config.order_id !== orderId) logEvent('error', 'bargain session bought by two orders', { session_id: config.session_id, order_id: config.order_id, paying_order_id: orderId });
        return 'already_bought';
      }
      this.sql.exec("UPDATE config SET status = 'bought', order_id = ?, closed_at = ? WHERE id = 1", orderId, nowMs);
      return 'bought';
    });
  }

  /** The order could not be written (no stock, no address): the session is open again. */
  async abandonBuy(): Promise<void> {
    this.sql.exec("UPDATE config SET status = 'open', buy_started_at = NULL, locked_price_fen = NULL WHERE id = 1 AND status = 'buying'");
  }

  async state(): Promise<SessionState | null> {
    const config = this.config();
    return config && this.stateOf(config);
  }

  /**
   * Records in D1 the cuts it is not known to have (the queue's backstop), and closes the session
   * when its time is up. A buy in flight gets a grace period for its order; D1 decides: an order
   * for this session means bought. At-least-once safe.
   */
  override async alarm(): Promise<void> {
    await this.recordCuts();
    await this.closeWhenDue(this.clock.now());
    // Read after the awaits (a help may have come meanwhile), with no await before it is set.
    const current = await this.ctx.storage.getAlarm();
    const next = this.nextAlarmAt();
    if (next === null) {
      if (current !== null) await this.ctx.storage.deleteAlarm();
    } else if (current !== next) await this.ctx.storage.setAlarm(next);
  }

  protected override nextAlarmAt(): number | null {
    const config = this.config();
    if (!config) return null;
    const unrecorded = this.sql.exec('SELECT 1 FROM helps WHERE recorded = 0 LIMIT 1').toArray().length > 0;
    const recordAt = unrecorded ? this.clock.now() + RECORD_GRACE_MS : null;
    const closeAt = config.status === 'open' || config.status === 'buying' ? Math.max(config.expires_at, config.status === 'buying' ? config.buy_started_at! + BUY_WRITE_GRACE_MS : 0) : null;
    return recordAt === null ? closeAt : closeAt === null ? recordAt : Math.min(recordAt, closeAt);
  }

  /** Every cut D1 is not known to have, recorded through the port; on failure, the next alarm tries again. */
  private async recordCuts(): Promise<void> {
    const config = this.config();
    if (!config) return;
    const unrecorded = this.sql.exec<{ idx: number; helper_id: string; at: number }>('SELECT idx, helper_id, at FROM helps WHERE recorded = 0').toArray();
    if (unrecorded.length === 0) return;
    const floorIdx = config.helpers_needed - 1;
    try {
      await this.port.recordBargainHelps(unrecorded.map((h) => ({ sessionId: config.session_id, helperId: h.helper_id, at: h.at, floorReached: h.idx === floorIdx })));
    } catch (error) {
      logEvent('error', 'recording bargain cuts in D1 failed; the alarm tries again', { session_id: config.session_id, cuts: unrecorded.length, error });
      return;
    }
    for (const h of unrecorded) this.sql.exec('UPDATE helps SET recorded = 1 WHERE idx = ?', h.idx);
  }

  private async closeWhenDue(now: number): Promise<void> {
    const config = this.config();
    if (!config || config.status === 'bought' || config.status === 'expired' || now < config.expires_at) return;
    if (config.status === 'buying') {
      const orderId = await this.port.findOrderId('bargain', config.session_id);
      if (orderId) {
        await this.markBought(orderId, now);
        return;
      }
      if (now < config.buy_started_at! + BUY_WRITE_GRACE_MS) return;
    }
    // Requests ran during the await: expire only what is still not bought.
    this.sql.exec("UPDATE config SET status = 'expired', closed_at = ? WHERE id = 1 AND status IN ('open', 'buying')", now);
  }

  // ---------------------------------------------------------------- reading

  private config(): ConfigRow | null {
    return this.sql.exec<ConfigRow>('SELECT * FROM config WHERE id = 1').toArray()[0] ?? null;
  }

  /** Who has helped: an "expired" or "floor reached" answer names them (their retry is "already helped"). */
  private helperIds(): string[] {
    return this.sql
      .exec<{ helper_id: string }>('SELECT helper_id FROM helps')
      .toArray()
      .map((r) => r.helper_id);
  }

  private helpBy(helperId: string): boolean {
    return this.sql.exec('SELECT 1 FROM helps WHERE helper_id = ?', helperId).toArray().length > 0;
  }

  private helpCount(): number {
    return this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM helps').one().n;
  }

  private cutTotal(): number {
    return this.sql.exec<{ t: number }>('SELECT coalesce(sum(cut_fen), 0) AS t FROM helps').one().t;
  }

  private plan(): number[] {
    return this.sql
      .exec<{ cut_fen: number }>('SELECT cut_fen FROM plan ORDER BY idx')
      .toArray()
      .map((r) => r.cut_fen);
  }

  /** Stores a rewritten plan; cuts before `from` are already made and never change. */
  private rewritePlan(plan: number[], from: number) {
    for (let idx = from; idx < plan.length; idx++) this.sql.exec('UPDATE plan SET cut_fen = ? WHERE idx = ?', plan[idx]!, idx);
  }

  private stateOf(c: ConfigRow): SessionState {
    const helps = this.sql.exec<HelpRow>('SELECT * FROM helps ORDER BY idx').toArray();
    const cutTotalFen = helps.reduce((n, h) => n + h.cut_fen, 0);
    return {
      sessionId: c.session_id,
      campaignId: c.campaign_id,
      ownerId: c.owner_id,
      ownerName: c.owner_name,
      ownerAvatarUrl: c.owner_avatar_url,
      seed: c.seed,
      startPriceFen: c.start_price_fen,
      floorPriceFen: c.floor_price_fen,
      helpersNeeded: c.helpers_needed,
      buyBeforeFloor: c.buy_before_floor === 1,
      newHelperBonusPct: c.new_helper_bonus_pct,
      expiresAt: c.expires_at,
      createdAt: c.created_at,
      status: c.status,
      cutTotalFen,
      currentPriceFen: c.start_price_fen - cutTotalFen,
      helps: helps.map((h) => ({ helperId: h.helper_id, name: h.name, avatarUrl: h.avatar_url, cutFen: h.cut_fen, isNew: h.is_new === 1, at: h.at })),
      orderId: c.order_id,
    };
  }
}
