// The one place the mini-program is configured. Before publishing, set API_BASE_URL to the shop's
// deployed https origin (it must also be a "request 合法域名" in the mini-program's admin console)
// and the appid in project.config.json.
export const API_BASE_URL = 'https://shop.example.com';

/** WeChat allows at most 10 wx.request calls in flight; more are queued here, not refused there. */
export const MAX_CONCURRENT_REQUESTS = 10;

/** Per-request timeout (WeChat's ceiling is 60 s). */
export const REQUEST_TIMEOUT_MS = 15_000;

/** Refresh the access token this long before it expires, so a request never leaves with a dying one. */
export const TOKEN_REFRESH_MARGIN_MS = 60_000;

/** Products the merchant tags with this appear in the home page's banner carousel. */
export const HOME_BANNER_TAG = '轮播';
