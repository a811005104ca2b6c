/// <reference types="node" />
// A fake 快递100 (see src/tracking/kuaidi100.ts for the protocol): subscriptions keyed by tracking
// number with their callback and salt; each "advance" adds the next event (揽收 → 在途 → 派件 →
// 签收) and builds the signed push (form param + sign = MD5(param + salt)); the real-time query is
// signed with the key and customer. With autoAdvanceMs (npm run dev) every subscription advances
// by itself and the pushes are delivered to the callback, so a package is delivered in minutes.
//
// Control: POST /__fake/tracking/:number/advance → { callbackUrl, form: { param, sign } } (POST
//   that form to callbackUrl); GET /__fake/tracking/:number → the subscription and its events.
import { createHash } from 'node:crypto';
import { FAKE_TRACKING_CUSTOMER, FAKE_TRACKING_KEY } from './wechat-bindings';

type Subscription = { company: string; number: string; callbackUrl: string; salt: string; events: { time: string; ftime: string; context: string; status: string; statusCode: string }[] };

const steps = [
  { statusCode: '1', status: '揽收', context: '快件已由快递员揽收' },
  { statusCode: '0', status: '在途', context: '快件已到达【杭州转运中心】' },
  { statusCode: '5', status: '派件', context: '快件正在派送中，快递员 13800000000' },
  { statusCode: '3', status: '签收', context: '快件已签收，签收人：本人' },
];

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
const chinaClock = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');

export function createTrackingFake(opts: { autoAdvanceMs?: number; timers: Set<NodeJS.Timeout> }) {
  const subscriptions = new Map<string, Subscription>();

  function push(sub: Subscription) {
    const last = sub.events[0];
    const param = JSON.stringify({
      status: 'polling',
      message: '',
      lastResult: { message: 'ok', state: last?.statusCode ?? '0', ischeck: last?.statusCode === '3' ? '1' : '0', com: sub.company, nu: sub.number, data: sub.events },
    });
    return { callbackUrl: sub.callbackUrl, form: { param, sign: md5(param + sub.salt) } };
  }

  function advance(number: string) {
    const sub = subscriptions.get(number);
    if (!sub) return undefined;
    const step = steps[Math.min(sub.events.length, steps.length - 1)]!;
    if (sub.events[0]?.statusCode !== '3') {
      const time = chinaClock(Date.now() + sub.events.length * 1000);
      sub.events.unshift({ time, ftime: time, ...step });
    }
    return push(sub);
  }

  function autoAdvance(number: string) {
    const timer = setTimeout(async () => {
      opts.timers.delete(timer);
      const built = advance(number);
      if (!built) return;
      await fetch(built.callbackUrl, { method: 'POST', body: new URLSearchParams(built.form) }).catch(() => undefined);
      if (subscriptions.get(number)?.events[0]?.statusCode !== '3') autoAdvance(number);
    }, opts.autoAdvanceMs);
    opts.timers.add(timer);
  }

  function subscribe(form: URLSearchParams) {
    if (form.get('schema') !== 'json') return { result: false, returnCode: '700', message: 'schema 须为 json' };
    let param: Record<string, any>;
    try {
      param = JSON.parse(form.get('param') ?? '');
    } catch {
      return { result: false, returnCode: '700', message: 'param 不是 JSON' };
    }
    if (param.key !== FAKE_TRACKING_KEY) return { result: false, returnCode: '600', message: '授权 key 无效' };
    if (typeof param.company !== 'string' || typeof param.number !== 'string' || !/^[A-Za-z0-9-]{1,128}$/.test(param.number))
      return { result: false, returnCode: '700', message: '单号或公司编码无效' };
    const callbackUrl = param.parameters?.callbackurl;
    if (typeof callbackUrl !== 'string' || !/^https?:\/\//.test(callbackUrl)) return { result: false, returnCode: '700', message: 'callbackurl 无效' };
    if (subscriptions.has(param.number)) return { result: false, returnCode: '501', message: '重复订阅' };
    subscriptions.set(param.number, { company: param.company, number: param.number, callbackUrl, salt: String(param.parameters?.salt ?? ''), events: [] });
    if (opts.autoAdvanceMs) autoAdvance(param.number);
    return { result: true, returnCode: '200', message: '提交成功' };
  }

  function query(form: URLSearchParams) {
    const param = form.get('param') ?? '';
    if (form.get('customer') !== FAKE_TRACKING_CUSTOMER || form.get('sign') !== md5(param + FAKE_TRACKING_KEY + FAKE_TRACKING_CUSTOMER))
      return { result: false, returnCode: '601', message: '签名错误' };
    const { num } = JSON.parse(param) as { num?: string };
    const sub = num ? subscriptions.get(num) : undefined;
    if (!sub) return { result: false, returnCode: '500', message: '查询无结果，请隔段时间再查' };
    return { message: 'ok', status: '200', state: sub.events[0]?.statusCode ?? '0', ischeck: sub.events[0]?.statusCode === '3' ? '1' : '0', com: sub.company, nu: sub.number, data: sub.events };
  }

  return {
    /** The provider API's answer for a path it owns (form bodies), or undefined. */
    answer(path: string, raw: string) {
      if (path === '/poll') return subscribe(new URLSearchParams(raw));
      if (path === '/poll/query.do') return query(new URLSearchParams(raw));
      return undefined;
    },
    control(method: string, path: string) {
      const advanced = method === 'POST' ? /^\/__fake\/tracking\/([^/]+)\/advance$/.exec(path) : null;
      if (advanced) {
        const built = advance(decodeURIComponent(advanced[1]!));
        return built ? { status: 200, body: built } : { status: 404, body: { error: 'not subscribed' } };
      }
      const read = method === 'GET' ? /^\/__fake\/tracking\/([^/]+)$/.exec(path) : null;
      if (read) {
        const sub = subscriptions.get(decodeURIComponent(read[1]!));
        return sub ? { status: 200, body: sub } : { status: 404, body: { error: 'not subscribed' } };
      }
      return undefined;
    },
  };
}
