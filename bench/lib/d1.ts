// Reads the local worker's D1 directly (Miniflare's binding), for setup and after-run checks.
import type { LocalWorker } from '../../scripts/local-worker';

export async function query<T extends Record<string, unknown>>(worker: LocalWorker, sql: string, ...params: unknown[]): Promise<T[]> {
  const statement = worker.db.prepare(sql);
  return ((await (params.length ? statement.bind(...params) : statement).run()) as { results: T[] }).results;
}
