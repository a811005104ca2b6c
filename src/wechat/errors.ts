// Typed failures of the WeChat clients. Callers decide on `retryable` (try again with the same
// keys: code, out_trade_no, out_refund_no) and on the kind/code, never on message text.

export abstract class WeChatError extends Error {
  abstract readonly retryable: boolean;
}

/** What a failed login-side call (code2Session, access token, phone number) means for the caller. */
export type WeChatLoginErrorKind =
  | 'busy' // errcode -1 or no usable answer: try again
  | 'invalid_code' // 40029: the code is wrong, foreign or expired
  | 'code_used' // 40163: the code was already exchanged
  | 'rate_limited' // 45011: too many calls for this user; wait a minute
  | 'blocked_user' // 40226: WeChat flags the user as high-risk and refuses the login
  | 'invalid_token' // 40001 / 42001: the access_token is stale
  | 'not_known_yet' // 10060001: order shipping does not know the payment yet (just paid): try again
  | 'not_subscribed' // 43101: the shopper has no subscribe-message allowance left
  | 'unexpected';

const loginErrorKinds: Record<number, WeChatLoginErrorKind> = {
  [-1]: 'busy',
  40029: 'invalid_code',
  40163: 'code_used',
  45011: 'rate_limited',
  40226: 'blocked_user',
  40001: 'invalid_token',
  42001: 'invalid_token',
  10060001: 'not_known_yet',
  43101: 'not_subscribed',
};

export class WeChatLoginError extends WeChatError {
  readonly kind: WeChatLoginErrorKind;
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    kind?: WeChatLoginErrorKind,
  ) {
    super(`WeChat errcode ${errcode}: ${errmsg}`);
    this.kind = kind ?? loginErrorKinds[errcode] ?? 'unexpected';
  }
  get retryable() {
    return this.kind === 'busy' || this.kind === 'not_known_yet';
  }
}

/** A non-2xx answer from WeChat Pay (`{code, message}`), or no answer at all (status 0). */
export class WeChatPayApiError extends WeChatError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`WeChat Pay ${status} ${code}: ${message}`);
  }
  /**
   * WeChat Pay asks for a retry with the same parameters on SYSTEM_ERROR and 5xx; a lost answer
   * (status 0) may have been applied, so it too is retried with the same idempotency keys.
   * FREQUENCY_LIMITED clears by itself, so a later retry is right for it as well.
   */
  get retryable() {
    return this.status === 0 || this.status >= 500 || this.code === 'SYSTEM_ERROR' || this.code === 'FREQUENCY_LIMITED';
  }
}

export type WeChatPaySignatureFailure =
  | 'missing_header'
  | 'stale_timestamp'
  | 'probe_signature' // WECHATPAY/SIGNTEST/…: WeChat Pay's deliberate probe, which must fail
  | 'unknown_serial'
  | 'certificate_expired' // the serial names a configured platform certificate past its notAfter
  | 'certificate_not_yet_valid' // … or before its notBefore
  | 'no_valid_certificate' // certificate mode only, and every configured certificate is out of date
  | 'unsupported_signature_type'
  | 'bad_signature';

/** A response or notification that is not provably from WeChat Pay. Never act on it. */
export class WeChatPaySignatureError extends WeChatError {
  readonly retryable = false;
  constructor(
    readonly reason: WeChatPaySignatureFailure,
    detail?: string,
  ) {
    super(`WeChat Pay signature rejected: ${reason}${detail ? ` (${detail})` : ''}`);
  }
}

export type WeChatPayNotificationFailure = 'malformed' | 'decrypt_failed' | 'mchid_mismatch' | 'appid_mismatch';

/** A correctly signed notification whose content cannot be used. */
export class WeChatPayNotificationError extends WeChatError {
  readonly retryable = false;
  constructor(readonly reason: WeChatPayNotificationFailure) {
    super(`WeChat Pay notification rejected: ${reason}`);
  }
}
