// A tracking provider in the style of 快递100 (Kuaidi100): a subscription per tracking number whose
// pushes are signed, and a real-time query for polling when pushes do not come.
//  - subscribe: POST {base}/poll, form schema=json&param={company, number, key, parameters:{callbackurl, salt}}
//    → {result, returnCode, message}; returnCode 501 = already subscribed (fine for us).
//  - push: POST to the callback, form param=<JSON>&sign=MD5(param + salt) upper-case hex.
//  - query: POST {base}/poll/query.do, form customer, sign=MD5(param + key + customer), param={com, num}.
// Only the base URL differs between production and the local fake.

/** 快递100 states: 0 在途, 1 揽收, 2 疑难, 3 签收, 4 退签, 5 派件, 6 退回, 14 拒签 … */
export const DELIVERED_STATE = '3';

export type TrackingEvent = { time: string; context: string; state: string };
export type TrackingResult = { state: string; events: TrackingEvent[] };

/** WeChat delivery ids → 快递100 company codes. */
export const kuaidi100Company: Record<string, string> = {
  SF: 'shunfeng',
  ZTO: 'zhongtong',
  YTO: 'yuantong',
  STO: 'shentong',
  YUNDA: 'yunda',
  JTSD: 'jtexpress',
  JD: 'jd',
  EMS: 'ems',
  DB: 'debangkuaidi',
  ZJS: 'zhaijisong',
  BEST: 'huitongkuaidi',
};

export type Kuaidi100Config = { apiBase: string; key: string; customer: string };

export async function md5UpperHex(text: string): Promise<string> {
  // workerd implements MD5 in WebCrypto (non-standard), which 快递100's signatures need.
  const digest = await crypto.subtle.digest('MD5', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
}

type ProviderEvent = { time?: string; ftime?: string; context?: string; status?: string; statusCode?: string };
type ProviderResult = { state?: string; data?: ProviderEvent[] };
/** Every answer of the provider: subscribe ({result, returnCode, message}) and query (status + a result). */
type ProviderAnswer = ProviderResult & { result?: boolean; returnCode?: string; status?: string; message?: string };

const eventsOf = (result: ProviderResult): TrackingResult => ({
  state: String(result.state ?? '0'),
  events: (result.data ?? []).map((e) => ({ time: e.ftime ?? e.time ?? '', context: String(e.context ?? ''), state: String(e.statusCode ?? result.state ?? '') })),
});

export class Kuaidi100Client {
  constructor(private readonly config: Kuaidi100Config) {}

  private async post(path: string, form: Record<string, string>) {
    const response = await fetch(`${this.config.apiBase.replace(/\/+$/, '')}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`tracking provider HTTP ${response.status}`);
    return (await response.json()) as ProviderAnswer;
  }

  /** Subscribes a tracking number; pushes come to `callbackUrl`, signed with `salt`. */
  async subscribe(carrierId: string, trackingNo: string, callbackUrl: string, salt: string) {
    const company = kuaidi100Company[carrierId];
    if (!company) throw new Error(`no 快递100 code for carrier ${carrierId}`);
    const param = JSON.stringify({ company, number: trackingNo, key: this.config.key, parameters: { callbackurl: callbackUrl, salt, resultv2: '1' } });
    const answer = await this.post('/poll', { schema: 'json', param });
    if (answer.result !== true && answer.returnCode !== '501') throw new Error(`tracking subscribe refused: ${answer.returnCode} ${answer.message}`);
  }

  /** The events so far (the polling fallback). */
  async query(carrierId: string, trackingNo: string): Promise<TrackingResult> {
    const param = JSON.stringify({ com: kuaidi100Company[carrierId] ?? carrierId.toLowerCase(), num: trackingNo });
    const answer = await this.post('/poll/query.do', { customer: this.config.customer, sign: await md5UpperHex(param + this.config.key + this.config.customer), param });
    if (answer.status !== '200') throw new Error(`tracking query refused: ${answer.status ?? answer.returnCode} ${answer.message}`);
    return eventsOf(answer);
  }
}

/** A push's events when its signature holds, else null. */
export async function verifiedPush(param: string, sign: string, salt: string): Promise<TrackingResult | null> {
  if ((await md5UpperHex(param + salt)) !== sign.toUpperCase()) return null;
  const body = JSON.parse(param) as { lastResult?: ProviderResult };
  return eventsOf(body.lastResult ?? {});
}
