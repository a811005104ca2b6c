// Structured logs: one JSON object per line, which Workers Logs ([observability] in wrangler.toml)
// indexes by field. Every line logged while a request is handled carries that request's id
// (request-log.ts sets it for the request's whole async flow), so a request's lines can be found
// from the X-Request-Id a client reports or the error body's request_id.
import { AsyncLocalStorage } from 'node:async_hooks';

type Level = 'info' | 'warn' | 'error';

const requestScope = new AsyncLocalStorage<{ requestId: string }>();

/** Runs `fn` (and everything it awaits) as part of the request `requestId`. */
export const runInRequest = <T>(requestId: string, fn: () => T): T => requestScope.run({ requestId }, fn);

/** The id of the request being handled, if any (undefined in cron and queue work). */
export const currentRequestId = (): string | undefined => requestScope.getStore()?.requestId;

/** Longest string written into a log line: log lines stay bounded whatever a request carries. */
const MAX_LOGGED_STRING = 2000;

/** What a log line says of an error: name, message and stack (and its cause), never "[object Object]". */
export function errorFields(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { value: String(error) };
  const cause = error.cause !== undefined && depth < 3 ? { cause: errorFields(error.cause, depth + 1) } : {};
  return { name: error.name, message: error.message, stack: error.stack, ...cause };
}

const bounded = (_key: string, value: unknown) =>
  typeof value === 'string' && value.length > MAX_LOGGED_STRING ? `${value.slice(0, MAX_LOGGED_STRING)}…` : value instanceof Error ? errorFields(value) : value;

/** Writes one JSON log line: {level, msg, request_id, ...fields}. An Error among the fields is written with its stack. */
export function logEvent(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, msg, request_id: currentRequestId(), ...fields }, bounded);
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}
