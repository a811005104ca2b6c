// Typed calls to the API, one per route the pages use. Public storefront reads send no token
// (they are cached at the edge for everyone); everything about the shopper requires one.
import type * as T from './api-types';
import { request } from './request';

const enc = encodeURIComponent;

export const catalogApi = {
  categories: () => request<T.CategoryTree>('/categories', { auth: 'none' }),
  products: (query: T.ProductListQuery) => request<T.ProductPage>('/products', { auth: 'none', query }),
  product: (id: string) => request<T.ProductDetail>(`/products/${enc(id)}`, { auth: 'none' }),
  search: (q: string, cursor?: string) => request<T.SearchPage>('/search', { auth: 'none', query: { q, cursor, limit: 20 } }),
};

export const meApi = {
  profile: () => request<T.Profile>('/me'),
  /** The birthday for birthday benefits: once set, it changes at most once in 12 months (the API refuses sooner). */
  setBirthday: (birthday: string) => request<{ ok: boolean }>('/me', { method: 'PATCH', body: { birthday } }),
  bindPhone: (code: string) => request<T.PhoneBinding>('/auth/phone', { method: 'POST', body: { code } }),
  addresses: () => request<T.AddressList>('/me/addresses'),
  address: (id: string) => request<T.Address>(`/me/addresses/${enc(id)}`),
  createAddress: (input: T.AddressInput) => request<T.Address>('/me/addresses', { method: 'POST', body: input }),
  updateAddress: (id: string, input: Partial<T.AddressInput>) => request<T.Address>(`/me/addresses/${enc(id)}`, { method: 'PATCH', body: input }),
  deleteAddress: (id: string) => request<void>(`/me/addresses/${enc(id)}`, { method: 'DELETE' }),
};

export const cartApi = {
  cart: () => request<T.Cart>('/cart'),
  add: (skuId: string, quantity: number) => request<T.Cart>('/cart/items', { method: 'POST', body: { sku_id: skuId, quantity } }),
  update: (lineId: string, patch: { quantity?: number; selected?: boolean }) => request<T.Cart>(`/cart/items/${enc(lineId)}`, { method: 'PATCH', body: patch }),
  remove: (lineId: string) => request<T.Cart>(`/cart/items/${enc(lineId)}`, { method: 'DELETE' }),
  selectAll: (selected: boolean) => request<T.Cart>('/cart/select', { method: 'POST', body: { selected } }),
  quote: (lines: T.CheckoutLines) => request<T.Quote>('/checkout/quote', { method: 'POST', body: lines }),
};

export const couponApi = {
  /** The coupon centre: with the shopper's claim state when signed in, public otherwise. */
  centre: () => request<T.CouponCentre>('/coupons', { auth: 'optional' }),
  claim: (templateId: string, idempotencyKey: string) => request<T.HeldCoupon>(`/coupons/${enc(templateId)}/claim`, { method: 'POST', idempotencyKey }),
  redeem: (code: string) => request<T.HeldCoupon>('/coupons/redeem', { method: 'POST', body: { code } }),
  mine: (status: T.WalletStatus, cursor?: string) => request<T.HeldCouponPage>('/me/coupons', { query: { status, cursor, limit: 20 } }),
};

export const orderApi = {
  create: (input: T.OrderInput, idempotencyKey: string) => request<T.Order>('/orders', { method: 'POST', body: input, idempotencyKey }),
  list: (status?: T.OrderStatus, cursor?: string) => request<T.OrderPage>('/orders', { query: { status, cursor, limit: 20 } }),
  get: (id: string) => request<T.Order>(`/orders/${enc(id)}`),
  prepay: (id: string) => request<T.Prepay>(`/orders/${enc(id)}/pay`, { method: 'POST' }),
  syncPayment: (id: string) => request<T.Order>(`/orders/${enc(id)}/pay/sync`, { method: 'POST' }),
  cancel: (id: string, reason: string) => request<T.Order>(`/orders/${enc(id)}/cancel`, { method: 'POST', body: { reason } }),
  confirm: (id: string) => request<T.Order>(`/orders/${enc(id)}/confirm`, { method: 'POST' }),
  refund: (id: string, reason: string) => request<T.Order>(`/orders/${enc(id)}/refund`, { method: 'POST', body: { reason } }),
  tracking: (id: string) => request<T.OrderTracking>(`/orders/${enc(id)}/tracking`),
};

export const afterSaleApi = {
  request: (orderId: string, input: T.AfterSaleInput, idempotencyKey: string) => request<T.AfterSale>(`/orders/${enc(orderId)}/after-sales`, { method: 'POST', body: input, idempotencyKey }),
  list: (cursor?: string) => request<T.AfterSalePage>('/after-sales', { query: { cursor, limit: 20 } }),
  get: (id: string) => request<T.AfterSale>(`/after-sales/${enc(id)}`),
  cancel: (id: string) => request<T.AfterSale>(`/after-sales/${enc(id)}/cancel`, { method: 'POST' }),
  returnShipment: (id: string, carrier: string, trackingNo: string) => request<T.AfterSale>(`/after-sales/${enc(id)}/return-shipment`, { method: 'POST', body: { carrier, tracking_no: trackingNo } }),
};

export const subscriptionApi = {
  offer: () => request<T.SubscriptionOffer>('/me/subscriptions'),
  accepted: (keys: string[]) => request<T.SubscriptionAllowances>('/me/subscriptions', { method: 'POST', body: { accepted: keys } }),
};

export const flashSaleApi = {
  list: () => request<T.FlashSaleList>('/flash-sales', { auth: 'none' }),
  get: (id: string) => request<T.FlashSaleDetail>(`/flash-sales/${enc(id)}`, { auth: 'none' }),
  reserve: (id: string, input: T.FlashReserveInput, idempotencyKey: string) => request<T.Order>(`/flash-sales/${enc(id)}/reserve`, { method: 'POST', body: input, idempotencyKey }),
};

export const groupBuyApi = {
  list: () => request<T.GroupBuyList>('/group-buys', { auth: 'none' }),
  get: (campaignId: string) => request<T.GroupBuyCampaignDetail>(`/group-buys/${enc(campaignId)}`, { auth: 'none' }),
  open: (campaignId: string, body: T.GroupBuySeatInput, idempotencyKey: string) => request<T.GroupBuySeat>(`/group-buys/${enc(campaignId)}/rooms`, { method: 'POST', body, idempotencyKey }),
  room: (roomId: string) => request<T.GroupBuyRoomView>(`/group-buys/rooms/${enc(roomId)}`),
  join: (roomId: string, body: T.GroupBuySeatInput, idempotencyKey: string) => request<T.GroupBuySeat>(`/group-buys/rooms/${enc(roomId)}/join`, { method: 'POST', body, idempotencyKey }),
  mine: () => request<T.GroupBuyRoomPage>('/group-buys/rooms', { query: { mine: 1 } }),
};

export const bargainApi = {
  list: () => request<T.BargainList>('/bargains', { auth: 'none' }),
  get: (campaignId: string) => request<T.BargainCampaignView>(`/bargains/${enc(campaignId)}`, { auth: 'none' }),
  // These POSTs take an empty JSON object.
  launch: (campaignId: string, idempotencyKey: string) => request<T.BargainLaunch>(`/bargains/${enc(campaignId)}/sessions`, { method: 'POST', body: {}, idempotencyKey }),
  mine: () => request<T.BargainSessionPage>('/bargains/sessions'),
  session: (sessionId: string) => request<T.BargainSessionView>(`/bargains/sessions/${enc(sessionId)}`),
  help: (sessionId: string) => request<T.BargainHelp>(`/bargains/sessions/${enc(sessionId)}/help`, { method: 'POST', body: {} }),
  buy: (sessionId: string, body: T.BargainPurchaseInput, idempotencyKey: string) => request<T.BargainPurchase>(`/bargains/sessions/${enc(sessionId)}/buy`, { method: 'POST', body, idempotencyKey }),
};

export const loyaltyApi = {
  points: () => request<T.PointsView>('/me/points'),
  ledger: (cursor?: string) => request<T.PointsLedgerPage>('/me/points/ledger', { query: { cursor, limit: 20 } }),
  calendar: (month?: string) => request<T.CheckInCalendar>('/me/check-ins', { query: { month } }),
  checkIn: () => request<T.CheckInResult>('/me/check-ins', { method: 'POST' }),
  makeUp: (date: string) => request<T.CheckInResult>('/me/check-ins/make-up', { method: 'POST', body: { date } }),
  membership: () => request<T.MembershipView>('/me/membership'),
  levels: () => request<T.MemberLevelList>('/membership/levels', { auth: 'none' }),
  plans: () => request<T.MemberPlanList>('/membership/plans', { auth: 'none' }),
  purchasePlan: (planId: string, idempotencyKey: string) => request<T.PlanPurchase>(`/membership/plans/${enc(planId)}/purchase`, { method: 'POST', idempotencyKey }),
  mallItems: () => request<T.MallItemList>('/points-mall/items', { auth: 'none' }),
  exchange: (itemId: string, body: { address_id?: string }, idempotencyKey: string) => request<T.MallExchange>(`/points-mall/items/${enc(itemId)}/exchange`, { method: 'POST', body, idempotencyKey }),
  myExchanges: (cursor?: string) => request<T.MallExchangePage>('/me/points-mall/exchanges', { query: { cursor, limit: 20 } }),
};
