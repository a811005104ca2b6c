// Typed calls to the API, one per route the pages use. Public storefront reads send no token
// (they are cached at the edge for everyone); everything about the shopper requires one.
import type * as T from './api-types';
import type * as M from './marketing-contract';
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

export const orderApi = {
  create: (input: T.OrderInput, idempotencyKey: string) => request<T.Order>('/orders', { method: 'POST', body: input, idempotencyKey }),
  list: (status?: T.OrderStatus, cursor?: string) => request<T.OrderPage>('/orders', { query: { status, cursor, limit: 20 } }),
  get: (id: string) => request<T.Order>(`/orders/${enc(id)}`),
  prepay: (id: string) => request<T.Prepay>(`/orders/${enc(id)}/pay`, { method: 'POST' }),
  syncPayment: (id: string) => request<T.Order>(`/orders/${enc(id)}/pay/sync`, { method: 'POST' }),
  cancel: (id: string, reason: string) => request<T.Order>(`/orders/${enc(id)}/cancel`, { method: 'POST', body: { reason } }),
  confirm: (id: string) => request<T.Order>(`/orders/${enc(id)}/confirm`, { method: 'POST' }),
  refund: (id: string, reason: string) => request<T.Order>(`/orders/${enc(id)}/refund`, { method: 'POST', body: { reason } }),
};

export const flashSaleApi = {
  list: () => request<T.FlashSaleList>('/flash-sales', { auth: 'none' }),
  get: (id: string) => request<T.FlashSaleDetail>(`/flash-sales/${enc(id)}`, { auth: 'none' }),
  reserve: (id: string, input: T.FlashReserveInput, idempotencyKey: string) =>
    request<T.Order>(`/flash-sales/${enc(id)}/reserve`, { method: 'POST', body: input, idempotencyKey }),
};

export const groupBuyApi = {
  list: () => request<M.Page<M.GroupBuyCampaignView>>('/group-buys', { auth: 'none' }),
  get: (campaignId: string) => request<M.GroupBuyCampaignDetail>(`/group-buys/${enc(campaignId)}`, { auth: 'none' }),
  open: (campaignId: string, body: { sku_id: string; address_id?: string }, idempotencyKey: string) =>
    request<M.GroupBuySeat>(`/group-buys/${enc(campaignId)}/rooms`, { method: 'POST', body, idempotencyKey }),
  room: (roomId: string) => request<M.GroupBuyRoomView>(`/group-buys/rooms/${enc(roomId)}`),
  join: (roomId: string, body: { sku_id: string; address_id?: string }, idempotencyKey: string) =>
    request<M.GroupBuySeat>(`/group-buys/rooms/${enc(roomId)}/join`, { method: 'POST', body, idempotencyKey }),
  mine: () => request<M.Page<M.GroupBuyRoomView>>('/group-buys/rooms', { query: { mine: 1 } }),
};

export const bargainApi = {
  list: () => request<M.Page<M.BargainCampaignView>>('/bargains', { auth: 'none' }),
  get: (campaignId: string) => request<M.BargainCampaignView>(`/bargains/${enc(campaignId)}`, { auth: 'none' }),
  launch: (campaignId: string, idempotencyKey: string) => request<{ session: M.BargainSessionView }>(`/bargains/${enc(campaignId)}/sessions`, { method: 'POST', body: {}, idempotencyKey }),
  mine: () => request<M.Page<M.BargainSessionView>>('/bargains/sessions'),
  session: (sessionId: string) => request<M.BargainSessionView>(`/bargains/sessions/${enc(sessionId)}`),
  help: (sessionId: string) => request<{ cut_fen: number; session: M.BargainSessionView }>(`/bargains/sessions/${enc(sessionId)}/help`, { method: 'POST', body: {} }),
  buy: (sessionId: string, body: { address_id?: string }, idempotencyKey: string) =>
    request<{ order: T.Order }>(`/bargains/sessions/${enc(sessionId)}/buy`, { method: 'POST', body, idempotencyKey }),
};
