// Page paths in one place, so a renamed page breaks the build rather than a tap.
const q = (params: Record<string, string | number | undefined>) => {
  const pairs = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined);
  return pairs.length ? `?${pairs.map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&')}` : '';
};

export const routes = {
  home: () => '/pages/home/index',
  category: () => '/pages/category/index',
  cart: () => '/pages/cart/index',
  profile: () => '/pages/profile/index',
  search: (keyword?: string) => `/pages/search/index${q({ q: keyword })}`,
  productList: (params: { category_id?: string; tag?: string; title?: string }) => `/pages/product-list/index${q(params)}`,
  product: (id: string) => `/pages/product/index${q({ id })}`,
  checkout: (buyNow?: { sku_id: string; quantity: number }) => `/pages/checkout/index${q({ sku_id: buyNow?.sku_id, quantity: buyNow?.quantity })}`,
  orders: (status?: string) => `/pages/orders/index${q({ status })}`,
  order: (id: string) => `/pages/order-detail/index${q({ id })}`,
  addresses: (choose?: boolean) => `/pages/addresses/index${q({ choose: choose ? 1 : undefined })}`,
  addressEdit: (id?: string) => `/pages/address-edit/index${q({ id })}`,
  afterSaleRequest: (orderId: string) => `/after-sales/request/index${q({ id: orderId })}`,
  afterSales: () => '/after-sales/list/index',
  afterSale: (id: string) => `/pages/after-sale/index${q({ id })}`,
  couponCentre: () => '/marketing/coupons/centre/index',
  myCoupons: () => '/marketing/coupons/mine/index',
  flashSales: () => '/marketing/flash-sale/list/index',
  flashSale: (id: string) => `/marketing/flash-sale/detail/index${q({ id })}`,
  groupBuys: () => '/marketing/group-buy/list/index',
  groupBuy: (id: string) => `/marketing/group-buy/campaign/index${q({ id })}`,
  groupRoom: (roomId: string, inviter?: string) => `/marketing/group-buy/room/index${q({ id: roomId, inviter })}`,
  bargains: () => '/marketing/bargain/list/index',
  bargain: (id: string) => `/marketing/bargain/campaign/index${q({ id })}`,
  bargainSession: (sessionId: string, inviter?: string) => `/marketing/bargain/session/index${q({ id: sessionId, inviter })}`,
  points: () => '/loyalty/points/index',
  checkIn: (month?: string) => `/loyalty/check-in/index${q({ month })}`,
  membership: () => '/loyalty/membership/index',
  pointsMall: (tab?: 'mine') => `/loyalty/mall/index${q({ tab })}`,
};

/** The tabBar pages: reached with wx.switchTab, never navigateTo. */
export const tabPages = [routes.home(), routes.category(), routes.cart(), routes.profile()];
