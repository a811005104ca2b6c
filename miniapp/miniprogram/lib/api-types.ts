// Request and response types of the API, inferred from the worker's own routes (hono/client over
// AppType): when a route's payload changes, the mini-program stops compiling instead of drifting.
import type { hc, InferRequestType, InferResponseType } from 'hono/client';
import type { AppType } from '../../../src/app';
import type { ApiError } from '../../../src/lib/errors';

type Api = ReturnType<typeof hc<AppType>>;

export type ApiErrorBody = ReturnType<ApiError['toBody']>;

export type CategoryTree = InferResponseType<Api['categories']['$get'], 200>;
export type Category = CategoryTree['items'][number];
export type ProductListQuery = InferRequestType<Api['products']['$get']>['query'];
export type ProductPage = InferResponseType<Api['products']['$get'], 200>;
export type ProductCard = ProductPage['items'][number];
export type ProductDetail = InferResponseType<Api['products'][':id']['$get'], 200>;
export type ProductSpec = ProductDetail['specs'][number];
export type ProductSku = ProductDetail['skus'][number];
export type SearchPage = InferResponseType<Api['search']['$get'], 200>;

export type SignInResult = InferResponseType<Api['auth']['wechat']['$post'], 200>;
export type RefreshResult = InferResponseType<Api['auth']['refresh']['$post'], 200>;
export type PhoneBinding = InferResponseType<Api['auth']['phone']['$post'], 200>;
export type Profile = InferResponseType<Api['me']['$get'], 200>;
export type AddressList = InferResponseType<Api['me']['addresses']['$get'], 200>;
export type Address = AddressList['items'][number];
export type AddressInput = InferRequestType<Api['me']['addresses']['$post']>['json'];

export type Cart = InferResponseType<Api['cart']['$get'], 200>;
export type CartLine = Cart['items'][number];
export type CheckoutLines = InferRequestType<Api['checkout']['quote']['$post']>['json'];
export type Quote = InferResponseType<Api['checkout']['quote']['$post'], 200>;

export type CouponCentre = InferResponseType<Api['coupons']['$get'], 200>;
export type CentreCoupon = CouponCentre['items'][number];
export type HeldCoupon = InferResponseType<Api['coupons'][':templateId']['claim']['$post'], 201>;
export type HeldCouponPage = InferResponseType<Api['me']['coupons']['$get'], 200>;
export type WalletStatus = NonNullable<InferRequestType<Api['me']['coupons']['$get']>['query']['status']>;
/** The quote's coupon part: the chosen one and the wallet as usable / unusable. */
export type QuoteCoupons = Pick<Quote, 'coupon' | 'coupons'>;
export type ProductOffer = ProductCard['offers'][number];
export type ProductCouponBadge = ProductCard['coupons'][number];
export type ProductPromotion = NonNullable<ProductCard['promotion']>;

export type OrderInput = InferRequestType<Api['orders']['$post']>['json'];
export type Order = InferResponseType<Api['orders']['$post'], 201>;
export type OrderStatus = Order['status'];
export type OrderPage = InferResponseType<Api['orders']['$get'], 200>;
export type OrderSummary = OrderPage['items'][number];
export type Prepay = InferResponseType<Api['orders'][':id']['pay']['$post'], 200>;
export type AfterSale = InferResponseType<Api['after-sales'][':id']['$get'], 200>;
export type AfterSalePage = InferResponseType<Api['after-sales']['$get'], 200>;
export type AfterSaleInput = InferRequestType<Api['orders'][':id']['after-sales']['$post']>['json'];
export type AfterSaleType = AfterSaleInput['type'];
export type SubscriptionOffer = InferResponseType<Api['me']['subscriptions']['$get'], 200>;
export type SubscriptionAllowances = InferResponseType<Api['me']['subscriptions']['$post'], 200>;
export type OrderTracking = InferResponseType<Api['orders'][':id']['tracking']['$get'], 200>;
export type RequestPaymentParams = Prepay['request_payment'];

export type FlashSaleList = InferResponseType<Api['flash-sales']['$get'], 200>;
export type FlashSaleCampaign = FlashSaleList['items'][number];
export type FlashSaleDetail = InferResponseType<Api['flash-sales'][':id']['$get'], 200>;
export type FlashSaleProduct = FlashSaleDetail['products'][number];
export type FlashReserveInput = InferRequestType<Api['flash-sales'][':id']['reserve']['$post']>['json'];

// Group buys and bargains: the view types their services export, and the route answers around them.
export type { GroupBuyCampaignView } from '../../../src/marketing/group-buy/campaigns';
export type { GroupBuyRoomView } from '../../../src/marketing/group-buy/room-views';
export type { BargainCampaignView, BargainSessionView } from '../../../src/marketing/bargain/views';
export type GroupBuyList = InferResponseType<Api['group-buys']['$get'], 200>;
export type GroupBuyCampaignDetail = InferResponseType<Api['group-buys'][':campaignId']['$get'], 200>;
export type GroupBuyOpenRoom = GroupBuyCampaignDetail['open_rooms'][number];
export type GroupBuyRoomPage = InferResponseType<Api['group-buys']['rooms']['$get'], 200>;
export type GroupBuySeat = InferResponseType<Api['group-buys'][':campaignId']['rooms']['$post'], 201>;
export type GroupBuySeatInput = InferRequestType<Api['group-buys'][':campaignId']['rooms']['$post']>['json'];
export type BargainList = InferResponseType<Api['bargains']['$get'], 200>;
export type BargainSessionPage = InferResponseType<Api['bargains']['sessions']['$get'], 200>;
export type BargainLaunch = InferResponseType<Api['bargains'][':campaignId']['sessions']['$post'], 201>;
export type BargainHelp = InferResponseType<Api['bargains']['sessions'][':sessionId']['help']['$post'], 201>;
export type BargainPurchase = InferResponseType<Api['bargains']['sessions'][':sessionId']['buy']['$post'], 201>;
export type BargainPurchaseInput = InferRequestType<Api['bargains']['sessions'][':sessionId']['buy']['$post']>['json'];

// Loyalty: points, check-in, member levels and paid plans, the points mall.
export type PointsView = InferResponseType<Api['me']['points']['$get'], 200>;
export type PointsLedgerPage = InferResponseType<Api['me']['points']['ledger']['$get'], 200>;
export type PointsEntry = PointsLedgerPage['items'][number];
export type CheckInCalendar = InferResponseType<Api['me']['check-ins']['$get'], 200>;
export type CheckInDay = CheckInCalendar['days'][number];
export type CheckInResult = InferResponseType<Api['me']['check-ins']['$post'], 201>;
export type MembershipView = InferResponseType<Api['me']['membership']['$get'], 200>;
export type MemberLevelList = InferResponseType<Api['membership']['levels']['$get'], 200>;
export type MemberLevel = MemberLevelList['items'][number];
export type MemberPlanList = InferResponseType<Api['membership']['plans']['$get'], 200>;
export type MemberPlan = MemberPlanList['items'][number];
export type PlanPurchase = InferResponseType<Api['membership']['plans'][':planId']['purchase']['$post'], 201>;
export type MallItemList = InferResponseType<Api['points-mall']['items']['$get'], 200>;
export type MallItem = MallItemList['items'][number];
export type MallExchange = InferResponseType<Api['points-mall']['items'][':id']['exchange']['$post'], 201>;
export type MallExchangePage = InferResponseType<Api['me']['points-mall']['exchanges']['$get'], 200>;
export type QuotePoints = Quote['points'];
