// The one request layer every page uses: attaches the shopper's token, renews it once when the
// API says 401, turns error answers into ApiRequestError with a readable message.
import { bodyOf, send, type Method, type Query } from './http';
import { accessToken, renewAfterRejection } from './session';

/** required: sign in first if needed; optional: send a token if there is one; none: never. */
export type Auth = 'required' | 'optional' | 'none';

export type RequestOptions = { method?: Method; query?: Query; body?: unknown; auth?: Auth; idempotencyKey?: string };

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
  return bodyOf<T>(res);
}
