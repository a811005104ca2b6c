// A `wx` for running the mini-program's own code inside the workers pool against the real
// worker: wx.request goes to SELF.fetch, wx.login hands out codes the fake WeChat accepts once,
// wx.requestPayment checks the paySign with the merchant's key (as WeChat's cashier does) and then
// has the fake WeChat Pay pay the transaction and notify the worker, wx.requestSubscribeMessage
// accepts (or refuses) at the fake WeChat. Navigation, toasts and
// dialogs are recorded so tests can follow a flow page by page.
import { env, SELF } from 'cloudflare:test';
import { acceptAtWeChat, fakeTransactionByPrepay, markPaid } from '../../fakes/wechat-control';
import { BASE } from '../../fixtures/helpers';

type Callbacks<T> = { success?: (result: T) => void; fail?: (error: { errMsg: string }) => void; complete?: () => void };

export type WxStandIn = ReturnType<typeof installWx>;

let loginNonce = 0;

async function merchantVerifyKey(): Promise<CryptoKey> {
  const pem = env.WECHAT_PAY_MERCHANT_PRIVATE_KEY!.replace(/-----[^-]+-----|\s/g, '');
  const der = Uint8Array.from(atob(pem), (c) => c.charCodeAt(0));
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const jwk = (await crypto.subtle.exportKey('jwk', await crypto.subtle.importKey('pkcs8', der, algorithm, true, ['sign']))) as JsonWebKey;
  return crypto.subtle.importKey('jwk', { kty: jwk.kty, n: jwk.n, e: jwk.e }, algorithm, false, ['verify']);
}

/** WeChat's cashier: the signature must be the merchant's over appid, timeStamp, nonceStr and package. */
async function paySignValid(p: { timeStamp: string; nonceStr: string; package: string; paySign: string }): Promise<boolean> {
  const message = `${env.WECHAT_APPID}\n${p.timeStamp}\n${p.nonceStr}\n${p.package}\n`;
  const signature = Uint8Array.from(atob(p.paySign), (c) => c.charCodeAt(0));
  return crypto.subtle.verify('RSASSA-PKCS1-v1_5', await merchantVerifyKey(), signature, new TextEncoder().encode(message));
}

/** The shopper pays in the cashier: the fake WeChat Pay marks the transaction paid and notifies the worker. */
export async function payInCashier(p: { package: string }, opts: { notify: boolean }): Promise<void> {
  const prepayId = p.package.replace(/^prepay_id=/, '');
  // The cashier knows the transaction from WeChat Pay's side (an order's or a paid-membership purchase's).
  const { outTradeNo } = await fakeTransactionByPrepay(prepayId);
  const { notification } = await markPaid(outTradeNo);
  if (!opts.notify) return;
  const res = await SELF.fetch(`${BASE}/payments/wechat/notify`, { method: 'POST', headers: notification.headers, body: notification.body });
  if (res.status !== 204) throw new Error(`notification refused: ${res.status} ${await res.text()}`);
}

export function installWx(opts: { openid: string }) {
  const storage = new Map<string, string>();
  const state = {
    openid: opts.openid,
    navigations: [] as { kind: 'navigateTo' | 'redirectTo' | 'switchTab' | 'navigateBack'; url: string }[],
    toasts: [] as string[],
    requests: [] as { method: string; path: string; status: number }[],
    inFlight: 0,
    maxInFlight: 0,
    /** What the shopper does in the cashier: pay (and WeChat Pay notifies, or not yet), or close it. */
    cashier: 'pay' as 'pay' | 'pay_without_notification' | 'cancel',
    /** The answer to the next dialogs: confirm (with this text for editable ones) or dismiss. */
    dialog: { confirm: true, content: '' },
    /** What the shopper answers in wx.requestSubscribeMessage's prompt (accepted ones are recorded at the fake WeChat, as WeChat does). */
    subscribe: 'accept' as 'accept' | 'reject',
    /** The template ids of each subscription prompt shown. */
    prompts: [] as string[][],
    /** For each prompt, the requests answered before it (WeChat shows a prompt only right after a tap, before any request). */
    requestsBeforePrompt: [] as { method: string; path: string }[][],
    /** Make wx.request fail as if the network were down. */
    offline: false,
    /**
     * The next this many requests reach the worker, but their answer is replaced by what wrangler
     * dev's proxy sends when it reloads the worker mid-request (templates/startDevWorker/ProxyWorker.ts).
     */
    restartMidRequest: 0,
  };
  const done = <T>(o: Callbacks<T>, result: T) => {
    o.success?.(result);
    o.complete?.();
  };
  const failed = <T>(o: Callbacks<T>, errMsg: string) => {
    o.fail?.({ errMsg });
    o.complete?.();
  };
  const navigate = (kind: (typeof state.navigations)[number]['kind']) => (o: { url?: string; delta?: number } & Callbacks<{ errMsg: string }>) => {
    state.navigations.push({ kind, url: o.url ?? '' });
    done(o, { errMsg: `${kind}:ok` });
  };

  const wx = {
    request(o: { url: string; method?: string; header?: Record<string, string>; data?: unknown } & Callbacks<{ statusCode: number; data: unknown; header: Record<string, string> }>) {
      if (state.offline) return failed(o, 'request:fail net::ERR_INTERNET_DISCONNECTED');
      state.maxInFlight = Math.max(state.maxInFlight, ++state.inFlight);
      // WeChat fails requests beyond the tenth in flight; so does this stand-in.
      if (state.inFlight > 10) {
        state.inFlight--;
        return failed(o, 'request:fail exceed max concurrent request count');
      }
      const method = o.method ?? 'GET';
      const body = method === 'GET' || o.data === '' || o.data === undefined ? undefined : String(o.data);
      void SELF.fetch(o.url, { method, headers: o.header, body })
        .then(async (res) => {
          let text = await res.text();
          let status = res.status;
          let headers = Object.fromEntries(res.headers);
          if (state.restartMidRequest > 0) {
            state.restartMidRequest--;
            [status, headers] = [503, { 'content-type': 'text/plain;charset=UTF-8' }];
            text = 'Your worker restarted mid-request. Please try sending the request again. Only GET or HEAD requests are retried automatically.';
          }
          let data: unknown = text;
          try {
            data = text ? JSON.parse(text) : '';
          } catch {
            // Not JSON: WeChat hands over the raw text too.
          }
          state.requests.push({ method, path: new URL(o.url).pathname, status });
          state.inFlight--;
          done(o, { statusCode: status, data, header: headers });
        })
        .catch((error: unknown) => {
          state.inFlight--;
          failed(o, `request:fail ${String(error)}`);
        });
    },
    login(o: Callbacks<{ code: string; errMsg: string }>) {
      // Each code works once at the fake (as at WeChat); the unionid keeps the same shopper.
      done(o, { code: `ok:${state.openid}:u-${state.openid}:${++loginNonce}`, errMsg: 'login:ok' });
    },
    requestPayment(o: { timeStamp: string; nonceStr: string; package: string; signType: string; paySign: string } & Callbacks<{ errMsg: string }>) {
      void (async () => {
        if (o.signType !== 'RSA' || !(await paySignValid(o))) return failed(o, 'requestPayment:fail invalid paySign');
        if (state.cashier === 'cancel') return failed(o, 'requestPayment:fail cancel');
        await payInCashier(o, { notify: state.cashier === 'pay' });
        done(o, { errMsg: 'requestPayment:ok' });
      })().catch((error: unknown) => failed(o, `requestPayment:fail ${String(error)}`));
    },
    requestSubscribeMessage(o: { tmplIds: string[] } & Callbacks<Record<string, string>>) {
      state.prompts.push(o.tmplIds);
      state.requestsBeforePrompt.push(state.requests.map(({ method, path }) => ({ method, path })));
      void (async () => {
        if (state.subscribe === 'accept') for (const id of o.tmplIds) await acceptAtWeChat(state.openid, id);
        done(o, { ...Object.fromEntries(o.tmplIds.map((id) => [id, state.subscribe])), errMsg: 'requestSubscribeMessage:ok' });
      })().catch((error: unknown) => failed(o, `requestSubscribeMessage:fail ${String(error)}`));
    },
    getStorageSync(key: string): unknown {
      const raw = storage.get(key);
      return raw === undefined ? '' : JSON.parse(raw);
    },
    setStorageSync(key: string, value: unknown) {
      storage.set(key, JSON.stringify(value));
    },
    removeStorageSync(key: string) {
      storage.delete(key);
    },
    showToast(o: { title: string }) {
      state.toasts.push(o.title);
    },
    showModal(o: { editable?: boolean } & Callbacks<{ confirm: boolean; cancel: boolean; content?: string }>) {
      done(o, { confirm: state.dialog.confirm, cancel: !state.dialog.confirm, content: o.editable ? state.dialog.content : undefined });
    },
    chooseAddress(o: Callbacks<Record<string, string>>) {
      done(o, {
        userName: '李四',
        telNumber: '13800001111',
        provinceName: '上海市',
        cityName: '上海市',
        countyName: '浦东新区',
        detailInfo: '世纪大道 100 号',
        postalCode: '200120',
        errMsg: 'chooseAddress:ok',
      });
    },
    navigateTo: navigate('navigateTo'),
    redirectTo: navigate('redirectTo'),
    switchTab: navigate('switchTab'),
    navigateBack: navigate('navigateBack'),
    stopPullDownRefresh() {},
    setNavigationBarTitle() {},
  };
  /** Makes this shopper's phone the current one again (a test with several shoppers switches). */
  const use = () => {
    (globalThis as unknown as { wx: typeof wx }).wx = wx;
  };
  use();
  return Object.assign(state, { use });
}
