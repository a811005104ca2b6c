// API failures as messages a shopper can read. The API's own message is English and meant for
// developers; the codes below get a Chinese sentence, anything else a generic one by status.
import type { ApiErrorBody } from './api-types';

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ApiErrorBody['error']['details'] = [],
  ) {
    super(message);
  }
}

const messagesByCode: Record<string, string> = {
  network_error: '网络不可用，请检查网络后重试',
  timeout: '网络超时，请稍后重试',
  unauthorized: '登录已失效，请重新登录',
  not_found: '内容不存在或已下架',
  insufficient_stock: '库存不足，请减少数量',
  out_of_stock: '商品已售罄',
  sold_out: '已抢光',
  not_started: '活动尚未开始',
  ended: '活动已结束',
  per_order_limit: '超过单笔限购数量',
  per_user_limit: '已达到每人限购数量',
  product_unavailable: '商品已下架',
  illegal_transition: '订单状态已变化，请刷新后再试',
  idempotency_key_reused: '请求重复，请刷新后再试',
  invalid_phone_code: '手机号授权已失效，请重新授权',
  wechat_busy: '微信繁忙，请稍后重试',
  wechat_user_blocked: '当前微信账号无法登录',
  room_full: '该团已满员',
  room_closed: '该团已结束',
  room_closing: '该团正在成团，请稍后再看',
  already_member: '你已经在这个团里了',
  group_buy_not_live: '拼团活动未开始或已结束',
  sku_not_in_group_buy: '该规格不参加拼团',
  launch_limit: '你发起的砍价次数已用完',
  session_closed: '这个砍价已结束',
  already_helped: '你已经帮忙砍过了',
  own_session: '不能给自己砍价',
  floor_reached: '已经砍到底价啦',
  daily_help_limit: '今日帮砍次数已用完',
  expired: '活动已过期',
  floor_not_reached: '还没砍到底价，继续邀请好友吧',
  payload_too_large: '提交内容过大',
  insufficient_points: '积分不足',
  points_debt_outstanding: '你有待补扣的积分，暂时不能使用积分',
  already_checked_in: '今天已经签到过了',
  make_up_outside_cycle: '只能补签本周期内的日期',
  make_up_limit_reached: '本月补签次数已用完',
  exchange_limit_reached: '已达到每人兑换上限',
  address_required: '请先添加收货地址',
  birthday_change_too_soon: '生日每 12 个月只能修改一次',
  coupon_sold_out: '优惠券已领完',
  claim_limit: '已达到领取上限',
  claim_not_started: '还未到领取时间',
  claim_ended: '领取已结束',
  not_eligible: '暂不符合领取条件',
  code_invalid: '兑换码无效',
  code_used: '兑换码已被使用',
  coupon_unavailable: '优惠券已被使用，请重新选择',
  coupon_not_applicable: '该优惠券不适用于本订单',
};

const messagesByStatus: Record<number, string> = {
  400: '提交的信息有误',
  401: '请先登录',
  403: '没有权限进行此操作',
  404: '内容不存在或已下架',
  409: '状态已变化，请刷新后再试',
  422: '当前无法完成此操作',
  429: '操作太频繁，请稍后再试',
};

/** The message for a failed response; a 429 says how long to wait when the API says so. */
export function readableMessage(status: number, code: string, retryAfterSeconds?: number): string {
  if (status === 429 && retryAfterSeconds) return `操作太频繁，请 ${retryAfterSeconds} 秒后再试`;
  return messagesByCode[code] ?? messagesByStatus[status] ?? (status >= 500 ? '服务暂时不可用，请稍后重试' : '请求失败，请稍后重试');
}

function isErrorBody(body: unknown): body is ApiErrorBody {
  const error = (body as { error?: { code?: unknown } } | null)?.error;
  return typeof error === 'object' && error !== null && typeof error.code === 'string';
}

export function errorFromResponse(status: number, body: unknown, retryAfter: string | undefined): ApiRequestError {
  const seconds = retryAfter ? Number.parseInt(retryAfter, 10) : undefined;
  if (!isErrorBody(body)) return new ApiRequestError(status, 'http_error', readableMessage(status, 'http_error', seconds));
  const { code, details } = body.error;
  // Invalid input names the field: say which one, since the shopper can fix it.
  const field = status === 400 && details[0] ? `（${details[0].path.replace(/^(body|query|param)\./, '')}：${details[0].message}）` : '';
  return new ApiRequestError(status, code, readableMessage(status, code, seconds) + field, details);
}

/** What to show for anything a page catches. */
export function messageOf(error: unknown): string {
  return error instanceof ApiRequestError ? error.message : '出了点问题，请稍后重试';
}
