// Who a request acts for, once authenticated (set on the request by the auth middleware).
// Kept apart from the auth services so that the Env/AppEnv types can name them without a cycle.
import type { MerchantRole } from '../db/merchants';

export type MerchantPrincipal = { id: string; username: string; displayName: string; role: MerchantRole };
export type ShopperPrincipal = { id: string };
