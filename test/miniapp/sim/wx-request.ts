// For the simulate tests: wx.request answered by a function of (method, path, body), recorded.
// The answers are typed API fixtures; the flows against the real worker are in the workers pool.
export type Answer = { status: number; body: unknown } | 'offline';
export type Route = (method: string, path: string, body: unknown) => Answer;

type RequestOptions = { url: string; method?: string; data?: unknown; header?: Record<string, string>; success?: (res: object) => void; fail?: (err: { errMsg: string }) => void };

/** Every request's query and headers, for tests that check them (the calls keep method, path, body). */
export const sent: { query: Record<string, string>; header: Record<string, string> }[] = [];

let pending = 0;
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

/** Resolves once every request has been answered and the page has had a tick to apply it. */
export async function settled(): Promise<void> {
  do await tick();
  while (pending > 0);
  await tick();
}

export function answerRequests(route: Route) {
  const calls: { method: string; path: string; body: unknown }[] = [];
  sent.length = 0; // index for index with calls
  const wx = (globalThis as unknown as { wx: Record<string, unknown> }).wx;
  const storage = new Map<string, unknown>();
  Object.assign(wx, {
    request(o: RequestOptions) {
      const url = new URL(o.url);
      const body = typeof o.data === 'string' && o.data ? JSON.parse(o.data) : undefined;
      calls.push({ method: o.method ?? 'GET', path: url.pathname, body });
      sent.push({ query: Object.fromEntries(url.searchParams), header: { ...o.header } });
      const answer = route(o.method ?? 'GET', url.pathname, body);
      pending++;
      setTimeout(() => {
        pending--;
        if (answer === 'offline') o.fail?.({ errMsg: 'request:fail' });
        else o.success?.({ statusCode: answer.status, data: answer.body, header: {} });
      }, 0);
    },
    // A signed-in shopper (usr_me), so requests go straight out.
    getStorageSync: (key: string) =>
      storage.get(key) ?? (key === 'edge-mall.session' ? { access_token: 't', refresh_token: 'r', expires_at: null, user: { id: 'usr_me', nickname: '', avatar_url: null, phone: null } } : ''),
    setStorageSync: (key: string, value: unknown) => storage.set(key, value),
    removeStorageSync: (key: string) => storage.delete(key),
  });
  return calls;
}

export const ok = (body: unknown): Answer => ({ status: 200, body });
export const apiError = (status: number, code: string): Answer => ({ status, body: { error: { code, message: code, details: [] } } });
