// WeChat mini-program server APIs: code2Session (login), the app access_token, and the phone
// number behind a getPhoneNumber code. They answer HTTP 200 even on failure; the errcode in the
// body decides, and WeChatLoginError says what it means for the caller.
// Only apiBase differs between production (https://api.weixin.qq.com) and the local fake.
import type { Clock } from '../lib/clock';
import { WeChatLoginError } from './errors';

export type AccessTokenRecord = { accessToken: string; refreshAtMs: number };

/**
 * Where access tokens are kept between requests. WeChat limits how often tokens may be fetched,
 * so production should share one per app (D1 or KV); the in-memory store lasts one isolate.
 */
export interface AccessTokenStore {
  get(appid: string): Promise<AccessTokenRecord | null>;
  set(appid: string, record: AccessTokenRecord): Promise<void>;
}

export class MemoryAccessTokenStore implements AccessTokenStore {
  private readonly records = new Map<string, AccessTokenRecord>();
  async get(appid: string) {
    return this.records.get(appid) ?? null;
  }
  async set(appid: string, record: AccessTokenRecord) {
    this.records.set(appid, record);
  }
}

const isolateTokenStore = new MemoryAccessTokenStore();

export type WeChatLoginConfig = {
  apiBase: string;
  appid: string;
  appSecret: string;
  clock: Clock;
  /** Defaults to a store shared by everything in this isolate. */
  tokenStore?: AccessTokenStore;
};

export type WeChatSession = { openid: string; unionid?: string; sessionKey: string };
export type WeChatPhoneNumber = { phoneNumber: string; purePhoneNumber: string; countryCode: string };

/** WeChat rotates a token 5 minutes before it expires; renewing by then never sends a dying one. */
const TOKEN_REFRESH_MARGIN_MS = 300_000;
const REQUEST_TIMEOUT_MS = 10_000;

type WeChatAnswer = { errcode?: number; errmsg?: string };

export class WeChatLoginClient {
  private readonly tokenStore: AccessTokenStore;

  constructor(private readonly config: WeChatLoginConfig) {
    this.tokenStore = config.tokenStore ?? isolateTokenStore;
  }

  /** Exchanges a wx.login code (single-use) for the user's openid and session key. */
  async code2Session(code: string): Promise<WeChatSession> {
    const query = new URLSearchParams({
      appid: this.config.appid,
      secret: this.config.appSecret,
      js_code: code,
      grant_type: 'authorization_code',
    });
    const answer = await this.request<{ openid?: string; unionid?: string; session_key?: string }>('GET', `/sns/jscode2session?${query}`);
    if (!answer.openid || !answer.session_key) throw new WeChatLoginError(0, 'answer without openid', 'unexpected');
    return { openid: answer.openid, ...(answer.unionid ? { unionid: answer.unionid } : {}), sessionKey: answer.session_key };
  }

  /** The app's access_token, from the store while it is fresh, else from stable_token. */
  async getAccessToken(): Promise<string> {
    const cached = await this.tokenStore.get(this.config.appid);
    if (cached && cached.refreshAtMs > this.config.clock.now()) return cached.accessToken;
    return this.fetchAccessToken();
  }

  /** The phone number behind a `<button open-type="getPhoneNumber">` code (single-use, 5 minutes). */
  async getUserPhoneNumber(code: string, openid?: string): Promise<WeChatPhoneNumber> {
    const answer = await this.withAccessToken((token) =>
      this.request<{ phone_info?: WeChatPhoneNumber & { watermark?: { appid?: string } } }>('POST', `/wxa/business/getuserphonenumber?access_token=${encodeURIComponent(token)}`, {
        code,
        ...(openid ? { openid } : {}),
      }),
    );
    const info = answer.phone_info;
    // The watermark names the app the number was released to; any other app's is not ours to use.
    if (!info?.phoneNumber || info.watermark?.appid !== this.config.appid) throw new WeChatLoginError(0, 'phone_info missing or for another app', 'unexpected');
    return { phoneNumber: info.phoneNumber, purePhoneNumber: info.purePhoneNumber, countryCode: info.countryCode };
  }

  /** A WeChat server API POST that carries the access_token (order shipping, subscribe messages, carriers). */
  async callServerApi<T>(path: string, payload: object): Promise<T> {
    return this.withAccessToken((token) => this.request<T>('POST', `${path}?access_token=${encodeURIComponent(token)}`, payload));
  }

  /**
   * stable_token (not the classic /cgi-bin/token): it hands every caller the same token while it
   * is valid, so concurrent refreshes from many isolates do not invalidate each other's tokens.
   */
  private async fetchAccessToken(): Promise<string> {
    const answer = await this.request<{ access_token?: string; expires_in?: number }>('POST', '/cgi-bin/stable_token', {
      grant_type: 'client_credential',
      appid: this.config.appid,
      secret: this.config.appSecret,
      force_refresh: false,
    });
    if (!answer.access_token || typeof answer.expires_in !== 'number') throw new WeChatLoginError(0, 'answer without access_token', 'unexpected');
    const refreshAtMs = this.config.clock.now() + answer.expires_in * 1000 - TOKEN_REFRESH_MARGIN_MS;
    await this.tokenStore.set(this.config.appid, { accessToken: answer.access_token, refreshAtMs });
    return answer.access_token;
  }

  /** Runs `call` with the cached token; if WeChat calls the token stale (40001/42001), once more with a fresh one. */
  private async withAccessToken<T>(call: (token: string) => Promise<T>): Promise<T> {
    try {
      return await call(await this.getAccessToken());
    } catch (error) {
      if (!(error instanceof WeChatLoginError) || error.kind !== 'invalid_token') throw error;
      return call(await this.fetchAccessToken());
    }
  }

  /** One call; a non-zero errcode, a non-2xx status or an unreadable body becomes WeChatLoginError. */
  private async request<T>(method: 'GET' | 'POST', pathAndQuery: string, payload?: object): Promise<T> {
    let answer: T & WeChatAnswer;
    try {
      const response = await fetch(`${this.config.apiBase.replace(/\/+$/, '')}${pathAndQuery}`, {
        method,
        headers: payload === undefined ? {} : { 'Content-Type': 'application/json' },
        body: payload === undefined ? undefined : JSON.stringify(payload),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      answer = (await response.json()) as T & WeChatAnswer;
    } catch (error) {
      // No usable answer (network, timeout, gateway error): the same as WeChat's "system busy".
      throw new WeChatLoginError(-1, error instanceof Error ? error.message : String(error), 'busy');
    }
    if (answer.errcode) throw new WeChatLoginError(answer.errcode, answer.errmsg ?? '');
    return answer;
  }
}
