// The production login client (src/wechat/login-client.ts) against the fake WeChat server,
// configured from the worker's WECHAT_* bindings.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/lib/clock';
import { WeChatLoginError } from '../../../src/wechat/errors';
import { MemoryAccessTokenStore, type AccessTokenRecord } from '../../../src/wechat/login-client';
import { invalidateAccessToken, loginClient } from '../../fakes/wechat-control';

const uniqueOpenid = () => `o6_bmjrPTlm6_${crypto.randomUUID().slice(0, 13)}`;

async function loginError(promise: Promise<unknown>): Promise<WeChatLoginError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WeChatLoginError);
  return error as WeChatLoginError;
}

/** A token store that remembers every token it was given: one entry per stable_token fetch. */
class RecordingStore extends MemoryAccessTokenStore {
  readonly saved: AccessTokenRecord[] = [];
  override async set(appid: string, record: AccessTokenRecord) {
    this.saved.push(record);
    await super.set(appid, record);
  }
}

describe('code2Session', () => {
  it('exchanges a code for the openid and a session key', async () => {
    const openid = uniqueOpenid();
    const session = await loginClient().code2Session(`ok:${openid}`);
    expect(session.openid).toBe(openid);
    expect(session.sessionKey).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(session).not.toHaveProperty('unionid');
  });

  it('returns the unionid when the app is bound to an Open Platform account', async () => {
    const openid = uniqueOpenid();
    expect(await loginClient().code2Session(`ok:${openid}:oUnion_${openid}`)).toMatchObject({ openid, unionid: `oUnion_${openid}` });
  });

  it('accepts a code once; the second exchange is 40163 code_used', async () => {
    const client = loginClient();
    const code = `ok:${uniqueOpenid()}`;
    await client.code2Session(code);
    const error = await loginError(client.code2Session(code));
    expect(error).toMatchObject({ errcode: 40163, kind: 'code_used', retryable: false });
  });

  it.each([
    ['bad', 40029, 'invalid_code', false],
    ['busy', -1, 'busy', true],
    ['limit', 45011, 'rate_limited', false],
    ['risky', 40226, 'blocked_user', false],
  ] as const)('maps code %s to errcode %i (%s)', async (code, errcode, kind, retryable) => {
    const error = await loginError(loginClient().code2Session(code));
    expect(error).toMatchObject({ errcode, kind, retryable });
  });

  it('is refused with the wrong app secret', async () => {
    const error = await loginError(loginClient({ appSecret: 'not-the-secret' }).code2Session(`ok:${uniqueOpenid()}`));
    expect(error).toMatchObject({ errcode: 40125, kind: 'unexpected' });
  });

  it('reports an unreachable server as busy, so the caller may retry', async () => {
    // (workerd logs the refused connection itself, even though the client catches it.)
    const error = await loginError(loginClient({ apiBase: 'http://127.0.0.1:9' }).code2Session(`ok:${uniqueOpenid()}`));
    expect(error).toMatchObject({ kind: 'busy', retryable: true });
  });
});

describe('access token', () => {
  it('is fetched once and reused until expires_in − 300 s', async () => {
    // The fake is shared by every test file of the run: start from a freshly issued token, so
    // its remaining lifetime is the full 7200 s whenever this test happens to run.
    await invalidateAccessToken();
    const clock = new ManualClock(Date.now());
    const store = new RecordingStore();
    const client = loginClient({ clock, tokenStore: store });
    const first = await client.getAccessToken();
    expect(await client.getAccessToken()).toBe(first);
    expect(store.saved).toHaveLength(1);
    const { refreshAtMs } = store.saved[0]!;
    // stable_token answered with the remaining lifetime (≤ 7200 s); we renew 300 s before its end.
    expect(refreshAtMs - clock.now()).toBeGreaterThan((7200 - 300 - 60) * 1000);
    expect(refreshAtMs - clock.now()).toBeLessThanOrEqual((7200 - 300) * 1000);

    clock.advance(refreshAtMs - clock.now() - 1);
    await client.getAccessToken();
    expect(store.saved).toHaveLength(1);
    clock.advance(1);
    await client.getAccessToken();
    expect(store.saved).toHaveLength(2);
  });

  it('is shared through the store by clients of the same app', async () => {
    const store = new RecordingStore();
    const token = await loginClient({ tokenStore: store }).getAccessToken();
    expect(await loginClient({ tokenStore: store }).getAccessToken()).toBe(token);
    expect(store.saved).toHaveLength(1);
  });
});

describe('getUserPhoneNumber', () => {
  const uniquePhoneCode = (number: string) => `phone:${number}:${crypto.randomUUID()}`;

  it('returns the number behind a phone code', async () => {
    const phone = await loginClient().getUserPhoneNumber(uniquePhoneCode('13800000000'), uniqueOpenid());
    expect(phone).toEqual({ phoneNumber: '13800000000', purePhoneNumber: '13800000000', countryCode: '86' });
  });

  it('accepts a phone code once (then 40029 invalid_code)', async () => {
    const client = loginClient();
    const code = uniquePhoneCode('13900000001');
    await client.getUserPhoneNumber(code);
    expect(await loginError(client.getUserPhoneNumber(code))).toMatchObject({ errcode: 40029, kind: 'invalid_code' });
  });

  it('refetches the token once when WeChat calls it stale (40001), and keeps the new one', async () => {
    const store = new RecordingStore();
    const client = loginClient({ tokenStore: store });
    const before = await client.getAccessToken();
    const { invalidated } = await invalidateAccessToken();
    expect(invalidated).toBe(before);

    const phone = await client.getUserPhoneNumber(uniquePhoneCode('13700000002'));
    expect(phone.phoneNumber).toBe('13700000002');
    expect(store.saved).toHaveLength(2);
    expect(store.saved[1]!.accessToken).not.toBe(before);
    expect(await client.getAccessToken()).toBe(store.saved[1]!.accessToken);
  });

  it('replaces a cached token WeChat does not know (40001) with a fetched one', async () => {
    const store = new RecordingStore();
    await store.set(env.WECHAT_APPID!, { accessToken: 'never-issued', refreshAtMs: Number.MAX_SAFE_INTEGER });
    const phone = await loginClient({ tokenStore: store }).getUserPhoneNumber(uniquePhoneCode('13600000003'));
    expect(phone.phoneNumber).toBe('13600000003');
    expect(store.saved.map((r) => r.accessToken)).toEqual(['never-issued', expect.not.stringMatching(/^never-issued$/)]);
  });
});
