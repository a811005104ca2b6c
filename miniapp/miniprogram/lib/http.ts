// wx.request as a promise, behind the concurrency limit. The success callback fires for every
// HTTP status, so this resolves with the status and the caller decides what is an error; only
// a request that got no answer (network down, timeout) rejects.
import { API_BASE_URL, MAX_CONCURRENT_REQUESTS, REQUEST_TIMEOUT_MS } from './config';
import { ApiRequestError, errorFromResponse } from './errors';
import { Limiter } from './limiter';

/** What the API accepts; PATCH travels as POST because wx.request cannot send it (see send). */
export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export type RawResponse = { status: number; data: unknown; header: Record<string, string> };

export const requestLimiter = new Limiter(MAX_CONCURRENT_REQUESTS);

export type Query = Record<string, string | number | boolean | undefined>;

export function urlOf(path: string, query?: Query): string {
  const pairs = Object.entries(query ?? {}).filter((e): e is [string, string | number | boolean] => e[1] !== undefined && e[1] !== '');
  const search = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
  return `${API_BASE_URL}${path}${search ? `?${search}` : ''}`;
}

/** Header names as WeChat hands them over vary in case between platforms. */
function headerOf(header: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(header).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : header[key];
}

export function send(method: Method, path: string, opts: { query?: Query; body?: unknown; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  const header: Record<string, string> = { ...opts.headers };
  if (opts.body !== undefined) header['Content-Type'] = 'application/json';
  // The worker turns this back into PATCH (src/app.ts).
  if (method === 'PATCH') header['X-HTTP-Method-Override'] = 'PATCH';
  return requestLimiter.run(
    () =>
      new Promise<RawResponse>((resolve, reject) => {
        wx.request({
          url: urlOf(path, opts.query),
          method: method === 'PATCH' ? 'POST' : method,
          header,
          // JSON.stringify ourselves: wx.request would form-encode a GET's object, and an empty
          // string keeps bodiless POSTs (pay, confirm) free of a Content-Type mismatch.
          data: opts.body === undefined ? '' : JSON.stringify(opts.body),
          dataType: 'json',
          timeout: REQUEST_TIMEOUT_MS,
          success: (res) => resolve({ status: res.statusCode, data: res.data, header: (res.header ?? {}) as Record<string, string> }),
          fail: (err) => {
            const timedOut = /timeout/i.test(err.errMsg);
            reject(new ApiRequestError(0, timedOut ? 'timeout' : 'network_error', timedOut ? '网络超时，请稍后重试' : '网络不可用，请检查网络后重试'));
          },
        });
      }),
  );
}

/** The body of a 2xx answer, or the API's error as an ApiRequestError. */
export function bodyOf<T>(res: RawResponse): T {
  if (res.status >= 200 && res.status < 300) return (res.status === 204 ? undefined : res.data) as T;
  throw errorFromResponse(res.status, res.data, headerOf(res.header, 'Retry-After'));
}
