// The merchant admin page under /admin: server-rendered forms over the same services as the JSON
// API, one sub-app per section in ./pages. Each section renders its own errors as pages (the JSON
// API under /admin/api keeps JSON errors); every section shares one layout and one form kit.
import { Hono } from 'hono';
import type { AppEnv } from '../../src/env';
import { afterSalePages } from './pages/after-sales';
import { bargainPages } from './pages/bargains';
import { couponPages } from './pages/coupons';
import { promotionPages } from './pages/promotions';
import { flashSalePages } from './pages/flash-sales';
import { groupBuyPages } from './pages/group-buys';
import { loyaltyPages } from './pages/loyalty';
import { loyaltySettingsPages } from './pages/loyalty-settings';
import { orderPages } from './pages/orders';
import { productPages } from './pages/products';
import { sessionPages } from './pages/session';
import { shippingUploadPages } from './pages/shipping-uploads';

export const adminPageRoutes = new Hono<AppEnv>()
  .get('/', (c) => c.redirect('/admin/products', 303))
  .route('/', sessionPages)
  .route('/products', productPages)
  .route('/orders', orderPages)
  .route('/flash-sales', flashSalePages)
  .route('/bargains', bargainPages)
  .route('/group-buys', groupBuyPages)
  .route('/after-sales', afterSalePages)
  .route('/shipping-uploads', shippingUploadPages)
  .route('/loyalty', loyaltyPages)
  .route('/loyalty', loyaltySettingsPages)
  .route('/coupons', couponPages)
  .route('/promotions', promotionPages);
