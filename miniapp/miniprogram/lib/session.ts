// The shopper's session: wx.login → POST /auth/wechat gives an access token (30 minutes) and a
// refresh token that rotates on every use. Refreshing and signing in are single-flight: the
// API revokes the whole token family when a used refresh token comes back, so two requests that
// both see an expired token must share one refresh instead of racing.
import type { RefreshResult, SignInResult } from './api-types';
import { clock } from './clock';
import { TOKEN_REFRESH_MARGIN_MS } from './config';
import { ApiRequestError } from './errors';
import { bodyOf, send } from './http';

const STORAGE_KEY = 'edge-mall.session';

export type StoredSession = { access_token: string; expires_at: string | null; refresh_token: string; user: SignInResult['user'] | null };

export function currentSession(): StoredSession | null {
  const stored: unknown = wx.getStorageSync(STORAGE_KEY);
  return stored && typeof stored === 'object' && 'access_token' in stored ? (stored as StoredSession) : null;
}

function store(session: StoredSession): StoredSession {
  wx.setStorageSync(STORAGE_KEY, session);
  return session;
}

export function forgetSession(): void {
  wx.removeStorageSync(STORAGE_KEY);
}

function wxLoginCode(): Promise<string> {
  return new Promise((resolve, reject) =>
    wx.login({
      success: (res) => (res.code ? resolve(res.code) : reject(new ApiRequestError(0, 'wx_login_failed', '微信登录失败，请重试'))),
      fail: () => reject(new ApiRequestError(0, 'wx_login_failed', '微信登录失败，请重试')),
    }),
  );
}

let signingIn: Promise<StoredSession> | null = null;
let refreshing: Promise<StoredSession> | null = null;

/** Signs in with a fresh wx.login code (each code works once). */
export function signIn(): Promise<StoredSession> {
  signingIn ??= (async () => {
    const code = await wxLoginCode();
    const result = bodyOf<SignInResult>(await send('POST', '/auth/wechat', { body: { code } }));
    return store({ access_token: result.access_token, expires_at: result.expires_at, refresh_token: result.refresh_token, user: result.user });
  })().finally(() => {
    signingIn = null;
  });
  return signingIn;
}

/** A new token pair from the refresh token; a refused refresh token means signing in again. */
function refresh(session: StoredSession): Promise<StoredSession> {
  refreshing ??= (async () => {
    const res = await send('POST', '/auth/refresh', { body: { refresh_token: session.refresh_token } });
    if (res.status === 401) return signIn();
    const result = bodyOf<RefreshResult>(res);
    return store({ ...session, access_token: result.access_token, expires_at: result.expires_at, refresh_token: result.refresh_token });
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

const expiresSoon = (s: StoredSession) => s.expires_at !== null && Date.parse(s.expires_at) - TOKEN_REFRESH_MARGIN_MS <= clock.now();

/** The token to send: signs in first when required, refreshes one that is about to expire. */
export async function accessToken(required: boolean): Promise<string | undefined> {
  const session = currentSession();
  if (!session) return required ? (await signIn()).access_token : undefined;
  return expiresSoon(session) ? (await refresh(session)).access_token : session.access_token;
}

/** After a 401 for `rejected`: a token another request already renewed, or a renewed one. */
export async function renewAfterRejection(rejected: string): Promise<string> {
  const session = currentSession();
  if (!session) return (await signIn()).access_token;
  if (session.access_token !== rejected) return session.access_token;
  return (await refresh(session)).access_token;
}

export async function signOut(): Promise<void> {
  const session = currentSession();
  forgetSession();
  if (session) bodyOf<void>(await send('POST', '/auth/logout', { body: { refresh_token: session.refresh_token } }));
}

/** Keeps the stored profile in step after it changes (phone bound, nickname edited). */
export function updateStoredUser(patch: Partial<NonNullable<StoredSession['user']>>): void {
  const session = currentSession();
  if (session?.user) store({ ...session, user: { ...session.user, ...patch } });
}
