// Starts the production bundle of the Worker on local workerd through Miniflare's API, with a
// fresh in-memory D1 migrated from migrations/. Used by the browser tests (test/e2e) and the
// benchmarks (bench/): both need the real built worker, not wrangler dev's proxy.
//
// Two addresses: `url` is Miniflare's HTTP entry (an extra worker in front that adds the cf
// object and proxies every request and response body), `directUrl` a socket of workerd's own
// bound straight to our worker. Benchmarks load `directUrl`, so they measure the worker, not
// Miniflare's proxy.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { unstable_readConfig } from 'wrangler';

const root = new URL('..', import.meta.url).pathname;

export type LocalWorker = { url: string; directUrl: string; mf: Miniflare; db: D1Like; dispose: () => Promise<void> };
type D1Like = { prepare(sql: string): { run(): Promise<unknown>; bind(...values: unknown[]): { run(): Promise<unknown> } } };

/** Builds dist/index.js exactly as `wrangler deploy` would, without deploying. */
export function buildWorkerBundle(): string {
  execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', 'dist'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  return join(root, 'dist', 'index.js');
}

/**
 * The Durable Object bindings wrangler.toml declares ([[durable_objects.bindings]] name and
 * class_name), so the local worker has every object the deployed one has, with SQLite storage.
 */
export function durableObjectBindings(): Record<string, { className: string; useSQLite: true }> {
  const toml = readFileSync(join(root, 'wrangler.toml'), 'utf8');
  const blocks = toml.split(/^\[\[durable_objects\.bindings\]\]\s*$/m).slice(1);
  return Object.fromEntries(
    blocks.map((block) => {
      const field = (key: string) => new RegExp(`^${key}\\s*=\\s*"([^"]+)"`, 'm').exec(block.split(/^\[/m)[0]!)?.[1];
      const [name, className] = [field('name'), field('class_name')];
      if (!name || !className) throw new Error('wrangler.toml: a [[durable_objects.bindings]] block without name or class_name');
      return [name, { className, useSQLite: true as const }];
    }),
  );
}

/** The rate limits wrangler.toml declares ([[ratelimits]]), so the local worker enforces the deployed ones. */
export function rateLimitBindings(): Record<string, { simple: { limit: number; period?: 10 | 60 } }> {
  const { ratelimits } = unstable_readConfig({ config: join(root, 'wrangler.toml') });
  type Declared = { name: string; simple: { limit: number; period: 10 | 60 } };
  return Object.fromEntries((ratelimits as Declared[]).map((r) => [r.name, { simple: r.simple }]));
}

/** wrangler.toml's [[queues]]: the same producers and consumers (batch size, retries, dead-letter queue). */
export function queueBindings() {
  const { queues } = unstable_readConfig({ config: join(root, 'wrangler.toml') });
  type Producer = { binding: string; queue: string };
  type Consumer = { queue: string; max_batch_size?: number; max_batch_timeout?: number; max_retries?: number; retry_delay?: number; dead_letter_queue?: string };
  const producers = (queues.producers ?? []) as Producer[];
  const consumers = (queues.consumers ?? []) as Consumer[];
  return {
    queueProducers: Object.fromEntries(producers.map((p) => [p.binding, { queueName: p.queue }])),
    queueConsumers: Object.fromEntries(
      consumers.map((c) => [
        c.queue,
        { maxBatchSize: c.max_batch_size, maxBatchTimeout: c.max_batch_timeout, maxRetries: c.max_retries, retryDelay: c.retry_delay, deadLetterQueue: c.dead_letter_queue },
      ]),
    ),
  };
}

/** wrangler.toml's [vars]: the local worker runs with the deployed settings unless a run says otherwise. */
function productionVars(): Record<string, string> {
  const { vars } = unstable_readConfig({ config: join(root, 'wrangler.toml') });
  return Object.fromEntries(Object.entries(vars).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** wrangler.toml's compatibility date and flags, so the local worker runs as `wrangler dev` and the deployed one do. */
export function compatibilitySettings(): { compatibilityDate: string; compatibilityFlags: string[] } {
  const toml = readFileSync(join(root, 'wrangler.toml'), 'utf8').split(/^\[/m)[0]!;
  const compatibilityDate = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1] ?? '';
  if (!compatibilityDate) throw new Error('wrangler.toml: no compatibility_date');
  return { compatibilityDate, compatibilityFlags: [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1]!) };
}

/** Each migration file split at drizzle's breakpoints, in file-name order. */
export function migrationStatements(): string[] {
  const dir = join(root, 'migrations');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('--> statement-breakpoint'))
    .map((s) => s.trim())
    .filter((s) => s.replace(/--[^\n]*\n?/g, '').trim().length > 0);
}

/** `inspectorPort`: open workerd's DevTools inspector there (bench:profile takes CPU profiles through it). */
export async function startLocalWorker(opts: { port?: number; bindings?: Record<string, string>; build?: boolean; inspectorPort?: number } = {}): Promise<LocalWorker> {
  const scriptPath = opts.build === false ? join(root, 'dist', 'index.js') : buildWorkerBundle();
  const mf = new Miniflare({
    modules: [{ type: 'ESModule', path: scriptPath }],
    modulesRoot: join(root, 'dist'),
    ...compatibilitySettings(),
    d1Databases: { DB: 'local-db' },
    durableObjects: durableObjectBindings(),
    ratelimits: rateLimitBindings(),
    ...queueBindings(),
    durableObjectsPersist: false,
    d1Persist: false,
    cachePersist: false,
    host: '127.0.0.1',
    port: opts.port ?? 0,
    unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
    // /cdn-cgi/handler/scheduled fires the cron sweep, as under `wrangler dev` (scripts/dev-cron.ts).
    unsafeTriggerHandlers: true,
    ...(opts.inspectorPort === undefined ? {} : { inspectorPort: opts.inspectorPort }),
    bindings: {
      // wrangler.toml's [vars] as deployed, then what a local run needs instead.
      ...productionVars(),
      APP_ENV: 'development',
      SHOP_TIME_ZONE: 'Asia/Shanghai',
      ADMIN_ORIGINS: '',
      CATALOG_S_MAXAGE: '300',
      CATALOG_MAX_AGE: '30',
      JWT_KEYS: JSON.stringify({ local: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url') }),
      ...opts.bindings,
    },
  });
  const url = (await mf.ready).toString().replace(/\/$/, '');
  const directUrl = (await mf.unsafeGetDirectURL()).toString().replace(/\/$/, '');
  const db = (await mf.getD1Database('DB')) as unknown as D1Like;
  for (const statement of migrationStatements()) await db.prepare(statement).run();
  return { url, directUrl, mf, db, dispose: () => mf.dispose() };
}

/** Runs seed SQL statements (scripts/seed-data.ts) against the local worker's D1. */
export async function runSql(worker: LocalWorker, statements: string[]) {
  for (const statement of statements) await worker.db.prepare(statement).run();
}
