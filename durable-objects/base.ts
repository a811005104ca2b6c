// The thin base our Durable Objects share: SQLite schema set up once per instance (before any
// request is let in), one place for "now", and the one alarm kept at the earliest due time.
// Objects keep their state in ctx.storage.sql and change it inside transactionSync.
import { DurableObject } from 'cloudflare:workers';
import { systemClock, type Clock } from '../src/lib/clock';
import { logEvent } from '../src/lib/log';

/** One schema step: synchronous SQL run inside a transaction. Steps are append-only. */
export type SchemaStep = (sql: SqlStorage) => void;

/** Runs each statement of a DDL script (exec takes one statement at a time only for binds). */
export const ddl =
  (script: string): SchemaStep =>
  (sql) => {
    sql.exec(script);
  };

export abstract class SqlDurableObject<E = unknown> extends DurableObject<E> {
  protected readonly sql: SqlStorage;
  /**
   * The object's "now" for the things that run on real time (alarms, admission control).
   * Production keeps the system clock; a test may swap it through runInDurableObject.
   * Requests that carry their own time (reserve's nowMs) use that instead.
   */
  protected clock: Clock = systemClock;

  constructor(ctx: DurableObjectState, env: E, schema: readonly SchemaStep[]) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    // PRAGMA user_version is not available: the version lives in a table of our own. Running
    // inside blockConcurrencyWhile means no request sees a half-migrated schema; if a step
    // throws, its transaction rolls back and the runtime resets the object (the next request
    // retries the migration). The rejection is observed here, outside the callback.
    ctx.blockConcurrencyWhile(async () => this.migrate(schema)).catch((error: unknown) => logEvent('error', 'schema migration failed', { error }));
  }

  private migrate(schema: readonly SchemaStep[]) {
    this.sql.exec('CREATE TABLE IF NOT EXISTS _schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)');
    const row = this.sql.exec<{ version: number }>('SELECT version FROM _schema_version WHERE id = 1').toArray()[0];
    const current = row?.version ?? 0;
    if (current > schema.length) throw new Error(`schema version ${current} is newer than this code (${schema.length})`);
    for (let version = current; version < schema.length; version++) {
      this.ctx.storage.transactionSync(() => {
        schema[version]!(this.sql);
        this.sql.exec('INSERT INTO _schema_version (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version', version + 1);
      });
    }
  }

  /** The schema version this instance runs on (for tests and diagnostics). */
  protected schemaVersion(): number {
    return this.sql.exec<{ version: number }>('SELECT version FROM _schema_version WHERE id = 1').one().version;
  }

  /**
   * The earliest time something stored in this object is due (an expiry, a retry), or null.
   * Objects that use alarms override it; syncAlarm() keeps the one alarm there.
   */
  protected nextAlarmAt(): number | null {
    return null;
  }

  /** Sets the alarm to what storage says is due next (at the end of alarm(), after a change). */
  protected async syncAlarm(): Promise<void> {
    await this.rearmAlarm(this.nextAlarmAt());
  }

  /**
   * Makes sure the alarm fires no later than `at` (keeps an earlier one). Used when something
   * new starts to wait, e.g. a reservation that expires at `at`.
   */
  protected async armAlarmNoLaterThan(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || at < current) await this.ctx.storage.setAlarm(at);
  }

  /**
   * Sets the alarm to exactly the earliest due time (null: nothing waits, no alarm). Used at
   * the end of alarm(), when the caller has recomputed what is still due from storage.
   */
  protected async rearmAlarm(earliest: number | null): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (earliest === null) {
      if (current !== null) await this.ctx.storage.deleteAlarm();
    } else if (current !== earliest) {
      await this.ctx.storage.setAlarm(earliest);
    }
  }
}
