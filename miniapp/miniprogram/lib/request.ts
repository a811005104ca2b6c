// The one request layer every page uses: attaches the shopper's token, renews it once when the
// API says 401, turns error answers into ApiRequestError with a readable message.
import { bodyOf, send, type Method, type Query, type RawResponse } from './http';
import { accessToken, renewAfterRejection } from './session';

/** required: sign in first if needed; optional: send a token if there is one; none: never. */
export type Auth = 'required' | 'optional' | 'none';

export type RequestOptions = { method?: Method; query?: Query; body?: unknown; auth?: Auth; idempotencyKey?: string };

/**
 * A 503 that is not the API's own answer: a runtime in front of the worker (wrangler dev's proxy
 * says "Your worker restarted mid-request" when it reloads the worker) lost the request, which may
 * or may not have run. Safe to send again only when a repeat cannot apply twice: a GET, or a
 * request with an Idempotency-Key (the same key gets the first answer).
 */
const lostInFront = (res: RawResponse) => res.status === 503 && !(typeof res.data === 'object' && res.data !== null && 'error' in res.data);
export const LOST_REQUEST_RETRIES = 2;
const LOST_REQUEST_DELAY_MS = 300;
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const auth = opts.auth ?? 'required';
  const headersWith = (token: string | undefined) => ({
    ...(token && { Authorization: `Bearer ${token}` }),
    ...(opts.idempotencyKey && { 'Idempotency-Key': opts.idempotencyKey }),
  });
  let token = auth === 'none' ? undefined : await accessToken(auth === 'required');
  let res = await send(method, path, { query: opts.query, body: opts.body, headers: headersWith(token) });
  if (res.status === 401 && token) {
    token = await renewAfterRejection(token);
    res = await send(method, path, { query: opts.query, body: opts.body, headers: headersWith(token) });
  }
  const repeatable = method === 'GET' || opts.idempotencyKey !== undefined;
  for (let attempt = 1; repeatable && lostInFront(res) && attempt <= LOST_REQUEST_RETRIES; attempt++) {
    await pause(LOST_REQUEST_DELAY_MS * attempt);
    res = await send(method, path, { query: opts.query, body: opts.body, headers: headersWith(token) });
  }
  return bodyOf<T>(res);
}
